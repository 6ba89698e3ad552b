#include "render/graphviz.hpp"

#include "render/look.hpp"

#include <graphviz/cgraph.h>
#include <graphviz/gvc.h>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <mutex>
#include <stdexcept>

namespace rbk {

namespace {

// Long labels wrap at word boundaries, so that diagrams stay readable on a page.
std::string wrap(const std::string& text, size_t width = 28) {
  std::string out, line, word;
  auto flush_word = [&] {
    if (word.empty()) return;
    if (!line.empty() && line.size() + 1 + word.size() > width) {
      out += line + "\n";
      line.clear();
    }
    line += (line.empty() ? "" : " ") + word;
    word.clear();
  };
  for (char c : text) {
    if (c == ' ')
      flush_word();
    else if (c == '\n') {
      flush_word();
      out += line + "\n";
      line.clear();
    } else {
      word += c;
    }
  }
  flush_word();
  return out + line;
}

struct Shape {
  const char* shape;
  const char* style;
  int peripheries;
};

Shape shape_of(NodeKind kind) {
  switch (kind) {
    case NodeKind::Decide:
      return {"diamond", "filled", 1};
    case NodeKind::Action:
      return {"box", "filled", 1};
    case NodeKind::Wait:
      return {"parallelogram", "filled", 1};
    case NodeKind::Approve:
      return {"hexagon", "filled", 1};
    case NodeKind::Call:
      return {"box", "filled", 2};
    case NodeKind::End:
      return {"box", "rounded,filled", 1};
    case NodeKind::Foreach:  // many of the same: a stack
      return {"box3d", "filled", 1};
  }
  return {"box", "filled", 1};
}

// The edges that lead back into a loop (to a node still being visited, depth first from
// start in source order): drawn with constraint=false, so that a loop does not pull its
// first node below its last, and dot need not reverse them to rank the graph (Graphviz
// 2.42's acyclic pass leaks the virtual edges it makes for the ones it reverses).
std::vector<bool> loop_back_edges(const RunbookInfo& rb) {
  std::vector<bool> back(rb.edges.size(), false);
  if (rb.start >= rb.nodes.size()) return back;
  enum class Mark : uint8_t { New, Open, Done };
  std::vector<Mark> mark(rb.nodes.size(), Mark::New);
  std::vector<std::pair<uint32_t, size_t>> stack{{rb.start, 0}};  // node, next edge to follow
  mark[rb.start] = Mark::Open;
  while (!stack.empty()) {
    auto& [node, next] = stack.back();
    const std::vector<uint32_t>& out = rb.nodes[node].edges;
    if (next == out.size()) {
      mark[node] = Mark::Done;
      stack.pop_back();
      continue;
    }
    uint32_t e = out[next++];
    uint32_t to = rb.edges[e].to;
    if (to >= rb.nodes.size()) continue;
    if (mark[to] == Mark::Open) {
      back[e] = true;
    } else if (mark[to] == Mark::New) {
      mark[to] = Mark::Open;
      stack.emplace_back(to, 0);
    }
  }
  return back;
}

}  // namespace

std::string render_dot(const RunbookInfo& rb, const Overlay& ov) {
  std::string out = fmt::format("digraph {} {{\n", quoted(rb.name));
  out += fmt::format("  graph [rankdir=TB, fontname=\"Helvetica\", labelloc=t, label={}];\n",
                     quoted(rb.title.empty() ? rb.name : rb.title));
  out += "  node [fontname=\"Helvetica\", fontsize=11, color=\"#444444\"];\n";
  out += "  edge [fontname=\"Helvetica\", fontsize=10, color=\"#444444\"];\n";
  bool started = ov.present && !ov.nodes.empty();
  out += fmt::format(
      "  \"start\" [id=\"node_start\", label=\"start\", shape=box, style=\"rounded,filled\", "
      "fillcolor=\"{}\"{}];\n",
      kStartFill,
      ov.present ? fmt::format(", color=\"{}\", penwidth=2.5", started ? kTakenColor : kDimColor)
                 : "");
  for (const auto& n : rb.nodes) {
    Shape shape = shape_of(n.kind);
    std::string label = wrap(node_title(n));
    for (const auto& note : node_notes(n, ov)) label += "\n" + note;
    std::string attrs = fmt::format("id={}, label={}, shape={}, style=\"{}\", fillcolor=\"{}\"",
                                    quoted("node_" + n.name), quoted(label), shape.shape,
                                    shape.style, node_fill(n));
    if (shape.peripheries > 1) attrs += fmt::format(", peripheries={}", shape.peripheries);
    if (ov.present) {
      bool hit = ov.nodes.count(n.name) > 0;
      attrs += hit ? fmt::format(", color=\"{}\", penwidth=2.5", kTakenColor)
                   : fmt::format(", color=\"{}\", fontcolor=\"{}\"", kDimColor, kDimTextColor);
    }
    out += fmt::format("  {} [{}];\n", quoted(n.name), attrs);
  }
  out +=
      fmt::format("  \"start\" -> {} [id=\"edge_start\"{}];\n", quoted(rb.nodes[rb.start].name),
                  ov.present ? fmt::format(", color=\"{}\", penwidth={}",
                                           started ? kTakenColor : kDimColor, started ? "2.5" : "1")
                             : "");
  const std::vector<bool> back = loop_back_edges(rb);
  for (uint32_t e = 0; e < rb.edges.size(); ++e) {
    const EdgeInfo& edge = rb.edges[e];
    std::vector<std::string> attrs{fmt::format("id=\"edge_{}\"", e)};
    if (back[e]) attrs.push_back("constraint=false");
    std::string label = edge_caption(edge, e, ov);
    if (!label.empty()) attrs.push_back("label=" + quoted(wrap(label, 22)));
    if (edge_is_dashed(edge)) attrs.push_back("style=dashed");
    if (ov.present)
      attrs.push_back(
          ov.edges.count(e)
              ? fmt::format("color=\"{}\", penwidth={:.1f}", kTakenColor, edge_width(e, ov))
              : fmt::format("color=\"{}\", fontcolor=\"{}\"", kDimColor, kDimTextColor));
    out +=
        fmt::format("  {} -> {}{};\n", quoted(rb.nodes[edge.from].name),
                    quoted(rb.nodes[edge.to].name), fmt::format(" [{}]", fmt::join(attrs, ", ")));
  }
  // The outcome note's id has a space, so no runbook node (an identifier) can share it.
  if (ov.present && !ov.outcome.empty())
    out += fmt::format(
        "  \"run outcome\" [label={}, shape=note, style=filled, fillcolor=\"#ffffff\"];\n",
        quoted("run outcome: " + ov.outcome));
  out += "}\n";
  return out;
}

std::string render_svg(const std::string& dot) {
  // One Graphviz context for the process, never freed: Graphviz 2.42's pango plugin keeps
  // a pointer into font data that gvFreeContext releases, so a second context reads freed
  // memory (AddressSanitizer caught it). Graphviz keeps global state, so one drawing at a
  // time: rbk serve draws a run's diagram on whichever connection thread asks.
  static std::mutex drawing;
  std::lock_guard lock(drawing);
  static GVC_t* gvc = gvContext();
  Agraph_t* g = agmemread(dot.c_str());
  if (!g) throw std::runtime_error("Graphviz could not read the DOT text");
  std::string svg;
  if (gvLayout(gvc, g, "dot") == 0) {
    char* data = nullptr;
    unsigned int length = 0;
    if (gvRenderData(gvc, g, "svg", &data, &length) == 0) svg.assign(data, length);
    gvFreeRenderData(data);
    gvFreeLayout(gvc, g);
  }
  agclose(g);
  if (svg.empty()) throw std::runtime_error("Graphviz could not lay the graph out");
  return svg;
}

}  // namespace rbk
