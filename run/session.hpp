// One run's life, whoever drives it: `rbk run` starts one, `rbk approve` and `rbk resume`
// continue one from the store, `rbk test` runs one in memory (and, to come, the server and
// the children of a fleet fan-out). A session builds the hosts of its mode — the world
// (scenario, dry-run or live), the gate decisions in front of it (run/gates.hpp) and, when
// there is a store, the journal around them — runs the machine, and records how it ended.
//
// Parameters and configuration reach a fresh run typed; the record keeps them as JSON
// only so that a paused or interrupted run can be resumed by another process.
#pragma once

#include <functional>
#include <iosfwd>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "run/gates.hpp"
#include "run/journal_writer.hpp"
#include "run/policy.hpp"
#include "run/run_store.hpp"
#include "run/scenario.hpp"
#include "vm/machine.hpp"

namespace rbk {

// A run that cannot start or continue: its trace file cannot be written, its record is
// damaged. The message names what.
struct SessionError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Everything a new run starts from: read, parsed and typed by the driver.
struct RunSetup {
  std::shared_ptr<const Program> program;  // shared: a fan-out runs one program many times
  RunMode mode = RunMode::Scenario;
  Scenario scenario;  // scenario mode (the record keeps it resolved, for resuming)
  Policy policy = default_policy();
  std::string policy_text;                   // "" without a policy file
  std::map<std::string, Value> config;       // dry-run and live: resolved, typed
  std::vector<std::optional<Value>> params;  // bound, typed, in the entry runbook's order
  GateFlags flags;
  std::string trace_file;  // a JSON-lines trace to write ("" for none)
  std::string started_by;
};

// The questions of the gate run R is paused at (empty when it asks none); SessionError when
// the store's copy is damaged.
QuestionTexts stored_questions(const RunRecord& r);

class RunSession {
 public:
  // A new run; with a STORE (which must outlive the session) it is recorded there when it
  // first executes, and journaled, so it can pause and be resumed.
  RunSession(RunSetup setup, RunStore* store);
  // The run ID of STORE, to continue. Throws SessionError when it cannot be resumed
  // (naming what is damaged); std::nullopt when there is no such run.
  static std::optional<RunSession> open(RunStore& store, const std::string& id);

  const RunRecord& record() const { return rec_; }
  RunStore* store() const { return store_; }
  const Program& program() const { return *s_.program; }
  const Policy& policy() const { return s_.policy; }

  // WHO decides the gate the run is paused at: checked against the policy, then recorded
  // at once as an approval (bound to the plan hash the run showed) and as the gate's
  // answer in the journal, and the run is marked running, owned by this process. Whoever
  // executes it next (this process, the one `rbk approve` starts, or `rbk resume` if both
  // die) replays the decision. Returns the reason when it is not recorded ("" when it is).
  // HELD: roles WHO holds beyond those the policy names them in (a token's). SHOWN_PLAN_HASH:
  // the plan hash the person was shown ("" from a terminal that showed the current one);
  // a plan that changed since needs a new look.
  // PICKS: an approval's answer to each question the gate asks (checked against its
  // choices; a denial needs none).
  std::string decide(const std::string& who, GateDecision decision, const std::string& comment,
                     const std::vector<std::string>& held = {},
                     const std::string& shown_plan_hash = "", const GatePicks& picks = {});

  // Records a new run in the store now, owned by this process, before it executes (a server
  // answers with its id at once and executes it on a worker; killed in between, the run is
  // interrupted and resumed from its start). No-op without a store or when recorded.
  void register_run();

  struct Output {
    std::ostream* readable = nullptr;  // the path as a person reads it
    GatePrompt* prompt = nullptr;      // someone to ask at a gate
    // Called once the outputs are open, just before the machine starts or resumes.
    std::function<void(const RunRecord&)> starting;
    // A terminal to draw a foreach's progress on (null: none is drawn).
    std::ostream* progress = nullptr;
    // Where a person's Ctrl-C arrives (null: nobody can stop the run between children).
    RunInterrupt* interrupt = nullptr;
    // Who continues a recorded run, for the audit log ("": whoever started it).
    std::string actor;
    // Sees every event this execution adds to the run's trace (not those a resumed run
    // replays): a server's metrics. May be called from several threads at once.
    TraceSink* observer = nullptr;
    // Hand the children of its foreach nodes to whichever process sharing the store takes
    // them (rbk serve replicas: run/child_tasks.hpp), when the store is shared and the run
    // is live or a dry-run; else they run on this process's threads.
    bool share_children = false;
  };
  // Runs from the start, or on from where a recorded run stopped (replaying its journal),
  // and records how it ended. A recorded run is taken over first: it must be owned by
  // nobody alive, by this process, or by its parent (rbk approve hands a run to the
  // process it starts). Throws SessionError before anything runs when the run is executed
  // elsewhere or an output cannot be opened; a store that fails throws StoreError.
  RunResult execute(const Output& out);
  // The world of the run's mode (dry-run, live) for children another process handed out,
  // each taken here through child_host(); SINK sees what the world traces.
  std::unique_ptr<Host> world_for_children(TraceSink& sink);
  // What journaling cost the last execute() (unset without a store).
  const std::optional<JournalWriter::Stats>& journal_stats() const { return journal_stats_; }

 private:
  RunSession() = default;
  Host& world_host(TraceSink& sinks, std::unique_ptr<Host>& holder);
  void record_end(const RunResult& r);

  RunSetup s_;
  RunRecord rec_;
  RunStore* store_ = nullptr;
  bool recorded_ = false;    // the record is in the store: execute() resumes it
  bool registered_ = false;  // recorded by register_run() and not executed yet
  std::optional<JournalWriter::Stats> journal_stats_;
};

// Cancels run ID of STORE for WHO: a run paused, interrupted, or executed by a process of
// this host (which is stopped first: SIGTERM, then SIGKILL after five seconds).
struct CancelResult {
  enum class Kind { Cancelled, NoSuchRun, Finished, Refused } kind;
  std::string why;  // unless Cancelled
};
CancelResult cancel_run(RunStore& store, const std::string& id, const std::string& who,
                        const std::string& comment);

// A new run id: time-ordered and unique ("r20261122-183055-4f2a9c1e").
std::string new_run_id();

}  // namespace rbk
