// rbk test [PATHS…] [--edge-coverage] [--fail-under P] [--junit FILE]: runs scenario files
// offline and checks what they expect (outcome, path, actions, error); reports the edges
// no scenario took.
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <set>

#include "cli/commands.hpp"
#include "cli/program_loading.hpp"
#include "cli/run_support.hpp"
#include "compiler/loader.hpp"
#include "publish/markup.hpp"
#include "run/session.hpp"
#include "vm/json_read.hpp"

namespace rbk::cli {

namespace fs = std::filesystem;

namespace {

// Scenario files: *.scenario.json anywhere, and any *.json inside a scenarios/ folder.
bool is_scenario_file(const fs::path& p) {
  std::string name = p.filename().string();
  if (name.size() > 14 && name.compare(name.size() - 14, 14, ".scenario.json") == 0) return true;
  if (p.extension() != ".json") return false;
  for (const auto& part : p.parent_path())
    if (part == "scenarios") return true;
  return false;
}

// The runbook file a scenario tests: NAME.rbk in the scenario's folder or a folder above.
std::string find_runbook_file(const fs::path& scenario, const std::string& runbook) {
  fs::path dir = fs::absolute(scenario).parent_path();
  for (int i = 0; i < 8 && !dir.empty(); ++i) {
    fs::path candidate = dir / (runbook + ".rbk");
    std::error_code ec;
    if (fs::is_regular_file(candidate, ec)) return fs::relative(candidate).string();
    if (dir == dir.parent_path()) break;
    dir = dir.parent_path();
  }
  return {};
}

std::string list_text(const std::vector<std::string>& v) {
  std::string s = "[";
  for (size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + v[i];
  return s + "]";
}

// A readable difference between two sequences.
std::string sequence_diff(const char* what, const std::vector<std::string>& want,
                          const std::vector<std::string>& got) {
  size_t i = 0;
  while (i < want.size() && i < got.size() && want[i] == got[i]) ++i;
  std::string first;
  if (i < want.size() && i < got.size())
    first = fmt::format("first difference at step {}: expected {}, got {}", i + 1, want[i], got[i]);
  else if (i < want.size())
    first = fmt::format("the run stopped after step {}; expected next: {}", i, want[i]);
  else
    first = fmt::format("the run went on after step {}: {}", i, got[i]);
  return fmt::format("  {}: expected {}\n  {:>{}}  got      {}\n    {}\n", what, list_text(want),
                     "", std::string(what).size(), list_text(got), first);
}

struct CaseResult {
  std::string name;
  std::string failure;  // empty when passed
  double seconds = 0;
};

// What the scenarios of one `rbk test` share: each runbook compiled once, and the edges
// every scenario took (edge coverage).
struct Suite {
  std::map<std::string, std::shared_ptr<const Program>> programs;  // by "file#runbook"
  std::map<std::string, const RunbookInfo*> runbooks;              // by name
  std::map<std::string, std::string> runbook_file;
  std::map<std::string, std::set<uint32_t>> taken;
};

// The scenario files under ROOTS, sorted; false (after saying why) when a root is missing.
bool collect_scenarios(const std::vector<std::string>& roots, std::vector<fs::path>& files) {
  for (const auto& r : roots) {
    std::error_code ec;
    if (fs::is_regular_file(r, ec)) {
      files.push_back(r);
    } else if (fs::is_directory(r, ec)) {
      for (const auto& e : fs::recursive_directory_iterator(r))
        if (e.is_regular_file() && is_scenario_file(e.path())) files.push_back(e.path());
    } else {
      std::cerr << "rbk test: no such file or directory: " << r << "\n";
      return false;
    }
  }
  std::sort(files.begin(), files.end());
  return true;
}

// The program SCENARIO runs (compiled once per runbook file); null with FAILURE set.
std::shared_ptr<const Program> program_for(Suite& suite, const fs::path& file,
                                           const Scenario& scenario, std::string& failure) {
  // "file" names the runbook's file (relative to the scenario); else RUNBOOK.rbk is looked up.
  std::string rbk_file;
  if (!scenario.file.empty()) {
    fs::path named = (file.parent_path() / scenario.file).lexically_normal();
    std::error_code ec;
    if (!fs::is_regular_file(named, ec)) {
      failure = "\"file\": " + named.string() + " is not a file";
      return nullptr;
    }
    rbk_file = named.string();
  } else {
    rbk_file = find_runbook_file(file, scenario.runbook);
  }
  if (rbk_file.empty()) {
    failure = "cannot find " + scenario.runbook + ".rbk in the scenario's folder or above " +
              "(name the file with \"file\")";
    return nullptr;
  }
  std::string key = rbk_file + "#" + scenario.runbook;
  auto it = suite.programs.find(key);
  if (it == suite.programs.end()) {
    LoadedProgram lp = load_program(rbk_file, scenario.runbook);
    auto program = lp.exit_code ? nullptr : std::make_shared<const Program>(std::move(lp.program));
    it = suite.programs.emplace(key, program).first;
    if (program)
      for (const auto& rb : program->runbooks) {
        suite.runbooks.emplace(rb.name, &rb);
        suite.runbook_file.emplace(
            rb.name, (fs::path(rbk_file).parent_path() / rb.file).lexically_normal().string());
      }
  }
  if (!it->second) failure = rbk_file + " does not compile (see above)";
  return it->second;
}

// How the run R missed what the scenario expects ("" when it did not), one indented line
// (or difference) per expectation.
std::string unmet_expectations(const nlohmann::json& ex, const RunResult& r) {
  // An incomplete scenario fails the test whatever it expects (even "outcome": "failed").
  if (r.status == RunStatus::Failed && r.host_fault)
    return "  the scenario cannot run it: " + r.error + "\n";
  if (ex.is_null())
    return r.status == RunStatus::Failed ? "  the run failed: " + r.error + "\n" : "";
  std::string failure;
  std::string got = outcome_name(r.outcome);
  if (ex.contains("outcome") && ex["outcome"].get<std::string>() != got)
    failure += fmt::format("  outcome: expected {}, got {}{}\n", ex["outcome"].get<std::string>(),
                           got, r.status == RunStatus::Failed ? " (" + r.error + ")" : "");
  if (ex.contains("path")) {
    auto want = ex["path"].get<std::vector<std::string>>();
    if (want != r.path) failure += sequence_diff("path", want, r.path);
  }
  if (ex.contains("actions")) {
    auto want = ex["actions"].get<std::vector<std::string>>();
    if (want != r.actions) failure += sequence_diff("actions", want, r.actions);
  }
  // A foreach's children: how many ended at each end node, with each outcome.
  for (const auto& [key, got] :
       {std::pair<const char*, const std::map<std::string, size_t>*>{"ends", &r.child_ends},
        {"outcomes", &r.child_outcomes}}) {
    if (!ex.contains(key)) continue;
    for (auto it = ex[key].begin(); it != ex[key].end(); ++it) {
      auto found = got->find(it.key());
      size_t have = found == got->end() ? 0 : found->second;
      if (have != it.value().get<size_t>())
        failure += fmt::format("  {}.{}: expected {} children, got {}\n", key, it.key(),
                               it.value().get<size_t>(), have);
    }
  }
  if (ex.contains("error")) {
    std::string want = ex["error"].get<std::string>();
    if (r.error.find(want) == std::string::npos)
      failure +=
          fmt::format("  error: expected one containing \"{}\", got \"{}\"\n", want, r.error);
  } else if (r.status == RunStatus::Failed && !ex.contains("outcome")) {
    failure += "  the run failed: " + r.error + "\n";
  }
  return failure;
}

// One scenario file: read, run in memory (a RunSession without a store), checked.
CaseResult run_case(Suite& suite, const fs::path& file) {
  CaseResult cr;
  cr.name = file.string();
  auto t0 = std::chrono::steady_clock::now();
  std::string text, error, failure;
  RunSetup setup;
  if (!read_file(file.string(), text, error)) {
    failure = "cannot read: " + error;
  } else {
    try {
      setup.scenario = parse_scenario(text, file.string());
    } catch (const ScenarioError& e) {
      failure = e.what();
    }
  }
  if (failure.empty() && setup.scenario.runbook.empty() && setup.scenario.file.empty())
    failure = "the scenario names no \"runbook\" (or \"file\")";
  if (failure.empty()) setup.program = program_for(suite, file, setup.scenario, failure);
  if (failure.empty())
    for (const auto& p : scenario_problems(setup.scenario, *setup.program))
      failure += (failure.empty() ? "" : "\n  ") + p;
  if (failure.empty())
    setup.params = bind_params(*setup.program, &setup.scenario.params, {}, failure);
  if (failure.empty()) {
    nlohmann::json expect = setup.scenario.expect;
    RunSession session(std::move(setup), nullptr);
    RunResult r = session.execute({});
    for (const auto& [rb, e] : r.edges) suite.taken[rb].insert(e);
    failure = unmet_expectations(expect, r);
  } else {
    failure = "  " + failure + "\n";
  }
  cr.failure = failure;
  cr.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return cr;
}

// Prints the edges no scenario took, per runbook, and the totals; false when fewer than
// FAIL_UNDER percent (compared in whole edges: 100 means every edge, not 99.5% rounded up).
bool report_edge_coverage(const Suite& suite, int fail_under) {
  std::cout << "\nedge coverage (edges taken by some scenario)\n";
  size_t all = 0, hit = 0;
  static const std::set<uint32_t> none;
  for (const auto& [name, rb] : suite.runbooks) {
    auto t = suite.taken.find(name);
    const std::set<uint32_t>& taken = t == suite.taken.end() ? none : t->second;
    size_t n = rb->edges.size(), h = 0;
    for (uint32_t e = 0; e < n; ++e) h += taken.count(e);
    all += n;
    hit += h;
    std::cout << fmt::format("  {}: {}/{} edges{}\n", name, h, n,
                             n ? fmt::format(" ({}%)", 100 * h / n) : "");
    for (uint32_t e = 0; e < n; ++e) {
      if (taken.count(e)) continue;
      const EdgeInfo& edge = rb->edges[e];
      std::cout << fmt::format("    missing: {} -> {} [{}]{}  ({}:{})\n", rb->nodes[edge.from].name,
                               rb->nodes[edge.to].name, edge_kind_name(edge.kind),
                               edge.label.empty() ? "" : " \"" + edge.label + "\"",
                               suite.runbook_file.at(name), edge.line);
    }
  }
  std::cout << fmt::format("  total: {}/{} edges\n", hit, all);
  if (fail_under >= 0 && hit * 100 < static_cast<size_t>(fail_under) * all) {
    std::cout << fmt::format("edge coverage {}/{} edges is under the required {}%\n", hit, all,
                             fail_under);
    return false;
  }
  return true;
}

// The scenario files among FILES that are only bases: another of them extends it, and it
// expects nothing itself (a base.json shared by eighteen scenarios is not a test). A file
// that cannot be read or parsed is left to its own case to report.
std::set<fs::path> base_scenarios(const std::vector<fs::path>& files) {
  std::set<fs::path> extended, bases;
  std::map<fs::path, bool> expects;
  for (const auto& f : files) {
    std::string text, error;
    if (!read_file(f.string(), text, error)) continue;
    nlohmann::json j;
    try {
      j = read_json(text);
    } catch (const JsonReadError&) {
      continue;
    }
    if (!j.is_object()) continue;
    std::error_code ec;
    fs::path me = fs::weakly_canonical(f, ec);
    expects[me] = j.contains("expect");
    if (j.contains("extends") && j["extends"].is_string())
      extended.insert(fs::weakly_canonical(f.parent_path() / j["extends"].get<std::string>(), ec));
  }
  for (const auto& [path, expect] : expects)
    if (!expect && extended.count(path)) bases.insert(path);
  return bases;
}

bool write_junit(const std::string& path, const std::vector<CaseResult>& results, size_t failed) {
  std::ofstream out(path);
  out << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out << fmt::format("<testsuite name=\"rbk\" tests=\"{}\" failures=\"{}\">\n", results.size(),
                     failed);
  for (const auto& c : results) {
    out << fmt::format("  <testcase classname=\"rbk.scenarios\" name=\"{}\" time=\"{:.3f}\"",
                       markup_escaped(c.name), c.seconds);
    if (c.failure.empty())
      out << "/>\n";
    else
      out << fmt::format(
          ">\n    <failure message=\"scenario expectations not met\">{}</failure>\n  "
          "</testcase>\n",
          markup_escaped(c.failure));
  }
  out << "</testsuite>\n";
  return static_cast<bool>(out);
}

}  // namespace

int run_test(const TestOptions& opts) {
  std::vector<std::string> roots = opts.paths.empty() ? std::vector<std::string>{"."} : opts.paths;
  std::vector<fs::path> files;
  if (!collect_scenarios(roots, files)) return kUsage;
  if (files.empty()) {
    std::cerr
        << "rbk test: no scenario files (*.scenario.json, or *.json in a scenarios/ folder) under "
        << list_text(roots) << "\n";
    return kFailed;
  }
  Suite suite;
  std::vector<CaseResult> results;
  size_t failed = 0;
  std::set<fs::path> bases = base_scenarios(files);
  for (const auto& file : files) {
    std::error_code ec;
    if (bases.count(fs::weakly_canonical(file, ec))) {
      std::cout << "BASE " << file.string() << " (extended by other scenarios; expects nothing)\n";
      continue;
    }
    CaseResult cr = run_case(suite, file);
    std::cout << (cr.failure.empty() ? "PASS " : "FAIL ") << cr.name << "\n" << cr.failure;
    failed += !cr.failure.empty();
    results.push_back(std::move(cr));
  }
  bool enough_edges = true;
  if (opts.edge_coverage || opts.fail_under >= 0)
    enough_edges = report_edge_coverage(suite, opts.fail_under);
  if (!opts.junit.empty() && !write_junit(opts.junit, results, failed)) {
    std::cerr << "rbk test: cannot write " << opts.junit << "\n";
    return kUsage;
  }
  std::cout << fmt::format("\n{} passed, {} failed\n", results.size() - failed, failed);
  return failed || !enough_edges ? kFailed : kOk;
}

}  // namespace rbk::cli
