// Helpers shared by the test programs: where the sources are, reading files, and
// running the front end on a file the way `rbk check` does.
#pragma once

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "compiler/checker.hpp"
#include "render/overlay.hpp"
#include "vm/host.hpp"
#include "vm/program.hpp"

namespace rbk::test {

inline std::filesystem::path source_dir() {
  return RBK_SOURCE_DIR;
}
inline std::filesystem::path tests_dir() {
  return source_dir() / "tests";
}

std::string read_text(const std::filesystem::path& p);
void write_text(const std::filesystem::path& p, const std::string& text);

// Every *.rbk below DIR (recursively when RECURSE), sorted, as paths relative to DIR.
std::vector<std::string> rbk_files(const std::filesystem::path& dir, bool recurse = false);

// Loads and checks PATHS the way `rbk check` does.
struct CheckRun {
  Workspace ws;
  Diagnostics diags;
  CheckedProgram program;
};
CheckRun check_files(const std::vector<std::string>& paths);

// Checks in-memory TEXT as a file called NAME.
CheckRun check_text(const std::string& name, const std::string& text);

// Checks PATH (expecting no errors) and compiles RUNBOOK of it (default: as `rbk` picks).
Program compile_file(const std::string& path, const std::string& runbook = "");

// The sources every renderer is checked on: each runbook of runbooks/, the gates test and
// the keyword-named nodes of tests/render/graphviz/keywords.rbk.
std::vector<std::string> drawn_sources();

// A scenario run of tests/vm/gates.rbk (GATES, compiled) whose escalation gate is denied,
// read back from its trace as a render overlay (checks that the run ended).
Overlay denied_gate_overlay(const Program& gates);
// tests/vm/fleet.rbk's fleet run over ten devices (three broken, then it aborts), drawn
// over its child runbook `device` compiled on its own: a fleet overlay.
Overlay fleet_overlay(const Program& device);

// Runs tools/diagram-check/SCRIPT (Node) over FILES and returns its JSON line per file,
// by file name. Fails the test when the tools are not installed or the script fails.
std::map<std::string, nlohmann::json> node_tool_readings(
    const std::string& script, const std::vector<std::filesystem::path>& files);

// A directory of its own under the system's temporary directory, removed at the end.
struct TempDir {
  std::filesystem::path path;
  TempDir();
  ~TempDir();
};

}  // namespace rbk::test
