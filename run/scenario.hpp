// Scenario files (docs/scenarios.md, language.md section 7) and the scenario host: probe
// results come from the file, actions are recorded and never performed, time is virtual
// (a 10-minute wait takes no real time). Fully offline and deterministic.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>

#include <nlohmann/json.hpp>

#include "vm/host.hpp"

namespace rbk {

struct ScenarioError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct Scenario {
  std::string path;
  std::string runbook;
  std::string file;  // the runbook's .rbk file, relative to the scenario ("" to look it up)
  nlohmann::json params = nlohmann::json::object();
  nlohmann::json probes = nlohmann::json::object();
  nlohmann::json approvals = nlohmann::json::object();  // GATE: decision, or one per visit
  nlohmann::json actions = nlohmann::json::object();    // {"gateway.restart": {"error": "…"}}
  nlohmann::json config = nlohmann::json::object();
  // NAME: {"after": "3m", "value": v} (it arrives that long after its wait begins) or
  // null (it never does: the wait times out).
  nlohmann::json signals = nlohmann::json::object();
  nlohmann::json expect;  // may be null
  // Fleet snapshots: a probe answered with {"records": FILE} gets the file's objects (a
  // JSON array or JSON Lines), read once into a list of records (plain values, as the
  // file has them), here by FILE as written; "per_item" answers probes inside a
  // foreach's children from the record of their item.
  std::map<std::string, Value> records;
  nlohmann::json per_item = nlohmann::json::object();  // PROBE: {"field": "a.b", "unit": "m"}
  int64_t start_ms = 0;                                // "now": the virtual clock's start
  // The whole scenario with every "extends" resolved: what a stored run keeps, so that it
  // resumes with the answers it started with even if a base file changes.
  std::string resolved;
};

// A scenario's base files ("extends") nest at most this deep.
inline constexpr int kMaxScenarioExtends = 16;

// Parses a scenario file's text; throws ScenarioError naming the problem (an unknown key
// or answer form with the closest known one, an expected outcome that is none). A
// scenario may extend a base file ("extends": "base.json", relative to PATH's folder):
// the base's keys, each overridden by the scenario's, object keys one by one.
Scenario parse_scenario(const std::string& text, const std::string& path);

// What scenario S names that program P does not have, one message each with a
// did-you-mean: a probe the runbook never calls, an action, a gate, a parameter, a
// configuration value. Checked before a scenario runs (rbk run, rbk test), so a typo is
// not a silent "the scenario does not answer …" later, or an answer never used.
std::vector<std::string> scenario_problems(const Scenario& s, const Program& p);

class ScenarioHost : public Host {
 public:
  // PROGRAM and SCENARIO must outlive the host. Its gates are answered by the scenario's
  // "approvals" (and pending otherwise: see run/gates.hpp for flags and people).
  ScenarioHost(const Program& program, const Scenario& scenario, TraceSink& sink);

  std::optional<Value> call(const FunctionInfo& fn, const std::vector<Value>& args,
                            const Site& site) override;
  void replayed(const FunctionInfo& fn, const std::vector<Value>& args, const Site& site) override {
    call(fn, args, site);  // advances the sequences as the first process did
  }
  void gate_replayed(const GateRequest& request, const GateAnswer&) override {
    gate(request);  // advances per-visit approvals as the first process did
  }
  ActOutcome act(const PlannedCall& call, const Site& site) override;
  GateAnswer gate(const GateRequest& request) override;
  int64_t now() override { return clock_; }
  void sleep(int64_t ms) override { clock_ += ms; }
  std::optional<Value> await_signal(const std::string& name, int64_t deadline_ms,
                                    const std::function<bool()>& stop) override;
  Value config(const std::string& name) override;
  void trace(const TraceEvent& event) override { sink_.event(event, clock_); }
  void progress(const FleetProgress& p) override { sink_.progress(p); }

 private:
  Value answer(const FunctionInfo& fn, const nlohmann::json& entry, const std::string& key);
  // A per_item answer, compiled once: the field's path and the unit's factor.
  struct ItemField {
    std::string field;               // as written ("gateway.online")
    std::vector<std::string> parts;  // split at the dots
    // Where each part stood in the last record read: records of one snapshot share a shape.
    std::vector<size_t> positions;
    enum class Unit { None, Duration, Percent } unit = Unit::None;
    double ms = 1;  // Duration: milliseconds per unit
  };
  Value per_item(const FunctionInfo& fn, ItemField& spec);
  // By the function's index in the program (the probe a child calls, found without its name).
  std::vector<std::optional<ItemField>> per_item_;
  void child_started(size_t index, const Value& item) override;
  void child_ended() override { item_ = nullptr; }
  // The last list answered from records: the file's objects and what they converted to,
  // so that a child's item finds its record (by position, else by value).
  const Value* last_records_ = nullptr;
  std::vector<Value> last_converted_;
  const Value* item_ = nullptr;  // the record of the child running now
  size_t item_index_ = 0;
  const Program& program_;
  const Scenario& scenario_;
  TraceSink& sink_;
  int64_t clock_;
  std::map<std::string, size_t> sequence_pos_;
};

}  // namespace rbk
