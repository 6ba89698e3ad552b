#include "vm/journal.hpp"

#include <csignal>
#include <cstdlib>

#include "vm/value_json.hpp"

namespace rbk {

namespace {
std::string call_key(const std::string& name, const std::vector<Value>& args) {
  std::string s = name + "(";
  for (size_t i = 0; i < args.size(); ++i) s += (i ? ", " : "") + to_tagged_json(args[i]).dump();
  return s + ")";
}
std::string encode(const Value& v) {
  return to_tagged_json(v).dump();
}
Value decode(const std::string& s) {
  return from_tagged_json(nlohmann::json::parse(s));
}
}  // namespace

JournalHost::JournalHost(Host& inner, RunStore& store, std::string run_id,
                         std::vector<JournalEntry> recorded)
    : inner_(inner), store_(store), run_(std::move(run_id)), recorded_(std::move(recorded)) {
  seq_ = recorded_.empty() ? 0 : recorded_.back().seq;
  if (const char* c = std::getenv("RBK_CRASH_AFTER"); c && *c) crash_after_ = std::atol(c);
}

const JournalEntry* JournalHost::expect(const std::string& kind, const std::string& key) {
  if (!replaying()) return nullptr;
  const JournalEntry& e = recorded_[next_];
  if (e.kind != kind || e.key != key)
    throw HostFault("the journal of run " + run_ + " does not match its program at entry " +
                    std::to_string(e.seq) + ": recorded " + e.kind + " " + e.key + ", now " + kind +
                    " " + key);
  ++next_;
  return &e;
}

void JournalHost::record(const std::string& kind, const std::string& key,
                         const std::string& value) {
  store_.append_journal(run_, JournalEntry{++seq_, kind, key, value});
  if (crash_after_ >= 0 && ++writes_ >= crash_after_) std::raise(SIGKILL);
}

std::optional<Value> JournalHost::call(const FunctionInfo& fn, const std::vector<Value>& args,
                                       const Site& site) {
  std::string key = call_key(fn.name, args);
  if (replaying() && recorded_[next_].kind == "call_body" && recorded_[next_].key == key) {
    ++next_;
    return std::nullopt;  // the body ran: its own calls follow in the journal
  }
  if (const JournalEntry* e = expect("call", key)) {
    inner_.replayed(fn, args, site);
    return decode(e->value);
  }
  std::optional<Value> v = inner_.call(fn, args, site);
  if (v)
    record("call", key, encode(*v));
  else
    record("call_body", key, "null");
  return v;
}

ActOutcome JournalHost::act(const PlannedCall& call, const Site& site) {
  std::string key = call_key(call.function->name, call.args);
  if (replaying()) {
    expect("act_started", key);
    // Skip what the action's body asked (it is not run again) up to its completion.
    while (replaying() && recorded_[next_].kind != "act_done") ++next_;
    if (replaying()) {
      const JournalEntry& done = recorded_[next_++];
      nlohmann::json j = nlohmann::json::parse(done.value);
      ActOutcome out;
      out.kind = static_cast<ActOutcome::Kind>(j.at("kind").get<int>());
      if (out.kind == ActOutcome::Kind::RunBody) out.kind = ActOutcome::Kind::Performed;
      out.value = from_tagged_json(j.at("value"));
      replayed_done_ = true;
      return out;
    }
    // Started, never confirmed: the process died in between. Never repeat it silently.
    GateRequest req;
    req.site = site;
    req.gate = site.node ? site.node->name + " (uncertain)" : "uncertain";
    req.role = site.node && !site.node->role.empty() ? site.node->role : "ops";
    req.plan = {call};
    req.plan_hash = key;
    GateDecision d = inner_.gate(req);
    if (d == GateDecision::Pending) throw GatePending{req};
    record("gate", req.gate, d == GateDecision::Approved ? "\"approved\"" : "\"denied\"");
    ActOutcome out;
    out.kind = ActOutcome::Kind::Performed;
    if (d != GateDecision::Approved)
      out.value = Value::error("not performed (decided after an interruption)");
    replayed_done_ = false;
    return out;
  }
  record("act_started", key, "null");
  replayed_done_ = false;
  return inner_.act(call, site);
}

void JournalHost::acted(const PlannedCall& call, const Value& result, const Site& site) {
  inner_.acted(call, result, site);
  if (replayed_done_) {  // already journaled by an earlier process
    replayed_done_ = false;
    return;
  }
  nlohmann::json j;
  j["kind"] = static_cast<int>(ActOutcome::Kind::Performed);
  j["value"] = to_tagged_json(result);
  record("act_done", call_key(call.function->name, call.args), j.dump());
}

GateDecision JournalHost::gate(const GateRequest& request) {
  if (const JournalEntry* e = expect("gate", request.gate)) {
    std::string d = nlohmann::json::parse(e->value).get<std::string>();
    return d == "approved" ? GateDecision::Approved
           : d == "denied" ? GateDecision::Denied
                           : GateDecision::Timeout;
  }
  GateDecision d = inner_.gate(request);
  if (d == GateDecision::Pending) return d;
  const char* text = d == GateDecision::Approved ? "approved"
                     : d == GateDecision::Denied ? "denied"
                                                 : "timeout";
  record("gate", request.gate, std::string("\"") + text + "\"");
  return d;
}

int64_t JournalHost::now() {
  if (const JournalEntry* e = expect("now", "")) return std::stoll(e->value);
  int64_t t = inner_.now();
  record("now", "", std::to_string(t));
  return t;
}

void JournalHost::sleep(int64_t ms) {
  if (expect("sleep", std::to_string(ms))) return;
  inner_.sleep(ms);
  record("sleep", std::to_string(ms), "null");
}

Value JournalHost::config(const std::string& name) {
  if (const JournalEntry* e = expect("config", name)) return decode(e->value);
  Value v = inner_.config(name);
  record("config", name, encode(v));
  return v;
}

}  // namespace rbk
