#include "run/scenario_record.hpp"

#include <map>
#include <set>

#include "stdlib/config.hpp"
#include "vm/json_read.hpp"

namespace rbk {

using nlohmann::json;

namespace {

// What the code of P's runbooks (their nodes and parameter defaults) calls and reads
// directly: the answers a scenario gives. Calls made inside a declared probe's body are
// the body's business, and a scenario never runs the body.
void called_by_nodes(const Program& p, std::set<std::string>& functions,
                     std::set<std::string>& config) {
  std::set<uint32_t> codes;
  for (const auto& rb : p.runbooks) {
    for (const auto& n : rb.nodes)
      if (n.code != kNone) codes.insert(n.code);
    for (const auto& prm : rb.params)
      if (prm.default_code != kNone) codes.insert(prm.default_code);
  }
  for (uint32_t c : codes)
    for (const Instr& in : p.codes[c].instrs) {
      if (in.op == Op::CALL) functions.insert(p.functions[in.a].name);
      if (in.op == Op::LOAD_CONFIG) config.insert(p.constants[in.a].str());
    }
}

// The answers of one probe: {"returns"} or {"error"} when every call got the same, else a
// sequence of them in call order.
json answer_of(const std::vector<json>& results) {
  bool same = true;
  for (const auto& r : results) same = same && r == results.front();
  if (same) return results.front();
  json seq = json::array();  // a failed call is {"error": …} in a sequence
  for (const auto& r : results) seq.push_back(r.contains("error") ? r : r["returns"]);
  return json{{"sequence", seq}};
}

}  // namespace

nlohmann::ordered_json recorded_scenario(const RunRecord& record, const Program& program,
                                         const std::vector<std::string>& trace) {
  std::set<std::string> callable, config_read;
  called_by_nodes(program, callable, config_read);

  // function -> (arguments -> the answers, in call order)
  std::map<std::string, std::map<std::string, std::pair<json, std::vector<json>>>> calls;
  std::map<std::string, std::vector<std::string>> decisions;  // gate -> decision per visit
  json path = json::array(), actions = json::array();
  json signals = json::object();  // the last answer of each (a scenario has one per signal)
  std::string now;
  for (const auto& line : trace) {
    json e;
    try {
      e = read_json(line, kMaxStoredJsonDepth);
    } catch (const JsonReadError&) {
      continue;  // a damaged line tells nothing
    }
    if (!e.is_object()) continue;
    std::string event = e.value("event", "");
    if (now.empty() && e.contains("time") && e["time"].is_string()) now = e["time"];
    bool entry_level = !e.contains("depth");
    if (event == trace_kind_name(TraceKind::NodeEntered) && entry_level) {
      path.push_back(e.value("node", ""));
    } else if (event == trace_kind_name(TraceKind::Action)) {
      actions.push_back(e.value("function", ""));
    } else if (event == trace_kind_name(TraceKind::Signal) && e.contains("signal")) {
      json answer = {{"after", e.contains("after") ? e["after"] : json("0s")}};
      if (e.contains("value") && !e["value"].is_null()) answer["value"] = e["value"];
      signals[e.value("signal", "")] = answer;
    } else if (event == trace_kind_name(TraceKind::WaitTimeout) && e.contains("signal")) {
      signals[e.value("signal", "")] = nullptr;  // it never came
    } else if (event == trace_kind_name(TraceKind::GateDecided)) {
      decisions[e.value("gate", "")].push_back(e.value("decision", ""));
    } else if (event == trace_kind_name(TraceKind::Probe)) {
      std::string fn = e.value("function", "");
      if (!callable.count(fn)) continue;
      const NativeRow* row = native_named(fn);
      if (row && row->runs != NativeRuns::world) continue;  // the VM computes it
      json args = e.contains("args") ? e["args"] : json::array();
      json answer =
          e.contains("error") ? json{{"error", e["error"]}} : json{{"returns", e["result"]}};
      auto& slot = calls[fn][args.dump()];
      slot.first = args;
      slot.second.push_back(answer);
    }
  }

  nlohmann::ordered_json s = nlohmann::ordered_json::object();  // keys in the order people read
  s["runbook"] = record.runbook;
  s["description"] = "recorded from run " + record.id + " (" + run_mode_name(record.mode) +
                     ", started by " + record.started_by + ")";
  try {
    json params = record.params.empty() ? json::object() : read_json(record.params);
    if (params.is_object() && !params.empty()) s["params"] = params;
  } catch (const JsonReadError&) {
  }
  if (!now.empty()) s["now"] = now;
  json probes = json::object();
  for (const auto& [fn, by_args] : calls) {
    if (by_args.size() == 1) {
      probes[fn] = answer_of(by_args.begin()->second.second);
      continue;
    }
    json list = json::array();
    for (const auto& [key, slot] : by_args) {
      json a = answer_of(slot.second);
      a["args"] = slot.first;
      list.push_back(a);
    }
    probes[fn] = list;
  }
  if (!probes.empty()) s["probes"] = probes;
  json approvals = json::object();
  for (const auto& [gate, visits] : decisions) {
    bool same = true;
    for (const auto& d : visits) same = same && d == visits.front();
    approvals[gate] = same ? json(visits.front()) : json(visits);
  }
  if (!approvals.empty()) s["approvals"] = approvals;
  if (!signals.empty()) s["signals"] = signals;
  // Configuration the nodes read themselves, secrets left out.
  try {
    json opts = record.options.empty() ? json::object() : read_json(record.options);
    if (opts.is_object() && opts.contains("config") && opts["config"].is_object()) {
      json config = json::object();
      for (const auto& name : config_read)
        if (opts["config"].contains(name) && !is_secret_name(name))
          config[name] = opts["config"][name];
      if (!config.empty()) s["config"] = config;
    }
  } catch (const JsonReadError&) {
  }
  json expect = json::object();
  if (record.status == RunState::Ended || record.status == RunState::Failed)
    expect["outcome"] = record.outcome;
  expect["path"] = path;
  expect["actions"] = actions;
  if (record.status == RunState::Failed && !record.error.empty()) expect["error"] = record.error;
  s["expect"] = expect;
  return s;
}

}  // namespace rbk
