#include "vm/run_store.hpp"

#include <sqlite3.h>

#include <cstdlib>
#include <filesystem>

namespace rbk {

namespace {

// A prepared statement that finalizes itself.
class Stmt {
 public:
  Stmt(sqlite3* db, const char* sql) : db_(db) {
    if (sqlite3_prepare_v2(db, sql, -1, &s_, nullptr) != SQLITE_OK)
      throw StoreError(std::string("store: ") + sqlite3_errmsg(db));
  }
  ~Stmt() { sqlite3_finalize(s_); }
  Stmt& bind(int i, const std::string& v) {
    sqlite3_bind_text(s_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
    return *this;
  }
  Stmt& blob(int i, const std::string& v) {
    sqlite3_bind_blob(s_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
    return *this;
  }
  Stmt& bind(int i, int64_t v) {
    sqlite3_bind_int64(s_, i, v);
    return *this;
  }
  bool step() {
    int rc = sqlite3_step(s_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    throw StoreError(std::string("store: ") + sqlite3_errmsg(db_));
  }
  std::string text(int col) {
    const void* p = sqlite3_column_blob(s_, col);
    int n = sqlite3_column_bytes(s_, col);
    return p ? std::string(static_cast<const char*>(p), static_cast<size_t>(n)) : std::string();
  }
  int64_t integer(int col) { return sqlite3_column_int64(s_, col); }

 private:
  sqlite3* db_;
  sqlite3_stmt* s_ = nullptr;
};

const char* kSchema = R"(
CREATE TABLE IF NOT EXISTS runs(
  id TEXT PRIMARY KEY, runbook TEXT, program_hash TEXT, program BLOB, mode TEXT, params TEXT,
  scenario_path TEXT, scenario TEXT, policy TEXT, options TEXT, started_by TEXT, status TEXT,
  outcome TEXT, error TEXT, paused_gate TEXT, paused_role TEXT, plan TEXT, plan_hash TEXT,
  created_at INTEGER, updated_at INTEGER);
CREATE TABLE IF NOT EXISTS journal(
  run TEXT, seq INTEGER, kind TEXT, key TEXT, value TEXT, PRIMARY KEY(run, seq));
CREATE TABLE IF NOT EXISTS trace(run TEXT, seq INTEGER, event TEXT, PRIMARY KEY(run, seq));
CREATE TABLE IF NOT EXISTS approvals(
  run TEXT, gate TEXT, decision TEXT, by TEXT, at INTEGER, comment TEXT, plan_hash TEXT);
)";

const char* kColumns =
    "id, runbook, program_hash, program, mode, params, scenario_path, scenario, policy, options, "
    "started_by, status, "
    "outcome, error, paused_gate, paused_role, plan, plan_hash, created_at, updated_at";

RunRecord read_run(Stmt& s) {
  RunRecord r;
  r.id = s.text(0);
  r.runbook = s.text(1);
  r.program_hash = s.text(2);
  r.program = s.text(3);
  r.mode = s.text(4);
  r.params = s.text(5);
  r.scenario_path = s.text(6);
  r.scenario = s.text(7);
  r.policy = s.text(8);
  r.options = s.text(9);
  r.started_by = s.text(10);
  r.status = s.text(11);
  r.outcome = s.text(12);
  r.error = s.text(13);
  r.paused_gate = s.text(14);
  r.paused_role = s.text(15);
  r.plan = s.text(16);
  r.plan_hash = s.text(17);
  r.created_at = s.integer(18);
  r.updated_at = s.integer(19);
  return r;
}

}  // namespace

std::string RunStore::default_path() {
  if (const char* p = std::getenv("RBK_STORE"); p && *p) return p;
  if (const char* x = std::getenv("XDG_STATE_HOME"); x && *x)
    return std::string(x) + "/rbk/runs.db";
  if (const char* h = std::getenv("HOME"); h && *h)
    return std::string(h) + "/.local/state/rbk/runs.db";
  return ".rbk-runs.db";
}

RunStore::RunStore(const std::string& path) : path_(path) {
  std::error_code ec;
  auto dir = std::filesystem::path(path).parent_path();
  if (!dir.empty()) std::filesystem::create_directories(dir, ec);
  if (sqlite3_open(path.c_str(), &db_) != SQLITE_OK) {
    std::string msg = db_ ? sqlite3_errmsg(db_) : "out of memory";
    sqlite3_close(db_);
    db_ = nullptr;
    throw StoreError("cannot open the run store " + path + ": " + msg);
  }
  sqlite3_busy_timeout(db_, 5000);
  exec("PRAGMA journal_mode=WAL");
  exec("PRAGMA synchronous=NORMAL");
  exec(kSchema);
}

RunStore::~RunStore() {
  sqlite3_close(db_);
}

void RunStore::exec(const char* sql) {
  char* err = nullptr;
  if (sqlite3_exec(db_, sql, nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = err ? err : "?";
    sqlite3_free(err);
    throw StoreError("store " + path_ + ": " + msg);
  }
}

void RunStore::create(const RunRecord& r) {
  Stmt s(db_, (std::string("INSERT INTO runs(") + kColumns +
               ") VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)")
                  .c_str());
  s.bind(1, r.id)
      .bind(2, r.runbook)
      .bind(3, r.program_hash)
      .blob(4, r.program)
      .bind(5, r.mode)
      .bind(6, r.params);
  s.bind(7, r.scenario_path)
      .bind(8, r.scenario)
      .bind(9, r.policy)
      .bind(10, r.options)
      .bind(11, r.started_by);
  s.bind(12, r.status)
      .bind(13, r.outcome)
      .bind(14, r.error)
      .bind(15, r.paused_gate)
      .bind(16, r.paused_role);
  s.bind(17, r.plan).bind(18, r.plan_hash).bind(19, r.created_at).bind(20, r.updated_at);
  s.step();
}

void RunStore::update_status(const RunRecord& r) {
  Stmt s(db_,
         "UPDATE runs SET status=?, outcome=?, error=?, paused_gate=?, paused_role=?, plan=?, "
         "plan_hash=?, "
         "updated_at=? WHERE id=?");
  s.bind(1, r.status)
      .bind(2, r.outcome)
      .bind(3, r.error)
      .bind(4, r.paused_gate)
      .bind(5, r.paused_role);
  s.bind(6, r.plan).bind(7, r.plan_hash).bind(8, r.updated_at).bind(9, r.id);
  s.step();
}

std::optional<RunRecord> RunStore::get(const std::string& id) {
  Stmt s(db_, (std::string("SELECT ") + kColumns + " FROM runs WHERE id=?").c_str());
  s.bind(1, id);
  if (!s.step()) return std::nullopt;
  return read_run(s);
}

std::vector<RunRecord> RunStore::list(size_t limit) {
  Stmt s(db_, (std::string("SELECT ") + kColumns +
               " FROM runs ORDER BY created_at DESC, id DESC LIMIT ?")
                  .c_str());
  s.bind(1, static_cast<int64_t>(limit));
  std::vector<RunRecord> out;
  while (s.step()) out.push_back(read_run(s));
  return out;
}

void RunStore::append_journal(const std::string& run, const JournalEntry& e) {
  Stmt s(db_, "INSERT INTO journal(run, seq, kind, key, value) VALUES(?,?,?,?,?)");
  s.bind(1, run).bind(2, e.seq).bind(3, e.kind).bind(4, e.key).bind(5, e.value);
  s.step();
}

std::vector<JournalEntry> RunStore::journal(const std::string& run) {
  Stmt s(db_, "SELECT seq, kind, key, value FROM journal WHERE run=? ORDER BY seq");
  s.bind(1, run);
  std::vector<JournalEntry> out;
  while (s.step()) out.push_back(JournalEntry{s.integer(0), s.text(1), s.text(2), s.text(3)});
  return out;
}

void RunStore::append_trace(const std::string& run, int64_t seq, const std::string& event_json) {
  Stmt s(db_, "INSERT OR REPLACE INTO trace(run, seq, event) VALUES(?,?,?)");
  s.bind(1, run).bind(2, seq).bind(3, event_json);
  s.step();
}

std::vector<std::string> RunStore::trace(const std::string& run) {
  Stmt s(db_, "SELECT event FROM trace WHERE run=? ORDER BY seq");
  s.bind(1, run);
  std::vector<std::string> out;
  while (s.step()) out.push_back(s.text(0));
  return out;
}

void RunStore::add_approval(const std::string& run, const ApprovalRecord& a) {
  Stmt s(db_,
         "INSERT INTO approvals(run, gate, decision, by, at, comment, plan_hash) "
         "VALUES(?,?,?,?,?,?,?)");
  s.bind(1, run)
      .bind(2, a.gate)
      .bind(3, a.decision)
      .bind(4, a.by)
      .bind(5, a.at)
      .bind(6, a.comment)
      .bind(7, a.plan_hash);
  s.step();
}

std::vector<ApprovalRecord> RunStore::approvals(const std::string& run) {
  Stmt s(db_,
         "SELECT gate, decision, by, at, comment, plan_hash FROM approvals WHERE run=? ORDER BY "
         "rowid");
  s.bind(1, run);
  std::vector<ApprovalRecord> out;
  while (s.step())
    out.push_back(
        ApprovalRecord{s.text(0), s.text(1), s.text(2), s.integer(3), s.text(4), s.text(5)});
  return out;
}

}  // namespace rbk
