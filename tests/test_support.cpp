#include "test_support.hpp"

#include <unistd.h>
#include <algorithm>
#include <cstdio>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "compiler/codegen.hpp"
#include "run/scenario.hpp"
#include "run/trace_sinks.hpp"
#include "vm/machine.hpp"
#include "vm/rbc.hpp"

namespace rbk::test {

std::string read_text(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void write_text(const std::filesystem::path& p, const std::string& text) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out << text;
}

std::vector<std::string> rbk_files(const std::filesystem::path& dir, bool recurse) {
  std::vector<std::string> out;
  auto add = [&](const std::filesystem::directory_entry& e) {
    if (e.is_regular_file() && e.path().extension() == ".rbk")
      out.push_back(std::filesystem::relative(e.path(), dir).string());
  };
  if (recurse)
    for (const auto& e : std::filesystem::recursive_directory_iterator(dir)) add(e);
  else
    for (const auto& e : std::filesystem::directory_iterator(dir)) add(e);
  std::sort(out.begin(), out.end());
  return out;
}

CheckRun check_files(const std::vector<std::string>& paths) {
  CheckRun run;
  std::vector<std::string> unreadable;
  load_workspace(run.ws, paths, run.diags, unreadable);
  run.program = check_workspace(run.ws, run.diags);
  return run;
}

CheckRun check_text(const std::string& name, const std::string& text) {
  CheckRun run;
  load_source(run.ws, name, text, run.diags);
  run.program = check_workspace(run.ws, run.diags);
  return run;
}

Program compile_file(const std::string& path, const std::string& runbook) {
  CheckRun run = check_files({path});
  EXPECT_EQ(run.diags.error_count(), 0u) << path;
  std::string error;
  int entry = select_runbook(run.program, path, runbook, error);
  EXPECT_GE(entry, 0) << error;
  return generate(run.program, entry);
}

std::vector<std::string> drawn_sources() {
  std::vector<std::string> out;
  for (const auto& f : rbk_files(source_dir() / "runbooks"))
    out.push_back((source_dir() / "runbooks" / f).string());
  out.push_back((tests_dir() / "vm" / "gates.rbk").string());
  out.push_back((tests_dir() / "render" / "graphviz" / "keywords.rbk").string());
  return out;
}

Overlay denied_gate_overlay(const Program& gates) {
  Scenario sc;
  sc.probes = nlohmann::json::parse(R"({"dev.errors": {"returns": 0}})");
  sc.approvals = nlohmann::json::parse(R"({"gate": "denied"})");
  std::ostringstream lines;
  JsonlTrace trace(lines, "r-test", gates.hash_hex());  // what `rbk run --trace` writes
  ScenarioHost host(gates, sc, trace);
  RunResult r = Machine(gates, host).run({Value::string("d"), std::nullopt});
  EXPECT_EQ(r.status, RunStatus::Ended) << r.error;
  return read_overlay(lines.str(), "gates", gates.hash_hex());
}

Overlay fleet_overlay(const Program& device) {
  Program fleet = compile_file((tests_dir() / "vm" / "fleet.rbk").string(), "fleet");
  Scenario sc;
  sc.probes = nlohmann::json::parse(
      R"({"dev.status": [{"args": ["d3"], "returns": "broken"}, {"returns": "ok"}]})");
  sc.approvals = nlohmann::json::parse(R"({"each": "approved"})");
  std::ostringstream lines;
  JsonlTrace trace(lines, "r-fleet", fleet.hash_hex());
  ScenarioHost host(fleet, sc, trace);
  std::vector<Value> devices;
  for (int i = 1; i <= 10; ++i) devices.push_back(Value::string("d" + std::to_string(i)));
  RunResult r = Machine(fleet, host).run({Value::list(devices)});
  EXPECT_EQ(r.status, RunStatus::Ended) << r.error;
  const RunbookInfo& rb = device.entry_runbook();
  Overlay ov = read_overlay(lines.str(), rb.name, device.hash_hex(), runbook_digest(rb));
  ov.enter_edge_targets(rb);
  return ov;
}

std::map<std::string, nlohmann::json> node_tool_readings(
    const std::string& script, const std::vector<std::filesystem::path>& files) {
  std::filesystem::path tool = source_dir() / "tools" / "diagram-check";
  std::map<std::string, nlohmann::json> out;
  if (!std::filesystem::exists(tool / "node_modules" / ".rbk-installed-lock")) {
    ADD_FAILURE() << "the diagram tools are not installed: run scripts/install-test-tools.sh";
    return out;
  }
  std::string command = "node '" + (tool / script).string() + "'";
  for (const auto& f : files) command += " '" + f.string() + "'";
  FILE* pipe = popen((command + " 2>&1").c_str(), "r");
  if (!pipe) {
    ADD_FAILURE() << "cannot start " << command;
    return out;
  }
  std::string text;
  char buffer[4096];
  for (size_t n; (n = fread(buffer, 1, sizeof buffer, pipe)) > 0;) text.append(buffer, n);
  EXPECT_EQ(pclose(pipe), 0) << text;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    auto j = nlohmann::json::parse(line, nullptr, false);
    if (j.is_discarded() || !j.is_object() || !j.contains("file")) {
      ADD_FAILURE() << script << " printed: " << line;
      continue;
    }
    out[j["file"].get<std::string>()] = j;
  }
  return out;
}

TempDir::TempDir()
    : path(std::filesystem::temp_directory_path() /
           ("rbk-test-" + std::to_string(getpid()) + "-" +
            std::to_string(reinterpret_cast<uintptr_t>(this)))) {
  std::filesystem::create_directories(path);
}

TempDir::~TempDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path, ignored);
}

}  // namespace rbk::test
