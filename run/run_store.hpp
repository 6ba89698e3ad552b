// The store of runs: each run's record, its journal (every answer the world gave it, in
// order), its trace and its approvals. A run that pauses at a gate, or whose process is
// killed, is resumed from here by replaying its journal. One interface, one
// implementation per engine: SQLite (sqlite_store.cpp, the embedded default) keeps its
// headers to itself.
//
// Every write is its own committed transaction, so what was journaled survives the
// process being killed. A store may be used from several threads at once (the children of
// a fleet journal from the threads they run on).
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "run/audit.hpp"
#include "run/tokens.hpp"
#include "vm/host.hpp"

namespace rbk {

struct StoreError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// How a run meets the world (scenario file, real probes with actions recorded, or real),
// and where it stands; each with the name the store, `rbk runs` and the API write.
#define RBK_RUN_MODES(X)  \
  X(Scenario, "scenario") \
  X(DryRun, "dry-run")    \
  X(Live, "live")
// "interrupted" is never stored: it is a running run whose process is gone (run/owner.hpp).
#define RBK_RUN_STATES(X)   \
  X(Running, "running")     \
  X(Paused, "paused")       \
  X(Ended, "ended")         \
  X(Failed, "failed")       \
  X(Cancelled, "cancelled") \
  X(Interrupted, "interrupted")
enum class RunMode : uint8_t {
#define RBK_ENUM_ITEM(e, name) e,
  RBK_RUN_MODES(RBK_ENUM_ITEM)
#undef RBK_ENUM_ITEM
};
enum class RunState : uint8_t {
#define RBK_ENUM_ITEM(e, name) e,
  RBK_RUN_STATES(RBK_ENUM_ITEM)
#undef RBK_ENUM_ITEM
};
const char* run_mode_name(RunMode m);
std::optional<RunMode> run_mode_named(std::string_view name);
const char* run_state_name(RunState s);
std::optional<RunState> run_state_named(std::string_view name);

struct RunRecord {
  std::string id;
  std::string runbook;
  std::string program_hash;
  std::string program;  // the .rbc bytes the run executes
  RunMode mode = RunMode::Scenario;
  std::string params;  // JSON object of the bound parameters
  std::string scenario_path;
  std::string scenario;  // the scenario file's text
  std::string policy;    // the policy file's text ("" when none)
  std::string options;   // JSON: gate flags, trace file, resolved configuration
  std::string started_by;
  RunState status = RunState::Running;
  std::string outcome;  // outcome_name() once ended
  std::string error;
  std::string paused_gate, paused_role, plan, plan_hash;  // when paused
  // when paused at a gate that asks: [{"name", "choices": [text…]}] (questions_json)
  std::string questions;
  int64_t created_at = 0, updated_at = 0;
  std::string owner;  // the process executing it (run/owner.hpp), "" when none does
  // Until when (ms since the epoch) OWNER holds it, renewed while it executes; 0: no lease
  // (liveness is then only the owner's process, on its host). A lease that ran out makes
  // the run interrupted, for another replica to take over (claim_expired).
  int64_t lease_until = 0;
};

struct JournalEntry {
  int64_t seq = 0;
  std::string kind;   // call, act_started, act_done, gate, now, sleep, config
  std::string key;    // what was asked (checked on replay)
  std::string value;  // the answer (tagged JSON)
  // Whose: "" for the run itself, "NODE/VISIT/ITEM" for a child of a foreach node that
  // ran beside others (each child replays its own entries; their order among each other
  // is the order they happened in, kept by SEQ).
  std::string scope{};
};

struct ApprovalRecord {
  std::string gate;
  GateDecision decision = GateDecision::Approved;  // approved or denied
  std::string by;
  int64_t at = 0;
  std::string comment;
  std::string plan_hash;
  GatePicks picks{};  // what the approver picked, when the gate asks
};

// A person signed in through a browser (rbk serve's single sign-on). The store keeps the
// SHA-256 of the cookie's value, never the value, so a copy of the store signs nobody in.
struct BrowserSession {
  std::string hash;
  std::string name;
  std::vector<std::string> roles;
  std::string csrf;  // the token a changing request must send back in X-CSRF-Token
  int64_t created_at = 0, expires_at = 0;
};

// How many runs of one runbook are in one stored state (a paused run's role too), and
// when the longest-waiting of them last changed: what a server's metrics report.
struct RunCount {
  std::string runbook;
  RunState status = RunState::Running;
  std::string paused_role;  // paused runs: the role their gate waits for
  int64_t count = 0;
  int64_t oldest_update = 0;  // milliseconds since the epoch
};

// Everything a store keeps of one run, as rbk store copy moves it.
struct RunCopy {
  RunRecord record;
  std::vector<JournalEntry> journal;
  std::vector<std::string> trace;  // events in order
  std::vector<ApprovalRecord> approvals;
  std::vector<std::string> output;  // lines in order
};

// A child of a foreach in the store's queue (RunStore::publish_children): what ChildTask
// says, its arguments as tagged JSON; how many times it was taken (more than once: an
// earlier taker died, and its journal holds what that one did).
struct StoredChildTask {
  std::string run, scope;
  uint32_t runbook = 0;
  std::string args;  // tagged JSON list
  int depth = 0;
  bool wave_approved = false;
  int attempts = 0;
};

// Which runs a listing shows (each field unset: any).
struct RunFilter {
  std::optional<RunState> status;
  std::string waiting_for;    // paused at a gate of this role
  std::string runbook;        // runs of this runbook
  int64_t updated_after = 0;  // changed after this time (ms since the epoch; 0: any)
  std::string started_by;     // runs this person started
};

class RunStore {
 public:
  // $RBK_STORE if set, else $XDG_STATE_HOME/rbk/runs.db, else ~/.local/state/rbk/runs.db.
  static std::string default_path();
  // "sqlite:PATH" or a plain PATH: the SQLite file; "postgresql://…" (or "postgres://…"):
  // the PostgreSQL database. "" is default_path().
  static std::unique_ptr<RunStore> open(const std::string& where);
  virtual ~RunStore() = default;

  virtual void create(const RunRecord& r) = 0;
  // Writes status, outcome, error, paused_*, plan, plan_hash, owner and updated_at.
  virtual void update_status(const RunRecord& r) = 0;
  // A person's decision of the gate run R.id is paused at, in one transaction: the
  // approval, the gate's answer in the journal (so the run replays it wherever it is
  // resumed), and R's new status and owner. False, writing nothing, when the run is no
  // longer paused at R.paused_gate with R.plan_hash (someone decided it meanwhile).
  virtual bool record_decision(const RunRecord& r, const ApprovalRecord& a,
                               const JournalEntry& e) = 0;
  // Makes TO the owner of RUN if FROM still is (compare and set), without a lease; false
  // when not.
  virtual bool claim(const std::string& run, const std::string& from, const std::string& to) = 0;

  // Leases (rbk serve replicas sharing a store), LEASE_MS long from the store's clock (the
  // database server's, so replicas' clocks need not agree): OWNER holds every running run
  // it owns for another LEASE_MS; returns their ids (a run missing from them was taken
  // over by another).
  virtual std::vector<std::string> renew_leases(const std::string& owner, int64_t lease_ms) = 0;
  // Takes over, for TO for LEASE_MS, at most LIMIT running runs owned by a process labelled
  // LABEL whose lease ran out, oldest first; replicas asking at once each get others.
  // Returns their ids.
  virtual std::vector<std::string> claim_expired(const std::string& label, const std::string& to,
                                                 int64_t lease_ms, size_t limit) = 0;
  // From now on this process holds every run it takes (creates, claims, decides to go on
  // with) for LEASE_MS at once, not only from its first renewal: a server that dies the
  // moment after it took a run leaves it to the others all the same. 0: no lease.
  void hold_leases(int64_t lease_ms) { lease_ms_ = lease_ms; }
  // OWNER stops (a server shutting down): its running runs' leases end now, and replicas
  // waiting in wait_for_work are woken to take them over.
  virtual void release_leases(const std::string& owner) = 0;
  // Waits until work was released (release_leases) or TIMEOUT passed; true when woken.
  // A store shared by no other machine just waits.
  virtual bool wait_for_work(std::chrono::milliseconds timeout);
  virtual std::optional<RunRecord> get(const std::string& id) = 0;
  // The newest LIMIT runs that FILTER lets through, newest first.
  virtual std::vector<RunRecord> list(const RunFilter& filter = {}, size_t limit = 100) = 0;

  // Every (runbook, stored status, paused role) with its count; a running run whose
  // process is gone counts as running here (current_state tells them apart per run).
  virtual std::vector<RunCount> count_runs() = 0;

  virtual void append_journal(const std::string& run, const JournalEntry& e) = 0;
  // Several entries committed together (the journal of a fleet's children in flight at
  // once: one commit for all that arrived meanwhile).
  virtual void append_journal(const std::string& run, const std::vector<JournalEntry>& entries) {
    for (const auto& e : entries) append_journal(run, e);
  }
  virtual std::vector<JournalEntry> journal(const std::string& run) = 0;

  virtual void append_trace(const std::string& run, int64_t seq, const std::string& event_json) = 0;
  // Its events from the FROM-th on (0: all), in order.
  virtual std::vector<std::string> trace(const std::string& run, size_t from = 0) = 0;

  virtual void add_approval(const std::string& run, const ApprovalRecord& a) = 0;
  virtual std::vector<ApprovalRecord> approvals(const std::string& run) = 0;

  // What the run printed, as a person reads it, a line at a time (every process that
  // executed it: rbk run, approve, resume), so `rbk runs RUN [--follow]` shows it.
  virtual void append_output(const std::string& run, const std::string& line) = 0;
  // Its lines from the FROM-th on (0: all).
  virtual std::vector<std::string> output(const std::string& run, size_t from = 0) = 0;

  // The audit log (run/audit.hpp): E is appended after the last entry, its seq, prev and
  // hash set here, in one transaction with reading that entry.
  virtual void append_audit(AuditEntry e) = 0;
  virtual std::vector<AuditEntry> audit() = 0;
  // E as it is, seq, prev and hash included (rbk store copy moves a chain to a new store).
  virtual void copy_audit(const AuditEntry& e) = 0;
  // C's run with all it keeps, in one transaction, as it is (no owner fences it).
  virtual void copy_run(const RunCopy& c) = 0;

  // API tokens (run/tokens.hpp): only their hashes are kept.
  virtual void create_token(const TokenRecord& t) = 0;
  virtual std::vector<TokenRecord> tokens() = 0;
  virtual std::optional<TokenRecord> token_with_hash(const std::string& hash) = 0;
  // Marks token ID revoked at AT; false when there is none, or it was revoked already.
  virtual bool revoke_token(const std::string& id, int64_t at) = 0;

  // Browser sessions: created at sign-in, found by the hash of their cookie while they
  // have not expired at NOW, ended at sign-out (expired ones are removed as new ones come).
  virtual void create_browser_session(const BrowserSession& s) = 0;
  virtual std::optional<BrowserSession> browser_session(const std::string& hash, int64_t now) = 0;
  virtual void end_browser_session(const std::string& hash) = 0;

  // Signals for RUN (rbk signal, POST /api/runs/{id}/signals/{name}): queued in the order
  // they were sent until a wait of the run for that NAME takes the oldest (take_signal
  // marks it taken and gives its value's JSON).
  virtual void send_signal(const std::string& run, const std::string& name,
                           const std::string& value_json, const std::string& by, int64_t at) = 0;
  virtual std::optional<std::string> take_signal(const std::string& run, const std::string& name,
                                                 int64_t at) = 0;

  // The children of foreach nodes shared by the processes of a team (rbk serve replicas on
  // one PostgreSQL): a run publishes its children as tasks, any replica claims them as
  // leases (renewed by renew_leases, ended by release_leases, taken over when they run out),
  // journals each under its scope, fenced by the task's owner, and reports how it went.
  // A store no other machine shares keeps its children on the run's own threads.
  virtual bool shares_children() const { return false; }
  // Adds TASKS of RUN to the queue (those there already are left as they are), waking
  // replicas waiting in wait_for_children.
  virtual void publish_children(const std::string& run, const std::vector<StoredChildTask>& tasks);
  // Takes, for OWNER for LEASE_MS, at most LIMIT tasks of running runs that nobody holds
  // (new ones, or those whose taker's lease ran out), oldest first.
  virtual std::vector<StoredChildTask> claim_children(const std::string& owner, int64_t lease_ms,
                                                      size_t limit);
  // What earlier takers of child SCOPE of RUN journaled, in order.
  virtual std::vector<JournalEntry> child_journal(const std::string& run, const std::string& scope);
  // ENTRIES of children of RUN (each its scope), written only while OWNER holds each
  // child's task: a StoreError when another took one over.
  virtual void append_child_journal(const std::string& run, const std::string& owner,
                                    const std::vector<JournalEntry>& entries);
  // Child SCOPE of RUN, held by OWNER, is done: REPORT (JSON) is how it went. False when
  // OWNER no longer held it (another took it over; that one reports).
  virtual bool finish_child(const std::string& run, const std::string& scope,
                            const std::string& owner, const std::string& report);
  // OWNER lets child SCOPE of RUN go without finishing it (its writes were refused): any
  // process may take it again at once.
  virtual void release_child(const std::string& run, const std::string& scope,
                             const std::string& owner);
  // The reports of those of SCOPES (of RUN) that are done, in the order they finished:
  // (scope, report).
  virtual std::vector<std::pair<std::string, std::string>> finished_children(
      const std::string& run, const std::vector<std::string>& scopes);
  // Removes those of SCOPES nobody took yet; returns them.
  virtual std::vector<std::string> withdraw_children(const std::string& run,
                                                     const std::vector<std::string>& scopes);
  // Waits until children were published or released, or TIMEOUT passed; true when woken.
  virtual bool wait_for_children(std::chrono::milliseconds timeout);

  // Where a foreach of RUN stands, as a line a person reads ("" when none runs), kept by
  // the process executing it for whoever follows it from another (rbk runs RUN --follow).
  virtual void set_progress(const std::string& /*run*/, const std::string& /*line*/) {}
  virtual std::string progress(const std::string& /*run*/) { return ""; }

  // Lets the writes of a run that can be done again (a scenario run: its answers are the
  // scenario's, its actions only recorded) share transactions, committed at most 200 ms or
  // 5,000 writes apart and before every status change: a process killed in between loses
  // a tail that resuming does again. Thousands of children then cost no fsync each, and
  // the run none at all (SQLite's synchronous=OFF: a killed process loses nothing written).
  virtual void batch_writes(bool /*on*/) {}

  // Where it is, for messages ("runs.db", a connection string without its password).
  virtual const std::string& path() const = 0;

 protected:
  int64_t lease_ms_ = 0;  // hold_leases
};

// The embedded store: an SQLite file at PATH (created with its folders), in WAL mode.
// Throws StoreError when it cannot be opened.
std::unique_ptr<RunStore> open_sqlite_store(const std::string& path);

// The shared store: the PostgreSQL database at URL (postgresql://user@host:port/db, with
// libpq's parameters), its schema migrated at start-up. Throws StoreError when it cannot be
// reached, or was migrated by a newer rbk.
std::unique_ptr<RunStore> open_postgres_store(const std::string& url);

}  // namespace rbk
