// The machine that runs a Program: a small stack machine per node, following the chosen
// edge from node to node until an end node.
//
// Failures come in two kinds (architecture.md, practice 9). A probe or action that fails,
// or a value that does not convert, is a runbook-level failure: an Error value that
// takes the node's `on error` edge, or ends the run `failed` with its reason where there
// is none. A broken invariant or an exhausted budget stops the run with a clear message.
// A gate without a decision yet pauses the run: the journal (journal.hpp) replays it to
// the same point later, so the machine itself keeps no state across processes.
#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "vm/host.hpp"
#include "vm/program.hpp"

namespace rbk {

// Limits of one execution context; exceeding one ends the run with a clear error.
// How many items of a probe's list result a trace event keeps (with the list's length).
inline constexpr size_t kTracedItems = 20;
// How many children of a foreach one `children` trace event holds (a wave may need several).
inline constexpr size_t kChildrenPerEvent = 1000;

struct Budgets {
  uint64_t instructions = 10'000'000;
  int64_t wall_time_ms = 60LL * 60 * 1000;     // real time, all modes
  int64_t waiting_ms = 24LL * 60 * 60 * 1000;  // total time spent in waits
  size_t max_string = 1 << 20;
  size_t max_list = 100'000;
  int call_depth = 16;  // nested call nodes and function calls
  size_t trace_events = 100'000;
};

// Interrupted: a person stopped it (Ctrl-C) while a foreach's children ran; those in
// flight finished first, and it goes on from there when resumed.
enum class RunStatus { Ended, Failed, Paused, Interrupted };

// A request to stop (the driver's SIGINT handler sets it; a server cancelling a run or
// shutting down). It is honoured between the children of a foreach — no new child starts,
// those in flight finish, their journals whole — between the entry runbook's nodes, and
// between a wait's polls;
// FLEETS says whether a foreach runs now: when none does, stopping a process at once is
// safe and a driver need not wait.
struct RunInterrupt {
  std::atomic<bool> requested{false};
  std::atomic<int> fleets{0};
};

// How one child of a foreach went: its outcome, the end node it reached (kNone when it
// failed), the edges of its runbook it took in order, why it failed; and, from a child
// that ran on a machine of its own, every edge it took and the actions it did.
struct ChildRun {
  Outcome outcome = Outcome::Failed;
  uint32_t end = kNone;
  std::vector<uint32_t> path;
  std::string reason;
  std::vector<std::pair<uint32_t, uint32_t>> edges;  // (runbook, edge)
  std::vector<std::string> actions;
};
// A child run as its journal keeps it ({outcome, end, path, reason}), and back; the
// latter throws HostFault for a record that is not one of RUNBOOK's.
Value child_run_value(const ChildRun& r, const RunbookInfo& runbook);
ChildRun child_run_from(const Value& v, const RunbookInfo& runbook);

// The children of a foreach beside each other run on at most this many threads, whatever
// its `concurrency` says.
inline constexpr size_t kMaxChildThreads = 256;

// What the foreach nodes did, for a person (the cohort table) and --summary.
struct FleetResult {
  size_t items = 0, started = 0;
  bool aborted = false;
  struct Wave {
    size_t items = 0, finished = 0, failed = 0;
  };
  std::vector<Wave> waves;
  std::vector<std::string> columns;  // the `by` columns as written
  // cohort (its column values, a line each) -> its key values and children per end
  std::map<std::string, std::pair<std::vector<Value>, std::map<std::string, size_t>>> cohorts;
  int64_t eval_ns = 0;  // time spent in foreach nodes (their children included)
};

struct RunResult {
  RunStatus status = RunStatus::Failed;
  Outcome outcome = Outcome::None;
  std::string error;        // why it failed
  std::string error_where;  // "runbook:node:line"
  // The host could not go on (a HostFault: a scenario without the answer, a capability
  // not granted, a damaged journal): the world failed the run, not the runbook.
  bool host_fault = false;
  std::vector<std::string> path;     // nodes of the entry runbook, in order
  std::vector<std::string> actions;  // actions performed (or recorded), in order
  // Every edge taken: (runbook name, edge index), for scenario coverage.
  std::vector<std::pair<std::string, uint32_t>> edges;
  GateRequest paused_at;  // when Paused
  // The children of every foreach: how many ended at each end node, and with each outcome.
  std::map<std::string, size_t> child_ends, child_outcomes;
  std::optional<FleetResult> fleet;  // set once a foreach node ran
};

class Machine {
 public:
  Machine(const Program& program, Host& host, Budgets budgets = {});
  // Runs the entry runbook. PARAMS are in parameter order; a missing (null) one takes its
  // default when the parameter has one.
  RunResult run(const std::vector<std::optional<Value>>& params);
  // Where a person's Ctrl-C arrives (it must outlive the machine); none by default.
  void set_interrupt(RunInterrupt* interrupt) { interrupt_ = interrupt; }
  // One child of a foreach on this (fresh) machine, from another thread or another process:
  // quiet, its gates covered when WAVE_APPROVED. Throws only what stops the whole run (a
  // HostFault, a StoreError).
  ChildRun run_child(uint32_t runbook, const std::vector<Value>& args, int depth,
                     bool wave_approved);

 private:
  struct Context;
  Outcome run_runbook(uint32_t r, std::vector<Value> params, int depth);
  // Runs one code block. Node code returns the edge to take; a body or default returns
  // its value (an Error value when it failed).
  struct Exit {
    bool is_edge = false;
    uint32_t edge = 0;
    Value value;
  };
  Exit exec(const Code& code, Context& ctx);
  // The node-level opcodes, which reach the host (machine.cpp explains each).
  struct Frame;
  std::optional<Exit> act(Frame& f, const Code& code, uint32_t pc);
  std::optional<Exit> poll(Frame& f, const Instr& in, uint32_t& next);
  std::optional<Exit> await_signal(Frame& f, const Instr& in);
  Exit approve(Frame& f, const Value& timeout);
  std::optional<Exit> ask(Frame& f, const Instr& in);
  GateRequest approve_request(const Frame& f, const Value& timeout) const;
  static uint32_t approve_edge(const NodeInfo& node, GateDecision d);
  void run_call_node(Frame& f, const Instr& in);
  std::optional<Exit> run_foreach(Frame& f, const Instr& in);
  // What run_foreach's waves share with run_wave_beside.
  struct FleetHooks {
    std::function<void(size_t item, Value& args, Value& key)> prepare;
    std::function<void(Outcome)> count;  // as a child finishes; may set the abort
    std::function<void(size_t item, const ChildRun&, const Value& key)> record;  // list order
    std::function<void(const std::vector<std::pair<uint32_t, uint32_t>>&)> cover;
    std::function<void(size_t in_flight)> progress;  // now and then, for a person watching
  };
  void run_wave_beside(Frame& f, const ForeachInfo& fe, size_t from, size_t to,
                       const std::string& prefix, const std::map<size_t, ChildJournal>& journaled,
                       size_t& started, const bool& aborted, const FleetHooks& hooks);
  bool has_gates(uint32_t runbook, std::vector<uint32_t> seen) const;
  // Between two waves of a foreach (and before each, with `approve each wave`): false
  // when a check or an approval stops it.
  bool between_waves(Frame& f, const ForeachInfo& fe, size_t wave, size_t waves, size_t from,
                     size_t to);
  Exit fail(Frame& f, const std::string& reason);
  void check_string(const Value& v, const Site& site) const;  // the max_string budget
  Value call_function(uint32_t f, std::vector<Value> args, const Site& site, int depth);
  // MAP, FILTER, ANY, ALL, SORT_BY, GROUP_BY, COUNT_BY (vm/list_functions.cpp): LAMBDA
  // applied to each item of LIST after the values it CAPTURED.
  Value list_function(Op op, uint32_t lambda, std::vector<Value> captured, const Value& list,
                      const Site& site, int depth);
  // One application: LOCALS holds the captured values and, last, the item.
  Value run_lambda(const FunctionInfo& fn, std::vector<Value>& locals, const Site& site, int depth);
  void emit(TraceKind kind, const Site& site, std::vector<TraceField> fields = {},
            uint32_t edge = kNone);
  void tick();

  const Program& p_;
  Host& host_;
  Budgets budgets_;
  RunResult result_;
  // Recorded as indices on the hot path, turned into names when the run ends.
  std::vector<uint32_t> path_nodes_;
  std::vector<std::pair<uint32_t, uint32_t>> edges_taken_;  // (runbook, edge)
  // Operand stacks, one per level of nested code, reused across nodes.
  std::deque<std::vector<Value>> stacks_;  // a deque: growing it keeps references valid
  size_t exec_level_ = 0;
  uint64_t executed_ = 0;
  int64_t started_wall_ = 0;
  int64_t waited_ = 0;
  size_t events_ = 0;
  int body_level_ = 0;  // > 0 while a declared function's body runs
  // > 0 while a foreach's child runs: its steps are not traced one by one (each child
  // is traced by its outcome, end and edges in a `children` event of up to
  // kChildrenPerEvent children), so a fleet's trace stays small.
  int quiet_ = 0;
  uint32_t last_end_ = kNone;     // the end node the last runbook reached
  std::vector<Value> last_vars_;  // its variables then (a call node reads its outputs)
  // While the children of an approved wave run: their own gates are covered by the
  // wave's approval (docs/language.md, "Fleets") and are not asked again.
  bool wave_approved_ = false;
  RunInterrupt* interrupt_ = nullptr;
  bool interrupt_requested() const { return interrupt_ && interrupt_->requested.load(); }
  // How often each foreach node was entered: a visit's children journal under
  // "NODE/VISIT/ITEM".
  std::map<const ForeachInfo*, size_t> foreach_visits_;
};

// The pure natives (RUNS builtin in lang/natives.def: string and list helpers,
// time.parse/format), computed in the VM; an Error value for a native that is not one.
// RESULT is the kind the call's overload returns (sum of list<float> is a float, of
// list<duration> a duration): overloads share their name's first row at run time, and an
// empty list's sum still has the declared type.
Value call_builtin(NativeId id, const std::vector<Value>& args, TypeKind result = TypeKind::Json);

}  // namespace rbk
