// rbk runs (list the stored runs, show one, follow one as it goes on) and rbk cancel.
#include <fmt/format.h>
#include <unistd.h>

#include <chrono>
#include <iostream>
#include <thread>

#include "cli/commands.hpp"
#include "cli/run_support.hpp"
#include "lang/closest_name.hpp"
#include "run/owner.hpp"
#include "run/session.hpp"
#include "run/signals.hpp"
#include "vm/json_read.hpp"
#include "vm/rbc.hpp"

namespace rbk::cli {

namespace {

nlohmann::json run_json(const RunRecord& r) {
  RunState state = current_state(r);
  nlohmann::json j = {{"id", r.id},
                      {"runbook", r.runbook},
                      {"program", r.program_hash},
                      {"mode", run_mode_name(r.mode)},
                      {"status", run_state_name(state)},
                      {"started_by", r.started_by},
                      {"created_at", format_time(r.created_at)},
                      {"updated_at", format_time(r.updated_at)}};
  if (!r.outcome.empty()) j["outcome"] = r.outcome;
  if (!r.error.empty()) j["error"] = r.error;
  if (state == RunState::Running) j["process"] = r.owner;
  if (r.status == RunState::Paused) {
    j["waiting"] = {{"gate", r.paused_gate}, {"role", r.paused_role}, {"plan_hash", r.plan_hash}};
    nlohmann::json questions = nlohmann::json::array();
    try {
      for (const auto& [name, choices] : stored_questions(r))
        questions.push_back({{"name", name}, {"choices", choices}});
    } catch (const SessionError&) {  // shown as none; rbk approve says what is damaged
    }
    if (!questions.empty()) j["waiting"]["questions"] = questions;
  }
  return j;
}

// The exit code of a run that stopped in STATE, as rbk run would have exited.
int exit_code(const RunRecord& r, RunState state) {
  switch (state) {
    case RunState::Ended:
      return r.outcome == "failed" ? kFailed : kOk;
    case RunState::Paused:
      return kPaused;
    default:
      return kFailed;
  }
}

const char* const kStates = "running, paused, interrupted, ended, failed or cancelled";

int list_runs(RunStore& store, const RunsOptions& opts) {
  RunFilter filter;
  if (!opts.status.empty()) {
    filter.status = run_state_named(opts.status);
    if (!filter.status) {
      std::vector<std::string> states;
      for (RunState s : {RunState::Running, RunState::Paused, RunState::Interrupted,
                         RunState::Ended, RunState::Failed, RunState::Cancelled})
        states.push_back(run_state_name(s));
      std::cerr << "rbk runs: no run state '" << opts.status << "'"
                << did_you_mean(opts.status, states) << " (" << kStates << ")\n";
      return kUsage;
    }
  }
  filter.waiting_for = opts.waiting_for;
  std::vector<RunRecord> runs = find_runs(store, filter);
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
  const char* row = "{:<26} {:<20} {:<11} {:<10} {:<10} {:<24} {}\n";
  std::cout << fmt::format(fmt::runtime(row), "RUN", "RUNBOOK", "STATUS", "OUTCOME", "STARTED BY",
                           "CREATED", "WAITING FOR");
  for (const auto& r : runs)
    std::cout << fmt::format(
        fmt::runtime(row), r.id, r.runbook, run_state_name(current_state(r)),
        r.outcome.empty() ? "-" : r.outcome, r.started_by, format_time(r.created_at),
        r.status == RunState::Paused ? fmt::format("{} (gate {})", r.paused_role, r.paused_gate)
                                     : "-");
  return kOk;
}

// Run ID of STORE, or nothing (said on stderr).
std::optional<RunRecord> stored_run(RunStore& store, const std::string& id) {
  auto r = store.get(id);
  if (!r) std::cerr << "rbk runs: no run " << id << " in " << store.path() << "\n";
  return r;
}

// What to do with a run in STATE, when it is not obvious.
std::string state_hint(const RunRecord& r, RunState state) {
  if (state == RunState::Interrupted)
    return fmt::format(" (its process stopped: rbk resume {} goes on)", r.id);
  if (state == RunState::Running) return fmt::format(" (process {})", r.owner);
  return "";
}

int show_run(RunStore& store, const RunsOptions& opts) {
  auto r = stored_run(store, opts.run);
  if (!r) return kUsage;
  RunState state = current_state(*r);
  if (opts.json) {
    nlohmann::json j = run_json(*r);
    j["approvals"] = nlohmann::json::array();
    for (const auto& a : store.approvals(opts.run))
      j["approvals"].push_back({{"gate", a.gate},
                                {"decision", gate_decision_name(a.decision)},
                                {"by", a.by},
                                {"at", format_time(a.at)},
                                {"comment", a.comment},
                                {"plan_hash", a.plan_hash},
                                {"picks", a.picks}});
    j["output"] = store.output(opts.run);
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
      "{}{}\n",
      r->id, r->runbook, r->program_hash, run_mode_name(r->mode), r->started_by,
      run_state_name(state), state_hint(*r, state));
  if (!r->outcome.empty()) std::cout << "outcome    " << r->outcome << "\n";
  if (!r->error.empty()) std::cout << "error      " << r->error << "\n";
  if (r->status == RunState::Paused)
    std::cout << fmt::format("waiting    gate '{}' for role \"{}\"\n", r->paused_gate,
                             r->paused_role);
  for (const auto& a : store.approvals(opts.run)) {
    std::string picked;
    for (const auto& [question, choice] : a.picks)
      picked += (picked.empty() ? " — " : ", ") + question + " = " + choice;
    std::cout << fmt::format("approval   {} {} by {} at {} (plan {}){}{}\n", a.gate,
                             gate_decision_name(a.decision), a.by, format_time(a.at),
                             a.plan_hash.substr(0, 12), picked,
                             a.comment.empty() ? "" : ": " + a.comment);
  }
  std::cout << "\n";
  for (const auto& line : store.output(opts.run)) std::cout << line << "\n";
  return kOk;
}

// One child of the run's foreach nodes (its item's index or id): how it ended and the path
// it took, from the `children` event that holds it and the program the run executed.
int show_child(RunStore& store, const RunsOptions& opts) {
  auto r = stored_run(store, opts.run);
  if (!r) return kUsage;
  nlohmann::json found;  // the child, as {item, id, child, outcome, end, edges, by, reason}
  size_t children = 0;
  for (const auto& line : store.trace(opts.run)) {
    nlohmann::json e;
    try {
      e = read_json(line, kMaxStoredJsonDepth);
    } catch (const JsonReadError&) {
      continue;
    }
    if (!e.is_object() || e.value("event", "") != trace_kind_name(TraceKind::Children)) continue;
    // Each child as the index of its path (outcome, end, edges) and of its cohort in the
    // event's own lists.
    const nlohmann::json paths = e.value("paths", nlohmann::json::array());
    const nlohmann::json cohorts = e.value("cohorts", nlohmann::json::array());
    const nlohmann::json path = e.value("path", nlohmann::json::array());
    int64_t from = e.value("from", int64_t{0});
    auto at = [&](const char* list, size_t k) {
      return e.contains(list) && e[list].is_array() && k < e[list].size() ? e[list][k]
                                                                          : nlohmann::json();
    };
    auto entry = [](const nlohmann::json& list, const nlohmann::json& index) {
      return index.is_number_unsigned() && list.is_array() && index.get<size_t>() < list.size()
                 ? list[index.get<size_t>()]
                 : nlohmann::json();
    };
    for (size_t k = 0; k < path.size() && found.is_null(); ++k, ++children) {
      nlohmann::json id = at("ids", k);
      if (std::to_string(from + static_cast<int64_t>(k)) != opts.child &&
          !(id.is_string() && id.get<std::string>() == opts.child))
        continue;
      nlohmann::json way = entry(paths, path[k]);
      if (!way.is_object()) way = nlohmann::json::object();
      found = {{"item", from + static_cast<int64_t>(k)},
               {"child", e.value("child", "?")},
               {"outcome", way.value("outcome", "?")},
               {"edges", way.value("edges", nlohmann::json::array())}};
      if (id.is_string()) found["id"] = id;
      if (way.contains("end") && way["end"].is_string()) found["end"] = way["end"];
      if (nlohmann::json key = entry(cohorts, at("cohort", k)); !key.is_null()) found["by"] = key;
      if (at("reasons", k).is_string()) found["reason"] = at("reasons", k);
    }
    if (!found.is_null()) break;
  }
  if (found.is_null()) {
    std::cerr << "rbk runs: run " << opts.run << " has no child " << opts.child << " (" << children
              << " children: give an index from 0, or an item's id)\n";
    return kUsage;
  }
  std::cout << fmt::format(
      "child {}{} of run {}: runbook {}, outcome {}{}\n", found["item"].get<int64_t>(),
      found.contains("id") ? " (" + found["id"].get<std::string>() + ")" : "", opts.run,
      found.value("child", "?"), found.value("outcome", "?"),
      found.contains("end") ? ", ended at " + found["end"].get<std::string>() : "");
  if (found.contains("by")) std::cout << "cohort     " << found["by"].dump() << "\n";
  if (found.contains("reason"))
    std::cout << "reason     " << found["reason"].get<std::string>() << "\n";
  try {  // the path, read on the program the run executed
    Program p = decode_rbc(r->program);
    const RunbookInfo* child = nullptr;
    for (const auto& rb : p.runbooks)
      if (rb.name == found.value("child", "")) child = &rb;
    if (child && found.contains("edges") && found["edges"].is_array()) {
      std::cout << "path       start -> " << child->nodes[child->start].name << "\n";
      for (const auto& e : found["edges"]) {
        if (!e.is_number_unsigned() || e.get<size_t>() >= child->edges.size()) continue;
        const EdgeInfo& edge = child->edges[e.get<size_t>()];
        std::cout << fmt::format("           {} -> {}  [{}]{}\n", child->nodes[edge.from].name,
                                 child->nodes[edge.to].name, edge_kind_name(edge.kind),
                                 edge.label.empty() ? "" : " \"" + edge.label + "\"");
      }
    }
  } catch (const RbcError& e) {
    std::cerr << "rbk runs: the run's program cannot be read: " << e.what() << "\n";
    return kFailed;
  }
  return kOk;
}

// Prints the run's output as it comes until it stops running (ended, failed, paused,
// cancelled, or its process died), then exits as rbk run would have.
int follow_run(RunStore& store, const RunsOptions& opts) {
  auto r = stored_run(store, opts.run);
  if (!r) return kUsage;
  size_t shown = 0;
  // On a terminal, a foreach's progress as the executing process keeps it: a line of its
  // own, erased before the next output.
  const bool terminal = isatty(STDOUT_FILENO);
  std::string progress;
  auto erase = [&] {
    if (!progress.empty()) std::cout << "\r\033[K";
    progress.clear();
  };
  auto print_new = [&] {
    std::vector<std::string> lines = store.output(opts.run, shown);
    if (!lines.empty()) erase();
    for (const auto& line : lines) {
      std::cout << line << "\n";
      ++shown;
    }
    if (terminal) {
      std::string now = store.progress(opts.run);
      if (now != progress) {
        erase();
        if (!now.empty()) std::cout << "  " << now;
        progress = now;
      }
    }
    std::cout.flush();
  };
  for (;;) {
    print_new();
    r = store.get(opts.run);
    RunState state = current_state(*r);
    if (state != RunState::Running) {
      print_new();  // what it wrote before it stopped
      erase();
      if (state == RunState::Interrupted)
        std::cout << "run " << r->id << " was interrupted" << state_hint(*r, state) << "\n";
      return exit_code(*r, state);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
}

}  // namespace

int run_runs(const RunsOptions& opts) {
  if (opts.follow && opts.run.empty()) {
    std::cerr << "rbk runs: --follow watches one run: rbk runs RUN --follow\n";
    return kUsage;
  }
  return with_store("runs", opts.store, [&](RunStore& store) -> int {
    if (opts.run.empty()) return list_runs(store, opts);
    if (!opts.child.empty()) return show_child(store, opts);
    return opts.follow ? follow_run(store, opts) : show_run(store, opts);
  });
}

int run_signal(const SignalOptions& opts) {
  return with_store("signal", opts.store, [&](RunStore& store) -> int {
    std::string who = opts.as.empty() ? current_user() : opts.as;
    SignalResult r = send_signal(store, opts.run, opts.name, opts.value, who);
    switch (r.kind) {
      case SignalResult::Kind::Sent:
        std::cout << "signal " << opts.name << " sent to run " << opts.run << " by " << who << "\n";
        return kOk;
      default:
        std::cerr << "rbk signal: " << r.why << "\n";
        return kUsage;
    }
  });
}

int run_cancel(const CancelOptions& opts) {
  return with_store("cancel", opts.store, [&](RunStore& store) -> int {
    std::string who = opts.as.empty() ? current_user() : opts.as;
    CancelResult c = cancel_run(store, opts.run, who, opts.comment);
    switch (c.kind) {
      case CancelResult::Kind::Cancelled:
        std::cout << "run " << opts.run << " cancelled by " << who << "\n";
        return kOk;
      case CancelResult::Kind::Refused:
        std::cerr << "rbk cancel: " << c.why << "\n";
        return kFailed;
      default:
        std::cerr << "rbk cancel: " << c.why << "\n";
        return kUsage;
    }
  });
}

}  // namespace rbk::cli
