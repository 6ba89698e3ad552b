// The SQLite run store (run_store.hpp): the one file that includes sqlite3.h.
#include <sqlite3.h>

#include <nlohmann/json.hpp>

#include <chrono>
#include <filesystem>
#include <mutex>
#include <unordered_map>

#include "run/run_store.hpp"
#include "run/store_rows.hpp"
#include "vm/value.hpp"

namespace rbk {

namespace {

// A prepared statement that finalizes itself — or, borrowed from the store's cache of the
// statements a run repeats thousands of times, resets itself for the next use.
class Stmt {
 public:
  Stmt(sqlite3* db, const char* sql) : db_(db) {
    if (sqlite3_prepare_v2(db, sql, -1, &s_, nullptr) != SQLITE_OK)
      throw StoreError(std::string("store: ") + sqlite3_errmsg(db));
  }
  Stmt(sqlite3* db, sqlite3_stmt* cached) : db_(db), s_(cached), owned_(false) {}
  ~Stmt() {
    if (owned_) {
      sqlite3_finalize(s_);
    } else {
      sqlite3_reset(s_);
      sqlite3_clear_bindings(s_);
    }
  }
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;
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
  std::string text(int col) const {
    const void* p = sqlite3_column_blob(s_, col);
    int n = sqlite3_column_bytes(s_, col);
    return p ? std::string(static_cast<const char*>(p), static_cast<size_t>(n)) : std::string();
  }
  std::string bytes(int col) const { return text(col); }  // (a BLOB reads as text does)
  int64_t integer(int col) const { return sqlite3_column_int64(s_, col); }

 private:
  sqlite3* db_;
  sqlite3_stmt* s_ = nullptr;
  bool owned_ = true;
};

const char* kSchema = R"(
CREATE TABLE IF NOT EXISTS runs(
  id TEXT PRIMARY KEY, runbook TEXT, program_hash TEXT, program BLOB, mode TEXT, params TEXT,
  scenario_path TEXT, scenario TEXT, policy TEXT, options TEXT, started_by TEXT, status TEXT,
  outcome TEXT, error TEXT, paused_gate TEXT, paused_role TEXT, plan TEXT, plan_hash TEXT,
  created_at INTEGER, updated_at INTEGER, owner TEXT NOT NULL DEFAULT '',
  questions TEXT NOT NULL DEFAULT '', lease_until INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS journal(
  run TEXT, seq INTEGER, kind TEXT, key TEXT, value TEXT, scope TEXT NOT NULL DEFAULT '',
  PRIMARY KEY(run, seq));
CREATE TABLE IF NOT EXISTS trace(run TEXT, seq INTEGER, event TEXT, PRIMARY KEY(run, seq));
CREATE TABLE IF NOT EXISTS approvals(
  run TEXT, gate TEXT, decision TEXT, by TEXT, at INTEGER, comment TEXT, plan_hash TEXT,
  picks TEXT NOT NULL DEFAULT '');
CREATE TABLE IF NOT EXISTS output(run TEXT, seq INTEGER, line TEXT, PRIMARY KEY(run, seq));
CREATE TABLE IF NOT EXISTS progress(run TEXT PRIMARY KEY, line TEXT);
CREATE TABLE IF NOT EXISTS signals(seq INTEGER PRIMARY KEY, run TEXT, name TEXT, value TEXT,
  sent_by TEXT, sent_at INTEGER, taken_at INTEGER);
CREATE TABLE IF NOT EXISTS tokens(id TEXT PRIMARY KEY, name TEXT, roles TEXT, hash TEXT UNIQUE,
  created_at INTEGER, expires_at INTEGER, revoked_at INTEGER);
CREATE TABLE IF NOT EXISTS browser_sessions(hash TEXT PRIMARY KEY, name TEXT, roles TEXT,
  csrf TEXT, created_at INTEGER, expires_at INTEGER);
CREATE TABLE IF NOT EXISTS audit(seq INTEGER PRIMARY KEY, at INTEGER, actor TEXT, action TEXT,
  run TEXT, plan_hash TEXT, detail TEXT, prev TEXT, hash TEXT);
)";
// PRAGMA user_version: 0 before run owners and output, 1 before journal scopes, 2 before
// gates that ask, 3 before leases (those tables are brought up to date); a store of a
// newer rbk is refused rather than misread.
constexpr int64_t kSchemaVersion = 4;

class SqliteRunStore : public RunStore {
 public:
  explicit SqliteRunStore(const std::string& path);
  ~SqliteRunStore() override {
    if (in_batch_) sqlite3_exec(db_, "COMMIT", nullptr, nullptr, nullptr);
    for (auto& [sql, stmt] : cache_) sqlite3_finalize(stmt);
    sqlite3_close(db_);
  }
  SqliteRunStore(const SqliteRunStore&) = delete;
  SqliteRunStore& operator=(const SqliteRunStore&) = delete;

  void create(const RunRecord& r) override;
  void update_status(const RunRecord& r) override;
  std::optional<RunRecord> get(const std::string& id) override;
  std::vector<RunRecord> list(const RunFilter& filter, size_t limit) override;
  void append_journal(const std::string& run, const JournalEntry& e) override;
  std::vector<JournalEntry> journal(const std::string& run) override;
  void append_trace(const std::string& run, int64_t seq, const std::string& event_json) override;
  std::vector<std::string> trace(const std::string& run, size_t from = 0) override;
  std::vector<RunCount> count_runs() override;
  void add_approval(const std::string& run, const ApprovalRecord& a) override;
  std::vector<ApprovalRecord> approvals(const std::string& run) override;
  bool record_decision(const RunRecord& r, const ApprovalRecord& a, const JournalEntry& e) override;
  bool claim(const std::string& run, const std::string& from, const std::string& to) override;
  void append_output(const std::string& run, const std::string& line) override;
  std::vector<std::string> output(const std::string& run, size_t from) override;
  const std::string& path() const override { return path_; }
  void append_audit(AuditEntry e) override;
  void create_token(const TokenRecord& t) override;
  std::vector<TokenRecord> tokens() override;
  std::optional<TokenRecord> token_with_hash(const std::string& hash) override;
  void create_browser_session(const BrowserSession& b) override;
  std::optional<BrowserSession> browser_session(const std::string& hash, int64_t now) override;
  void end_browser_session(const std::string& hash) override;
  bool revoke_token(const std::string& id, int64_t at) override;
  std::vector<AuditEntry> audit() override;
  void set_progress(const std::string& run, const std::string& line) override {
    Lock lock(mutex_);
    Stmt s = cached(line.empty() ? "DELETE FROM progress WHERE run=?1 AND ?2=''"
                                 : "INSERT OR REPLACE INTO progress(run, line) VALUES(?1, ?2)");
    s.bind(1, run).bind(2, line);
    s.step();
  }
  void send_signal(const std::string& run, const std::string& name, const std::string& value_json,
                   const std::string& by, int64_t at) override {
    Lock lock(mutex_);
    Stmt s = cached(
        "INSERT INTO signals(run, name, value, sent_by, sent_at) VALUES(?1, ?2, ?3, ?4, ?5)");
    s.bind(1, run).bind(2, name).bind(3, value_json).bind(4, by).bind(5, at);
    s.step();
    flush();  // another process waits for it
  }
  std::optional<std::string> take_signal(const std::string& run, const std::string& name,
                                         int64_t at) override {
    Lock lock(mutex_);
    Stmt s = cached(
        "UPDATE signals SET taken_at=?3 WHERE seq=(SELECT seq FROM signals WHERE run=?1 AND "
        "name=?2 AND taken_at IS NULL ORDER BY seq LIMIT 1) RETURNING value");
    s.bind(1, run).bind(2, name).bind(3, at);
    if (!s.step()) return std::nullopt;
    std::string value = s.text(0);
    while (s.step()) {
    }
    flush();
    return value;
  }
  std::string progress(const std::string& run) override {
    Lock lock(mutex_);
    Stmt s = cached("SELECT line FROM progress WHERE run=?");
    s.bind(1, run);
    return s.step() ? s.text(0) : "";
  }
  void append_journal(const std::string& run, const std::vector<JournalEntry>& entries) override;
  std::vector<std::string> renew_leases(const std::string& owner, int64_t lease_ms) override {
    Lock lock(mutex_);
    flush();
    const int64_t until = system_now_ms() + lease_ms;  // one machine: one clock
    Stmt s(db_, "UPDATE runs SET lease_until=? WHERE owner=? AND status='running' RETURNING id");
    s.bind(1, until).bind(2, owner);
    std::vector<std::string> ids;
    while (s.step()) ids.push_back(s.text(0));
    return ids;
  }
  std::vector<std::string> claim_expired(const std::string& label, const std::string& to,
                                         int64_t lease_ms, size_t limit) override;
  void release_leases(const std::string& owner) override {
    Lock lock(mutex_);
    flush();
    Stmt s(db_, "UPDATE runs SET lease_until=1 WHERE owner=? AND status='running'");
    s.bind(1, owner);
    s.step();
  }
  void copy_run(const RunCopy& c) override;
  void copy_audit(const AuditEntry& e) override {
    Lock lock(mutex_);
    flush();
    insert_audit(e);
  }
  void batch_writes(bool on) override {
    Lock lock(mutex_);
    if (!on) flush();
    if (on != batched_)  // (what a killed process wrote stays in the WAL file: only a crash
                         // of the machine loses it, and such a run can be done again)
      exec(on ? "PRAGMA synchronous=OFF" : "PRAGMA synchronous=NORMAL");
    batched_ = on;
  }

 private:
  void exec(const char* sql);
  // Batched writes (batch_writes): a transaction opened by the first write, committed by
  // flush() when it is old or large enough, or before a write that must be durable at once.
  void batch_begin() {
    if (!batched_ || in_batch_ || in_transaction_) return;
    exec("BEGIN");
    in_batch_ = true;
    batch_writes_ = 0;
    batch_started_ = std::chrono::steady_clock::now();
  }
  void batch_end() {
    if (!in_batch_) return;
    if (++batch_writes_ >= 5000 ||
        std::chrono::steady_clock::now() - batch_started_ >= std::chrono::milliseconds(200))
      flush();
  }
  void flush() {
    if (!in_batch_) return;
    in_batch_ = false;
    exec("COMMIT");
  }
  // A statement prepared once (SQL: a string literal, its address the key).
  Stmt cached(const char* sql) {
    sqlite3_stmt*& stmt = cache_[sql];
    if (!stmt && sqlite3_prepare_v2(db_, sql, -1, &stmt, nullptr) != SQLITE_OK)
      throw StoreError(std::string("store: ") + sqlite3_errmsg(db_));
    return Stmt(db_, stmt);
  }
  std::unordered_map<const char*, sqlite3_stmt*> cache_;
  // Every public method holds it: the children of a fleet write from their own threads.
  // (Recursive: record_decision calls the other writers.)
  std::recursive_mutex mutex_;
  using Lock = std::lock_guard<std::recursive_mutex>;
  void insert_journal(const std::string& run, const JournalEntry& e);
  void insert_audit(const AuditEntry& e);
  // The lease_until of a run OWNER takes now (hold_leases; one machine, one clock).
  int64_t lease_of(const std::string& owner) const {
    return lease_ms_ > 0 && !owner.empty() ? system_now_ms() + lease_ms_ : 0;
  }
  bool batched_ = false, in_batch_ = false, in_transaction_ = false;
  size_t batch_writes_ = 0;
  std::chrono::steady_clock::time_point batch_started_;
  void migrate();
  bool has_column(const char* table, const char* column);
  // Runs F in one IMMEDIATE transaction (taking the write lock first, so a
  // compare-and-set inside it cannot race another process); rolled back if F throws.
  template <typename F>
  auto transaction(F f) {
    flush();
    exec("BEGIN IMMEDIATE");
    in_transaction_ = true;
    try {
      auto result = f();
      exec("COMMIT");
      in_transaction_ = false;
      return result;
    } catch (...) {
      sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
      in_transaction_ = false;
      throw;
    }
  }
  std::string path_;
  sqlite3* db_ = nullptr;
};

}  // namespace

SqliteRunStore::SqliteRunStore(const std::string& path) : path_(path) {
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
  try {
    exec("PRAGMA journal_mode=WAL");
    exec("PRAGMA synchronous=NORMAL");
    migrate();
  } catch (...) {  // the destructor does not run for a constructor that throws
    sqlite3_close(db_);
    throw;
  }
}

void SqliteRunStore::exec(const char* sql) {
  char* err = nullptr;
  if (sqlite3_exec(db_, sql, nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = err ? err : "?";
    sqlite3_free(err);
    throw StoreError("store " + path_ + ": " + msg);
  }
}

bool SqliteRunStore::has_column(const char* table, const char* column) {
  Stmt cols(db_, (std::string("PRAGMA table_info(") + table + ")").c_str());
  bool found = false;
  while (cols.step()) found = found || cols.text(1) == column;
  return found;
}

void SqliteRunStore::migrate() {
  int64_t version = 0;
  {
    Stmt v(db_, "PRAGMA user_version");
    if (v.step()) version = v.integer(0);
  }
  if (version > kSchemaVersion)
    throw StoreError("the run store " + path_ + " was written by a newer rbk (schema " +
                     std::to_string(version) + "; this rbk reads up to " +
                     std::to_string(kSchemaVersion) + ")");
  exec(kSchema);
  if (version < 1) {  // a store from before run owners: the runs table lacks the column
    if (!has_column("runs", "owner"))
      exec("ALTER TABLE runs ADD COLUMN owner TEXT NOT NULL DEFAULT ''");
  }
  if (version < 2) {  // a store from before fleet children journaled beside each other
    if (!has_column("journal", "scope"))
      exec("ALTER TABLE journal ADD COLUMN scope TEXT NOT NULL DEFAULT ''");
  }
  if (version < 3) {  // a store from before gates that ask
    if (!has_column("runs", "questions"))
      exec("ALTER TABLE runs ADD COLUMN questions TEXT NOT NULL DEFAULT ''");
    if (!has_column("approvals", "picks"))
      exec("ALTER TABLE approvals ADD COLUMN picks TEXT NOT NULL DEFAULT ''");
  }
  if (version < 4) {  // a store from before leases
    if (!has_column("runs", "lease_until"))
      exec("ALTER TABLE runs ADD COLUMN lease_until INTEGER NOT NULL DEFAULT 0");
  }
  exec(("PRAGMA user_version = " + std::to_string(kSchemaVersion)).c_str());
}

void SqliteRunStore::create(const RunRecord& r) {
  Lock lock(mutex_);
  flush();
  Stmt s(db_, (std::string("INSERT INTO runs(") + kRunColumns +
               ") VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)")
                  .c_str());
  s.bind(1, r.id)
      .bind(2, r.runbook)
      .bind(3, r.program_hash)
      .blob(4, r.program)
      .bind(5, std::string(run_mode_name(r.mode)))
      .bind(6, r.params);
  s.bind(7, r.scenario_path)
      .bind(8, r.scenario)
      .bind(9, r.policy)
      .bind(10, r.options)
      .bind(11, r.started_by);
  s.bind(12, std::string(run_state_name(r.status)))
      .bind(13, r.outcome)
      .bind(14, r.error)
      .bind(15, r.paused_gate)
      .bind(16, r.paused_role);
  s.bind(17, r.plan).bind(18, r.plan_hash).bind(19, r.created_at).bind(20, r.updated_at);
  s.bind(21, r.owner).bind(22, r.questions);
  s.bind(23, lease_ms_ > 0 && !r.owner.empty() ? system_now_ms() + lease_ms_ : r.lease_until);
  s.step();
}

void SqliteRunStore::update_status(const RunRecord& r) {
  Lock lock(mutex_);
  flush();
  Stmt s(db_,
         "UPDATE runs SET status=?, outcome=?, error=?, paused_gate=?, paused_role=?, plan=?, "
         "plan_hash=?, updated_at=?, owner=?9, questions=?, lease_until=CASE WHEN owner=?9 THEN "
         "lease_until ELSE ?12 END WHERE id=?11");
  s.bind(1, std::string(run_state_name(r.status)))
      .bind(2, r.outcome)
      .bind(3, r.error)
      .bind(4, r.paused_gate)
      .bind(5, r.paused_role);
  s.bind(6, r.plan).bind(7, r.plan_hash).bind(8, r.updated_at).bind(9, r.owner);
  s.bind(10, r.questions).bind(11, r.id).bind(12, lease_of(r.owner));
  s.step();
}

bool SqliteRunStore::record_decision(const RunRecord& r, const ApprovalRecord& a,
                                     const JournalEntry& e) {
  Lock lock(mutex_);
  return transaction([&] {
    {
      Stmt still(db_,
                 "SELECT 1 FROM runs WHERE id=? AND status=? AND paused_gate=? AND plan_hash=?");
      still.bind(1, r.id).bind(2, std::string(run_state_name(RunState::Paused)));
      still.bind(3, a.gate).bind(4, a.plan_hash);
      if (!still.step()) return false;
    }
    add_approval(r.id, a);
    append_journal(r.id, e);
    update_status(r);
    return true;
  });
}

bool SqliteRunStore::claim(const std::string& run, const std::string& from, const std::string& to) {
  Lock lock(mutex_);
  flush();
  Stmt s(db_, "UPDATE runs SET owner=?, lease_until=? WHERE id=? AND owner=?");
  s.bind(1, to).bind(2, lease_of(to)).bind(3, run).bind(4, from);
  s.step();
  return sqlite3_changes(db_) == 1;
}

std::vector<std::string> SqliteRunStore::claim_expired(const std::string& label,
                                                       const std::string& to, int64_t lease_ms,
                                                       size_t limit) {
  Lock lock(mutex_);
  const int64_t now = system_now_ms(), until = now + lease_ms;  // one machine: one clock
  return transaction([&] {
    Stmt s(db_,
           "UPDATE runs SET owner=?1, lease_until=?2 WHERE id IN (SELECT id FROM runs WHERE "
           "status='running' AND owner LIKE ?3 AND lease_until > 0 AND lease_until < ?4 ORDER "
           "BY updated_at LIMIT ?5) RETURNING id");
    s.bind(1, to).bind(2, until).bind(3, "%#" + label).bind(4, now);
    s.bind(5, static_cast<int64_t>(limit));
    std::vector<std::string> ids;
    while (s.step()) ids.push_back(s.text(0));
    return ids;
  });
}

void SqliteRunStore::copy_run(const RunCopy& c) {
  Lock lock(mutex_);
  transaction([&] {
    create(c.record);
    for (const auto& e : c.journal) insert_journal(c.record.id, e);
    for (size_t i = 0; i < c.trace.size(); ++i)
      append_trace(c.record.id, static_cast<int64_t>(i + 1), c.trace[i]);
    for (const auto& a : c.approvals) add_approval(c.record.id, a);
    for (const auto& line : c.output) append_output(c.record.id, line);
    return true;
  });
}

void SqliteRunStore::append_output(const std::string& run, const std::string& line) {
  Lock lock(mutex_);
  batch_begin();
  Stmt s = cached(
      "INSERT INTO output(run, seq, line) SELECT ?1, COALESCE(MAX(seq), 0) + 1, ?2 FROM output "
      "WHERE run = ?1");
  s.bind(1, run).bind(2, line);
  s.step();
  batch_end();
}

std::vector<std::string> SqliteRunStore::output(const std::string& run, size_t from) {
  Lock lock(mutex_);
  Stmt s(db_, "SELECT line FROM output WHERE run=? AND seq > ? ORDER BY seq");
  s.bind(1, run).bind(2, static_cast<int64_t>(from));
  std::vector<std::string> out;
  while (s.step()) out.push_back(s.text(0));
  return out;
}

std::optional<RunRecord> SqliteRunStore::get(const std::string& id) {
  Lock lock(mutex_);
  Stmt s(db_, (std::string("SELECT ") + kRunColumns + " FROM runs WHERE id=?").c_str());
  s.bind(1, id);
  if (!s.step()) return std::nullopt;
  return stored_run(s);
}

std::vector<RunRecord> SqliteRunStore::list(const RunFilter& filter, size_t limit) {
  Lock lock(mutex_);
  // An unset filter binds NULL, which the condition lets through.
  Stmt s(db_, (std::string("SELECT ") + kRunColumns +
               " FROM runs WHERE (?1 IS NULL OR status = ?1) AND (?2 IS NULL OR (status = ?4 "
               "AND paused_role = ?2)) AND (?5 IS NULL OR runbook = ?5) AND (?6 IS NULL OR "
               "updated_at > ?6) AND (?7 IS NULL OR started_by = ?7) ORDER BY created_at DESC, id "
               "DESC LIMIT ?3")
                  .c_str());
  s.bind(4, std::string(run_state_name(RunState::Paused)));
  if (filter.status) s.bind(1, std::string(run_state_name(*filter.status)));
  if (!filter.waiting_for.empty()) s.bind(2, filter.waiting_for);
  if (!filter.runbook.empty()) s.bind(5, filter.runbook);
  if (filter.updated_after > 0) s.bind(6, filter.updated_after);
  if (!filter.started_by.empty()) s.bind(7, filter.started_by);
  s.bind(3, static_cast<int64_t>(limit));
  std::vector<RunRecord> out;
  while (s.step()) out.push_back(stored_run(s));
  return out;
}

void SqliteRunStore::insert_journal(const std::string& run, const JournalEntry& e) {
  Stmt s = cached("INSERT INTO journal(run, seq, kind, key, value, scope) VALUES(?,?,?,?,?,?)");
  s.bind(1, run).bind(2, e.seq).bind(3, e.kind).bind(4, e.key).bind(5, e.value).bind(6, e.scope);
  s.step();
}

void SqliteRunStore::append_journal(const std::string& run, const JournalEntry& e) {
  Lock lock(mutex_);
  batch_begin();
  insert_journal(run, e);
  batch_end();
}

void SqliteRunStore::append_journal(const std::string& run,
                                    const std::vector<JournalEntry>& entries) {
  Lock lock(mutex_);
  if (entries.size() == 1 || in_batch_) {
    batch_begin();
    for (const auto& e : entries) insert_journal(run, e);
    batch_end();
    return;
  }
  transaction([&] {
    for (const auto& e : entries) insert_journal(run, e);
    return true;
  });
}

void SqliteRunStore::append_audit(AuditEntry e) {
  Lock lock(mutex_);
  transaction([&] {
    {
      Stmt last(db_, "SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1");
      if (last.step()) {
        e.seq = last.integer(0) + 1;
        e.prev = last.text(1);
      } else {
        e.seq = 1;
        e.prev = "";
      }
    }
    e.hash = audit_hash(e);
    insert_audit(e);
    return true;
  });
}

void SqliteRunStore::insert_audit(const AuditEntry& e) {
  Stmt s(db_,
         "INSERT INTO audit(seq, at, actor, action, run, plan_hash, detail, prev, hash) "
         "VALUES(?,?,?,?,?,?,?,?,?)");
  s.bind(1, e.seq).bind(2, e.at).bind(3, e.actor).bind(4, e.action).bind(5, e.run);
  s.bind(6, e.plan_hash).bind(7, e.detail).bind(8, e.prev).bind(9, e.hash);
  s.step();
}
std::vector<AuditEntry> SqliteRunStore::audit() {
  Lock lock(mutex_);
  Stmt s(db_,
         "SELECT seq, at, actor, action, run, plan_hash, detail, prev, hash FROM audit "
         "ORDER BY seq");
  std::vector<AuditEntry> out;
  while (s.step())
    out.push_back(AuditEntry{s.integer(0), s.integer(1), s.text(2), s.text(3), s.text(4), s.text(5),
                             s.text(6), s.text(7), s.text(8)});
  return out;
}

void SqliteRunStore::create_token(const TokenRecord& t) {
  Lock lock(mutex_);
  flush();
  Stmt s(db_,
         (std::string("INSERT INTO tokens(") + kTokenColumns + ") VALUES(?,?,?,?,?,?,?)").c_str());
  s.bind(1, t.id).bind(2, t.name).bind(3, nlohmann::json(t.roles).dump()).bind(4, t.hash);
  s.bind(5, t.created_at).bind(6, t.expires_at).bind(7, t.revoked_at);
  s.step();
}

std::vector<TokenRecord> SqliteRunStore::tokens() {
  Lock lock(mutex_);
  Stmt s(db_,
         (std::string("SELECT ") + kTokenColumns + " FROM tokens ORDER BY created_at").c_str());
  std::vector<TokenRecord> out;
  while (s.step()) out.push_back(stored_token(s));
  return out;
}

std::optional<TokenRecord> SqliteRunStore::token_with_hash(const std::string& hash) {
  Lock lock(mutex_);
  Stmt s(db_, (std::string("SELECT ") + kTokenColumns + " FROM tokens WHERE hash=?").c_str());
  s.bind(1, hash);
  if (!s.step()) return std::nullopt;
  return stored_token(s);
}

void SqliteRunStore::create_browser_session(const BrowserSession& b) {
  Lock lock(mutex_);
  flush();
  Stmt gone(db_, "DELETE FROM browser_sessions WHERE expires_at <= ?");
  gone.bind(1, b.created_at);
  gone.step();
  Stmt s(db_,
         "INSERT INTO browser_sessions(hash, name, roles, csrf, created_at, expires_at) "
         "VALUES(?,?,?,?,?,?)");
  s.bind(1, b.hash).bind(2, b.name).bind(3, nlohmann::json(b.roles).dump()).bind(4, b.csrf);
  s.bind(5, b.created_at).bind(6, b.expires_at);
  s.step();
}

std::optional<BrowserSession> SqliteRunStore::browser_session(const std::string& hash,
                                                              int64_t now) {
  Lock lock(mutex_);
  Stmt s(db_,
         "SELECT hash, name, roles, csrf, created_at, expires_at FROM browser_sessions WHERE "
         "hash=? AND expires_at > ?");
  s.bind(1, hash).bind(2, now);
  if (!s.step()) return std::nullopt;
  return BrowserSession{s.text(0), s.text(1),    stored_roles(s.text(2)),
                        s.text(3), s.integer(4), s.integer(5)};
}

void SqliteRunStore::end_browser_session(const std::string& hash) {
  Lock lock(mutex_);
  flush();
  Stmt s(db_, "DELETE FROM browser_sessions WHERE hash=?");
  s.bind(1, hash);
  s.step();
}

bool SqliteRunStore::revoke_token(const std::string& id, int64_t at) {
  Lock lock(mutex_);
  flush();
  Stmt s(db_, "UPDATE tokens SET revoked_at=? WHERE id=? AND revoked_at=0");
  s.bind(1, at).bind(2, id);
  s.step();
  return sqlite3_changes(db_) == 1;
}

std::vector<JournalEntry> SqliteRunStore::journal(const std::string& run) {
  Lock lock(mutex_);
  Stmt s(db_, "SELECT seq, kind, key, value, scope FROM journal WHERE run=? ORDER BY seq");
  s.bind(1, run);
  std::vector<JournalEntry> out;
  while (s.step())
    out.push_back(JournalEntry{s.integer(0), s.text(1), s.text(2), s.text(3), s.text(4)});
  return out;
}

void SqliteRunStore::append_trace(const std::string& run, int64_t seq,
                                  const std::string& event_json) {
  Lock lock(mutex_);
  batch_begin();
  Stmt s = cached("INSERT OR REPLACE INTO trace(run, seq, event) VALUES(?,?,?)");
  s.bind(1, run).bind(2, seq).bind(3, event_json);
  s.step();
  batch_end();
}

std::vector<RunCount> SqliteRunStore::count_runs() {
  Lock lock(mutex_);
  Stmt s(db_,
         "SELECT runbook, status, paused_role, COUNT(*), MIN(updated_at) FROM runs GROUP BY "
         "runbook, status, paused_role ORDER BY runbook, status, paused_role");
  std::vector<RunCount> out;
  while (s.step()) {
    std::optional<RunState> state = run_state_named(s.text(1));
    if (!state) continue;  // not written by rbk
    out.push_back({s.text(0), *state, s.text(2), s.integer(3), s.integer(4)});
  }
  return out;
}

std::vector<std::string> SqliteRunStore::trace(const std::string& run, size_t from) {
  Lock lock(mutex_);
  Stmt s(db_, "SELECT event FROM trace WHERE run=? ORDER BY seq LIMIT -1 OFFSET ?");
  s.bind(1, run).bind(2, static_cast<int64_t>(from));
  std::vector<std::string> out;
  while (s.step()) out.push_back(s.text(0));
  return out;
}

void SqliteRunStore::add_approval(const std::string& run, const ApprovalRecord& a) {
  Lock lock(mutex_);
  flush();
  Stmt s(db_,
         "INSERT INTO approvals(run, gate, decision, by, at, comment, plan_hash, picks) "
         "VALUES(?,?,?,?,?,?,?,?)");
  s.bind(1, run)
      .bind(2, a.gate)
      .bind(3, std::string(gate_decision_name(a.decision)))
      .bind(4, a.by)
      .bind(5, a.at)
      .bind(6, a.comment)
      .bind(7, a.plan_hash)
      .bind(8, a.picks.empty() ? std::string() : nlohmann::json(a.picks).dump());
  s.step();
}

std::vector<ApprovalRecord> SqliteRunStore::approvals(const std::string& run) {
  Lock lock(mutex_);
  Stmt s(db_,
         "SELECT gate, decision, by, at, comment, plan_hash, picks FROM approvals WHERE run=? "
         "ORDER BY rowid");
  s.bind(1, run);
  std::vector<ApprovalRecord> out;
  while (s.step()) {
    out.push_back(ApprovalRecord{
        s.text(0), stored_name(gate_decision_named(s.text(1)), run, "decision", s.text(1)),
        s.text(2), s.integer(3), s.text(4), s.text(5)});
    if (std::string picks = s.text(6); !picks.empty()) out.back().picks = stored_picks(run, picks);
  }
  return out;
}

std::unique_ptr<RunStore> open_sqlite_store(const std::string& path) {
  return std::make_unique<SqliteRunStore>(path);
}

}  // namespace rbk
