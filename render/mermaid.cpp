#include "render/mermaid.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <array>
#include <string_view>

#include "render/look.hpp"

namespace rbk {

namespace {

// Words Mermaid's flowchart lexer takes as keywords even where a node id belongs (found
// by feeding each to Mermaid 11's parser). `end` and `call` are also keywords, but they
// are reserved words of .rbk, so never node names; `default` and `direction` are read as
// ids in that place.
constexpr std::array<std::string_view, 10> kMermaidKeywords = {
    "graph", "flowchart", "subgraph", "style", "linkStyle",
    "class", "classDef",  "click",    "href",  "interpolate"};

// YAML double-quoted scalar, for the front matter's title.
std::string yaml_quoted(const std::string& text) {
  std::string out = "\"";
  for (unsigned char c : text) {
    if (c == '"' || c == '\\')
      out += fmt::format("\\{}", static_cast<char>(c));
    else if (c < 0x20)
      out += fmt::format("\\x{:02x}", c);
    else
      out += static_cast<char>(c);
  }
  return out + "\"";
}

// The class that colours a node: KINDNode ("decideNode"), or OUTCOMEEnd ("resolvedEnd").
std::string class_of(const NodeInfo& n) {
  return n.kind == NodeKind::End ? std::string(outcome_name(n.outcome)) + "End"
                                 : std::string(node_kind_name(n.kind)) + "Node";
}

// The brackets around a quoted label, per shape: stadium, diamond, rectangle, hexagon,
// parallelogram, subroutine.
std::pair<const char*, const char*> brackets_of(NodeKind kind) {
  switch (kind) {
    case NodeKind::Decide:
      return {"{", "}"};
    case NodeKind::Action:
      return {"[", "]"};
    case NodeKind::Wait:
      return {"[/", "/]"};
    case NodeKind::Approve:
      return {"{{", "}}"};
    case NodeKind::Call:
      return {"[[", "]]"};
    case NodeKind::End:
      return {"([", "])"};
    case NodeKind::Foreach:  // a trapezoid: one node that fans out
      return {"[/", "\\]"};
  }
  return {"[", "]"};
}

}  // namespace

std::string mermaid_id(const std::string& node_name) {
  if (std::find(kMermaidKeywords.begin(), kMermaidKeywords.end(), node_name) !=
      kMermaidKeywords.end())
    return "node." + node_name;
  return node_name;
}

std::string mermaid_label(const std::string& text) {
  std::string out;
  for (unsigned char c : text) {
    switch (c) {
      case '"':
        out += "#quot;";
        break;
      case '#':
        out += "#35;";
        break;
      case '<':
        out += "#lt;";
        break;
      case '>':
        out += "#gt;";
        break;
      case '&':
        out += "#amp;";
        break;
      case '`':  // a label between backticks is Markdown to Mermaid
        out += "#96;";
        break;
      case '\n':
        out += "<br>";
        break;
      default:
        out += c < 0x20 ? ' ' : static_cast<char>(c);
    }
  }
  return out;
}

MermaidDiagram render_mermaid(const RunbookInfo& rb, const Overlay& ov) {
  MermaidDiagram d;
  std::string& out = d.text;
  out += fmt::format("---\ntitle: {}\n---\nflowchart TD\n",
                     yaml_quoted(rb.title.empty() ? rb.name : rb.title));
  out += "  start([\"start\"]):::startNode\n";
  for (const auto& n : rb.nodes) {
    std::string label = node_title(n);
    for (const auto& note : node_notes(n, ov)) label += "\n" + note;
    auto [open, close] = brackets_of(n.kind);
    out += fmt::format("  {}{}\"{}\"{}:::{}\n", mermaid_id(n.name), open, mermaid_label(label),
                       close, class_of(n));
  }
  if (ov.present && !ov.outcome.empty())
    out += fmt::format("  run.outcome>\"{}\"]\n", mermaid_label("run outcome: " + ov.outcome));

  // Edges, the start's first: Mermaid numbers them in this order for linkStyle.
  std::vector<std::string> taken, dimmed;
  auto mark = [&](size_t index, bool hit) {
    (hit ? taken : dimmed).push_back(std::to_string(index));
  };
  out += fmt::format("  start --> {}\n", mermaid_id(rb.nodes[rb.start].name));
  mark(0, !ov.nodes.empty());
  for (uint32_t e = 0; e < rb.edges.size(); ++e) {
    const EdgeInfo& edge = rb.edges[e];
    std::string caption = edge_caption(edge, e, ov);
    out += fmt::format("  {} {}{} {}\n", mermaid_id(rb.nodes[edge.from].name),
                       edge_is_dashed(edge) ? "-.->" : "-->",
                       caption.empty() ? "" : "|\"" + mermaid_label(caption) + "\"|",
                       mermaid_id(rb.nodes[edge.to].name));
    mark(e + 1, ov.edges.count(e) > 0);
  }

  out += fmt::format("  classDef startNode fill:{},stroke:#444444\n", kStartFill);
  std::vector<NodeKind> kinds = {NodeKind::Decide, NodeKind::Action, NodeKind::Wait,
                                 NodeKind::Approve, NodeKind::Call};
  // (only when there is one: diagrams without a foreach keep their exact text)
  if (std::any_of(rb.nodes.begin(), rb.nodes.end(),
                  [](const NodeInfo& n) { return n.kind == NodeKind::Foreach; }))
    kinds.push_back(NodeKind::Foreach);
  for (NodeKind kind : kinds) {
    NodeInfo sample;
    sample.kind = kind;
    out +=
        fmt::format("  classDef {} fill:{},stroke:#444444\n", class_of(sample), node_fill(sample));
  }
  for (Outcome outcome :
       {Outcome::Resolved, Outcome::Mitigated, Outcome::Escalated, Outcome::Failed}) {
    NodeInfo sample;
    sample.outcome = outcome;
    out +=
        fmt::format("  classDef {} fill:{},stroke:#444444\n", class_of(sample), node_fill(sample));
  }
  if (ov.present) {
    std::vector<std::string> hit_nodes, missed_nodes;
    (ov.nodes.empty() ? missed_nodes : hit_nodes).push_back("start");
    for (const auto& n : rb.nodes)
      (ov.nodes.count(n.name) ? hit_nodes : missed_nodes).push_back(mermaid_id(n.name));
    out += fmt::format("  classDef taken stroke:{},stroke-width:3px\n", kTakenColor);
    out += fmt::format("  classDef dimmed stroke:{},color:{}\n", kDimColor, kDimTextColor);
    if (!hit_nodes.empty()) out += fmt::format("  class {} taken\n", fmt::join(hit_nodes, ","));
    if (!missed_nodes.empty())
      out += fmt::format("  class {} dimmed\n", fmt::join(missed_nodes, ","));
    if (!taken.empty())
      out += fmt::format("  linkStyle {} stroke:{},stroke-width:3px\n", fmt::join(taken, ","),
                         kTakenColor);
    if (!dimmed.empty())
      out += fmt::format("  linkStyle {} stroke:{}\n", fmt::join(dimmed, ","), kDimColor);
    if (ov.children > 0)  // a fleet: each edge as wide as the share of children that took it
      for (const auto& [e, count] : ov.edges)
        if (e < rb.edges.size())
          out += fmt::format("  linkStyle {} stroke-width:{:.1f}px\n", e + 1, edge_width(e, ov));
  }

  size_t edges = rb.edges.size() + 1;
  if (edges > kMermaidMaxEdges)
    d.warnings.push_back(fmt::format(
        "the diagram has {} edges; Mermaid draws at most {} unless its maxEdges is raised", edges,
        kMermaidMaxEdges));
  if (out.size() > kMermaidMaxTextSize)
    d.warnings.push_back(fmt::format(
        "the diagram is {} characters; Mermaid draws at most {} unless its maxTextSize is raised",
        out.size(), kMermaidMaxTextSize));
  return d;
}

}  // namespace rbk
