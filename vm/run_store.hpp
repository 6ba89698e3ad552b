// The embedded store of runs (SQLite): each run's record, its journal (every answer the
// world gave it, in order), its trace and its approvals. A run that pauses at a gate, or
// whose process is killed, is resumed from here by replaying its journal.
//
// Location: $RBK_STORE if set, else $XDG_STATE_HOME/rbk/runs.db, else
// ~/.local/state/rbk/runs.db. Every write is its own committed transaction, so what was
// journaled survives the process being killed (SQLite in WAL mode).
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

struct sqlite3;

namespace rbk {

struct StoreError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct RunRecord {
  std::string id;
  std::string runbook;
  std::string program_hash;
  std::string program;  // the .rbc bytes the run executes
  std::string mode;     // "scenario", "dry-run", "live"
  std::string params;   // JSON object of the bound parameters
  std::string scenario_path;
  std::string scenario;  // the scenario file's text
  std::string policy;    // the policy file's text ("" when none)
  std::string options;   // JSON: gate flags, trace file
  std::string started_by;
  std::string status;  // running, paused, ended, failed
  std::string outcome;
  std::string error;
  std::string paused_gate, paused_role, plan, plan_hash;  // when paused
  int64_t created_at = 0, updated_at = 0;
};

struct JournalEntry {
  int64_t seq = 0;
  std::string kind;   // call, act_started, act_done, gate, now, sleep, config
  std::string key;    // what was asked (checked on replay)
  std::string value;  // the answer (tagged JSON)
};

struct ApprovalRecord {
  std::string gate;
  std::string decision;  // approved, denied
  std::string by;
  int64_t at = 0;
  std::string comment;
  std::string plan_hash;
};

class RunStore {
 public:
  static std::string default_path();
  explicit RunStore(const std::string& path);
  ~RunStore();
  RunStore(const RunStore&) = delete;
  RunStore& operator=(const RunStore&) = delete;

  void create(const RunRecord& r);
  void update_status(const RunRecord& r);  // status, outcome, error, paused_*, updated_at
  std::optional<RunRecord> get(const std::string& id);
  std::vector<RunRecord> list(size_t limit = 100);

  void append_journal(const std::string& run, const JournalEntry& e);
  std::vector<JournalEntry> journal(const std::string& run);

  void append_trace(const std::string& run, int64_t seq, const std::string& event_json);
  std::vector<std::string> trace(const std::string& run);

  void add_approval(const std::string& run, const ApprovalRecord& a);
  std::vector<ApprovalRecord> approvals(const std::string& run);

  const std::string& path() const { return path_; }

 private:
  void exec(const char* sql);
  std::string path_;
  sqlite3* db_ = nullptr;
};

}  // namespace rbk
