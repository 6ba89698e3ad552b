// rbk run, rbk approve, rbk resume: executing runs, recorded in the run store. Each run is
// a RunSession (run/session.hpp); this file reads the command line and the files it
// names, speaks to the person at the terminal, and starts the process that goes on with
// an approved run. (Showing and cancelling runs: runs_command.cpp.)
#include <fcntl.h>
#include <fmt/format.h>

#include <sys/wait.h>
#include <unistd.h>
#include <csignal>

#include <algorithm>
#include <chrono>
#include <iostream>
#include <memory>
#include <set>
#include <thread>

#include "cli/commands.hpp"
#include "cli/file_output.hpp"
#include "cli/program_loading.hpp"
#include "cli/run_support.hpp"
#include "compiler/loader.hpp"
#include "lang/closest_name.hpp"
#include "run/output_log.hpp"
#include "run/owner.hpp"
#include "run/session.hpp"
#include "stdlib/config.hpp"
#include "vm/json_read.hpp"
#include "vm/value_json.hpp"

namespace rbk::cli {

namespace {

int exit_code(const RunResult& r) {
  switch (r.status) {
    case RunStatus::Ended:
      return r.outcome == Outcome::Failed ? kFailed : kOk;
    case RunStatus::Failed:
      return kFailed;
    case RunStatus::Paused:
      return kPaused;
    case RunStatus::Interrupted:
      return kInterrupted;
  }
  return kFailed;
}

// Ctrl-C while a foreach's children run: no new child starts, those in flight finish and
// the run stops, resumable. A second Ctrl-C, or one when no fleet runs, stops at once (a
// run's journal is whole after every write).
RunInterrupt interrupt;
extern "C" void on_interrupt(int) {
  if (interrupt.fleets.load() > 0 && !interrupt.requested.load()) {
    interrupt.requested = true;
    const char note[] =
        "\n(stopping once the children in flight finish; Ctrl-C again stops at once)\n";
    ssize_t ignored = write(STDERR_FILENO, note, sizeof note - 1);
    (void)ignored;
    return;
  }
  std::signal(SIGINT, SIG_DFL);
  std::raise(SIGINT);
}

// The foreach nodes' results as JSON (rbk run --summary): what a dashboard or a ticket
// takes from a fleet run.
nlohmann::json fleet_summary(const RunResult& r) {
  nlohmann::json j;
  const auto& f = *r.fleet;
  j["items"] = f.items;
  j["started"] = f.started;
  j["aborted"] = f.aborted;
  j["ends"] = r.child_ends;
  j["outcomes"] = r.child_outcomes;
  j["cohorts"] = nlohmann::json::array();
  for (const auto& [text, cohort] : f.cohorts) {
    nlohmann::json key = nlohmann::json::object();
    for (size_t i = 0; i < cohort.first.size() && i < f.columns.size(); ++i)
      key[f.columns[i]] = to_plain_json(cohort.first[i]);
    j["cohorts"].push_back({{"key", key}, {"ends", cohort.second}});
  }
  j["waves"] = nlohmann::json::array();
  for (const auto& w : f.waves)
    j["waves"].push_back({{"items", w.items}, {"finished", w.finished}, {"failed", w.failed}});
  j["eval_ms"] = static_cast<double>(f.eval_ns) / 1e6;
  return j;
}

// Runs (or continues) SESSION, printing its path and how it ended — on stdout unless
// DETACHED, and always into the run's output in the store (rbk runs RUN shows it). On a
// terminal, the person at it is asked at gates.
int execute(RunSession& session, const char* cmd, bool resuming, bool detached = false,
            const std::string& summary = "") {
  OutputLog out(*session.store(), session.record().id, detached ? nullptr : &std::cout);
  std::optional<StreamPrompt> prompt;
  if (!detached && isatty(STDIN_FILENO) && isatty(STDOUT_FILENO)) prompt.emplace(std::cin, out);
  RunSession::Output setup;
  setup.readable = &out;
  setup.actor = current_user();  // who resumes a recorded run, for the audit log
  setup.prompt = prompt ? &*prompt : nullptr;
  // On a terminal: a foreach's progress on a line of its own, and Ctrl-C between children.
  if (!detached && isatty(STDOUT_FILENO)) setup.progress = &std::cout;
  if (!detached) {
    setup.interrupt = &interrupt;
    std::signal(SIGINT, on_interrupt);
  }
  setup.starting = [resuming, &out](const RunRecord& rec) {
    if (!resuming)
      out << fmt::format("run {} {} ({})", rec.id, rec.runbook, run_mode_name(rec.mode))
          << std::endl;
    else
      out << fmt::format("resuming run {} {}", rec.id, rec.runbook) << std::endl;
  };
  RunResult r;
  try {
    r = session.execute(setup);
  } catch (const SessionError& e) {
    std::cerr << "rbk " << cmd << ": " << e.what() << "\n";
    if (detached) out << "rbk " << cmd << ": " << e.what() << "\n";
    return kUsage;
  }
  out << summary_line(r) << "\n";
  if (!summary.empty() && r.fleet) {
    nlohmann::json j = fleet_summary(r);
    if (const auto& js = session.journal_stats())
      j["journal"] = {{"entries", js->entries},
                      {"commits", js->commits},
                      {"commit_ms", js->commit_ms},
                      {"wait_ms", js->wait_ms}};
    if (!write_output(cmd, summary, j.dump(2) + "\n")) return kUsage;
  }
  if (r.status == RunStatus::Interrupted)
    out << fmt::format("continue it with: rbk resume {}\n", session.record().id);
  if (r.status == RunStatus::Paused) {
    for (const auto& line : r.paused_at.plan_lines()) out << "  plan: " << line << "\n";
    std::string answers;
    for (const auto& q : r.paused_at.questions) answers += " --answer " + q.name + "=CHOICE";
    out << fmt::format("awaiting approval by role \"{}\": rbk approve {} --as NAME{} [--deny]\n",
                       r.paused_at.role, session.record().id, answers);
  }
  out.flush();
  return exit_code(r);
}

// Starts the process that goes on with run ID (rbk resume --detached, in a session of its
// own, without a terminal: its output goes to the store) and waits until it has taken the
// run over from this one. Returns its PID, or 0 (saying why) when it did not.
int go_on_detached(RunStore& store, const std::string& id, const std::string& me) {
  pid_t pid = fork();
  if (pid < 0) {
    std::cerr << "rbk approve: cannot start a process for run " << id << "\n";
    return 0;
  }
  if (pid == 0) {
    setsid();
    int null = open("/dev/null", O_RDWR);
    for (int fd : {0, 1, 2}) dup2(null, fd);
    std::string path = store.path();
    execl("/proc/self/exe", "rbk", "resume", id.c_str(), "--store", path.c_str(), "--detached",
          static_cast<char*>(nullptr));
    _exit(127);
  }
  // Bounded: the new process takes the run over at once, unless it failed to start.
  for (int i = 0; i < 200; ++i) {
    std::optional<RunRecord> rec = store.get(id);
    if (rec && rec->owner != me) return pid;  // taken over (or already ended)
    int status = 0;
    if (waitpid(pid, &status, WNOHANG) == pid) {
      rec = store.get(id);
      if (rec && rec->owner != me) return pid;
      std::cerr << "rbk approve: the process that would go on with run " << id
                << " stopped at once (exit " << (WIFEXITED(status) ? WEXITSTATUS(status) : 128)
                << "); continue it with rbk resume " << id << "\n";
      return 0;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  std::cerr << "rbk approve: the process started for run " << id
            << " did not take it over within 10 s; see rbk runs " << id << "\n";
  return 0;
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
  setup.params = bind_params(program, &setup.scenario.params, opts.params, bind_error);
  if (!bind_error.empty()) {
    std::cerr << "rbk run: " << bind_error << "\n";
    return kUsage;
  }
  setup.flags.approve_all = opts.approve_all;
  setup.flags.deny.insert(opts.deny.begin(), opts.deny.end());
  for (const auto& a : opts.answers) {
    auto eq = a.find('='), dot = a.find('.');
    if (eq == std::string::npos || dot == std::string::npos || dot > eq || dot == 0 ||
        dot + 1 == eq) {
      std::cerr << "rbk run: --answer " << a << ": expected GATE.QUESTION=CHOICE\n";
      return kUsage;
    }
    setup.flags.picks[a.substr(0, dot)][a.substr(dot + 1, eq - dot - 1)] = a.substr(eq + 1);
  }
  setup.trace_file = opts.trace;
  setup.started_by = opts.as.empty() ? current_user() : opts.as;
  return with_store("run", opts.store, [&](RunStore& store) -> int {
    RunSession session(std::move(setup), &store);
    return execute(session, "run", false, false, opts.summary);
  });
}

int run_approve(const ApproveOptions& opts) {
  return with_store("approve", opts.store, [&](RunStore& store) -> int {
    int code = kOk;
    auto s = recorded_session(store, opts.run, code);
    if (!s) return code;
    const RunRecord rec = s->record();
    if (rec.status != RunState::Paused) {
      std::cerr << "rbk approve: run " << opts.run << " is not waiting for approval (it is "
                << run_state_name(current_state(rec)) << ")\n";
      return kUsage;
    }
    GateDecision decision = opts.deny ? GateDecision::Denied : GateDecision::Approved;
    GatePicks picks;
    for (const auto& a : opts.answers) {
      auto eq = a.find('=');
      if (eq == std::string::npos || eq == 0) {
        std::cerr << "rbk approve: --answer " << a << ": expected QUESTION=CHOICE\n";
        return kUsage;
      }
      picks[a.substr(0, eq)] = a.substr(eq + 1);
    }
    if (std::string why = s->decide(opts.as, decision, opts.comment, {}, "", picks); !why.empty()) {
      std::cerr << "rbk approve: refused: " << why << "\n";
      return kFailed;
    }
    std::string picked;
    for (const auto& [question, choice] : picks)
      picked += (picked.empty() ? ": " : ", ") + question + " = " + choice;
    std::cout << fmt::format("{} {} gate '{}' of run {} (plan {}){}\n", opts.as,
                             gate_decision_name(decision), rec.paused_gate, opts.run,
                             rec.plan_hash.substr(0, 12), picked);
    if (opts.wait) return execute(*s, "approve", true);
    // The decision is recorded: whatever happens to this process or the next, the run is
    // not shown waiting again (if both die, it is interrupted, and rbk resume goes on).
    int pid = go_on_detached(store, opts.run, s->record().owner);
    if (pid == 0) return kFailed;
    std::cout << fmt::format("the run goes on in process {}: rbk runs {} --follow\n", pid,
                             opts.run);
    return kOk;
  });
}

int run_resume(const ResumeOptions& opts) {
  return with_store("resume", opts.store, [&](RunStore& store) -> int {
    int code = kOk;
    auto s = recorded_session(store, opts.run, code);
    if (!s) return code;
    RunState state = current_state(s->record());
    if (state == RunState::Ended || state == RunState::Failed || state == RunState::Cancelled) {
      std::cerr << "rbk resume: run " << opts.run << " has finished (" << run_state_name(state)
                << ")\n";
      return kUsage;
    }
    if (state == RunState::Running && !opts.detached) {
      std::cerr << "rbk resume: run " << opts.run << " is running (" << s->record().owner
                << "): follow it with rbk runs " << opts.run << " --follow\n";
      return kUsage;
    }
    return execute(*s, "resume", true, opts.detached);
  });
}

}  // namespace rbk::cli
