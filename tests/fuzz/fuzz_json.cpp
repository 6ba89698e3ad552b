// Harness: every reader of JSON from outside, each given every input: the scenario file
// (then run against device_offline with the scenario host), the policy, the
// configuration, a trace read as a drawing's overlay, and a run's stored journal
// (an array of [kind, key, value] entries, replayed by the journaling host over a store
// in memory); and the fleet snapshot reader (json_values.hpp) against the JSON library:
// both refuse the same texts and read the same values. Seeds: runbooks/scenarios/,
// tools/fleet-sim/*.json, tests/fuzz/corpus/json/.
#include <cstddef>
#include <cstdint>

#include "compiler/checker.hpp"
#include "compiler/codegen.hpp"
#include "fuzz_support.hpp"
#include "render/graphviz.hpp"
#include "render/mermaid.hpp"
#include "render/overlay.hpp"
#include "run/journal.hpp"
#include "run/policy.hpp"
#include "run/scenario.hpp"
#include "run/trace_sinks.hpp"
#include "stdlib/config.hpp"
#include "vm/json_read.hpp"
#include "vm/json_values.hpp"
#include "vm/value_json.hpp"

#ifndef RBK_FUZZ_SOURCE_DIR
#define RBK_FUZZ_SOURCE_DIR "."
#endif

namespace {

// device_offline, compiled once: the program scenarios, configuration and journals are for.
const rbk::Program& subject() {
  static const rbk::Program program = [] {
    const std::string path = RBK_FUZZ_SOURCE_DIR "/runbooks/device_offline.rbk";
    rbk::Workspace ws;
    ws.stdlib_dir = rbk::fuzz::stdlib_dir();
    rbk::Diagnostics diags;
    std::vector<std::string> unreadable;
    rbk::load_workspace(ws, {path}, diags, unreadable);
    rbk::CheckedProgram checked = rbk::check_workspace(ws, diags);
    std::string error;
    int entry = rbk::select_runbook(checked, path, "", error);
    if (diags.error_count() > 0 || !unreadable.empty() || entry < 0)
      rbk::fuzz::broken(path + " does not compile");
    return rbk::generate(checked, entry);
  }();
  return program;
}

std::vector<std::optional<rbk::Value>> params_of(const rbk::Program& p,
                                                 const nlohmann::json& given) {
  std::vector<std::optional<rbk::Value>> out;
  for (const auto& prm : p.entry_runbook().params) {
    if (given.contains(prm.name))
      out.push_back(
          rbk::convert(rbk::from_plain_json(given[prm.name]), p.types[prm.type], prm.name));
    else
      out.push_back(std::nullopt);
  }
  return out;
}

void scenario(const std::string& text) {
  rbk::Scenario sc;
  try {
    sc = rbk::parse_scenario(text, "fuzz.json");
  } catch (const rbk::ScenarioError&) {
    return;
  }
  rbk::NoTrace sink;
  rbk::ScenarioHost host(subject(), sc, sink);
  rbk::Machine(subject(), host, rbk::fuzz::small_budgets()).run(params_of(subject(), sc.params));
}

void policy(const std::string& text) {
  try {
    rbk::Policy p = rbk::parse_policy(text, "fuzz.json");
    p.may_approve("alice", "ops", "bob");
    p.capabilities.host_allowed("net.http", "127.0.0.1:8080");
  } catch (const rbk::PolicyError&) {
  }
}

void overlay(const std::string& text) {
  const rbk::RunbookInfo& rb = subject().entry_runbook();
  rbk::Overlay o;
  try {
    o = rbk::read_overlay(text, rb.name, subject().hash_hex());
  } catch (const rbk::OverlayError&) {
    return;
  }
  rbk::render_dot(rb, o);
  rbk::render_mermaid(rb, o);
}

void journal(const std::string& text) {
  nlohmann::json j;
  try {
    j = rbk::read_json(text);
  } catch (const rbk::JsonReadError&) {
    return;
  }
  if (!j.is_array()) return;
  std::vector<rbk::JournalEntry> entries;
  for (const auto& e : j) {
    if (!e.is_array() || e.size() != 3 || !e[0].is_string() || !e[1].is_string()) return;
    entries.push_back({static_cast<int64_t>(entries.size() + 1), e[0].get<std::string>(),
                       e[1].get<std::string>(), e[2].dump()});
  }
  std::unique_ptr<rbk::RunStore> store = rbk::open_sqlite_store(":memory:");
  rbk::Scenario none;
  rbk::NoTrace sink;
  rbk::ScenarioHost world(subject(), none, sink);
  rbk::JournalHost host(world, *store, "fuzz", std::move(entries), /*actions_reach_world=*/true);
  rbk::Machine(subject(), host, rbk::fuzz::small_budgets())
      .run(params_of(subject(), {{"device", "sensor-0042"}, {"gateway", "gw-7"}}));
}

// The snapshot reader and the JSON library agree on TEXT (keys compared as sets: the
// library sorts them; the reader keeps their order).
void snapshot_reader(const std::string& text) {
  std::optional<nlohmann::json> library, reader;
  std::string library_error, reader_error;
  try {
    library = rbk::to_plain_json(rbk::from_plain_json(rbk::read_json(text)));
  } catch (const rbk::JsonReadError& e) {
    library_error = e.what();
  }
  try {
    reader = rbk::to_plain_json(rbk::JsonValueReader().read(text));
  } catch (const rbk::JsonReadError& e) {
    reader_error = e.what();
  }
  // (The library stops at a NUL byte after the value, "1\0"; the reader refuses it.)
  if (library && !reader && text.find('\0') != std::string::npos) return;
  if (library.has_value() != reader.has_value())
    rbk::fuzz::broken("the snapshot reader " + std::string(reader ? "accepts" : "refuses") +
                      " what the JSON library " + (library ? "accepts" : "refuses (") +
                      library_error + reader_error + ")");
  if (library && *library != *reader)
    rbk::fuzz::broken("the snapshot reader reads " + reader->dump() + ", the JSON library " +
                      library->dump());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  scenario(text);
  policy(text);
  rbk::resolve_config(subject(), text, "fuzz.json");
  overlay(text);
  journal(text);
  snapshot_reader(text);
  return 0;
}
