#include "run/session.hpp"

#include <fmt/format.h>

#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <ctime>
#include <fstream>
#include <random>
#include <thread>

#include "run/child_tasks.hpp"
#include "run/gates.hpp"
#include "run/journal.hpp"
#include "run/owner.hpp"
#include "run/trace_sinks.hpp"
#include "stdlib/live_host.hpp"
#include "vm/json_read.hpp"
#include "vm/json_values.hpp"
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
// A paused run's questions as its record keeps them: [{"name", "choices": [text…]}].
std::string questions_json(const QuestionTexts& questions) {
  if (questions.empty()) return "";
  nlohmann::json j = nlohmann::json::array();
  for (const auto& [name, choices] : questions) j.push_back({{"name", name}, {"choices", choices}});
  return j.dump();
}

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
  // 32 random bits: a server starting hundreds of runs in one second must not draw the
  // same id twice (with 16 bits, 200 runs in a second collide one time in three).
  return fmt::format("{}-{:08x}", buf, static_cast<uint32_t>(rd()));
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
  options["picks"] = s_.flags.picks;
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
      s.flags.picks = opts.value("picks", std::map<std::string, GatePicks>{});
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

QuestionTexts stored_questions(const RunRecord& r) {
  QuestionTexts out;
  if (r.questions.empty()) return out;
  try {
    nlohmann::json j = read_json(r.questions);
    for (const auto& q : j.is_array() ? j : nlohmann::json::array()) {
      std::vector<std::string> choices;
      if (auto c = q.find("choices"); q.is_object() && c != q.end() && c->is_array())
        for (const auto& t : *c)
          if (t.is_string()) choices.push_back(t.get<std::string>());
      out.emplace_back(q.is_object() ? string_member(q, "name") : "", choices);
    }
  } catch (const JsonReadError& e) {
    throw SessionError("run " + r.id + ": its gate's stored questions are damaged: " + e.what());
  }
  return out;
}

std::string RunSession::decide(const std::string& who, GateDecision decision,
                               const std::string& comment, const std::vector<std::string>& held,
                               const std::string& shown_plan_hash, const GatePicks& picks) {
  if (std::string why = s_.policy.may_approve(who, rec_.paused_role, rec_.started_by, held);
      !why.empty())
    return why;
  if (!shown_plan_hash.empty() && shown_plan_hash != rec_.plan_hash)
    return "the plan of gate '" + rec_.paused_gate + "' is not the one shown (" +
           shown_plan_hash.substr(0, 12) + "…): it is now " + rec_.plan_hash.substr(0, 12) +
           "…; look at it again and decide anew";
  GateAnswer given{decision, decision == GateDecision::Approved ? picks : GatePicks{}};
  if (decision == GateDecision::Approved) try {
      if (std::string why = check_picks(rec_.paused_gate, stored_questions(rec_), picks);
          !why.empty())
        return why;
    } catch (const SessionError& e) {
      return e.what();
    }
  if (!store_) return "run " + rec_.id + " is not stored";
  std::vector<JournalEntry> journal = store_->journal(rec_.id);
  JournalEntry answer{journal.empty() ? 1 : journal.back().seq + 1, "gate", rec_.paused_gate,
                      gate_answer_json(given)};
  ApprovalRecord approval{rec_.paused_gate, decision,       who,        system_now_ms(),
                          comment,          rec_.plan_hash, given.picks};
  RunRecord next = rec_;
  next.status = RunState::Running;
  next.owner = this_process();
  next.updated_at = approval.at;
  next.paused_gate = next.paused_role = next.plan = next.plan_hash = next.questions = "";
  if (!store_->record_decision(next, approval, answer))
    return "run " + rec_.id + " is no longer waiting at gate '" + rec_.paused_gate +
           "' (decided meanwhile: rbk runs " + rec_.id + ")";
  rec_ = next;
  std::string picked;  // what an approver answered is part of the decision the chain keeps
  for (const auto& [question, choice] : approval.picks)
    picked += (picked.empty() ? " (" : ", ") + question + " = " + choice;
  if (!picked.empty()) picked += ")";
  store_->append_audit(
      {0, approval.at, who, decision == GateDecision::Approved ? "approve" : "deny", rec_.id,
       approval.plan_hash, approval.gate + picked + (comment.empty() ? "" : ": " + comment)});
  return "";
}

void RunSession::register_run() {
  if (!store_ || recorded_) return;
  rec_.owner = this_process();
  store_->create(rec_);
  recorded_ = true;
  registered_ = true;
  store_->append_audit(
      {0, system_now_ms(), rec_.started_by, "start", rec_.id, "", run_mode_name(rec_.mode)});
}

Host& RunSession::world_host(TraceSink& sinks, std::unique_ptr<Host>& holder) {
  switch (s_.mode) {
    case RunMode::Scenario:
      holder = std::make_unique<ScenarioHost>(*s_.program, s_.scenario, sinks);
      break;
    case RunMode::DryRun:
    case RunMode::Live: {
      std::shared_ptr<Credentials> credentials;
      if (!s_.policy.capabilities.credentials.empty()) try {
          credentials = std::make_shared<Credentials>(s_.policy.capabilities.credentials,
                                                      system_now_ms, http_post_form);
        } catch (const CredentialError& e) {
          throw SessionError(s_.policy.source() + ": " + e.what());
        }
      auto world =
          s_.mode == RunMode::DryRun
              ? std::make_unique<DryRunHost>(s_.policy.capabilities, s_.config, sinks, credentials)
              : std::make_unique<LiveHost>(s_.policy.capabilities, s_.config, sinks, credentials);
      // Signals sent to this run (rbk signal, the server's API) wait in the store.
      world->receive_signals([store = store_, id = rec_.id](const std::string& name) {
        std::optional<std::string> sent = store->take_signal(id, name, system_now_ms());
        if (!sent) return std::optional<Value>();
        try {
          return std::optional<Value>(from_plain_json(read_json(*sent)));
        } catch (const JsonReadError&) {  // checked when sent: a damaged store
          return std::optional<Value>(Value::null());
        }
      });
      holder = std::move(world);
      break;
    }
  }
  return *holder;
}

std::unique_ptr<Host> RunSession::world_for_children(TraceSink& sink) {
  std::unique_ptr<Host> holder;
  world_host(sink, holder);
  return holder;
}

RunResult RunSession::execute(const Output& out) {
  const bool resuming = recorded_ && !registered_;
  // What earlier processes of the run wrote: every event (the store and the trace file go
  // on after them) and the events of its path (what the replay emits again).
  size_t already = 0, already_path = 0;
  if (resuming)
    for (const auto& stored_event : store_->trace(rec_.id)) {
      ++already;
      try {
        if (!read_json(stored_event).value("in_body", false)) ++already_path;
      } catch (const std::exception&) {  // a damaged line: counted as the path's
        ++already_path;
      }
    }
  FanOut sinks;
  std::optional<ProgressLine> progress;  // first: it erases its line before others print
  if (out.progress) {
    progress.emplace(*out.progress);
    sinks.add(&*progress);
  }
  std::optional<ReadableTrace> readable;
  if (out.readable) {
    readable.emplace(*out.readable);
    sinks.add(&*readable);
  }
  std::optional<StoreTrace> stored;
  std::optional<StoreProgress> stored_progress;  // for whoever follows it from elsewhere
  if (store_) {
    stored.emplace(*store_, rec_.id, rec_.program_hash, already);
    sinks.add(&*stored);
    stored_progress.emplace(*store_, rec_.id);
    sinks.add(&*stored_progress);
  }
  if (out.observer) sinks.add(out.observer);
  std::ofstream trace_out;
  std::optional<JsonlTrace> jsonl;
  if (!s_.trace_file.empty()) {
    trace_out.open(s_.trace_file, resuming ? std::ios::app : std::ios::trunc);
    if (!trace_out) throw SessionError("cannot write the trace file " + s_.trace_file);
    jsonl.emplace(trace_out, rec_.id, rec_.program_hash);
    jsonl->continue_after(already);
    sinks.add(&*jsonl);
  }
  // A scenario run can be done again from its scenario: its writes need not each be
  // durable the moment they are made (RunStore::batch_writes).
  if (store_) store_->batch_writes(s_.mode == RunMode::Scenario);
  if (store_ && !recorded_) {
    rec_.owner = this_process();
    store_->create(rec_);
    recorded_ = true;
    store_->append_audit(
        {0, system_now_ms(), rec_.started_by, "start", rec_.id, "", run_mode_name(rec_.mode)});
  } else if (store_) {
    std::string me = this_process();
    bool mine = rec_.owner == me || owner_gone(rec_.owner) ||
                (local_pid(rec_.owner) != 0 && local_pid(rec_.owner) == getppid());
    if (!mine || !store_->claim(rec_.id, rec_.owner, me))
      throw SessionError("run " + rec_.id + " is being executed by another process (" + rec_.owner +
                         "): follow it with rbk runs " + rec_.id + " --follow");
    rec_.owner = me;
    if (!registered_)
      store_->append_audit({0, system_now_ms(), out.actor.empty() ? rec_.started_by : out.actor,
                            "resume", rec_.id, "", me});
    registered_ = false;  // from here on, executing it again is resuming it
  }

  std::unique_ptr<Host> world_holder;
  AfterReplay new_events(sinks, already_path);
  Host& world = world_host(new_events, world_holder);
  const bool scenario = s_.mode == RunMode::Scenario;
  GateDecisions gates(world,
                      GateDecisions::Setup{s_.flags, scenario ? nullptr : out.prompt, &s_.policy,
                                           s_.started_by, store_, rec_.id, !scenario});
  std::optional<JournalHost> journal;
  Host* host = &gates;
  if (store_) {
    journal.emplace(
        gates, *store_, rec_.id, resuming ? store_->journal(rec_.id) : std::vector<JournalEntry>{},
        s_.mode == RunMode::Live, s_.mode == RunMode::Scenario, s_.policy.idempotent_actions);
    host = &*journal;
    if (out.share_children && store_->shares_children() && s_.mode != RunMode::Scenario)
      journal->share_children(std::make_shared<StoreChildQueue>(*store_, rec_.id));
  }
  if (out.starting) out.starting(rec_);
  Machine machine(*s_.program, *host, s_.policy.budgets);
  machine.set_interrupt(out.interrupt);
  RunResult r = machine.run(s_.params);
  if (journal) {
    journal->flush();  // what a resumed run replays up to the point it stopped at
    journal_stats_ = journal->journal_stats();
  }
  record_end(r);
  return r;
}

void RunSession::record_end(const RunResult& r) {
  rec_.updated_at = system_now_ms();
  rec_.owner = "";
  rec_.paused_gate = rec_.paused_role = rec_.plan = rec_.plan_hash = rec_.questions = "";
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
    case RunStatus::Interrupted:  // running, by nobody: `rbk resume` goes on with it
      rec_.status = RunState::Running;
      break;
    case RunStatus::Paused: {
      rec_.status = RunState::Paused;
      rec_.paused_gate = r.paused_at.gate;
      rec_.paused_role = r.paused_at.role;
      nlohmann::json plan = nlohmann::json::array();
      for (const auto& line : r.paused_at.plan_lines()) plan.push_back(line);
      rec_.plan = plan.dump();
      rec_.plan_hash = r.paused_at.plan_hash;
      rec_.questions = questions_json(r.paused_at.question_texts());
      break;
    }
  }
  if (store_) store_->update_status(rec_);
}

CancelResult cancel_run(RunStore& store, const std::string& id, const std::string& who,
                        const std::string& comment) {
  using Kind = CancelResult::Kind;
  std::optional<RunRecord> rec = store.get(id);
  if (!rec) return {Kind::NoSuchRun, "no run " + id + " in " + store.path()};
  auto finished = [&](RunState state) {
    return CancelResult{Kind::Finished,
                        "run " + id + " has finished (" + run_state_name(state) + ")"};
  };
  RunState state = current_state(*rec);
  if (state == RunState::Ended || state == RunState::Failed || state == RunState::Cancelled)
    return finished(state);
  if (state == RunState::Running && rec->owner == this_process())
    return {Kind::Refused, "run " + id + " is executed by this very process: it stops it itself"};
  if (state == RunState::Running && owner_labelled(rec->owner, "serve"))
    return {Kind::Refused, "run " + id + " is executed by rbk serve (" + rec->owner +
                               "): cancel it through the server (POST /api/runs/" + id +
                               "/cancel), which stops the run, not itself"};
  if (state == RunState::Running) {
    int pid = local_pid(rec->owner);
    if (pid == 0)
      return {Kind::Refused, "run " + id + " is executed on another machine (" + rec->owner +
                                 "): cancel it there"};
    // Stop the process (SIGTERM, then SIGKILL), then take the run over from it.
    for (int sig : {SIGTERM, SIGKILL}) {
      ::kill(pid, sig);
      for (int i = 0; i < 50 && !owner_gone(rec->owner); ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
      if (owner_gone(rec->owner)) break;
    }
    if (!owner_gone(rec->owner))
      return {Kind::Refused, "the process executing run " + id + " did not stop"};
  }
  bool claimed = store.claim(id, rec->owner, this_process());
  rec = store.get(id);
  if (!claimed && rec->status == RunState::Running)
    return {Kind::Refused, "run " + id + " was taken over by another process meanwhile"};
  if (!claimed || (rec->status != RunState::Running && rec->status != RunState::Paused))
    return finished(rec->status);  // it ended before its process stopped
  rec->status = RunState::Cancelled;
  rec->outcome = "";
  rec->error = "cancelled by " + who + (comment.empty() ? "" : ": " + comment);
  rec->paused_gate = rec->paused_role = rec->plan = rec->plan_hash = rec->questions = "";
  rec->owner = "";
  rec->updated_at = system_now_ms();
  store.update_status(*rec);
  store.append_output(id, rec->error);
  store.append_audit({0, rec->updated_at, who, "cancel", id, "", comment});
  return {Kind::Cancelled, ""};
}

}  // namespace rbk
