#include "render/graphviz.hpp"

#include <graphviz/cgraph.h>
#include <graphviz/gvc.h>

#include <fmt/format.h>

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

const char* outcome_color(Outcome o) {
  switch (o) {
    case Outcome::Resolved:
      return "#d3f0d9";
    case Outcome::Mitigated:
      return "#e0ecfb";
    case Outcome::Escalated:
      return "#fde7c8";
    case Outcome::Failed:
      return "#f8d3d6";
    default:
      return "#ffffff";
  }
}

struct Look {
  const char* shape;
  const char* style;
  const char* fill;
  int peripheries;
};

Look look_of(const NodeInfo& n) {
  switch (n.kind) {
    case NodeKind::Decide:
      return {"diamond", "filled", "#fff8dc", 1};
    case NodeKind::Action:
      return {"box", "filled", "#ffffff", 1};
    case NodeKind::Wait:
      return {"parallelogram", "filled", "#eef3f8", 1};
    case NodeKind::Approve:
      return {"hexagon", "filled", "#f3e8fd", 1};
    case NodeKind::Call:
      return {"box", "filled", "#ffffff", 2};
    case NodeKind::End:
      return {"box", "rounded,filled", outcome_color(n.outcome), 1};
  }
  return {"box", "filled", "#ffffff", 1};
}

}  // namespace

std::string render_dot(const Program& p, const RunbookInfo& rb, const Overlay& ov) {
  (void)p;
  const char* taken = "#1f6feb";
  const char* dim = "#b8b8b8";
  std::string out = fmt::format("digraph {} {{\n", quoted(rb.name));
  out += fmt::format("  graph [rankdir=TB, fontname=\"Helvetica\", labelloc=t, label={}];\n",
                     quoted(rb.title.empty() ? rb.name : rb.title));
  out += "  node [fontname=\"Helvetica\", fontsize=11, color=\"#444444\"];\n";
  out += "  edge [fontname=\"Helvetica\", fontsize=10, color=\"#444444\"];\n";
  bool started = ov.present && !ov.nodes.empty();
  out += fmt::format(
      "  \"start\" [label=\"start\", shape=box, style=\"rounded,filled\", "
      "fillcolor=\"#e8e8e8\"{}];\n",
      ov.present ? fmt::format(", color=\"{}\", penwidth=2.5", started ? taken : dim) : "");
  for (const auto& n : rb.nodes) {
    Look look = look_of(n);
    std::string label = wrap(n.label.empty() ? n.name : n.label);
    if (!n.role.empty()) label += "\n[approval: " + n.role + "]";
    if (n.kind == NodeKind::End) label += "\n(" + std::string(outcome_name(n.outcome)) + ")";
    auto gate = ov.gates.find(n.name);
    if (gate != ov.gates.end()) label += "\ngate: " + gate->second;
    std::string attrs = fmt::format("label={}, shape={}, style=\"{}\", fillcolor=\"{}\"",
                                    quoted(label), look.shape, look.style, look.fill);
    if (look.peripheries > 1) attrs += fmt::format(", peripheries={}", look.peripheries);
    if (ov.present) {
      bool hit = ov.nodes.count(n.name) > 0;
      attrs += hit ? fmt::format(", color=\"{}\", penwidth=2.5", taken)
                   : fmt::format(", color=\"{}\", fontcolor=\"#999999\"", dim);
    }
    out += fmt::format("  {} [{}];\n", quoted(n.name), attrs);
  }
  out += fmt::format("  \"start\" -> {}{};\n", quoted(rb.nodes[rb.start].name),
                     ov.present ? fmt::format(" [color=\"{}\", penwidth={}]", started ? taken : dim,
                                              started ? "2.5" : "1")
                                : "");
  for (uint32_t e = 0; e < rb.edges.size(); ++e) {
    const EdgeInfo& edge = rb.edges[e];
    std::string attrs;
    std::string label = edge.label;
    if (label.empty() && edge.kind != EdgeKind::Then && edge.kind != EdgeKind::When &&
        edge.kind != EdgeKind::Else)
      label =
          edge_kind_name(edge.kind);  // on-error, timeout, approved, denied speak for themselves
    if (!label.empty()) attrs = "label=" + quoted(wrap(label, 22));
    if (edge.kind == EdgeKind::OnError || edge.kind == EdgeKind::Timeout ||
        edge.kind == EdgeKind::Denied)
      attrs += std::string(attrs.empty() ? "" : ", ") + "style=dashed";
    if (ov.present) {
      bool hit = ov.edges.count(e) > 0;
      attrs += std::string(attrs.empty() ? "" : ", ") +
               (hit ? fmt::format("color=\"{}\", penwidth=2.5", taken)
                    : fmt::format("color=\"{}\", fontcolor=\"#999999\"", dim));
    }
    out += fmt::format("  {} -> {}{};\n", quoted(rb.nodes[edge.from].name),
                       quoted(rb.nodes[edge.to].name), attrs.empty() ? "" : " [" + attrs + "]");
  }
  if (ov.present && !ov.outcome.empty())
    out +=
        fmt::format("  \"outcome\" [label={}, shape=note, style=filled, fillcolor=\"#ffffff\"];\n",
                    quoted("run outcome: " + ov.outcome));
  out += "}\n";
  return out;
}

std::string render_svg(const std::string& dot) {
  // One Graphviz context for the process, never freed: Graphviz 2.42's pango plugin keeps
  // a pointer into font data that gvFreeContext releases, so a second context reads freed
  // memory (AddressSanitizer caught it). Rendering is single-threaded here.
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
