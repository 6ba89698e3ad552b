#include "run/session.hpp"

#include <fmt/format.h>

#include <chrono>
#include <ctime>
#include <fstream>
#include <random>

#include "run/journal.hpp"
#include "run/trace_sinks.hpp"
#include "stdlib/live_host.hpp"
#include "vm/json_read.hpp"
#include "vm/rbc.hpp"
#include "vm/value_json.hpp"

namespace rbk {

namespace {

nlohmann::json plain_object(const std::map<std::string, Value>& values) {
  nlohmann::json j = nlohmann::json::object();
  for (const auto& [name, v] : values) j[name] = to_plain_json(v);
  return j;
}

// A JSON object the record stores, read back (the file may have been damaged since).
nlohmann::json stored_object(const std::string& text, const char* what) {
  nlohmann::json j = text.empty() ? nlohmann::json::object() : read_json(text);
  if (!j.is_object())
    throw SessionError(std::string("its stored ") + what + " are not a JSON object");
  return j;
}

}  // namespace

std::string new_run_id() {
  auto now = std::chrono::system_clock::now();
  std::time_t t = std::chrono::system_clock::to_time_t(now);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "r%Y%m%d-%H%M%S", &tm);
  std::random_device rd;
  return fmt::format("{}-{:04x}", buf, rd() & 0xFFFF);
}

RunSession::RunSession(RunSetup setup, RunStore* store) : s_(std::move(setup)), store_(store) {
  const RunbookInfo& rb = s_.program->entry_runbook();
  rec_.id = new_run_id();
  rec_.runbook = rb.name;
  rec_.program_hash = s_.program->hash_hex();
  rec_.mode = s_.mode;
  rec_.started_by = s_.started_by;
  rec_.status = RunState::Running;
  rec_.created_at = rec_.updated_at = system_now_ms();
  if (!store_) return;  // what follows is kept only to resume the run in another process
  rec_.program = encode_rbc(*s_.program);
  nlohmann::json params = nlohmann::json::object();
  for (size_t i = 0; i < s_.params.size() && i < rb.params.size(); ++i)
    if (s_.params[i]) params[rb.params[i].name] = to_plain_json(*s_.params[i]);
  rec_.params = params.dump();
  rec_.scenario_path = s_.scenario.path.empty() ? "(none)" : s_.scenario.path;
  rec_.scenario = s_.scenario.resolved;
  rec_.policy = s_.policy_text;
  nlohmann::json options;
  options["approve_all"] = s_.flags.approve_all;
  options["deny"] = s_.flags.deny;
  options["trace"] = s_.trace_file;
  options["config"] = plain_object(s_.config);
  rec_.options = options.dump();
}

std::optional<RunSession> RunSession::open(RunStore& store, const std::string& id) {
  std::optional<RunRecord> rec = store.get(id);
  if (!rec) return std::nullopt;
  RunSession session;
  session.store_ = &store;
  session.recorded_ = true;
  session.rec_ = *rec;
  RunSetup& s = session.s_;
  try {
    // verified again before it runs again
    s.program = std::make_shared<const Program>(decode_rbc(rec->program));
    s.mode = rec->mode;
    s.started_by = rec->started_by;
    if (rec->mode == RunMode::Scenario) {
      s.scenario = parse_scenario(rec->scenario, rec->scenario_path);
    }
    if (!rec->policy.empty()) s.policy = parse_policy(rec->policy, "the run's policy");
    s.policy_text = rec->policy;
    nlohmann::json params = stored_object(rec->params, "parameters");
    nlohmann::json opts = stored_object(rec->options, "options");
    nlohmann::json config;
    // value() and get() throw nlohmann's type_error for a value of the wrong JSON type.
    try {
      s.flags.approve_all = opts.value("approve_all", false);
      for (const auto& g : opts.value("deny", nlohmann::json::array()))
        s.flags.deny.insert(g.get<std::string>());
      s.trace_file = opts.value("trace", "");
      config = opts.value("config", nlohmann::json::object());
    } catch (const nlohmann::json::exception& e) {
      throw SessionError(std::string("its stored options are damaged: ") + e.what());
    }
    if (!config.is_object()) throw SessionError("its stored configuration is not a JSON object");
    const Program& p = *s.program;
    for (const auto& prm : p.entry_runbook().params)
      s.params.push_back(
          params.contains(prm.name)
              ? std::optional<Value>(convert(from_plain_json(params[prm.name]), p.types[prm.type],
                                             "parameter " + prm.name))
              : std::nullopt);
    for (const auto& c : p.config)
      if (config.contains(c.name))
        s.config[c.name] = convert(from_plain_json(config[c.name]), p.types[c.type], c.name);
  } catch (const SessionError&) {
    throw;
  } catch (const std::exception& e) {  // RbcError, ScenarioError, PolicyError, JsonReadError
    throw SessionError(e.what());
  }
  return session;
}

std::string RunSession::decide(const std::string& who, GateDecision decision,
                               const std::string& comment) {
  if (std::string why = s_.policy.may_approve(who, rec_.paused_role, rec_.started_by); !why.empty())
    return why;
  if (store_)
    store_->add_approval(rec_.id, ApprovalRecord{rec_.paused_gate, decision, who, system_now_ms(),
                                                 comment, rec_.plan_hash});
  just_decided_ = std::make_pair(rec_.paused_gate, decision);
  return "";
}

Host& RunSession::world_host(TraceSink& sinks, std::unique_ptr<Host>& holder) {
  switch (s_.mode) {
    case RunMode::Scenario:
      holder = std::make_unique<ScenarioHost>(*s_.program, s_.scenario, sinks);
      break;
    case RunMode::DryRun:
      holder = std::make_unique<DryRunHost>(s_.policy.capabilities, s_.config, sinks);
      break;
    case RunMode::Live:
      holder = std::make_unique<LiveHost>(s_.policy.capabilities, s_.config, sinks);
      break;
  }
  return *holder;
}

RunResult RunSession::execute(const Output& out) {
  const bool resuming = recorded_;
  size_t already = resuming ? store_->trace(rec_.id).size() : 0;
  FanOut sinks;
  std::optional<ReadableTrace> readable;
  if (out.readable) {
    readable.emplace(*out.readable);
    readable->skip_first(already);
    sinks.add(&*readable);
  }
  std::optional<StoreTrace> stored;
  if (store_) {
    stored.emplace(*store_, rec_.id, rec_.program_hash, already);
    sinks.add(&*stored);
  }
  std::ofstream trace_out;
  std::optional<JsonlTrace> jsonl;
  if (!s_.trace_file.empty()) {
    trace_out.open(s_.trace_file, resuming ? std::ios::app : std::ios::trunc);
    if (!trace_out) throw SessionError("cannot write the trace file " + s_.trace_file);
    jsonl.emplace(trace_out, rec_.id, rec_.program_hash);
    jsonl->skip_first(already);
    sinks.add(&*jsonl);
  }
  if (store_ && !recorded_) {
    store_->create(rec_);
    recorded_ = true;
  }

  std::unique_ptr<Host> world_holder;
  Host& world = world_host(sinks, world_holder);
  const bool scenario = s_.mode == RunMode::Scenario;
  GateDecisions gates(world,
                      GateDecisions::Setup{s_.flags, just_decided_, scenario ? nullptr : out.prompt,
                                           &s_.policy, s_.started_by, store_, rec_.id, !scenario});
  just_decided_.reset();
  std::optional<JournalHost> journal;
  Host* host = &gates;
  if (store_) {
    journal.emplace(gates, *store_, rec_.id,
                    resuming ? store_->journal(rec_.id) : std::vector<JournalEntry>{},
                    s_.mode == RunMode::Live);
    host = &*journal;
  }
  if (out.starting) out.starting(rec_);
  Machine machine(*s_.program, *host, s_.policy.budgets);
  RunResult r = machine.run(s_.params);
  record_end(r);
  return r;
}

void RunSession::record_end(const RunResult& r) {
  rec_.updated_at = system_now_ms();
  rec_.paused_gate = rec_.paused_role = rec_.plan = rec_.plan_hash = "";
  switch (r.status) {
    case RunStatus::Ended:
      rec_.status = RunState::Ended;
      rec_.outcome = outcome_name(r.outcome);
      break;
    case RunStatus::Failed:
      rec_.status = RunState::Failed;
      rec_.outcome = outcome_name(Outcome::Failed);
      rec_.error = r.error;
      break;
    case RunStatus::Paused: {
      rec_.status = RunState::Paused;
      rec_.paused_gate = r.paused_at.gate;
      rec_.paused_role = r.paused_at.role;
      nlohmann::json plan = nlohmann::json::array();
      for (const auto& c : r.paused_at.plan) plan.push_back(c.describe());
      rec_.plan = plan.dump();
      rec_.plan_hash = r.paused_at.plan_hash;
      break;
    }
  }
  if (store_) store_->update_status(rec_);
}

}  // namespace rbk
