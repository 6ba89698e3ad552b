// Mermaid drawings: golden text, Mermaid's own parser (mermaid@11 under Node, from
// tools/diagram-check) reading every runbook's diagram back with exactly the program's
// nodes, edges and labels, overlays of a run, and the warning past Mermaid's limits.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cstdlib>
#include <map>
#include <set>

#include "compiler/codegen.hpp"
#include "publish/diagram_blocks.hpp"
#include "render/look.hpp"
#include "render/mermaid.hpp"
#include "test_support.hpp"

namespace rbk::test {
namespace {

namespace fs = std::filesystem;

std::string caption(const NodeInfo& n, const Overlay& ov) {
  std::string text = node_title(n);
  for (const auto& note : node_notes(n, ov)) text += "\n" + note;
  return text;
}

// What Mermaid must read from the drawing of RB: node id -> caption, and edges.
void expect_reading_matches(const nlohmann::json& reading, const RunbookInfo& rb, const Overlay& ov,
                            const std::string& where) {
  ASSERT_FALSE(reading.contains("error")) << where << ": " << reading["error"];
  std::map<std::string, std::string> want_nodes{{"start", "start"}};
  for (const auto& n : rb.nodes) want_nodes[mermaid_id(n.name)] = caption(n, ov);
  if (ov.present && !ov.outcome.empty()) want_nodes["run.outcome"] = "run outcome: " + ov.outcome;
  std::map<std::string, std::string> got_nodes;
  for (const auto& [id, v] : reading["nodes"].items()) got_nodes[id] = v["text"].get<std::string>();
  EXPECT_EQ(got_nodes, want_nodes) << where;

  std::multiset<std::string> want_edges{"start->" + mermaid_id(rb.nodes[rb.start].name) +
                                        "||solid"};
  for (uint32_t i = 0; i < rb.edges.size(); ++i) {
    const EdgeInfo& e = rb.edges[i];
    want_edges.insert(mermaid_id(rb.nodes[e.from].name) + "->" + mermaid_id(rb.nodes[e.to].name) +
                      "|" + edge_caption(e, i, ov) + "|" +
                      (edge_is_dashed(e) ? "dashed" : "solid"));
  }
  std::multiset<std::string> got_edges;
  for (const auto& e : reading["edges"])
    got_edges.insert(e["from"].get<std::string>() + "->" + e["to"].get<std::string>() + "|" +
                     e["text"].get<std::string>() + "|" +
                     (e["dashed"].get<bool>() ? "dashed" : "solid"));
  EXPECT_EQ(got_edges, want_edges) << where;
}

TEST(Mermaid, ParserReadsExactlyTheProgramsNodesEdgesAndLabels) {
  TempDir tmp;
  std::vector<fs::path> files;
  std::vector<Program> programs;
  for (const auto& path : drawn_sources()) {
    programs.push_back(compile_file(path));
    files.push_back(tmp.path / (fs::path(path).stem().string() + ".mmd"));
    write_text(files.back(), render_mermaid(programs.back().entry_runbook()).text);
  }
  // The same with a run drawn over it.
  Program gates = compile_file((tests_dir() / "vm" / "gates.rbk").string(), "gates");
  Overlay ov = denied_gate_overlay(gates);
  files.push_back(tmp.path / "gates-overlay.mmd");
  write_text(files.back(), render_mermaid(gates.entry_runbook(), ov).text);

  // A fleet drawn over its child runbook: each edge with its children and their share.
  Program device = compile_file((tests_dir() / "vm" / "fleet.rbk").string(), "device");
  Overlay fleet = fleet_overlay(device);
  EXPECT_EQ(fleet.children, 10);
  files.push_back(tmp.path / "fleet-overlay.mmd");
  write_text(files.back(), render_mermaid(device.entry_runbook(), fleet).text);

  auto readings = node_tool_readings("read-mermaid.mjs", files);
  ASSERT_EQ(readings.size(), files.size());
  for (size_t i = 0; i < programs.size(); ++i)
    expect_reading_matches(readings[files[i].string()], programs[i].entry_runbook(), {},
                           files[i].string());
  expect_reading_matches(readings[files[files.size() - 2].string()], gates.entry_runbook(), ov,
                         "gates overlay");
  expect_reading_matches(readings[files.back().string()], device.entry_runbook(), fleet,
                         "fleet overlay");
  std::string text = readings[files.back().string()].dump();
  EXPECT_NE(text.find("9 (90%)"), std::string::npos) << text;  // nine devices fine
  EXPECT_NE(text.find("1 (10%)"), std::string::npos) << text;  // one broken
}

TEST(Mermaid, ParserReadsTheGeneratedBlocksOfTheDocs) {
  // What GitHub draws: the fenced diagram of each block in docs/runbooks, hash comment included.
  TempDir tmp;
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(source_dir() / "docs" / "runbooks")) {
    if (entry.path().extension() != ".md") continue;
    MarkdownDoc doc = parse_markdown_doc(read_text(entry.path()));
    EXPECT_TRUE(doc.errors.empty()) << entry.path();
    for (const auto& block : doc.blocks) {
      std::string body = block_body(doc, block);
      ASSERT_EQ(body.rfind("```mermaid\n", 0), 0u) << entry.path();
      body = body.substr(11, body.size() - 11 - 4);  // without the fences
      files.push_back(tmp.path /
                      (entry.path().stem().string() + "-" + std::to_string(block.line) + ".mmd"));
      write_text(files.back(), body);
    }
  }
  ASSERT_GE(files.size(), 6u);
  auto readings = node_tool_readings("read-mermaid.mjs", files);
  ASSERT_EQ(readings.size(), files.size());
  for (const auto& f : files) {
    const auto& r = readings[f.string()];
    EXPECT_FALSE(r.contains("error")) << f << ": " << r.dump();
    EXPECT_GT(r.value("edges", nlohmann::json::array()).size(), 3u) << f;  // (a child: 5)
  }
}

TEST(Mermaid, ParserRejectsWhatWeNeverWrite) {
  // The reader itself must tell a broken diagram: a bare keyword as a node id.
  TempDir tmp;
  write_text(tmp.path / "bad.mmd", "flowchart TD\n  a --> graph\n");
  auto readings = node_tool_readings("read-mermaid.mjs", {tmp.path / "bad.mmd"});
  ASSERT_EQ(readings.size(), 1u);
  EXPECT_TRUE(readings.begin()->second.contains("error"));
}

TEST(Mermaid, Golden) {
  auto dir = tests_dir() / "render" / "mermaid";
  Program keywords =
      compile_file((tests_dir() / "render" / "graphviz" / "keywords.rbk").string(), "keywords");
  Program gates = compile_file((tests_dir() / "vm" / "gates.rbk").string(), "gates");
  Overlay ov = denied_gate_overlay(gates);
  std::vector<std::pair<std::string, std::string>> cases = {
      {"keywords.mmd", render_mermaid(keywords.entry_runbook()).text},
      {"gates.mmd", render_mermaid(gates.entry_runbook()).text},
      {"gates-overlay.mmd", render_mermaid(gates.entry_runbook(), ov).text},
  };
  EXPECT_EQ(cases[0].second, render_mermaid(keywords.entry_runbook()).text) << "not deterministic";
  for (const auto& [name, text] : cases) {
    if (std::getenv("RBK_UPDATE_GOLDEN")) write_text(dir / name, text);
    EXPECT_EQ(text, read_text(dir / name)) << name;
  }
}

TEST(Mermaid, WarnsPastMermaidsLimits) {
  std::string src = "runbook big {\n  start -> d0\n";
  for (int i = 0; i < 260; ++i)
    src += "  decide d" + std::to_string(i) + " {\n    when true -> " +
           (i + 1 < 260 ? "d" + std::to_string(i + 1) : std::string("done")) +
           "\n    else -> done\n  }\n";
  src += "  end done as resolved\n}\n";
  CheckRun run = check_text("big.rbk", src);
  ASSERT_EQ(run.diags.error_count(), 0u);
  Program p = generate(run.program, 0);
  MermaidDiagram d = render_mermaid(p.entry_runbook());
  ASSERT_EQ(d.warnings.size(), 1u);
  EXPECT_EQ(d.warnings[0],
            "the diagram has 521 edges; Mermaid draws at most 500 unless its maxEdges is raised");

  Program small = compile_file((tests_dir() / "vm" / "gates.rbk").string(), "gates");
  EXPECT_TRUE(render_mermaid(small.entry_runbook()).warnings.empty());
}

}  // namespace
}  // namespace rbk::test
