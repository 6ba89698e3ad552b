// rbk run, rbk approve, rbk resume, rbk runs: executing runs, recorded in the run store.
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <iostream>
#include <memory>

#include "cli/commands.hpp"
#include "cli/program_loading.hpp"
#include "cli/run_support.hpp"
#include "cli/trace_sinks.hpp"
#include "compiler/loader.hpp"
#include "stdlib/config.hpp"
#include "stdlib/live_host.hpp"
#include "vm/journal.hpp"
#include "vm/json_read.hpp"
#include "vm/policy.hpp"
#include "vm/rbc.hpp"
#include "vm/value_json.hpp"

namespace rbk::cli {

namespace {

int64_t wall_now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string current_user() {
  if (const char* u = std::getenv("USER"); u && *u) return u;
  if (const char* u = std::getenv("LOGNAME"); u && *u) return u;
  return "unknown";
}

// Forwards everything to INNER, but answers the gate a person just decided with
// `rbk approve` (once: a later visit to the same gate asks again).
class DecidedGate : public HostDecorator {
 public:
  DecidedGate(Host& inner, std::string gate, GateDecision decision)
      : HostDecorator(inner), gate_(std::move(gate)), decision_(decision) {}
  GateDecision gate(const GateRequest& r) override {
    if (!used_ && r.gate == gate_) {
      used_ = true;
      return decision_;
    }
    return inner_.gate(r);
  }

 private:
  std::string gate_;
  GateDecision decision_;
  bool used_ = false;
};

// On a terminal, a gate nobody decided yet is put to the person at it: the plan (each
// action call with its evaluated arguments) and a yes or no. Only when the policy lets
// the person who started the run decide its gates; otherwise the run pauses for another.
class TerminalGate : public HostDecorator {
 public:
  TerminalGate(Host& inner, RunStore& store, const RunRecord& rec, const Policy& policy)
      : HostDecorator(inner), store_(store), rec_(rec), policy_(policy) {}
  GateDecision gate(const GateRequest& r) override {
    GateDecision d = inner_.gate(r);
    if (d != GateDecision::Pending) return d;
    const std::string& me = rec_.started_by;
    if (std::string why = policy_.may_approve(me, r.role, me); !why.empty()) {
      std::cout << "    (" << why << ": the run pauses for another person)" << std::endl;
      return d;
    }
    std::cout << fmt::format("    gate '{}' needs role \"{}\"", r.gate, r.role) << "\n";
    for (const auto& c : r.plan) std::cout << "      will do: " << c.describe() << "\n";
    std::cout << fmt::format("    approve as {}? [y/N] ", me) << std::flush;
    std::string answer;
    if (!std::getline(std::cin, answer)) {
      std::cout << "\n";
      return GateDecision::Pending;
    }
    bool yes = answer == "y" || answer == "Y" || answer == "yes";
    store_.add_approval(rec_.id, ApprovalRecord{r.gate, yes ? "approved" : "denied", me,
                                                wall_now_ms(), "at the terminal", r.plan_hash});
    return yes ? GateDecision::Approved : GateDecision::Denied;
  }

 private:
  RunStore& store_;
  const RunRecord& rec_;
  const Policy& policy_;
};

struct Session {
  RunRecord rec;
  Program program;
  Scenario scenario;
  Policy policy = default_policy();
  GateFlags flags;
  std::string trace_file;
  std::optional<std::pair<std::string, GateDecision>> decision;
  nlohmann::json params = nlohmann::json::object();  // NAME: plain JSON, as rec.params
  nlohmann::json config = nlohmann::json::object();  // live modes: NAME: plain JSON
};

std::optional<Value> param_value(const Program& p, const nlohmann::json& params, size_t i) {
  const auto& prm = p.entry_runbook().params[i];
  if (!params.contains(prm.name)) return std::nullopt;
  return convert(from_plain_json(params[prm.name]), p.types[prm.type], "parameter " + prm.name);
}

// Runs (or resumes, replaying the journal) the session's run and records how it ended.
int execute(RunStore& store, Session& s, bool resume) {
  size_t already = resume ? store.trace(s.rec.id).size() : 0;
  FanOut sinks;
  ReadableTrace readable(std::cout);
  readable.skip_first(already);
  sinks.add(&readable);
  StoreTrace stored(store, s.rec.id, s.rec.program_hash, already);
  sinks.add(&stored);
  std::ofstream trace_out;
  std::optional<JsonlTrace> jsonl;
  if (!s.trace_file.empty()) {
    trace_out.open(s.trace_file, resume ? std::ios::app : std::ios::trunc);
    if (!trace_out) {
      std::cerr << "rbk: cannot write the trace file " << s.trace_file << "\n";
      return kUsage;
    }
    jsonl.emplace(trace_out, s.rec.id, s.rec.program_hash);
    jsonl->skip_first(already);
    sinks.add(&*jsonl);
  }

  // The world, by mode: the scenario, or real systems with actions recorded or performed.
  std::unique_ptr<Host> world_host;
  if (s.rec.mode == "scenario") {
    world_host = std::make_unique<ScenarioHost>(s.program, s.scenario, s.flags, sinks);
  } else {
    std::map<std::string, Value> config;
    for (const auto& c : s.program.config)
      if (s.config.contains(c.name))
        config[c.name] =
            convert(from_plain_json(s.config[c.name]), s.program.types[c.type], c.name);
    if (s.rec.mode == "dry-run")
      world_host = std::make_unique<DryRunHost>(s.policy, config, sinks, s.flags);
    else
      world_host = std::make_unique<LiveHost>(s.policy, config, sinks);
  }
  Host& world = *world_host;
  std::optional<TerminalGate> terminal;
  std::optional<DecidedGate> decided;
  Host* inner = &world;
  if (isatty(STDIN_FILENO) && isatty(STDOUT_FILENO)) {
    terminal.emplace(world, store, s.rec, s.policy);
    inner = &*terminal;
  }
  if (s.decision) {
    decided.emplace(*inner, s.decision->first, s.decision->second);
    inner = &*decided;
  }
  JournalHost journal(*inner, store, s.rec.id,
                      resume ? store.journal(s.rec.id) : std::vector<JournalEntry>{});

  std::vector<std::optional<Value>> args;
  for (size_t i = 0; i < s.program.entry_runbook().params.size(); ++i)
    args.push_back(param_value(s.program, s.params, i));

  if (!resume)
    std::cout << fmt::format("run {} {} ({})", s.rec.id, s.rec.runbook, s.rec.mode) << std::endl;
  else
    std::cout << fmt::format("resuming run {} {}", s.rec.id, s.rec.runbook) << std::endl;
  Machine machine(s.program, journal, s.policy.budgets);
  RunResult r = machine.run(args);

  s.rec.updated_at = wall_now_ms();
  s.rec.paused_gate = s.rec.paused_role = s.rec.plan = s.rec.plan_hash = "";
  int code = kOk;
  switch (r.status) {
    case RunStatus::Ended:
      s.rec.status = "ended";
      s.rec.outcome = outcome_name(r.outcome);
      code = r.outcome == Outcome::Failed ? kFailed : kOk;
      break;
    case RunStatus::Failed:
      s.rec.status = "failed";
      s.rec.outcome = "failed";
      s.rec.error = r.error;
      code = kFailed;
      break;
    case RunStatus::Paused: {
      s.rec.status = "paused";
      s.rec.paused_gate = r.paused_at.gate;
      s.rec.paused_role = r.paused_at.role;
      nlohmann::json plan = nlohmann::json::array();
      for (const auto& c : r.paused_at.plan) plan.push_back(c.describe());
      s.rec.plan = plan.dump();
      s.rec.plan_hash = r.paused_at.plan_hash;
      code = kPaused;
      break;
    }
  }
  store.update_status(s.rec);
  std::cout << summary_line(r) << "\n";
  if (r.status == RunStatus::Paused) {
    for (const auto& c : r.paused_at.plan) std::cout << "  plan: " << c.describe() << "\n";
    std::cout << fmt::format(
        "awaiting approval by role \"{}\": rbk approve {} --as NAME [--deny]\n", r.paused_at.role,
        s.rec.id);
  }
  return code;
}

// Opens the run store (--store, or the default) for command CMD and runs F with it; a store
// that cannot be opened or written is reported once, here.
template <typename F>
int with_store(const char* cmd, const std::string& path, F f) {
  try {
    RunStore store(path.empty() ? RunStore::default_path() : path);
    return f(store);
  } catch (const StoreError& e) {
    std::cerr << "rbk " << cmd << ": " << e.what() << "\n";
    return kUsage;
  }
}

// The parameters and options a run was started with, as its record stores them (JSON
// written by rbk run, but read back from a file that may have been damaged since).
void read_stored_options(const RunRecord& rec, Session& s) {
  auto object = [](const std::string& text, const char* what) {
    nlohmann::json j = text.empty() ? nlohmann::json::object() : read_json(text);
    if (!j.is_object())
      throw std::runtime_error(std::string("its stored ") + what + " are not a JSON object");
    return j;
  };
  s.params = object(rec.params, "parameters");
  nlohmann::json opts = object(rec.options, "options");
  // value() and get() throw nlohmann's type_error for a value of the wrong JSON type.
  try {
    s.flags.approve_all = opts.value("approve_all", false);
    for (const auto& g : opts.value("deny", nlohmann::json::array()))
      s.flags.deny.insert(g.get<std::string>());
    s.trace_file = opts.value("trace", "");
    s.config = opts.value("config", nlohmann::json::object());
  } catch (const nlohmann::json::exception& e) {
    throw std::runtime_error(std::string("its stored options are damaged: ") + e.what());
  }
  if (!s.config.is_object())
    throw std::runtime_error("its stored configuration is not a JSON object");
}

std::optional<Session> session_of(RunStore& store, const std::string& id, int& code) {
  auto rec = store.get(id);
  if (!rec) {
    std::cerr << "rbk: no run " << id << " in " << store.path() << "\n";
    code = kUsage;
    return std::nullopt;
  }
  Session s;
  s.rec = *rec;
  try {
    s.program = decode_rbc(rec->program);  // verified again before it runs again
    if (rec->mode == "scenario") s.scenario = parse_scenario(rec->scenario, rec->scenario_path);
    if (!rec->policy.empty()) s.policy = parse_policy(rec->policy, "the run's policy");
    read_stored_options(*rec, s);
  } catch (const std::exception& e) {
    std::cerr << "rbk: run " << id << " cannot be resumed: " << e.what() << "\n";
    code = kFailed;
    return std::nullopt;
  }
  return s;
}

}  // namespace

int run_run(const RunOptions& opts) {
  std::string mode = !opts.scenario.empty() ? "scenario"
                     : opts.dry_run         ? "dry-run"
                     : !opts.policy.empty() ? "live"
                                            : "";
  if (mode.empty()) {
    std::cerr << "rbk run: a live run needs a policy (--policy FILE) granting what the runbook "
                 "uses; to try it "
                 "without changing anything, use --dry-run (probes real, actions recorded) or "
                 "--scenario FILE.json\n";
    return kUsage;
  }
  if (mode == "live" && (opts.approve_all || !opts.deny.empty())) {
    std::cerr << "rbk run: --approve-all and --deny decide gates of dry-run and scenario runs "
                 "only; the gates of a "
                 "live run are decided by people\n";
    return kUsage;
  }
  LoadedProgram lp = load_program(opts.file, opts.runbook);
  if (lp.exit_code) return lp.exit_code;
  Session s;
  s.program = std::move(lp.program);
  // Inputs that cannot be read or parsed are reported here, once, as bad usage.
  auto read_input = [](const std::string& path, std::string& text) {
    std::string error;
    if (read_file(path, text, error)) return true;
    std::cerr << "rbk run: cannot read " << path << ": " << error << "\n";
    return false;
  };
  auto parsed = [](auto parse) {
    try {
      parse();
      return true;
    } catch (const std::runtime_error& e) {  // ScenarioError, PolicyError
      std::cerr << "rbk run: " << e.what() << "\n";
      return false;
    }
  };
  std::string text;
  if (mode == "scenario" && (!read_input(opts.scenario, text) ||
                             !parsed([&] { s.scenario = parse_scenario(text, opts.scenario); })))
    return kUsage;
  nlohmann::json config_json = nlohmann::json::object();
  if (mode != "scenario") {
    std::string config_text;
    if (!opts.config.empty() && !read_input(opts.config, config_text)) return kUsage;
    ConfigResult cfg = resolve_config(s.program, config_text, opts.config);
    if (!cfg.errors.empty()) {
      for (const auto& e : cfg.errors) std::cerr << "rbk run: " << e << "\n";
      return kUsage;
    }
    for (const auto& [name, v] : cfg.values) config_json[name] = to_plain_json(v);
  }
  const RunbookInfo& rb = s.program.entry_runbook();
  if (!s.scenario.runbook.empty() && s.scenario.runbook != rb.name) {
    std::cerr << "rbk run: " << opts.scenario << " is a scenario of runbook '" << s.scenario.runbook
              << "', not '" << rb.name << "'\n";
    return kUsage;
  }
  std::string policy_text;
  if (!opts.policy.empty() && (!read_input(opts.policy, policy_text) ||
                               !parsed([&] { s.policy = parse_policy(policy_text, opts.policy); })))
    return kUsage;
  // No ambient authority: with a policy, every capability the runbook can use (through
  // its functions and sub-runbooks) must be granted before anything runs.
  if (!opts.policy.empty()) {
    for (const auto& cap : rb.capabilities) {
      if (s.policy.grants(cap)) continue;
      std::string users;
      for (const auto& f : s.program.functions)
        if (std::find(f.capabilities.begin(), f.capabilities.end(), cap) != f.capabilities.end())
          users += (users.empty() ? "" : ", ") + f.name;
      std::cerr << "rbk run: " << opts.policy << " does not grant capability '" << cap
                << "', which runbook '" << rb.name << "' uses (through " << users << ")\n";
      return kUsage;
    }
  }
  std::string bind_error;
  auto params = bind_params(s.program, &s.scenario, opts.params, bind_error);
  if (!bind_error.empty()) {
    std::cerr << "rbk run: " << bind_error << "\n";
    return kUsage;
  }
  nlohmann::json pj = nlohmann::json::object();
  for (size_t i = 0; i < params.size(); ++i)
    if (params[i]) pj[rb.params[i].name] = to_plain_json(*params[i]);

  s.flags.approve_all = opts.approve_all;
  s.flags.deny.insert(opts.deny.begin(), opts.deny.end());
  s.trace_file = opts.trace;
  nlohmann::json options;
  options["approve_all"] = opts.approve_all;
  options["deny"] = opts.deny;
  options["trace"] = opts.trace;
  options["config"] = config_json;

  s.rec.id = new_run_id();
  s.rec.runbook = rb.name;
  s.rec.program_hash = s.program.hash_hex();
  s.rec.program = encode_rbc(s.program);
  s.rec.mode = mode;
  s.rec.params = pj.dump();
  s.params = pj;
  s.config = config_json;
  s.rec.scenario_path = opts.scenario.empty() ? "(none)" : opts.scenario;
  s.rec.scenario = text;
  s.rec.policy = policy_text;
  s.rec.options = options.dump();
  s.rec.started_by = opts.as.empty() ? current_user() : opts.as;
  s.rec.status = "running";
  s.rec.created_at = s.rec.updated_at = wall_now_ms();
  return with_store("run", opts.store, [&](RunStore& store) -> int {
    store.create(s.rec);
    return execute(store, s, false);
  });
}

int run_approve(const ApproveOptions& opts) {
  return with_store("approve", opts.store, [&](RunStore& store) -> int {
    int code = kOk;
    auto s = session_of(store, opts.run, code);
    if (!s) return code;
    if (s->rec.status != "paused") {
      std::cerr << "rbk approve: run " << opts.run << " is not waiting for approval (it is "
                << s->rec.status << ")\n";
      return kUsage;
    }
    if (std::string why = s->policy.may_approve(opts.as, s->rec.paused_role, s->rec.started_by);
        !why.empty()) {
      std::cerr << "rbk approve: refused: " << why << "\n";
      return kFailed;
    }
    ApprovalRecord a{
        s->rec.paused_gate, opts.deny ? "denied" : "approved", opts.as, wall_now_ms(), opts.comment,
        s->rec.plan_hash};
    store.add_approval(opts.run, a);
    std::cout << fmt::format("{} {} gate '{}' of run {} (plan {})\n", opts.as, a.decision, a.gate,
                             opts.run, a.plan_hash.substr(0, 12));
    s->decision = std::make_pair(s->rec.paused_gate,
                                 opts.deny ? GateDecision::Denied : GateDecision::Approved);
    return execute(store, *s, true);
  });
}

int run_resume(const ResumeOptions& opts) {
  return with_store("resume", opts.store, [&](RunStore& store) -> int {
    int code = kOk;
    auto s = session_of(store, opts.run, code);
    if (!s) return code;
    if (s->rec.status == "ended" || s->rec.status == "failed") {
      std::cerr << "rbk resume: run " << opts.run << " has finished (" << s->rec.status << ")\n";
      return kUsage;
    }
    return execute(store, *s, true);
  });
}

int run_runs(const RunsOptions& opts) {
  return with_store("runs", opts.store, [&](RunStore& store) -> int {
    if (opts.run.empty()) {
      auto runs = store.list();
      if (runs.empty()) std::cout << "no runs in " << store.path() << "\n";
      for (const auto& r : runs)
        std::cout << fmt::format("{:<24} {:<20} {:<8} {:<10} {:<10} {}\n", r.id, r.runbook,
                                 r.status, r.outcome.empty() ? "-" : r.outcome, r.started_by,
                                 format_time(r.created_at));
      return kOk;
    }
    auto r = store.get(opts.run);
    if (!r) {
      std::cerr << "rbk runs: no run " << opts.run << " in " << store.path() << "\n";
      return kUsage;
    }
    std::cout << fmt::format(
        "run        {}\nrunbook    {}\nprogram    {}\nmode       {}\nstarted by {}\nstatus     "
        "{}\n",
        r->id, r->runbook, r->program_hash, r->mode, r->started_by, r->status);
    if (!r->outcome.empty()) std::cout << "outcome    " << r->outcome << "\n";
    if (!r->error.empty()) std::cout << "error      " << r->error << "\n";
    if (r->status == "paused")
      std::cout << fmt::format("waiting    gate '{}' for role \"{}\"\n", r->paused_gate,
                               r->paused_role);
    for (const auto& a : store.approvals(opts.run))
      std::cout << fmt::format("approval   {} {} by {} at {} (plan {}){}\n", a.gate, a.decision,
                               a.by, format_time(a.at), a.plan_hash.substr(0, 12),
                               a.comment.empty() ? "" : ": " + a.comment);
    std::cout << "trace\n";
    for (const auto& e : store.trace(opts.run)) std::cout << "  " << e << "\n";
    return kOk;
  });
}

}  // namespace rbk::cli
