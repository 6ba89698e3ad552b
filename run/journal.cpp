#include "run/journal.hpp"

#include "run/gates.hpp"
#include "stdlib/action_keys.hpp"

#include "vm/json_read.hpp"
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
// The journal is read back from a file another process wrote, which may have been
// damaged since: every read of a stored answer checks it and names the entry.
[[noreturn]] void damaged(const JournalEntry& e, const std::string& why) {
  throw HostFault("the journal entry " + std::to_string(e.seq) + " (" + e.kind +
                  (e.key.empty() ? "" : " " + e.key) + ") is damaged: " + why);
}
nlohmann::json stored_json(const JournalEntry& e) {
  try {
    return read_json(e.value, kMaxStoredJsonDepth);
  } catch (const JsonReadError& x) {
    damaged(e, x.what());
  }
}
Value decode(const JournalEntry& e, const nlohmann::json& tagged) {
  try {
    return from_tagged_json(tagged);
  } catch (const TaggedJsonError& x) {
    damaged(e, x.what());
  }
}
Value decode(const JournalEntry& e) {
  return decode(e, stored_json(e));
}
}  // namespace

JournalHost::JournalHost(Host& inner, RunStore& store, std::string run_id,
                         std::vector<JournalEntry> recorded, bool actions_reach_world,
                         bool answers_repeat, bool resend_uncertain)
    : inner_(inner),
      writer_(std::make_shared<JournalWriter>(store, std::move(run_id),
                                              recorded.empty() ? 0 : recorded.back().seq)),
      actions_reach_world_(actions_reach_world),
      answers_repeat_(answers_repeat),
      resend_uncertain_(resend_uncertain) {
  for (auto& e : recorded) {
    if (e.scope.empty())
      recorded_.push_back(std::move(e));
    else
      children_[e.scope].push_back(std::move(e));
  }
}

JournalHost::JournalHost(std::unique_ptr<Host> inner, std::shared_ptr<JournalWriter> writer,
                         std::string scope, std::vector<JournalEntry> recorded,
                         bool actions_reach_world, bool answers_repeat, bool resend_uncertain)
    : owned_inner_(std::move(inner)),
      inner_(*owned_inner_),
      writer_(std::move(writer)),
      scope_(std::move(scope)),
      recorded_(std::move(recorded)),
      actions_reach_world_(actions_reach_world),
      answers_repeat_(answers_repeat),
      resend_uncertain_(resend_uncertain) {}

std::unique_ptr<Host> JournalHost::child_host(const std::string& scope) {
  std::unique_ptr<Host> world = inner_.child_host(scope);
  if (!world) return nullptr;
  std::vector<JournalEntry> mine;
  if (auto it = children_.find(scope); it != children_.end()) {
    mine = std::move(it->second);
    children_.erase(it);
  }
  return std::unique_ptr<Host>(new JournalHost(std::move(world), writer_, scope, std::move(mine),
                                               actions_reach_world_, answers_repeat_,
                                               resend_uncertain_));
}

std::unique_ptr<JournalHost> JournalHost::for_child(
    std::unique_ptr<Host> world, std::shared_ptr<JournalWriter> writer, std::string scope,
    std::vector<JournalEntry> recorded, bool actions_reach_world, bool resend_uncertain) {
  return std::unique_ptr<JournalHost>(
      new JournalHost(std::move(world), std::move(writer), std::move(scope), std::move(recorded),
                      actions_reach_world, false, resend_uncertain));
}

void JournalHost::child_began() {
  if (expect("child_started", "")) return;
  record("child_started", "", "null");
}

void JournalHost::child_finished(const Value& result) {
  record("child_done", "", encode(result));
}

std::vector<ChildJournal> JournalHost::journaled_children(const std::string& prefix) {
  std::vector<ChildJournal> out;
  for (auto it = children_.lower_bound(prefix);
       it != children_.end() && it->first.compare(0, prefix.size(), prefix) == 0; ++it) {
    const std::vector<JournalEntry>& entries = it->second;
    if (entries.empty() || entries.front().kind != "child_started") continue;
    ChildJournal c;
    try {
      c.item = std::stoul(it->first.substr(prefix.size()));
    } catch (const std::exception&) {
      damaged(entries.front(), "its scope " + it->first + " does not end with an item number");
    }
    if (entries.back().kind == "child_done") {
      c.done = true;
      c.result = decode(entries.back());
      c.done_seq = entries.back().seq;
    }
    out.push_back(std::move(c));
  }
  return out;
}

const JournalEntry* JournalHost::expect(const std::string& kind, const std::string& key) {
  if (!replaying()) return nullptr;
  const JournalEntry& e = recorded_[next_];
  if (e.kind != kind || e.key != key)
    throw HostFault("the journal of run " + writer_->run() +
                    (scope_.empty() ? "" : " (child " + scope_ + ")") +
                    " does not match its program at entry " + std::to_string(e.seq) +
                    ": recorded " + e.kind + " " + e.key + ", now " + kind + " " + key);
  ++next_;
  return &e;
}

void JournalHost::record(const std::string& kind, const std::string& key,
                         const std::string& value) {
  // What the world saw depends on these: they are in the store before the run goes on.
  const bool wait = kind == "act_started" || kind == "act_done" || kind == "gate" ||
                    kind == "signal";  // (taken from the store: it is nowhere else now)
  writer_->append(JournalEntry{0, kind, key, value, scope_}, wait);
}

std::optional<Value> JournalHost::call(const FunctionInfo& fn, const std::vector<Value>& args,
                                       const Site& site) {
  if (answers_repeat_) return inner_.call(fn, args, site);
  std::string key = call_key(fn.name, args);
  if (replaying() && recorded_[next_].kind == "call_body" && recorded_[next_].key == key) {
    ++next_;
    return std::nullopt;  // the body ran: its own calls follow in the journal
  }
  if (const JournalEntry* e = expect("call", key)) {
    inner_.replayed(fn, args, site);
    return decode(*e);
  }
  std::optional<Value> v = inner_.call(fn, args, site);
  if (v)
    record("call", key, encode(*v));
  else
    record("call_body", key, "null");
  return v;
}

ActOutcome JournalHost::perform(const PlannedCall& call, const Site& site, std::string key) {
  set_action_key(actions_reach_world_ ? std::move(key) : std::string());
  try {
    ActOutcome out = inner_.act(call, site);
    if (out.kind != ActOutcome::Kind::RunBody) set_action_key("");
    return out;
  } catch (...) {
    set_action_key("");
    throw;
  }
}

ActOutcome JournalHost::act(const PlannedCall& call, const Site& site) {
  std::string key = call_key(call.function->name, call.args);
  // RUN/SCOPE/N: the same for this action in every process that executes the run.
  std::string idempotency_key =
      writer_->run() + "/" + (scope_.empty() ? "run" : scope_) + "/" + std::to_string(++acts_);
  if (replaying()) {
    expect("act_started", key);
    const std::string uncertain = site.node ? site.node->name + " (uncertain)" : "uncertain";
    auto decided_uncertain = [&](GateDecision d) {
      ActOutcome out;
      out.kind = ActOutcome::Kind::Performed;
      if (d != GateDecision::Approved)
        out.value = Value::error("not performed (decided after an interruption)");
      else if (call.result_bound)  // done, but what it returned is lost
        out.value = Value::error(
            "performed before an interruption: its result, which a later node reads, is "
            "not known");
      return out;
    };
    // Skip what the action's body asked (it is not run again) up to its completion, or up
    // to the decision a person gave after an interruption.
    while (replaying() && recorded_[next_].kind != "act_done" &&
           !(recorded_[next_].kind == "gate" && recorded_[next_].key == uncertain))
      ++next_;
    if (replaying() && recorded_[next_].kind == "gate") {
      const JournalEntry& e = recorded_[next_++];
      nlohmann::json d = stored_json(e);
      auto decided = gate_decision_named(d.is_string() ? d.get<std::string>() : "");
      if (!decided || *decided == GateDecision::Pending)
        damaged(e, "a gate decision is \"approved\" or \"denied\"");
      // (journals written before the decision counted as the completion also have one)
      if (replaying() && recorded_[next_].kind == "act_done" && recorded_[next_].key == key)
        ++next_;
      replayed_done_ = true;
      return decided_uncertain(*decided);
    }
    if (replaying()) {
      const JournalEntry& done = recorded_[next_++];
      nlohmann::json j = stored_json(done);
      if (!j.is_object() || !j.contains("value")) damaged(done, "expected {\"kind\", \"value\"}");
      ActOutcome out;
      // Whatever the first process's host did, the action is done: replay its result.
      out.kind = ActOutcome::Kind::Performed;
      out.value = decode(done, j["value"]);
      replayed_done_ = true;
      return out;
    }
    replayed_done_ = false;
    // Started, never confirmed: the process died in between. Only recorded or answered by
    // a scenario: record it again. Live: never repeat it silently — unless its services
    // honour its idempotency key, when sending it again performs it at most once.
    if (!actions_reach_world_) return inner_.act(call, site);
    if (resend_uncertain_) return perform(call, site, std::move(idempotency_key));
    GateRequest req;
    req.site = site;
    req.gate = uncertain;
    req.role = site.node && !site.node->role.empty() ? site.node->role : "ops";
    req.plan = {call};
    req.plan_hash = key;
    GateDecision d = inner_.gate(req).decision;
    if (d == GateDecision::Pending) throw GatePending{req};
    d = d == GateDecision::Approved ? d : GateDecision::Denied;
    record("gate", req.gate, nlohmann::json(gate_decision_name(d)).dump());
    // The decision is the action's completion: acted() journals nothing more.
    replayed_done_ = true;
    return decided_uncertain(d);
  }
  record("act_started", key, "null");
  replayed_done_ = false;
  return perform(call, site, std::move(idempotency_key));
}

void JournalHost::acted(const PlannedCall& call, const Value& result, const Site& site) {
  set_action_key("");  // the action's requests are over
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

GateAnswer JournalHost::gate(const GateRequest& request) {
  if (const JournalEntry* e = expect("gate", request.gate)) {
    std::optional<GateAnswer> decided = read_gate_answer(stored_json(*e));
    if (!decided)
      damaged(*e,
              "a gate decision is \"approved\", \"denied\" or \"timeout\", or {\"decision\", "
              "\"picks\": {question: choice}}");
    inner_.gate_replayed(request, *decided);
    return *decided;
  }
  GateAnswer a = inner_.gate(request);
  if (a.decision == GateDecision::Pending) return a;
  record("gate", request.gate, gate_answer_json(a));
  return a;
}

int64_t JournalHost::now() {
  if (answers_repeat_) return inner_.now();
  if (const JournalEntry* e = expect("now", "")) {
    nlohmann::json t = stored_json(*e);
    if (!t.is_number_integer()) damaged(*e, "the clock is an integer of milliseconds");
    return t.get<int64_t>();
  }
  int64_t t = inner_.now();
  record("now", "", std::to_string(t));
  return t;
}

// A signal that arrived ("signal": its value) or a wait that ran out ("signal_timeout"):
// a resumed run takes the same edge with the same value. A wait stopped by a person is
// neither, and waits on when resumed.
std::optional<Value> JournalHost::await_signal(const std::string& name, int64_t deadline_ms,
                                               const std::function<bool()>& stop) {
  if (answers_repeat_) return inner_.await_signal(name, deadline_ms, stop);
  if (replaying() && recorded_[next_].kind == "signal_timeout") {
    expect("signal_timeout", name);
    return std::nullopt;
  }
  if (const JournalEntry* e = expect("signal", name)) return decode(*e);
  std::optional<Value> v = inner_.await_signal(name, deadline_ms, stop);
  if (v)
    record("signal", name, encode(*v));
  else if (inner_.now() >= deadline_ms)
    record("signal_timeout", name, "null");
  return v;
}

void JournalHost::sleep(int64_t ms) {
  if (answers_repeat_) return inner_.sleep(ms);
  if (expect("sleep", std::to_string(ms))) return;
  inner_.sleep(ms);
  record("sleep", std::to_string(ms), "null");
}

Value JournalHost::config(const std::string& name) {
  if (answers_repeat_) return inner_.config(name);
  if (const JournalEntry* e = expect("config", name)) return decode(*e);
  Value v = inner_.config(name);
  record("config", name, encode(v));
  return v;
}

}  // namespace rbk
