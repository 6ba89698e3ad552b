#include "run/scenario.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "lang/closest_name.hpp"
#include "run/gates.hpp"
#include "vm/json_read.hpp"
#include "vm/json_values.hpp"
#include "vm/value_json.hpp"

namespace rbk {

using nlohmann::json;

namespace {
// 2026-01-01T00:00:00Z: scenario runs start here unless the file says "now".
constexpr int64_t kDefaultStart = 1767225600000LL;

// Refuses a key of object J not in KNOWN, naming WHAT and the closest known key.
void only_keys(const json& j, const std::vector<std::string>& known, const std::string& path,
               const std::string& what) {
  for (auto it = j.begin(); it != j.end(); ++it)
    if (std::find(known.begin(), known.end(), it.key()) == known.end()) {
      std::string keys;
      for (const auto& k : known) keys += (keys.empty() ? "" : ", ") + k;
      throw ScenarioError(path + ": unknown key \"" + it.key() + "\" in " + what +
                          did_you_mean(it.key(), known, '"') + " (it takes " + keys + ")");
    }
}

// A timeline {"0s": v, "10m": w}: an object of durations since the scenario's start.
void check_timeline(const json& t, const std::string& path, const std::string& what) {
  if (!t.is_object() || t.empty())
    throw ScenarioError(path + ": the timeline for " + what +
                        " must be an object of durations since the start (\"0s\", \"10m\")");
  for (auto it = t.begin(); it != t.end(); ++it) {
    int64_t at = 0;
    if (!parse_duration(it.key(), at) || at < 0)
      throw ScenarioError(path + ": the timeline for " + what + ": \"" + it.key() +
                          "\" is not a duration since the start (\"0s\", \"90s\", \"10m\")");
  }
}

// The entry of a (checked) timeline for ELAPSED time since the start: that of the latest
// moment at or before it; before the first moment, the first entry.
const json& at_time(const json& timeline, int64_t elapsed) {
  int64_t best_at = INT64_MIN, first_at = INT64_MAX;
  const json *best = nullptr, *first = nullptr;
  for (auto it = timeline.begin(); it != timeline.end(); ++it) {
    int64_t at = 0;
    parse_duration(it.key(), at);
    if (at <= elapsed && at > best_at) best_at = at, best = &it.value();
    if (at < first_at) first_at = at, first = &it.value();
  }
  return best ? *best : *first;
}

// A probe's answer: {"returns": v}, {"sequence": [v, …]}, {"timeline": {"0s": v, "10m":
// w}} (by the scenario's virtual time) or {"error": "…"}; in a list of answers, each may
// also match "args".
void check_answer(const json& a, const std::string& path, const std::string& probe, bool in_list) {
  std::string what = "the answer for " + probe;
  if (!a.is_object()) throw ScenarioError(path + ": " + what + " must be an object");
  static const std::vector<std::string> forms = {"returns", "sequence", "timeline", "error",
                                                 "records"};
  static const std::vector<std::string> listed = {"returns", "sequence", "timeline",
                                                  "error",   "records",  "args"};
  only_keys(a, in_list ? listed : forms, path, what);
  size_t given = a.count("returns") + a.count("sequence") + a.count("timeline") + a.count("error") +
                 a.count("records");
  if (given != 1)
    throw ScenarioError(path + ": " + what + " needs exactly one of \"returns\", \"sequence\", " +
                        "\"timeline\", \"records\" or \"error\"");
  if (a.contains("records") &&
      (!a["records"].is_string() || a["records"].get<std::string>().empty()))
    throw ScenarioError(path + ": \"records\" of the answer for " + probe +
                        " must name a fleet snapshot file (a JSON array or JSON Lines)");
  if (a.contains("timeline")) check_timeline(a["timeline"], path, probe);
  if (a.contains("sequence") && (!a["sequence"].is_array() || a["sequence"].empty()))
    throw ScenarioError(path + ": the sequence for " + probe + " must be a non-empty list");
  if (a.contains("args") && !a["args"].is_array())
    throw ScenarioError(path + ": \"args\" of an answer for " + probe + " must be a list");
}

}  // namespace

namespace {

json scenario_json(const std::string& text, const std::string& path) {
  json j;
  try {
    j = read_json(text);
  } catch (const JsonReadError& e) {
    throw ScenarioError(path + ": " + e.what());
  }
  if (!j.is_object()) throw ScenarioError(path + ": a scenario is a JSON object");
  return j;
}

// J with its "extends" chain resolved: each base read relative to the file naming it, its
// keys overridden by the extending file's (the keys of object-valued keys one by one).
json resolved(json j, const std::string& path, int depth) {
  if (!j.contains("extends")) return j;
  const json& ext = j["extends"];
  if (!ext.is_string() || ext.get<std::string>().empty())
    throw ScenarioError(path + ": \"extends\" must name a scenario file");
  if (depth >= kMaxScenarioExtends)
    throw ScenarioError(path + ": \"extends\" nests more than " +
                        std::to_string(kMaxScenarioExtends) + " files deep (a cycle?)");
  std::filesystem::path base_path =
      std::filesystem::path(path).parent_path() / ext.get<std::string>();
  std::ifstream in(base_path, std::ios::binary);
  if (!in) throw ScenarioError(path + ": cannot read the base scenario " + base_path.string());
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  json merged = resolved(scenario_json(text, base_path.string()), base_path.string(), depth + 1);
  j.erase("extends");
  for (auto it = j.begin(); it != j.end(); ++it) {
    json& into = merged[it.key()];
    if (into.is_object() && it.value().is_object())
      for (auto k = it.value().begin(); k != it.value().end(); ++k) into[k.key()] = k.value();
    else
      into = it.value();
  }
  return merged;
}

// How an error names a snapshot's item: by its "id" when it has one.
std::string record_key(const Value& record) {
  const Value* id = record.field("id");
  return id && id->kind == ValueKind::String ? " (" + id->str() + ")" : "";
}

// A fleet snapshot: a JSON array of objects, or JSON Lines (one object per line), read
// straight into a list of records (a snapshot is tens of megabytes: no JSON document).
Value read_records(const std::string& scenario_path, const std::string& file) {
  std::filesystem::path p = std::filesystem::path(scenario_path).parent_path() / file;
  std::ifstream in(p, std::ios::binary | std::ios::ate);
  if (!in) throw ScenarioError(scenario_path + ": cannot read the fleet snapshot " + p.string());
  std::string text;  // read whole, in one call: a snapshot is tens of megabytes
  std::streamoff size = in.tellg();
  if (size > 0) {
    text.resize(static_cast<size_t>(size));
    in.seekg(0);
    in.read(text.data(), size);
    text.resize(static_cast<size_t>(in.gcount()));
  }
  if (in.bad())
    throw ScenarioError(scenario_path + ": cannot read the fleet snapshot " + p.string());
  size_t first = text.find_first_not_of(" \t\r\n");
  JsonValueReader reader;
  Value records = Value::list({});
  if (first != std::string::npos && text[first] == '[') {
    try {
      records = reader.read(text);
    } catch (const JsonReadError& e) {
      throw ScenarioError(p.string() + ": " + e.what());
    }
  } else {
    std::vector<Value> rows;
    size_t line = 0, at = 0;
    while (at < text.size()) {
      size_t end = text.find('\n', at);
      if (end == std::string::npos) end = text.size();
      ++line;
      std::string_view row(text.data() + at, end - at);
      at = end + 1;
      if (row.find_first_not_of(" \t\r") == std::string_view::npos) continue;
      try {
        rows.push_back(reader.read(row));
      } catch (const JsonReadError& e) {
        throw ScenarioError(p.string() + ": line " + std::to_string(line) + ": " + e.what());
      }
    }
    records = Value::list(std::move(rows));
  }
  if (records.kind != ValueKind::List)
    throw ScenarioError(p.string() + ": a fleet snapshot is a JSON array or JSON Lines of objects");
  for (size_t i = 0; i < records.items().size(); ++i)
    if (records.items()[i].kind != ValueKind::Record)
      throw ScenarioError(p.string() + ": item " + std::to_string(i) + " is not a JSON object");
  return records;
}

}  // namespace

Scenario parse_scenario(const std::string& text, const std::string& path) {
  static const std::vector<std::string> known = {
      "runbook", "file",   "extends", "params",      "probes",   "approvals", "actions",
      "config",  "expect", "now",     "description", "per_item", "signals"};
  json j = scenario_json(text, path);
  only_keys(j, known, path, "a scenario");
  j = resolved(std::move(j), path, 0);
  only_keys(j, known, path, "a scenario");
  Scenario s;
  s.path = path;
  s.resolved = j.dump();
  auto object = [&](const char* key, json& out) {
    if (!j.contains(key)) return;
    if (!j[key].is_object()) throw ScenarioError(path + ": \"" + key + "\" must be an object");
    out = j[key];
  };
  if (j.contains("runbook")) {
    if (!j["runbook"].is_string()) throw ScenarioError(path + ": \"runbook\" must be a string");
    s.runbook = j["runbook"].get<std::string>();
  }
  if (j.contains("file")) {
    if (!j["file"].is_string()) throw ScenarioError(path + ": \"file\" must be a string");
    s.file = j["file"].get<std::string>();
  }
  object("params", s.params);
  object("probes", s.probes);
  for (auto it = s.probes.begin(); it != s.probes.end(); ++it) {
    json answers = it.value().is_array() ? it.value() : json::array({it.value()});
    for (const auto& a : answers) {
      check_answer(a, path, it.key(), it.value().is_array());
      if (a.contains("records")) {
        const std::string file = a["records"].get<std::string>();
        if (!s.records.count(file)) s.records[file] = read_records(path, file);
      }
    }
  }
  object("per_item", s.per_item);
  for (auto it = s.per_item.begin(); it != s.per_item.end(); ++it) {
    const json& m = it.value();
    std::string what = "the per_item answer of " + it.key();
    if (!m.is_object()) throw ScenarioError(path + ": " + what + " must be an object");
    only_keys(m, {"field", "unit"}, path, what);
    if (!m.contains("field") || !m["field"].is_string() || m["field"].get<std::string>().empty())
      throw ScenarioError(path + ": " + what +
                          " needs \"field\": the item's field (a.b for nested)");
    if (m.contains("unit")) {
      static const std::vector<std::string> units = {"ms", "s", "m", "h", "d", "%"};
      std::string u = m["unit"].is_string() ? m["unit"].get<std::string>() : "";
      if (std::find(units.begin(), units.end(), u) == units.end())
        throw ScenarioError(path + ": the unit of " + what + " is one of ms, s, m, h, d or %" +
                            did_you_mean(u, units, '"'));
    }
  }
  object("approvals", s.approvals);
  object("actions", s.actions);
  object("config", s.config);
  object("signals", s.signals);
  for (auto it = s.signals.begin(); it != s.signals.end(); ++it) {
    const json& a = it.value();
    const std::string what = "the answer for signal " + it.key();
    if (a.is_null()) continue;
    if (!a.is_object()) throw ScenarioError(path + ": " + what + " is {\"after\": …} or null");
    only_keys(a, {"after", "value"}, path, what);
    int64_t ms = 0;
    if (!a.contains("after") || !a["after"].is_string() ||
        !parse_duration(a["after"].get<std::string>(), ms))
      throw ScenarioError(path + ": " + what +
                          " needs \"after\": how long after its wait begins it arrives (\"3m\")");
  }
  if (j.contains("expect")) {
    if (!j["expect"].is_object()) throw ScenarioError(path + ": \"expect\" must be an object");
    s.expect = j["expect"];
    only_keys(s.expect, {"outcome", "path", "actions", "error", "ends", "outcomes"}, path,
              "\"expect\"");
    for (const char* counts : {"ends", "outcomes"})
      if (s.expect.contains(counts)) {
        const json& c = s.expect[counts];
        bool ok = c.is_object();
        for (auto it = ok ? c.begin() : c.end(); ok && it != c.end(); ++it)
          ok = it.value().is_number_unsigned();
        if (!ok)
          throw ScenarioError(path + ": the expected \"" + counts +
                              "\" is an object of counts of children (\"flap\": 7195)");
      }
    if (s.expect.contains("outcome")) {
      const json& o = s.expect["outcome"];
      std::vector<std::string> outcomes = written_outcome_names();
      if (!o.is_string() || !written_outcome(o.get<std::string>()))
        throw ScenarioError(
            path + ": the expected outcome " + o.dump() + " is none of " +
            "resolved, mitigated, escalated, failed" +
            (o.is_string() ? did_you_mean(o.get<std::string>(), outcomes, '"') : std::string()));
    }
    for (const char* list : {"path", "actions"})
      if (s.expect.contains(list) &&
          (!s.expect[list].is_array() || !std::all_of(s.expect[list].begin(), s.expect[list].end(),
                                                      [](const json& x) { return x.is_string(); })))
        throw ScenarioError(path + ": the expected \"" + list + "\" must be a list of names");
    if (s.expect.contains("error") && !s.expect["error"].is_string())
      throw ScenarioError(path + ": the expected \"error\" must be a string");
  }
  s.start_ms = kDefaultStart;
  if (j.contains("now")) {
    if (!j["now"].is_string() || !parse_time(j["now"].get<std::string>(), s.start_ms))
      throw ScenarioError(path + ": \"now\" must be an RFC 3339 time");
  }
  for (auto it = s.approvals.begin(); it != s.approvals.end(); ++it) {
    // One decision, one per visit of the gate (the last repeats), or one by the virtual
    // time at which the gate asks ({"timeline": {"0s": "timeout", "45m": "approved"}}).
    json visits = it.value().is_array() ? it.value() : json::array({it.value()});
    if (it.value().is_object() && !it.value().contains("decision")) {
      only_keys(it.value(), {"timeline"}, path, "the approval of \"" + it.key() + "\"");
      if (!it.value().contains("timeline"))
        throw ScenarioError(path + ": the approval of \"" + it.key() +
                            "\" as an object needs \"timeline\"");
      check_timeline(it.value()["timeline"], path, "gate " + it.key());
      visits = json::array();
      for (const auto& [at, d] : it.value()["timeline"].items()) visits.push_back(d);
    }
    if (visits.empty())
      throw ScenarioError(path + ": the approvals of \"" + it.key() + "\" must not be empty");
    for (const json& v : visits) {
      if (v.is_object())
        only_keys(v, {"decision", "picks"}, path, "the approval of \"" + it.key() + "\"");
      if (!read_gate_answer(v)) {
        std::string text = v.is_string() ? v.get<std::string>() : "";
        if (v.is_object()) text = string_member(v, "decision");
        throw ScenarioError(
            path + ": approval of \"" + it.key() +
            "\" must be \"approved\", \"denied\" or \"timeout\", " +
            "{\"decision\": \"approved\", \"picks\": {\"question\": \"choice\"}}, " +
            "a list of them (one per visit), or {\"timeline\": {\"0s\": …}}" +
            did_you_mean(text, {"approved", "denied", "timeout"}, '"'));
      }
    }
  }
  return s;
}

ScenarioHost::ScenarioHost(const Program& program, const Scenario& scenario, TraceSink& sink)
    : program_(program), scenario_(scenario), sink_(sink), clock_(scenario.start_ms) {
  for (auto it = scenario.per_item.begin(); it != scenario.per_item.end(); ++it) {
    ItemField f;  // parse_scenario checked the spec
    f.field = it.value()["field"].get<std::string>();
    for (size_t at = 0; at <= f.field.size();) {
      size_t dot = std::min(f.field.find('.', at), f.field.size());
      f.parts.push_back(f.field.substr(at, dot - at));
      at = dot + 1;
    }
    if (it.value().contains("unit")) {
      std::string unit = it.value()["unit"].get<std::string>();
      f.unit = unit == "%" ? ItemField::Unit::Percent : ItemField::Unit::Duration;
      f.ms = unit == "ms"  ? 1
             : unit == "s" ? 1e3
             : unit == "m" ? 6e4
             : unit == "h" ? 3.6e6
                           : 8.64e7;
    }
    f.positions.assign(f.parts.size(), 0);
    for (size_t k = 0; k < program.functions.size(); ++k)
      if (program.functions[k].name == it.key()) {
        if (per_item_.size() <= k) per_item_.resize(k + 1);
        per_item_[k] = f;
      }
  }
}

Value ScenarioHost::answer(const FunctionInfo& fn, const json& entry, const std::string& key) {
  const TypeRef& result = program_.types[fn.result];
  auto typed = [&](const json& v) -> Value {
    if (v.is_object() && v.size() == 1 && v.contains("error"))
      return Value::error(v["error"].is_string() ? v["error"].get<std::string>()
                                                 : v["error"].dump());
    Value x = convert(from_plain_json(v), result, "scenario value of " + fn.name);
    if (x.is_error()) throw HostFault(scenario_.path + ": " + x.str());
    return x;
  };
  if (!entry.is_object())
    throw HostFault(scenario_.path + ": the answer for " + fn.name + " must be an object");
  if (entry.contains("records")) {  // a fleet snapshot, converted item by item
    const std::string& file = entry["records"].get<std::string>();
    const Value& records = scenario_.records.at(file);
    if (result->kind != TypeKind::List)
      throw HostFault(scenario_.path + ": " + fn.name + " returns " + to_string(result) +
                      ", not a list: a fleet snapshot (" + file + ") answers only a list");
    std::vector<Value> items;
    items.reserve(records.items().size());
    for (size_t i = 0; i < records.items().size(); ++i) {
      Value x = convert(records.items()[i], result->elem, "item");
      if (x.is_error())
        throw HostFault(file + ": item " + std::to_string(i) + record_key(records.items()[i]) +
                        ": " + x.str());
      items.push_back(std::move(x));
    }
    last_records_ = &records;
    last_converted_ = items;
    return Value::list(std::move(items));
  }
  if (entry.contains("error"))
    return Value::error(entry["error"].is_string() ? entry["error"].get<std::string>()
                                                   : entry["error"].dump());
  if (entry.contains("returns")) return typed(entry["returns"]);
  if (entry.contains("sequence")) {
    const json& seq = entry["sequence"];
    if (!seq.is_array() || seq.empty())
      throw HostFault(scenario_.path + ": the sequence for " + fn.name +
                      " must be a non-empty list");
    size_t& pos = sequence_pos_[key];
    const json& v = seq[std::min(pos, seq.size() - 1)];  // the last answer repeats
    ++pos;
    return typed(v);
  }
  if (entry.contains("timeline"))  // parse_scenario checked the durations
    return typed(at_time(entry["timeline"], clock_ - scenario_.start_ms));
  throw HostFault(scenario_.path + ": the answer for " + fn.name +
                  " needs \"returns\", \"sequence\", \"timeline\" or \"error\"");
}

void ScenarioHost::child_started(size_t index, const Value& item) {
  item_ = nullptr;
  if (!last_records_) return;
  const std::vector<Value>& records = last_records_->items();
  if (index < last_converted_.size() && last_converted_[index] == item) {
    item_ = &records[index];
    item_index_ = index;
    return;
  }
  for (size_t i = 0; i < last_converted_.size(); ++i)  // a list derived from the snapshot
    if (last_converted_[i] == item) {
      item_ = &records[i];
      item_index_ = i;
      return;
    }
}

// A probe inside a child, answered from its item's record: the field SPEC names (a.b for
// nested), a number read in SPEC's unit as a duration or a percent, then the declared type.
Value ScenarioHost::per_item(const FunctionInfo& fn, ItemField& spec) {
  const std::string& field = spec.field;
  auto where = [&] { return "item " + std::to_string(item_index_) + record_key(*item_); };
  const Value* v = item_;
  for (size_t k = 0; k < spec.parts.size(); ++k) {
    const std::string& part = spec.parts[k];
    size_t& at = spec.positions[k];
    const Value* found = nullptr;
    if (v->kind == ValueKind::Record) {
      if (at < v->keys().size() && v->keys()[at] == part) {
        found = &v->items()[at];
      } else if ((found = v->field(part))) {
        at = static_cast<size_t>(found - v->items().data());
      }
    }
    if (!found)
      throw HostFault(scenario_.path + ": " + where() + " has no field '" + field +
                      "' (per_item of " + fn.name + ")");
    v = found;
  }
  const TypeRef& result = program_.types[fn.result];
  if (v->is_null()) {
    if (is_optional(result)) return Value::null();
    return Value::error(where() + " has null for '" + field + "', but " + fn.name + " returns " +
                        to_string(result));
  }
  Value x = *v;
  if (spec.unit != ItemField::Unit::None &&
      (v->kind == ValueKind::Int || v->kind == ValueKind::Float)) {
    double n = v->kind == ValueKind::Int ? static_cast<double>(v->i) : v->f;
    x = spec.unit == ItemField::Unit::Percent
            ? Value::percent(n)
            : Value::duration(static_cast<int64_t>(std::llround(n * spec.ms)));
  }
  Value typed = convert(x, result, fn.name);
  if (typed.is_error())
    throw HostFault(scenario_.path + ": " + where() + ", field '" + field + "': " + typed.str());
  return typed;
}

std::optional<Value> ScenarioHost::call(const FunctionInfo& fn, const std::vector<Value>& args,
                                        const Site&) {
  if (item_)
    if (const FunctionInfo* first = program_.functions.data();
        !std::less<const FunctionInfo*>{}(&fn, first) &&
        std::less<const FunctionInfo*>{}(&fn, first + program_.functions.size()))
      if (size_t k = static_cast<size_t>(&fn - first); k < per_item_.size() && per_item_[k])
        return per_item(fn, *per_item_[k]);
  // Scenarios answer at the level of the declared probe (fleet.last_seen_age), so a
  // runbook is testable without any server; natives are answered only if named.
  if (!scenario_.probes.contains(fn.name))
    throw HostFault("the scenario does not answer " + call_text(fn.name, args));
  const json& spec = scenario_.probes[fn.name];
  if (!spec.is_array()) return answer(fn, spec, fn.name);
  const json* fallback = nullptr;
  for (size_t i = 0; i < spec.size(); ++i) {
    const json& entry = spec[i];
    if (!entry.is_object() || !entry.contains("args")) {
      fallback = &entry;
      continue;
    }
    const json& want = entry["args"];
    bool match = want.is_array() && want.size() <= args.size();
    for (size_t k = 0; match && k < want.size(); ++k) {
      Value w = convert(from_plain_json(want[k]), program_.types[fn.params[k].type], "arg");
      match = !w.is_error() && w == args[k];
    }
    if (match) return answer(fn, entry, fn.name + "#" + std::to_string(i));
  }
  if (fallback) return answer(fn, *fallback, fn.name + "#default");
  throw HostFault("the scenario does not answer " + call_text(fn.name, args));
}

// In virtual time: the signal arrives "after" its wait began, if that is before the
// deadline; null (or an answer past the deadline) times the wait out.
std::optional<Value> ScenarioHost::await_signal(const std::string& name, int64_t deadline_ms,
                                                const std::function<bool()>&) {
  if (!scenario_.signals.contains(name))
    throw HostFault(scenario_.path + " does not say whether signal " + name +
                    " arrives: add \"signals\": {\"" + name +
                    "\": {\"after\": \"2m\"}} (or null: it never does)");
  const json& spec = scenario_.signals[name];
  int64_t after = 0;
  if (!spec.is_null()) parse_duration(spec["after"].get<std::string>(), after);
  if (spec.is_null() || clock_ + after > deadline_ms) {
    clock_ = std::max(clock_, deadline_ms);
    return std::nullopt;
  }
  clock_ += after;
  return spec.contains("value") ? from_plain_json(spec["value"]) : Value::null();
}

ActOutcome ScenarioHost::act(const PlannedCall& call, const Site&) {
  // Actions are recorded, never performed; a scenario may make one fail, to test the
  // node's `on error` edge: {"error": "…"} fails every call, {"sequence": [null, {"error":
  // "…"}]} decides call by call (null succeeds; the last entry repeats).
  const std::string& name = call.function->name;
  if (!scenario_.actions.contains(name)) return ActOutcome{ActOutcome::Kind::WouldDo, {}};
  const json* spec = &scenario_.actions[name];
  if (spec->is_object() && spec->contains("sequence")) {
    const json& seq = (*spec)["sequence"];
    if (!seq.is_array() || seq.empty())
      throw HostFault(scenario_.path + ": the sequence for action " + name +
                      " must be a non-empty list");
    size_t& pos = sequence_pos_["action:" + name];
    spec = &seq[std::min(pos, seq.size() - 1)];
    ++pos;
  }
  if (spec->is_null()) return ActOutcome{ActOutcome::Kind::WouldDo, {}};
  // {"returns": v}: what the action gives back (a job's id), for a `do let` that reads
  // it; the VM converts it to the declared type when it is read.
  if (spec->is_object() && spec->size() == 1 && spec->contains("returns"))
    return ActOutcome{ActOutcome::Kind::WouldDo, from_plain_json((*spec)["returns"])};
  if (!spec->is_object() || !spec->contains("error"))
    throw HostFault(scenario_.path + ": the outcome of action " + name +
                    " must be {\"returns\": …}, {\"error\": …}, {\"sequence\": […]} or null");
  const json& error = (*spec)["error"];
  return ActOutcome{ActOutcome::Kind::WouldDo,
                    Value::error(error.is_string() ? error.get<std::string>() : error.dump())};
}

std::vector<std::string> scenario_problems(const Scenario& s, const Program& p) {
  std::vector<std::string> problems;
  std::vector<std::string> probes, actions, gates, params, config, clock;
  for (const auto& f : p.functions) {
    bool vm_computes = f.native && native_row(*f.native).runs != NativeRuns::world;
    if (f.effect == Effect::Probe && !vm_computes) probes.push_back(f.name);
    if (f.effect == Effect::Action) actions.push_back(f.name);
  }
  for (const auto& rb : p.runbooks) {
    for (const auto& n : rb.nodes)
      if (n.kind == NodeKind::Approve || (n.kind == NodeKind::Action && !n.role.empty()))
        gates.push_back(n.name);
    for (const auto& fe : rb.foreachs)  // a foreach that approves its waves
      if (!fe.between_role.empty() || !fe.each_role.empty())
        gates.push_back(rb.nodes[fe.node].name);
  }
  for (const auto& prm : p.entry_runbook().params) params.push_back(prm.name);
  for (const auto& c : p.config) config.push_back(c.name);
  const std::string rb = "runbook '" + p.entry_runbook().name + "'";
  auto check = [&](const json& object, const std::vector<std::string>& names,
                   const std::string& what, const std::string& none) {
    for (auto it = object.begin(); it != object.end(); ++it) {
      if (std::find(names.begin(), names.end(), it.key()) != names.end()) continue;
      const NativeRow* row = native_named(it.key());
      if (what == "probe" && row && row->runs != NativeRuns::world) {
        problems.push_back(s.path + ": " + it.key() + " is not answered by a scenario: " +
                           (row->runs == NativeRuns::clock
                                ? "the clock is the scenario's virtual time (set \"now\")"
                                : "it is computed from its arguments"));
        continue;
      }
      problems.push_back(s.path + ": " + what + " \"" + it.key() + "\" is not " + none + " of " +
                         rb + did_you_mean(it.key(), names, '"'));
    }
  };
  check(s.probes, probes, "probe", "a probe it calls");
  check(s.per_item, probes, "probe", "a probe it calls");
  check(s.actions, actions, "action", "an action it calls");
  check(s.approvals, gates, "approval", "a gate (an approve node or a gated action node)");
  check(s.params, params, "parameter", "a parameter");
  check(s.config, config, "configuration value", "one declared");
  return problems;
}

GateAnswer ScenarioHost::gate(const GateRequest& req) {
  if (!scenario_.approvals.contains(req.gate)) return GateDecision::Pending;
  const json* d = &scenario_.approvals[req.gate];
  if (d->is_array()) {  // one per visit; the last repeats
    size_t& visit = sequence_pos_["gate:" + req.gate];
    d = &(*d)[std::min(visit, d->size() - 1)];
    ++visit;
  } else if (d->is_object() && d->contains("timeline")) {  // by the virtual time it asks at
    d = &at_time((*d)["timeline"], clock_ - scenario_.start_ms);
  }
  // parse_scenario let only decided answers through
  return read_gate_answer(*d).value_or(GateAnswer{});
}

Value ScenarioHost::config(const std::string& name) {
  if (scenario_.config.contains(name)) return from_plain_json(scenario_.config[name]);
  return Value::error("configuration value '" + name +
                      "' is not set (add it to the scenario's \"config\")");
}

}  // namespace rbk
