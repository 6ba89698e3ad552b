// The host interface: the only way the VM reaches the world. Live, dry-run and scenario
// modes are different hosts (and journaling wraps any of them); the dispatch loop never
// asks which mode it runs in.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "vm/program.hpp"
#include "vm/value.hpp"

namespace rbk {

// Where a call or gate happens, for traces, prompts and errors.
struct Site {
  const RunbookInfo* runbook = nullptr;
  const NodeInfo* node = nullptr;
  uint32_t line = 0;
  int depth = 0;  // 0 in the entry runbook, +1 per call node
};

// A call as a person reads it, its arguments as source: fleet.push_backoff({firmware:
// "2.4.0", hardware: "rev-B", region: "eu-west"}, 10, 5s, 5m).
std::string call_text(const std::string& name, const std::vector<Value>& args);

struct PlannedCall {
  const FunctionInfo* function = nullptr;
  std::vector<Value> args;
  // A later node reads its result (`do let job = …`): an action performed before an
  // interruption cannot count as done without it.
  bool result_bound = false;
  std::string describe() const;  // gateway.restart("gw-7")
};

// A gate's answer, and the name journals, approvals and traces write for it.
#define RBK_GATE_DECISIONS(X) \
  X(Approved, "approved")     \
  X(Denied, "denied")         \
  X(Timeout, "timeout")       \
  X(Pending, "pending")
enum class GateDecision : uint8_t {
#define RBK_ENUM_ITEM(e, name) e,
  RBK_GATE_DECISIONS(RBK_ENUM_ITEM)
#undef RBK_ENUM_ITEM
};
const char* gate_decision_name(GateDecision d);
std::optional<GateDecision> gate_decision_named(std::string_view name);

// A question an approve node asks its approver (`ask window: string in windows`): the
// answer is one of CHOICES, evaluated when the gate is asked, each named by its text
// (choice_text: tonight, 30m, 42).
struct GateQuestion {
  std::string name;
  std::vector<Value> choices;
};
std::string choice_text(const Value& choice);

// The text of the choice picked for each question a gate asks, by question name.
using GatePicks = std::map<std::string, std::string>;
// A gate's questions as a person answers them: each name with its choices' texts.
using QuestionTexts = std::vector<std::pair<std::string, std::vector<std::string>>>;

// A gate's answer: its decision and, when approved, the pick for each of its questions.
struct GateAnswer {
  GateDecision decision = GateDecision::Pending;
  GatePicks picks;
  GateAnswer(GateDecision d = GateDecision::Pending, GatePicks p = {})  // NOLINT: implicit
      : decision(d), picks(std::move(p)) {}
};

struct GateRequest {
  Site site;
  std::string gate;  // the node name
  std::string role;
  std::vector<PlannedCall> plan;        // action nodes: the calls awaiting approval
  std::string wave;                     // foreach nodes: the wave awaiting approval
  std::optional<int64_t> timeout_ms;    // approve nodes with `timeout`
  std::string text;                     // approve nodes with `show`: the text, interpolated
  std::vector<GateQuestion> questions;  // approve nodes with `ask`
  std::string plan_hash;                // SHA-256 over the plan's description

  // What a person is shown and the plan hash binds: each call, evaluated
  // (certs.reprovision("sensor-0042")), or the wave ("roll_back: wave 2 of 3, items
  // 6–25 (20)"), or what an approve node shows and asks ("sensor-4 has been offline
  // 3h", "ask window: one of "tonight", "sunday"").
  std::vector<std::string> plan_lines() const;
  // The questions by name, each with its choices' texts: what is stored while a run waits
  // and checked against when someone answers.
  QuestionTexts question_texts() const;
};

// Why PICKS do not answer QUESTIONS (name and the choices' texts) of gate GATE — a
// question without a pick, a pick that is none of its choices, a pick for no question —
// or "" when they do. A denial needs no picks.
std::string check_picks(const std::string& gate, const QuestionTexts& questions,
                        const GatePicks& picks);

// What a trace event reports, and its name in trace files, the store and `rbk runs`.
#define RBK_TRACE_KINDS(X)         \
  X(RunStarted, "run_started")     \
  X(RunEnded, "run_ended")         \
  X(RunFailed, "run_failed")       \
  X(NodeEntered, "node_entered")   \
  X(EdgeTaken, "edge_taken")       \
  X(Probe, "probe")                \
  X(Action, "action")              \
  X(GateAsked, "gate_asked")       \
  X(GateDecided, "gate_decided")   \
  X(Error, "error")                \
  X(WaitTimeout, "wait_timeout")   \
  X(WaveStarted, "wave_started")   \
  X(Children, "children")          \
  X(ForeachEnded, "foreach_ended") \
  X(ForeachPlan, "foreach_plan")   \
  X(Signal, "signal")
enum class TraceKind : uint8_t {
#define RBK_ENUM_ITEM(e, name) e,
  RBK_TRACE_KINDS(RBK_ENUM_ITEM)
#undef RBK_ENUM_ITEM
};
const char* trace_kind_name(TraceKind k);

struct TraceField {
  std::string key;
  Value value;
};

// What the run did. Facts the site already tells (a node's kind and label, an edge's
// kind, target and label) are not copied into FIELDS: sinks read them from the program,
// so a node transition costs no allocation.
struct TraceEvent {
  TraceKind kind = TraceKind::RunStarted;
  Site site;
  std::vector<TraceField> fields;
  uint32_t edge = kNone;  // edge_taken: the edge (in site.runbook)
  // Happened inside a declared probe's or action's body (the natives it calls): detail a
  // reader of the runbook's path does not need, which the readable trace leaves out.
  bool in_body = false;
};

// A host that cannot go on (a scenario that does not answer a probe, a journal that does
// not match the program) throws this: the run stops with the reason. Unlike an Error
// value, it never takes an `on error` edge.
struct HostFault : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct ActOutcome {
  enum class Kind {
    Performed,  // done by the host (VALUE is its result or an Error)
    WouldDo,    // recorded, not performed (dry-run, scenario)
    RunBody,    // live: the VM runs the declared action's body, whose natives act
  } kind = Kind::Performed;
  Value value;
};

// Thrown (by the VM, or by a host that needs a person's decision) when a gate has no
// decision yet: the run pauses; its journal brings it back to the same gate later.
struct GatePending {
  GateRequest request;
};

// Where a foreach stands while its children run: for a person watching (a live line on a
// terminal), never stored.
struct FleetProgress {
  std::string node;
  size_t wave = 0, waves = 0;  // wave from 1
  size_t items = 0, done = 0, failed = 0, in_flight = 0;
  int64_t elapsed_ms = 0;  // since the node started its children
};

// Receives trace events (the trace file, the readable path on stdout, the store).
class TraceSink {
 public:
  virtual ~TraceSink() = default;
  virtual void event(const TraceEvent& e, int64_t now_ms) = 0;
  virtual void progress(const FleetProgress&) {}
};

// What an earlier process journaled of one child of a foreach that ran beside others:
// that it started, and how it ended if it did (the VM's record of it: outcome, end,
// path, reason), with the journal position of its end (the order the children ended in).
struct ChildJournal {
  size_t item = 0;
  bool done = false;
  Value result;
  int64_t done_seq = 0;
};

// A child of a foreach handed to whichever process of a team takes it (rbk serve replicas
// sharing a store, docs/server.md), rather than run on this process's threads: what it
// runs, of the run's program.
struct ChildTask {
  std::string scope;  // "NODE/VISIT/ITEM", as its journal is kept
  uint32_t runbook = 0;
  std::vector<Value> args;
  int depth = 0;
  bool wave_approved = false;  // its gates are covered by its wave's approval
};
// How a child another process ran went: RESULT as child_run_value writes it, the edges it
// took (coverage) and the actions it did; or FAULT, what stopped it and so the run (a
// HostFault there: a capability not granted, a damaged journal).
struct ChildReport {
  std::string scope;
  Value result;
  std::vector<std::pair<uint32_t, uint32_t>> edges;  // (runbook, edge)
  std::vector<std::string> actions;
  std::string fault;
};
class ChildQueue {
 public:
  virtual ~ChildQueue() = default;
  // TASKS may be taken by any process from now on (again: a task handed out already is
  // left as it is, running or done).
  virtual void publish(const std::vector<ChildTask>& tasks) = 0;
  // Those of SCOPES that finished, in the order they did; waits until one has, or DEADLINE.
  virtual std::vector<ChildReport> finished(const std::vector<std::string>& scopes,
                                            std::chrono::steady_clock::time_point deadline) = 0;
  // Takes back those of SCOPES nobody has taken yet (the run stops between children), and
  // returns them.
  virtual std::vector<std::string> withdraw(const std::vector<std::string>& scopes) = 0;
};

class Host {
 public:
  virtual ~Host() = default;

  // A probe or native call. For a declared probe, std::nullopt asks the VM to run its
  // body; a stubbing host returns the value. A failure is an Error value.
  virtual std::optional<Value> call(const FunctionInfo& fn, const std::vector<Value>& args,
                                    const Site& site) = 0;
  // Performs one approved action of a plan.
  virtual ActOutcome act(const PlannedCall& call, const Site& site) = 0;
  // Told when a call was answered from a run's journal instead (resuming), so that a host
  // with state of its own (a scenario's sequences) stays where the first process left it.
  virtual void replayed(const FunctionInfo&, const std::vector<Value>& /*args*/, const Site&) {}
  // Told when a gate was decided from a run's journal instead (resuming).
  virtual void gate_replayed(const GateRequest&, const GateAnswer&) {}
  // Called after each planned action has completed (whatever the host did), with its result.
  virtual void acted(const PlannedCall&, const Value& /*result*/, const Site&) {}
  // The gate's decision (Pending: nobody has decided; the run pauses), with the approver's
  // picks when it asks questions.
  virtual GateAnswer gate(const GateRequest& request) = 0;
  virtual int64_t now() = 0;                          // milliseconds since the epoch
  virtual void sleep(int64_t ms) = 0;                 // wait polling; virtual time in scenario mode
  virtual Value config(const std::string& name) = 0;  // an Error when missing
  virtual void trace(const TraceEvent& event) = 0;
  virtual void progress(const FleetProgress&) {}
  // A wait node's `until signal "NAME"`: blocks until the signal NAME is delivered to the
  // run (rbk signal, the server's API) and returns its value (null when it has none), or
  // returns nullopt at DEADLINE (this host's clock), or sooner once STOP() is true (a person
  // stopped the run: the VM then interrupts it). A host with no way to receive signals
  // waits out the deadline.
  virtual std::optional<Value> await_signal(const std::string& /*name*/, int64_t deadline_ms,
                                            const std::function<bool()>& /*stop*/) {
    if (int64_t left = deadline_ms - now(); left > 0) sleep(left);
    return std::nullopt;
  }
  // A foreach starts (and ends) a child run for ITEM, the INDEX-th of its list: a host
  // that answers from a fleet snapshot answers that child's probes from the item's record.
  virtual void child_started(size_t /*index*/, const Value& /*item*/) {}
  virtual void child_ended() {}

  // Whether a foreach's children run beside each other, each on a host of its own
  // (child_host), on other threads: live and dry-run modes. Otherwise they run one at a
  // time on this host, in list order (scenario mode: the same order every run).
  virtual bool runs_children_beside() { return false; }
  // A host for the child of journal scope SCOPE ("NODE/VISIT/ITEM"), made on the run's
  // thread and then used only by the child's, while the run's host goes on.
  virtual std::unique_ptr<Host> child_host(const std::string& /*scope*/) { return nullptr; }
  // On a child's host: it starts (journaled before it does anything), and it ended with
  // RESULT.
  virtual void child_began() {}
  virtual void child_finished(const Value& /*result*/) {}
  // On the run's host: what an earlier process journaled of the children whose scopes
  // begin with PREFIX ("NODE/VISIT/").
  virtual std::vector<ChildJournal> journaled_children(const std::string& /*prefix*/) { return {}; }
  // Where the children run when not on this process's threads (null: here): the run's
  // host, when a team's processes share its children.
  virtual std::shared_ptr<ChildQueue> child_queue() { return nullptr; }
};

// A host that passes everything to another; decorators override what they change
// (a gate decided at a terminal, a decision given on the command line).
class HostDecorator : public Host {
 public:
  explicit HostDecorator(Host& inner) : inner_(inner) {}
  std::optional<Value> call(const FunctionInfo& fn, const std::vector<Value>& args,
                            const Site& s) override {
    return inner_.call(fn, args, s);
  }
  void replayed(const FunctionInfo& fn, const std::vector<Value>& args, const Site& s) override {
    inner_.replayed(fn, args, s);
  }
  ActOutcome act(const PlannedCall& c, const Site& s) override { return inner_.act(c, s); }
  void acted(const PlannedCall& c, const Value& v, const Site& s) override {
    inner_.acted(c, v, s);
  }
  GateAnswer gate(const GateRequest& r) override { return inner_.gate(r); }
  void gate_replayed(const GateRequest& r, const GateAnswer& a) override {
    inner_.gate_replayed(r, a);
  }
  int64_t now() override { return inner_.now(); }
  void sleep(int64_t ms) override { inner_.sleep(ms); }
  Value config(const std::string& n) override { return inner_.config(n); }
  void trace(const TraceEvent& e) override { inner_.trace(e); }
  void progress(const FleetProgress& p) override { inner_.progress(p); }
  std::optional<Value> await_signal(const std::string& name, int64_t deadline_ms,
                                    const std::function<bool()>& stop) override {
    return inner_.await_signal(name, deadline_ms, stop);
  }
  void child_started(size_t i, const Value& item) override { inner_.child_started(i, item); }
  void child_ended() override { inner_.child_ended(); }
  bool runs_children_beside() override { return inner_.runs_children_beside(); }
  // (a child's host is the world's: the decorations of a run do not reach its children)
  std::unique_ptr<Host> child_host(const std::string& scope) override {
    return inner_.child_host(scope);
  }
  std::vector<ChildJournal> journaled_children(const std::string& prefix) override {
    return inner_.journaled_children(prefix);
  }
  std::shared_ptr<ChildQueue> child_queue() override { return inner_.child_queue(); }

 protected:
  Host& inner_;
};

}  // namespace rbk
