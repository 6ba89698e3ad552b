// Graphviz drawings: golden DOT, Graphviz's own reading of every runbook's DOT (exactly
// the program's nodes and edges, with their labels), SVG laid out in-process, overlays
// of a run, and names that are keywords of the diagram language.
#include <graphviz/cgraph.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <map>
#include <set>

#include "compiler/codegen.hpp"
#include "render/graphviz.hpp"
#include "render/look.hpp"
#include "render/mermaid.hpp"
#include "test_support.hpp"
#include "vm/rbc.hpp"

namespace rbk::test {
namespace {

std::string unwrap(std::string s) {
  for (char& c : s)
    if (c == '\n') c = ' ';
  return s;
}

// What Graphviz reads back from our DOT.
struct Read {
  std::set<std::string> nodes;
  std::map<std::string, std::string> labels;
  std::multiset<std::string> edges;  // "from->to|label"
};

Read read_dot(const std::string& dot) {
  Read r;
  Agraph_t* g = agmemread(dot.c_str());
  EXPECT_NE(g, nullptr) << dot;
  if (!g) return r;
  for (Agnode_t* n = agfstnode(g); n; n = agnxtnode(g, n)) {
    r.nodes.insert(agnameof(n));
    char* label = agget(n, const_cast<char*>("label"));
    r.labels[agnameof(n)] = label ? label : "";
    for (Agedge_t* e = agfstout(g, n); e; e = agnxtout(g, e)) {
      char* el = agget(e, const_cast<char*>("label"));
      r.edges.insert(std::string(agnameof(agtail(e))) + "->" + agnameof(aghead(e)) + "|" +
                     (el ? el : ""));
    }
  }
  agclose(g);
  return r;
}

TEST(Graphviz, ReadsExactlyTheProgramsNodesAndEdges) {
  for (const auto& path : drawn_sources()) {
    Program p = compile_file(path);
    const RunbookInfo& rb = p.entry_runbook();
    std::string dot = render_dot(rb);
    Read r = read_dot(dot);
    std::set<std::string> want{"start"};
    for (const auto& n : rb.nodes) want.insert(n.name);
    EXPECT_EQ(r.nodes, want) << path;
    for (const auto& n : rb.nodes) {
      std::string label = n.label.empty() ? n.name : n.label;
      std::string got = r.labels[n.name];
      for (size_t at; (at = got.find("\\n")) != std::string::npos;) got.replace(at, 2, " ");
      EXPECT_EQ(got.substr(0, label.size()), unwrap(label)) << path << " node " << n.name;
    }
    std::multiset<std::string> edges{"start->" + rb.nodes[rb.start].name + "|"};
    for (const auto& e : rb.edges) {
      std::string label = e.label;
      if (label.empty() && e.kind != EdgeKind::Then && e.kind != EdgeKind::When &&
          e.kind != EdgeKind::Else)
        label = edge_kind_name(e.kind);
      edges.insert(rb.nodes[e.from].name + "->" + rb.nodes[e.to].name + "|" + label);
    }
    std::multiset<std::string> got;
    for (auto e : r.edges) {
      for (size_t at; (at = e.find("\\n")) != std::string::npos;) e.replace(at, 2, " ");
      got.insert(e);
    }
    EXPECT_EQ(got, edges) << path;
  }
}

TEST(Graphviz, GoldenDot) {
  auto dir = tests_dir() / "render" / "graphviz";
  for (const char* name : {"keywords", "gates"}) {
    std::string path = std::string(name) == "gates" ? (tests_dir() / "vm" / "gates.rbk").string()
                                                    : (dir / (std::string(name) + ".rbk")).string();
    Program p = compile_file(path, name);
    std::string dot = render_dot(p.entry_runbook());
    EXPECT_EQ(dot, render_dot(p.entry_runbook())) << "not deterministic";
    auto golden = dir / (std::string(name) + ".dot");
    if (std::getenv("RBK_UPDATE_GOLDEN")) write_text(golden, dot);
    EXPECT_EQ(dot, read_text(golden)) << name;
  }
}

TEST(Graphviz, SvgLaidOutInProcess) {
  Program p = compile_file((source_dir() / "runbooks" / "device_offline.rbk").string());
  std::string dot = render_dot(p.entry_runbook());
  std::string svg = render_svg(dot);
  EXPECT_EQ(svg.rfind("<?xml", 0), 0u);
  EXPECT_NE(svg.find("</svg>"), std::string::npos);
  for (const auto& n : p.entry_runbook().nodes)
    EXPECT_NE(svg.find("<title>" + n.name + "</title>"), std::string::npos) << n.name;
  // The ids a page colours a run's path by: every node by name, every edge by its index.
  for (const auto& n : p.entry_runbook().nodes)
    EXPECT_NE(svg.find("<g id=\"node_" + n.name + "\" class=\"node\">"), std::string::npos)
        << n.name;
  for (size_t e = 0; e < p.entry_runbook().edges.size(); ++e)
    EXPECT_NE(svg.find("<g id=\"edge_" + std::to_string(e) + "\" class=\"edge\">"),
              std::string::npos)
        << e;
  EXPECT_NE(svg.find("<g id=\"edge_start\" class=\"edge\">"), std::string::npos);
  EXPECT_EQ(svg, render_svg(dot)) << "SVG is not deterministic";
  EXPECT_THROW(render_svg("digraph { this is not dot"), std::runtime_error);
}

// A loop's edge back to its first node does not rank it: bad_ota's check_whole goes back to
// continue_rollback (the next stage), drawn without pulling continue_rollback below it.
TEST(Graphviz, LoopBackEdgesDoNotRank) {
  Program p = compile_file((source_dir() / "runbooks" / "bad_ota.rbk").string());
  const RunbookInfo& rb = p.entry_runbook();
  std::string dot = render_dot(rb);
  int back = 0;
  for (size_t e = 0; e < rb.edges.size(); ++e) {
    bool loops = rb.nodes[rb.edges[e].from].name == "check_whole" &&
                 rb.nodes[rb.edges[e].to].name == "continue_rollback";
    bool unranked =
        dot.find("id=\"edge_" + std::to_string(e) + "\", constraint=false") != std::string::npos;
    EXPECT_EQ(loops, unranked) << rb.nodes[rb.edges[e].from].name << " -> "
                               << rb.nodes[rb.edges[e].to].name;
    back += unranked;
  }
  EXPECT_EQ(back, 1);
}

TEST(Graphviz, EverySvgIsWellFormedXml) {
  TempDir tmp;
  std::vector<std::filesystem::path> files;
  for (const auto& path : drawn_sources()) {
    Program p = compile_file(path);
    files.push_back(tmp.path / (std::filesystem::path(path).stem().string() + ".svg"));
    write_text(files.back(), render_svg(render_dot(p.entry_runbook())));
  }
  write_text(tmp.path / "broken.svg", "<svg><g></svg>");  // the parser must tell
  files.push_back(tmp.path / "broken.svg");
  auto readings = node_tool_readings("check-xml.mjs", files);
  ASSERT_EQ(readings.size(), files.size());
  for (size_t i = 0; i + 1 < files.size(); ++i) {
    const auto& r = readings[files[i].string()];
    EXPECT_FALSE(r.contains("error")) << files[i] << ": " << r.dump();
    EXPECT_EQ(r.value("root", ""), "svg") << files[i];
  }
  EXPECT_TRUE(readings[files.back().string()].contains("error"));
}

TEST(Graphviz, OverlayHighlightsTheRunsPath) {
  Program p = compile_file((tests_dir() / "vm" / "gates.rbk").string(), "gates");
  Overlay ov = denied_gate_overlay(p);
  EXPECT_EQ(ov.nodes, (std::set<std::string>{"check", "gate", "done"}));
  EXPECT_EQ(ov.gates["gate"], "denied");
  EXPECT_EQ(ov.outcome, "resolved");
  std::string dot = render_dot(p.entry_runbook(), ov);
  EXPECT_NE(
      dot.find(
          "\"gate\" [id=\"node_gate\", label=\"Escalate?\\n[approval: oncall]\\ngate: denied\""),
      std::string::npos)
      << dot;
  EXPECT_NE(dot.find("\"gate\" -> \"done\" [id=\"edge_7\", label=\"denied\", style=dashed, "
                     "color=\"#1f6feb\", penwidth=2.5]"),
            std::string::npos)
      << dot;
  EXPECT_NE(
      dot.find("\"check\" -> \"restart\" [id=\"edge_0\", label=\"Too many\", color=\"#b8b8b8\""),
      std::string::npos)
      << dot;
  EXPECT_NE(dot.find("run outcome: resolved"), std::string::npos);
  EXPECT_EQ(read_dot(dot).nodes.size(),
            p.entry_runbook().nodes.size() + 2);  // start and the outcome note
  EXPECT_THROW(read_overlay("not json\n", "gates", p.hash_hex()), OverlayError);
  // A trace of another program (another version of the file) is refused, not misdrawn.
  std::string other(64, '0');
  EXPECT_THROW(read_overlay("{\"program\": \"" + other + "\", \"runbook\": \"gates\"}\n", "gates",
                            p.hash_hex()),
               OverlayError);
}

// A loop's edges, taken several times by one run, say how often in both drawings; the
// overlay counts them from the trace.
TEST(Overlay, LoopEdgesShowHowOftenTheyWereTaken) {
  Program p = compile_file((tests_dir() / "vm" / "gates.rbk").string(), "gates");
  const RunbookInfo& rb = p.entry_runbook();
  std::string line = "{\"program\": \"" + p.hash_hex() +
                     "\", \"runbook\": \"gates\", \"event\": \"edge_taken\", \"edge\": 0}\n";
  Overlay ov = read_overlay(line + line + line, "gates", p.hash_hex());
  ASSERT_EQ(ov.edges.size(), 1u);
  EXPECT_EQ(ov.edges.at(0), 3);
  std::string caption = edge_caption(rb.edges[0]);
  std::string counted = caption.empty() ? "×3" : caption + " ×3";
  EXPECT_EQ(edge_caption(rb.edges[0], 0, ov), counted);
  EXPECT_NE(render_dot(rb, ov).find(counted), std::string::npos);
  EXPECT_NE(render_mermaid(rb, ov).text.find(counted), std::string::npos);
  ov.edges[0] = 1;  // once: no count
  EXPECT_EQ(edge_caption(rb.edges[0], 0, ov), caption);
}

// A fleet drawn over its child runbook: Graphviz reads each edge's children and share, and
// the edges most children took are drawn widest.
TEST(Overlay, FleetOverTheChildRunbook) {
  Program device = compile_file((tests_dir() / "vm" / "fleet.rbk").string(), "device");
  const RunbookInfo& rb = device.entry_runbook();
  Overlay ov = fleet_overlay(device);
  ASSERT_EQ(ov.children, 10);
  Read r = read_dot(render_dot(rb, ov));
  std::string edges;
  for (const auto& e : r.edges) edges += e + "\n";
  EXPECT_NE(edges.find("look->fine|9 (90%)"), std::string::npos) << edges;
  EXPECT_NE(edges.find("look->broken|1 (10%)"), std::string::npos) << edges;
  EXPECT_GT(edge_width(0, ov), edge_width(1, ov));  // when -> fine: 9 children; else: 1
  // A trace of the same runbook's children, but of another shape, is not drawn on it.
  EXPECT_THROW(read_overlay("{\"program\": \"x\", \"event\": \"foreach_ended\", \"child\": "
                            "\"device\", \"child_digest\": \"other\"}\n",
                            rb.name, device.hash_hex(), runbook_digest(rb)),
               OverlayError);
}

}  // namespace
}  // namespace rbk::test
