// rbk run, rbk approve, rbk resume, rbk runs: executing runs, recorded in the run store.
// Each run is a RunSession (run/session.hpp); this file reads the command line and the
// files it names, and speaks to the person at the terminal.
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <iostream>
#include <memory>
#include <set>

#include "cli/commands.hpp"
#include "cli/program_loading.hpp"
#include "cli/run_support.hpp"
#include "compiler/loader.hpp"
#include "lang/closest_name.hpp"
#include "run/session.hpp"
#include "stdlib/config.hpp"
#include "vm/json_read.hpp"

namespace rbk::cli {

namespace {

std::string current_user() {
  if (const char* u = std::getenv("USER"); u && *u) return u;
  if (const char* u = std::getenv("LOGNAME"); u && *u) return u;
  return "unknown";
}

int exit_code(const RunResult& r) {
  switch (r.status) {
    case RunStatus::Ended:
      return r.outcome == Outcome::Failed ? kFailed : kOk;
    case RunStatus::Failed:
      return kFailed;
    case RunStatus::Paused:
      return kPaused;
  }
  return kFailed;
}

// Runs (or continues) SESSION with its path on stdout and, on a terminal, a person to ask
// at its gates; prints how it ended.
int execute(RunSession& session, const char* cmd, bool resuming) {
  std::optional<StreamPrompt> prompt;
  if (isatty(STDIN_FILENO) && isatty(STDOUT_FILENO)) prompt.emplace(std::cin, std::cout);
  RunSession::Output out;
  out.readable = &std::cout;
  out.prompt = prompt ? &*prompt : nullptr;
  out.starting = [resuming](const RunRecord& rec) {
    if (!resuming)
      std::cout << fmt::format("run {} {} ({})", rec.id, rec.runbook, run_mode_name(rec.mode))
                << std::endl;
    else
      std::cout << fmt::format("resuming run {} {}", rec.id, rec.runbook) << std::endl;
  };
  RunResult r;
  try {
    r = session.execute(out);
  } catch (const SessionError& e) {
    std::cerr << "rbk " << cmd << ": " << e.what() << "\n";
    return kUsage;
  }
  std::cout << summary_line(r) << "\n";
  if (r.status == RunStatus::Paused) {
    for (const auto& c : r.paused_at.plan) std::cout << "  plan: " << c.describe() << "\n";
    std::cout << fmt::format(
        "awaiting approval by role \"{}\": rbk approve {} --as NAME [--deny]\n", r.paused_at.role,
        session.record().id);
  }
  return exit_code(r);
}

// Opens the run store (--store, or the default) for command CMD and runs F with it; a store
// that cannot be opened or written is reported once, here.
template <typename F>
int with_store(const char* cmd, const std::string& path, F f) {
  try {
    std::unique_ptr<RunStore> store =
        open_sqlite_store(path.empty() ? RunStore::default_path() : path);
    return f(*store);
  } catch (const StoreError& e) {
    std::cerr << "rbk " << cmd << ": " << e.what() << "\n";
    return kUsage;
  }
}

// The recorded run ID, to continue; reports a missing or damaged one.
std::optional<RunSession> recorded_session(RunStore& store, const std::string& id, int& code) {
  try {
    std::optional<RunSession> s = RunSession::open(store, id);
    if (!s) {
      std::cerr << "rbk: no run " << id << " in " << store.path() << "\n";
      code = kUsage;
    }
    return s;
  } catch (const SessionError& e) {
    std::cerr << "rbk: run " << id << " cannot be resumed: " << e.what() << "\n";
    code = kFailed;
    return std::nullopt;
  }
}

// The capabilities a run of P needs beyond the clock every run has (what a policy
// grants): all of them, or only the probes' (a dry-run performs no action).
std::vector<std::string> needed_capabilities(const Program& p, bool probes_only) {
  std::set<std::string> out;
  if (!probes_only)
    out.insert(p.entry_runbook().capabilities.begin(), p.entry_runbook().capabilities.end());
  for (const auto& f : p.functions)
    if (probes_only && f.effect == Effect::Probe)
      out.insert(f.capabilities.begin(), f.capabilities.end());
  out.erase("clock");
  return {out.begin(), out.end()};
}

// A policy granting CAPS (each to a placeholder host), to start from.
std::string policy_example(const std::vector<std::string>& caps) {
  std::string grants;
  for (const auto& c : caps)
    grants += (grants.empty() ? "" : ", ") + fmt::format("\"{}\": [\"HOST:PORT\"]", c);
  return "{\"capabilities\": {" + grants + "}}";
}

}  // namespace

int run_run(const RunOptions& opts) {
  RunSetup setup;
  setup.mode = !opts.scenario.empty() ? RunMode::Scenario
               : opts.dry_run         ? RunMode::DryRun
                                      : RunMode::Live;
  if (setup.mode == RunMode::Live && (opts.approve_all || !opts.deny.empty())) {
    std::cerr << "rbk run: --approve-all and --deny decide gates of dry-run and scenario runs "
                 "only; the gates of a "
                 "live run are decided by people\n";
    return kUsage;
  }
  LoadedProgram lp = load_program(opts.file, opts.runbook);
  if (lp.exit_code) return lp.exit_code;
  setup.program = std::make_shared<const Program>(std::move(lp.program));
  const Program& program = *setup.program;
  // Without a policy nothing but the clock is granted: say which way works, before a
  // probe meets the refusal half-way through a run.
  std::vector<std::string> caps = needed_capabilities(program, setup.mode == RunMode::DryRun);
  const std::string& rb_name = program.entry_runbook().name;
  if (setup.mode == RunMode::Live && opts.policy.empty()) {
    std::cerr << "rbk run: a live run needs a policy (--policy FILE) granting what runbook '"
              << rb_name << "' uses"
              << (caps.empty() ? "" : fmt::format(" ({})", fmt::join(caps, ", ")))
              << ". To try it without changing anything:\n";
    if (caps.empty())
      std::cerr << "  rbk run " << opts.file << " --dry-run        (actions only recorded)\n";
    else
      std::cerr << "  rbk run " << opts.file
                << " --dry-run --policy FILE   (its probes reach those hosts; actions are only "
                   "recorded)\n";
    std::cerr << "  rbk run " << opts.file << " --scenario FILE.json   (offline)\n";
    if (!caps.empty()) std::cerr << "a policy to start from: " << policy_example(caps) << "\n";
    return kUsage;
  }
  if (setup.mode == RunMode::DryRun && opts.policy.empty() && !caps.empty()) {
    std::cerr << "rbk run: a dry-run performs no action, but its probes are real: runbook '"
              << rb_name << "' needs " << fmt::format("{}", fmt::join(caps, ", "))
              << ", which only a policy grants (--policy FILE, naming the hosts it may reach).\n"
              << "a policy to start from: " << policy_example(caps) << "\n"
              << "(offline, without any host: --scenario FILE.json)\n";
    return kUsage;
  }
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
  std::string scenario_text;
  if (setup.mode == RunMode::Scenario && (!read_input(opts.scenario, scenario_text) || !parsed([&] {
        setup.scenario = parse_scenario(scenario_text, opts.scenario);
      })))
    return kUsage;
  if (setup.mode != RunMode::Scenario) {
    std::string config_text;
    if (!opts.config.empty() && !read_input(opts.config, config_text)) return kUsage;
    ConfigResult cfg = resolve_config(program, config_text, opts.config);
    if (!cfg.errors.empty()) {
      for (const auto& e : cfg.errors) std::cerr << "rbk run: " << e << "\n";
      return kUsage;
    }
    setup.config = std::move(cfg.values);
  }
  const RunbookInfo& rb = program.entry_runbook();
  if (!setup.scenario.runbook.empty() && setup.scenario.runbook != rb.name) {
    std::cerr << "rbk run: " << opts.scenario << " is a scenario of runbook '"
              << setup.scenario.runbook << "', not '" << rb.name << "'\n";
    return kUsage;
  }
  if (setup.mode == RunMode::Scenario) {
    std::vector<std::string> problems = scenario_problems(setup.scenario, program);
    for (const auto& p : problems) std::cerr << "rbk run: " << p << "\n";
    if (!problems.empty()) return kUsage;
  }
  if (!opts.policy.empty() && (!read_input(opts.policy, setup.policy_text) || !parsed([&] {
        setup.policy = parse_policy(setup.policy_text, opts.policy);
      })))
    return kUsage;
  // No ambient authority: with a policy, every capability the runbook can use (through
  // its functions and sub-runbooks) must be granted before anything runs.
  if (!opts.policy.empty()) {
    for (const auto& cap : rb.capabilities) {
      if (setup.policy.capabilities.grants(cap)) continue;
      std::string users;
      for (const auto& f : program.functions)
        if (std::find(f.capabilities.begin(), f.capabilities.end(), cap) != f.capabilities.end())
          users += (users.empty() ? "" : ", ") + f.name;
      std::cerr << "rbk run: " << opts.policy << " does not grant capability '" << cap
                << "', which runbook '" << rb.name << "' uses (through " << users << ")\n";
      return kUsage;
    }
  }
  std::string bind_error;
  setup.params = bind_params(program, &setup.scenario, opts.params, bind_error);
  if (!bind_error.empty()) {
    std::cerr << "rbk run: " << bind_error << "\n";
    return kUsage;
  }
  setup.flags.approve_all = opts.approve_all;
  setup.flags.deny.insert(opts.deny.begin(), opts.deny.end());
  setup.trace_file = opts.trace;
  setup.started_by = opts.as.empty() ? current_user() : opts.as;
  return with_store("run", opts.store, [&](RunStore& store) -> int {
    RunSession session(std::move(setup), &store);
    return execute(session, "run", false);
  });
}

int run_approve(const ApproveOptions& opts) {
  return with_store("approve", opts.store, [&](RunStore& store) -> int {
    int code = kOk;
    auto s = recorded_session(store, opts.run, code);
    if (!s) return code;
    const RunRecord& rec = s->record();
    if (rec.status != RunState::Paused) {
      std::cerr << "rbk approve: run " << opts.run << " is not waiting for approval (it is "
                << run_state_name(rec.status) << ")\n";
      return kUsage;
    }
    GateDecision decision = opts.deny ? GateDecision::Denied : GateDecision::Approved;
    if (std::string why = s->decide(opts.as, decision, opts.comment); !why.empty()) {
      std::cerr << "rbk approve: refused: " << why << "\n";
      return kFailed;
    }
    std::cout << fmt::format("{} {} gate '{}' of run {} (plan {})\n", opts.as,
                             gate_decision_name(decision), rec.paused_gate, opts.run,
                             rec.plan_hash.substr(0, 12));
    return execute(*s, "approve", true);
  });
}

int run_resume(const ResumeOptions& opts) {
  return with_store("resume", opts.store, [&](RunStore& store) -> int {
    int code = kOk;
    auto s = recorded_session(store, opts.run, code);
    if (!s) return code;
    RunState state = s->record().status;
    if (state == RunState::Ended || state == RunState::Failed) {
      std::cerr << "rbk resume: run " << opts.run << " has finished (" << run_state_name(state)
                << ")\n";
      return kUsage;
    }
    return execute(*s, "resume", true);
  });
}

namespace {

nlohmann::json run_json(const RunRecord& r) {
  nlohmann::json j = {{"id", r.id},
                      {"runbook", r.runbook},
                      {"program", r.program_hash},
                      {"mode", run_mode_name(r.mode)},
                      {"status", run_state_name(r.status)},
                      {"started_by", r.started_by},
                      {"created_at", format_time(r.created_at)},
                      {"updated_at", format_time(r.updated_at)}};
  if (!r.outcome.empty()) j["outcome"] = r.outcome;
  if (!r.error.empty()) j["error"] = r.error;
  if (r.status == RunState::Paused)
    j["waiting"] = {{"gate", r.paused_gate}, {"role", r.paused_role}, {"plan_hash", r.plan_hash}};
  return j;
}

int list_runs(RunStore& store, const RunsOptions& opts) {
  RunFilter filter;
  if (!opts.status.empty()) {
    filter.status = run_state_named(opts.status);
    if (!filter.status) {
      std::vector<std::string> states;
      for (RunState s : {RunState::Running, RunState::Paused, RunState::Ended, RunState::Failed})
        states.push_back(run_state_name(s));
      std::cerr << "rbk runs: no run state '" << opts.status << "'"
                << did_you_mean(opts.status, states) << " (running, paused, ended or failed)\n";
      return kUsage;
    }
  }
  filter.waiting_for = opts.waiting_for;
  std::vector<RunRecord> runs = store.list(filter);
  if (opts.json) {
    nlohmann::json all = nlohmann::json::array();
    for (const auto& r : runs) all.push_back(run_json(r));
    std::cout << all.dump(2) << "\n";
    return kOk;
  }
  if (runs.empty()) {
    std::cout << "no runs" << (opts.status.empty() && opts.waiting_for.empty() ? "" : " that match")
              << " in " << store.path() << "\n";
    return kOk;
  }
  const char* row = "{:<24} {:<20} {:<8} {:<10} {:<10} {:<24} {}\n";
  std::cout << fmt::format(fmt::runtime(row), "RUN", "RUNBOOK", "STATUS", "OUTCOME", "STARTED BY",
                           "CREATED", "WAITING FOR");
  for (const auto& r : runs)
    std::cout << fmt::format(
        fmt::runtime(row), r.id, r.runbook, run_state_name(r.status),
        r.outcome.empty() ? "-" : r.outcome, r.started_by, format_time(r.created_at),
        r.status == RunState::Paused ? fmt::format("{} (gate {})", r.paused_role, r.paused_gate)
                                     : "-");
  return kOk;
}

int show_run(RunStore& store, const RunsOptions& opts) {
  auto r = store.get(opts.run);
  if (!r) {
    std::cerr << "rbk runs: no run " << opts.run << " in " << store.path() << "\n";
    return kUsage;
  }
  if (opts.json) {
    nlohmann::json j = run_json(*r);
    j["approvals"] = nlohmann::json::array();
    for (const auto& a : store.approvals(opts.run))
      j["approvals"].push_back({{"gate", a.gate},
                                {"decision", gate_decision_name(a.decision)},
                                {"by", a.by},
                                {"at", format_time(a.at)},
                                {"comment", a.comment},
                                {"plan_hash", a.plan_hash}});
    j["trace"] = nlohmann::json::array();
    for (const auto& e : store.trace(opts.run)) {
      try {
        j["trace"].push_back(read_json(e, kMaxStoredJsonDepth));
      } catch (const JsonReadError&) {
        j["trace"].push_back(e);  // a damaged line, shown as the text it is
      }
    }
    std::cout << j.dump(2) << "\n";
    return kOk;
  }
  std::cout << fmt::format(
      "run        {}\nrunbook    {}\nprogram    {}\nmode       {}\nstarted by {}\nstatus     "
      "{}\n",
      r->id, r->runbook, r->program_hash, run_mode_name(r->mode), r->started_by,
      run_state_name(r->status));
  if (!r->outcome.empty()) std::cout << "outcome    " << r->outcome << "\n";
  if (!r->error.empty()) std::cout << "error      " << r->error << "\n";
  if (r->status == RunState::Paused)
    std::cout << fmt::format("waiting    gate '{}' for role \"{}\"\n", r->paused_gate,
                             r->paused_role);
  for (const auto& a : store.approvals(opts.run))
    std::cout << fmt::format("approval   {} {} by {} at {} (plan {}){}\n", a.gate,
                             gate_decision_name(a.decision), a.by, format_time(a.at),
                             a.plan_hash.substr(0, 12), a.comment.empty() ? "" : ": " + a.comment);
  std::cout << "trace\n";
  for (const auto& e : store.trace(opts.run)) std::cout << "  " << e << "\n";
  return kOk;
}

}  // namespace

int run_runs(const RunsOptions& opts) {
  return with_store("runs", opts.store, [&](RunStore& store) -> int {
    return opts.run.empty() ? list_runs(store, opts) : show_run(store, opts);
  });
}

}  // namespace rbk::cli
