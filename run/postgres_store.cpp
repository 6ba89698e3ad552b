// The PostgreSQL run store (run_store.hpp): the one file that includes libpq-fe.h. Several
// processes — `rbk serve` replicas on several machines — share one database:
//
// - The schema is a list of numbered migrations (kMigrations), applied at start-up under
//   an advisory lock (replicas starting together apply each once) and recorded in
//   schema_migrations; a database migrated by a newer rbk is refused, not misread.
// - A run's journal and status are fenced by its owner: a process appends to a run's
//   journal, or changes its status, only while the run's record names it as the owner.
//   A replica whose lease expired (partitioned, paused) and whose run another replica took
//   over gets a StoreError at its next write and stops; it never interleaves its entries
//   with the new owner's.
// - A lost connection (the database restarted, a network blip) is re-made, bounded, and
//   the operation done again; the writes are idempotent (a journal entry already there
//   with the same content is the one this process wrote before the connection dropped).
// - NOTIFY rbk_work / LISTEN wake idle replicas when work is released (wait_for_work);
//   NOTIFY rbk_children when children of a foreach are published (wait_for_children).
// - The children of a foreach are a queue shared by the replicas (child_tasks): claimed
//   with FOR UPDATE SKIP LOCKED as leases, journaled in child_journal fenced by their
//   task's owner, reported back to the run that published them.
#include <libpq-fe.h>
#include <poll.h>

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <thread>

#include "run/owner.hpp"
#include "run/run_store.hpp"
#include "run/store_rows.hpp"

namespace rbk {

namespace {

using Clock = std::chrono::steady_clock;

// The migrations, in order; each is applied once, in its own transaction. Never edit one
// that has shipped: add the next.
const char* const kMigrations[] = {
    // 1: the schema of SQLite store version 4, in PostgreSQL's types.
    R"(
CREATE TABLE runs(
  id TEXT PRIMARY KEY, runbook TEXT NOT NULL, program_hash TEXT NOT NULL, program BYTEA NOT NULL,
  mode TEXT NOT NULL, params TEXT NOT NULL, scenario_path TEXT NOT NULL, scenario TEXT NOT NULL,
  policy TEXT NOT NULL, options TEXT NOT NULL, started_by TEXT NOT NULL, status TEXT NOT NULL,
  outcome TEXT NOT NULL, error TEXT NOT NULL, paused_gate TEXT NOT NULL,
  paused_role TEXT NOT NULL, plan TEXT NOT NULL, plan_hash TEXT NOT NULL,
  created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL, owner TEXT NOT NULL DEFAULT '',
  questions TEXT NOT NULL DEFAULT '', lease_until BIGINT NOT NULL DEFAULT 0);
CREATE INDEX runs_by_creation ON runs(created_at DESC, id DESC);
CREATE INDEX runs_running ON runs(status, lease_until) WHERE status = 'running';
CREATE TABLE journal(run TEXT NOT NULL, seq BIGINT NOT NULL, kind TEXT NOT NULL,
  key TEXT NOT NULL, value TEXT NOT NULL, scope TEXT NOT NULL DEFAULT '', PRIMARY KEY(run, seq));
CREATE TABLE trace(run TEXT NOT NULL, seq BIGINT NOT NULL, event TEXT NOT NULL,
  PRIMARY KEY(run, seq));
CREATE TABLE approvals(id BIGSERIAL PRIMARY KEY, run TEXT NOT NULL, gate TEXT NOT NULL,
  decision TEXT NOT NULL, by TEXT NOT NULL, at BIGINT NOT NULL, comment TEXT NOT NULL,
  plan_hash TEXT NOT NULL, picks TEXT NOT NULL DEFAULT '');
CREATE INDEX approvals_by_run ON approvals(run, id);
CREATE TABLE output(run TEXT NOT NULL, seq BIGINT NOT NULL, line TEXT NOT NULL,
  PRIMARY KEY(run, seq));
CREATE TABLE progress(run TEXT PRIMARY KEY, line TEXT NOT NULL);
CREATE TABLE signals(seq BIGSERIAL PRIMARY KEY, run TEXT NOT NULL, name TEXT NOT NULL,
  value TEXT NOT NULL, sent_by TEXT NOT NULL, sent_at BIGINT NOT NULL, taken_at BIGINT);
CREATE INDEX signals_waiting ON signals(run, name, seq) WHERE taken_at IS NULL;
CREATE TABLE tokens(id TEXT PRIMARY KEY, name TEXT NOT NULL, roles TEXT NOT NULL,
  hash TEXT UNIQUE NOT NULL, created_at BIGINT NOT NULL, expires_at BIGINT NOT NULL,
  revoked_at BIGINT NOT NULL);
CREATE TABLE browser_sessions(hash TEXT PRIMARY KEY, name TEXT NOT NULL, roles TEXT NOT NULL,
  csrf TEXT NOT NULL, created_at BIGINT NOT NULL, expires_at BIGINT NOT NULL);
CREATE TABLE audit(seq BIGINT PRIMARY KEY, at BIGINT NOT NULL, actor TEXT NOT NULL,
  action TEXT NOT NULL, run TEXT NOT NULL, plan_hash TEXT NOT NULL, detail TEXT NOT NULL,
  prev TEXT NOT NULL, hash TEXT NOT NULL);
)",
    // 2: the children of foreach nodes, shared by the replicas (RunStore::publish_children).
    R"(
CREATE TABLE child_tasks(id BIGSERIAL, run TEXT NOT NULL, scope TEXT NOT NULL,
  runbook INTEGER NOT NULL, args TEXT NOT NULL, depth INTEGER NOT NULL,
  wave_approved BOOLEAN NOT NULL, state TEXT NOT NULL DEFAULT 'ready',
  owner TEXT NOT NULL DEFAULT '', lease_until BIGINT NOT NULL DEFAULT 0,
  attempts INTEGER NOT NULL DEFAULT 0, report TEXT, done_seq BIGINT,
  PRIMARY KEY(run, scope));
CREATE INDEX child_tasks_open ON child_tasks(run, id) WHERE state <> 'done';
CREATE INDEX child_tasks_held ON child_tasks(owner) WHERE state = 'taken';
CREATE SEQUENCE child_tasks_done;
CREATE TABLE child_journal(id BIGSERIAL PRIMARY KEY, run TEXT NOT NULL, scope TEXT NOT NULL,
  owner TEXT NOT NULL, seq BIGINT NOT NULL, kind TEXT NOT NULL, key TEXT NOT NULL,
  value TEXT NOT NULL, UNIQUE(run, scope, owner, seq));
)",
};
constexpr int64_t kLatest = sizeof kMigrations / sizeof kMigrations[0];

// Advisory lock keys (pg_advisory_lock): one process migrates at a time; one appends to
// the audit chain at a time.
constexpr const char* kMigrationLock = "7262600001";
constexpr const char* kAuditLock = "7262600002";

// The database server's clock in ms since the epoch: leases are measured by it alone.
constexpr const char* kNowMs = "floor(extract(epoch from clock_timestamp()) * 1000)::bigint";

// The lease_until an owner taking a run writes: the database's now + LEASE (hold_leases)
// when OWNER is someone and LEASE is set, else OTHERWISE. (SQL, of parameter names.)
std::string lease_for(const char* owner, const char* lease, const char* otherwise) {
  return std::string("CASE WHEN ") + lease + "::bigint > 0 AND " + owner + "::text <> '' THEN " +
         kNowMs + " + " + lease + "::bigint ELSE " + otherwise + " END";
}

// Trace events buffered before they are written (append_trace).
constexpr size_t kTraceBatch = 256;
constexpr auto kTraceDelay = std::chrono::milliseconds(100);

// How long a lost connection is tried again before the operation fails.
constexpr auto kReconnectFor = std::chrono::seconds(60);

struct ConnectionLost : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct ResultFree {
  void operator()(PGresult* r) const { PQclear(r); }
};

// A statement's result rows (text format: bytea columns come back as \x hex).
class Result {
 public:
  explicit Result(PGresult* r) : r_(r) {}
  int rows() const { return PQntuples(r_.get()); }
  int64_t affected() const {
    const char* n = PQcmdTuples(r_.get());
    return *n ? std::stoll(n) : 0;
  }
  PGresult* raw() const { return r_.get(); }
  bool null(int row, int col) const { return PQgetisnull(r_.get(), row, col); }
  std::string text(int row, int col) const {
    return std::string(PQgetvalue(r_.get(), row, col),
                       static_cast<size_t>(PQgetlength(r_.get(), row, col)));
  }
  int64_t integer(int row, int col) const {
    return null(row, col) ? 0 : std::stoll(PQgetvalue(r_.get(), row, col));
  }
  std::string bytes(int row, int col) const {
    size_t n = 0;
    unsigned char* b =
        PQunescapeBytea(reinterpret_cast<const unsigned char*>(PQgetvalue(r_.get(), row, col)), &n);
    if (!b) throw StoreError("store: out of memory reading a program");
    std::string out(reinterpret_cast<const char*>(b), n);
    PQfreemem(b);
    return out;
  }

 private:
  std::unique_ptr<PGresult, ResultFree> r_;
};

// A statement's parameters: text, or NULL, or binary bytes (a bytea).
class Params {
 public:
  Params& text(std::string v) {
    values_.push_back(std::move(v));
    null_.push_back(false);
    binary_.push_back(0);
    return *this;
  }
  Params& integer(int64_t v) { return text(std::to_string(v)); }
  Params& null() {
    text("");
    null_.back() = true;
    return *this;
  }
  Params& bytes(std::string v) {
    text(std::move(v));
    binary_.back() = 1;
    return *this;
  }
  int size() const { return static_cast<int>(values_.size()); }
  // Pointers into the values, valid while this lives.
  std::vector<const char*> pointers() const {
    std::vector<const char*> p;
    for (size_t i = 0; i < values_.size(); ++i) p.push_back(null_[i] ? nullptr : values_[i].data());
    return p;
  }
  std::vector<int> lengths() const {
    std::vector<int> n;
    for (const auto& v : values_) n.push_back(static_cast<int>(v.size()));
    return n;
  }
  const int* formats() const { return binary_.data(); }

 private:
  std::vector<std::string> values_;
  std::vector<bool> null_;
  std::vector<int> binary_;
};

// TEXTS as a PostgreSQL array literal ({"a","b\"c"}), for unnest($n::text[]).
std::string pg_array(const std::vector<std::string>& texts) {
  std::string out = "{";
  for (size_t i = 0; i < texts.size(); ++i) {
    if (i) out += ',';
    out += '"';
    for (char c : texts[i]) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    out += '"';
  }
  return out + "}";
}

// A group of journal entries as the arrays one INSERT … SELECT FROM unnest(…) takes.
struct EntryArrays {
  std::string seqs, kinds, keys, values, scopes;
};
EntryArrays entry_arrays(const std::vector<JournalEntry>& entries) {
  std::vector<std::string> seqs, kinds, keys, values, scopes;
  for (const auto& e : entries) {
    seqs.push_back(std::to_string(e.seq));
    kinds.push_back(e.kind);
    keys.push_back(e.key);
    values.push_back(e.value);
    scopes.push_back(e.scope);
  }
  return {pg_array(seqs), pg_array(kinds), pg_array(keys), pg_array(values), pg_array(scopes)};
}

// postgresql://user:secret@host/db -> postgresql://user@host/db: what messages may show.
std::string without_password(const std::string& url) {
  size_t scheme = url.find("://");
  if (scheme == std::string::npos) return url;
  size_t at = url.find('@', scheme + 3);
  if (at == std::string::npos) return url;
  size_t colon = url.find(':', scheme + 3);
  if (colon == std::string::npos || colon > at) return url;
  return url.substr(0, colon) + url.substr(at);
}

// The libpq error of CONN as one line.
std::string pg_error(PGconn* conn) {
  std::string msg = conn ? PQerrorMessage(conn) : "out of memory";
  while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' ')) msg.pop_back();
  for (char& c : msg)
    if (c == '\n') c = ' ';
  return msg;
}

// One row of a Result, as stored_run and stored_token read it.
struct Row {
  const Result& result;
  int row;
  std::string text(int col) const { return result.text(row, col); }
  std::string bytes(int col) const { return result.bytes(row, col); }
  int64_t integer(int col) const { return result.integer(row, col); }
};

class PostgresRunStore : public RunStore {
 private:  // (first: the member functions below deduce their types from these)
  using Lock = std::lock_guard<std::recursive_mutex>;

  PGconn* connect() {
    PGconn* c = PQconnectdb(url_.c_str());
    if (PQstatus(c) != CONNECTION_OK) {
      std::string msg = pg_error(c);
      PQfinish(c);
      throw StoreError("cannot open the run store " + shown_ + ": " + msg);
    }
    PQclear(PQexec(c, "SET client_min_messages = warning"));
    return c;
  }

  // Runs SQL; a lost connection throws ConnectionLost (read/write/transaction redo the
  // operation once it is back), any other failure StoreError.
  Result exec(const std::string& sql, const Params& p) {
    std::vector<const char*> values = p.pointers();
    std::vector<int> lengths = p.lengths();
    // (Without parameters, the simple protocol: a migration is several statements.)
    Result r(p.size() == 0 ? PQexec(conn_, sql.c_str()) : nullptr);
    if (p.size() > 0) {
      // Each statement is prepared once per connection: planning, not executing, is most of
      // what a small statement costs the server (a fan-out's children send thousands).
      auto it = prepared_.find(sql);
      if (it == prepared_.end()) {
        std::string name = "rbk" + std::to_string(prepared_.size());
        Result made(PQprepare(conn_, name.c_str(), sql.c_str(), p.size(), nullptr));
        if (PQresultStatus(made.raw()) != PGRES_COMMAND_OK) {
          if (PQstatus(conn_) != CONNECTION_OK) throw ConnectionLost(pg_error(conn_));
          throw StoreError("store " + shown_ + ": " + pg_error(conn_));
        }
        it = prepared_.emplace(sql, std::move(name)).first;
      }
      r = Result(PQexecPrepared(conn_, it->second.c_str(), p.size(), values.data(), lengths.data(),
                                p.formats(), 0));
    }
    ExecStatusType status = PQresultStatus(r.raw());
    if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) return r;
    if (PQstatus(conn_) != CONNECTION_OK) throw ConnectionLost(pg_error(conn_));
    const char* detail = r.raw() ? PQresultErrorMessage(r.raw()) : "";
    std::string msg = *detail ? detail : pg_error(conn_);
    while (!msg.empty() && msg.back() == '\n') msg.pop_back();
    if (in_batch_) {  // the batch's transaction is aborted: its writes are lost with it
      in_batch_ = false;
      PQclear(PQexec(conn_, "ROLLBACK"));
    }
    throw StoreError("store " + shown_ + ": " + msg);
  }

  // Makes the connection again, trying for kReconnectFor; StoreError when it stays down.
  void reconnect(const std::string& why) {
    in_batch_ = in_transaction_ = false;  // whatever was open is gone with the connection
    prepared_.clear();                    // and its prepared statements
    auto until = Clock::now() + kReconnectFor;
    auto pause = std::chrono::milliseconds(100);
    for (;;) {
      PQreset(conn_);
      if (PQstatus(conn_) == CONNECTION_OK) {
        PQclear(PQexec(conn_, "SET client_min_messages = warning"));
        return;
      }
      if (Clock::now() >= until)
        throw StoreError("store " + shown_ + ": the connection was lost (" + why +
                         ") and could not be made again: " + pg_error(conn_));
      std::this_thread::sleep_for(pause);
      pause = std::min(pause * 2, std::chrono::milliseconds(2000));
    }
  }

  // F again after a lost connection is re-made (F must be safe to do twice).
  template <typename F>
  auto retrying(F f) {
    for (;;) {
      try {
        return f();
      } catch (const ConnectionLost& e) {
        if (in_transaction_) {  // an enclosing transaction is redone as a whole
          in_transaction_ = false;
          throw;
        }
        const bool batch_lost = in_batch_;
        reconnect(e.what());
        // A batch's earlier writes went with the connection: going on would leave a hole
        // in the journal. The run stops; resuming it does them again.
        if (batch_lost)
          throw StoreError("store " + shown_ +
                           ": the connection was lost with writes not yet "
                           "committed (" +
                           e.what() + "): resume the run");
      }
    }
  }
  template <typename F>
  auto read(F f) {
    return retrying(f);
  }
  // A write: joins the batch of a scenario run, else commits on its own.
  template <typename F>
  auto write(F f) {
    return retrying([&] {
      batch_begin();
      if constexpr (std::is_void_v<decltype(f())>) {
        f();
        batch_end();
      } else {
        auto result = f();
        batch_end();
        return result;
      }
    });
  }
  template <typename F>
  auto transaction(F f) {
    return retrying([&] {
      flush();
      exec("BEGIN", Params{});
      in_transaction_ = true;
      try {
        auto result = f();
        exec("COMMIT", Params{});
        in_transaction_ = false;
        return result;
      } catch (const ConnectionLost&) {
        in_transaction_ = false;
        throw;
      } catch (...) {
        in_transaction_ = false;
        PQclear(PQexec(conn_, "ROLLBACK"));
        throw;
      }
    });
  }
  void batch_begin() {
    if (!batched_ || in_batch_ || in_transaction_) return;
    exec("BEGIN", Params{});
    exec("SET LOCAL synchronous_commit = off", Params{});
    in_batch_ = true;
    batch_writes_ = 0;
    batch_started_ = Clock::now();
  }
  void batch_end() {
    if (!in_batch_) return;
    if (++batch_writes_ >= 5000 || Clock::now() - batch_started_ >= std::chrono::milliseconds(200))
      flush();
  }
  void flush() {
    if (!in_batch_) return;
    in_batch_ = false;
    exec("COMMIT", Params{});
  }

 public:
  explicit PostgresRunStore(const std::string& url) : url_(url), shown_(without_password(url)) {
    conn_ = connect();
    try {
      migrate();
    } catch (...) {
      PQfinish(conn_);
      throw;
    }
  }
  ~PostgresRunStore() override {
    try {
      flush_trace();
    } catch (const std::exception&) {  // (gone with the database: resuming emits them again)
    }
    if (in_batch_) PQclear(PQexec(conn_, "COMMIT"));
    PQfinish(conn_);
    for (Listener* l : {&work_listener_, &children_listener_})
      if (l->conn) PQfinish(l->conn);
  }
  PostgresRunStore(const PostgresRunStore&) = delete;
  PostgresRunStore& operator=(const PostgresRunStore&) = delete;

  const std::string& path() const override { return shown_; }

  void create(const RunRecord& r) override {
    Lock lock(mutex_);
    write([&] {
      Params p = run_params(r);
      p.integer(lease_ms_);
      exec(std::string("INSERT INTO runs(") + kRunColumns +
               ") VALUES($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19,$20,"
               "$21,$22," +
               lease_for("$21", "$24", "$23") + ") ON CONFLICT (id) DO NOTHING",
           p);
    });
  }

  void update_status(const RunRecord& r) override {
    Lock lock(mutex_);
    flush_trace();
    write([&] {
      Params p;
      p.text(run_state_name(r.status)).text(r.outcome).text(r.error).text(r.paused_gate);
      p.text(r.paused_role).text(r.plan).text(r.plan_hash).integer(r.updated_at).text(r.owner);
      p.text(r.questions).text(r.id).text(this_process()).integer(lease_ms_);
      // Fenced: a process that lost the run to another writes nothing.
      Result res = exec(
          "UPDATE runs SET status=$1, outcome=$2, error=$3, paused_gate=$4, paused_role=$5, "
          "plan=$6, plan_hash=$7, updated_at=$8, owner=$9, questions=$10, "
          "lease_until=CASE WHEN $9 = owner THEN lease_until ELSE " +
              lease_for("$9", "$13", "0") +
              " END "
              "WHERE id=$11 AND (owner=$12 OR owner='' OR owner=$9)",
          p);
      if (res.affected() == 0) refuse_stale(r.id);
    });
  }

  bool record_decision(const RunRecord& r, const ApprovalRecord& a,
                       const JournalEntry& e) override {
    Lock lock(mutex_);
    return transaction([&] {
      Params still;
      still.text(r.id).text(run_state_name(RunState::Paused)).text(a.gate).text(a.plan_hash);
      Result s = exec(
          "SELECT 1 FROM runs WHERE id=$1 AND status=$2 AND paused_gate=$3 AND plan_hash=$4 "
          "FOR UPDATE",
          still);
      if (s.rows() == 0) return false;
      insert_approval(r.id, a);
      Params j;
      j.text(r.id).integer(e.seq).text(e.kind).text(e.key).text(e.value).text(e.scope);
      exec("INSERT INTO journal(run, seq, kind, key, value, scope) VALUES($1,$2,$3,$4,$5,$6)", j);
      Params u;
      u.text(run_state_name(r.status)).text(r.paused_gate).text(r.paused_role).text(r.plan);
      u.text(r.plan_hash).integer(r.updated_at).text(r.owner).text(r.questions).text(r.id);
      u.integer(lease_ms_);
      exec(
          "UPDATE runs SET status=$1, paused_gate=$2, paused_role=$3, plan=$4, plan_hash=$5, "
          "updated_at=$6, owner=$7, questions=$8, lease_until=" +
              lease_for("$7", "$10", "0") + " WHERE id=$9",
          u);
      return true;
    });
  }

  bool claim(const std::string& run, const std::string& from, const std::string& to) override {
    Lock lock(mutex_);
    return write([&] {
      Params p;
      p.text(to).text(run).text(from).integer(lease_ms_);
      return exec("UPDATE runs SET owner=$1, lease_until=" + lease_for("$1", "$4", "0") +
                      " WHERE id=$2 AND owner=$3",
                  p)
                 .affected() == 1;
    });
  }

  std::vector<std::string> renew_leases(const std::string& owner, int64_t lease_ms) override {
    Lock lock(mutex_);
    return write([&] {
      Params p;
      p.integer(lease_ms).text(owner);
      exec(std::string("UPDATE child_tasks SET lease_until=") + kNowMs +
               " + $1 WHERE owner=$2 AND state='taken'",
           p);
      Result r = exec(std::string("UPDATE runs SET lease_until=") + kNowMs +
                          " + $1 WHERE owner=$2 AND status='running' RETURNING id",
                      p);
      std::vector<std::string> ids;
      for (int i = 0; i < r.rows(); ++i) ids.push_back(r.text(i, 0));
      return ids;
    });
  }

  std::vector<std::string> claim_expired(const std::string& label, const std::string& to,
                                         int64_t lease_ms, size_t limit) override {
    Lock lock(mutex_);
    return write([&] {
      Params p;
      p.text(to).integer(lease_ms).text("%#" + label).integer(static_cast<int64_t>(limit));
      // SKIP LOCKED: replicas looking at once each take different runs, none waits.
      Result r = exec(std::string("UPDATE runs SET owner=$1, lease_until=") + kNowMs +
                          " + $2 WHERE id IN (SELECT id FROM runs WHERE status='running' AND "
                          "owner LIKE $3 AND lease_until > 0 AND lease_until < " +
                          kNowMs +
                          " ORDER BY updated_at LIMIT $4 FOR UPDATE SKIP LOCKED) "
                          "RETURNING id",
                      p);
      std::vector<std::string> ids;
      for (int i = 0; i < r.rows(); ++i) ids.push_back(r.text(i, 0));
      return ids;
    });
  }

  void release_leases(const std::string& owner) override {
    Lock lock(mutex_);
    write([&] {
      Params p;
      p.text(owner);
      exec("UPDATE runs SET lease_until=1 WHERE owner=$1 AND status='running'", p);
      exec("UPDATE child_tasks SET lease_until=1 WHERE owner=$1 AND state='taken'", p);
      exec("NOTIFY rbk_work", Params{});
      exec("NOTIFY rbk_children", Params{});
    });
  }

  bool shares_children() const override { return true; }

  void publish_children(const std::string& run,
                        const std::vector<StoredChildTask>& tasks) override {
    if (tasks.empty()) return;
    Lock lock(mutex_);
    write([&] {
      std::vector<std::string> scopes, runbooks, args, depths, approved;
      for (const auto& t : tasks) {
        scopes.push_back(t.scope);
        runbooks.push_back(std::to_string(t.runbook));
        args.push_back(t.args);
        depths.push_back(std::to_string(t.depth));
        approved.push_back(t.wave_approved ? "t" : "f");
      }
      Params p;
      p.text(run).text(pg_array(scopes)).text(pg_array(runbooks)).text(pg_array(args));
      p.text(pg_array(depths)).text(pg_array(approved));
      exec(
          "INSERT INTO child_tasks(run, scope, runbook, args, depth, wave_approved) "
          "SELECT $1, s, r, a, d, w FROM unnest($2::text[], $3::int[], $4::text[], $5::int[], "
          "$6::boolean[]) AS t(s, r, a, d, w) ON CONFLICT (run, scope) DO NOTHING",
          p);
      exec("NOTIFY rbk_children", Params{});
    });
  }

  std::vector<StoredChildTask> claim_children(const std::string& owner, int64_t lease_ms,
                                              size_t limit) override {
    Lock lock(mutex_);
    return write([&] {
      Params p;
      p.text(owner).integer(lease_ms).integer(static_cast<int64_t>(limit));
      // SKIP LOCKED: replicas claiming at once each take different children, none waits.
      // (Per running run, its open children in order along child_tasks_open: a plain index
      // scan, which passes over the entries of children done since.)
      Result r = exec(
          std::string("UPDATE child_tasks t SET state='taken', owner=$1, attempts=attempts+1, "
                      "lease_until=") +
              kNowMs +
              " + $2 FROM (SELECT c.run, c.scope FROM runs, LATERAL (SELECT run, scope, id FROM "
              "child_tasks WHERE run=runs.id AND state <> 'done' AND (state='ready' OR "
              "lease_until < " +
              kNowMs +
              ") ORDER BY id LIMIT $3 FOR UPDATE SKIP LOCKED) c WHERE runs.status='running' "
              "ORDER BY c.id LIMIT $3) s WHERE t.run=s.run AND t.scope=s.scope RETURNING t.run, "
              "t.scope, t.runbook, t.args, t.depth, t.wave_approved, t.attempts",
          p);
      std::vector<StoredChildTask> out;
      for (int i = 0; i < r.rows(); ++i)
        out.push_back(StoredChildTask{r.text(i, 0), r.text(i, 1),
                                      static_cast<uint32_t>(r.integer(i, 2)), r.text(i, 3),
                                      static_cast<int>(r.integer(i, 4)), r.text(i, 5) == "t",
                                      static_cast<int>(r.integer(i, 6))});
      return out;
    });
  }

  std::vector<JournalEntry> child_journal(const std::string& run,
                                          const std::string& scope) override {
    Lock lock(mutex_);
    return read([&] {
      Params p;
      p.text(run).text(scope);
      Result r = exec(
          "SELECT seq, kind, key, value FROM child_journal WHERE run=$1 AND scope=$2 ORDER BY id",
          p);
      std::vector<JournalEntry> out;
      for (int i = 0; i < r.rows(); ++i)
        out.push_back(
            JournalEntry{r.integer(i, 0), r.text(i, 1), r.text(i, 2), r.text(i, 3), scope});
      return out;
    });
  }

  void append_child_journal(const std::string& run, const std::string& owner,
                            const std::vector<JournalEntry>& entries) override {
    if (entries.empty()) return;
    Lock lock(mutex_);
    write([&] {
      const EntryArrays a = entry_arrays(entries);
      Params p;
      p.text(run).text(owner).text(a.seqs).text(a.kinds).text(a.keys).text(a.values).text(a.scopes);
      // Fenced by each child's task; an entry there already (sent again after a lost
      // connection: the same owner and seq) is not written twice.
      Result r = exec(
          // (LATERAL … LIMIT 1: a key lookup per entry, whatever the plan; a semi-join
          // would read every child of the run)
          "INSERT INTO child_journal(run, scope, owner, seq, kind, key, value) "
          "SELECT $1, sc, $2, s, k, ky, v FROM unnest($3::bigint[], $4::text[], $5::text[], "
          "$6::text[], $7::text[]) AS u(s, k, ky, v, sc), LATERAL (SELECT 1 FROM child_tasks t "
          "WHERE t.run=$1 AND t.scope=u.sc AND t.owner=$2 AND t.state <> 'ready' LIMIT 1) held "
          "ON CONFLICT (run, scope, owner, seq) DO NOTHING",
          p);
      if (r.affected() == static_cast<int64_t>(entries.size())) return;
      Params q;
      q.text(run).text(owner).text(a.seqs).text(a.scopes);
      if (exec("SELECT 1 FROM unnest($3::bigint[], $4::text[]) AS u(s, sc) WHERE NOT EXISTS "
               "(SELECT 1 FROM child_journal j WHERE j.run=$1 AND j.owner=$2 AND j.scope=u.sc "
               "AND j.seq=u.s)",
               q)
              .rows() > 0)
        throw StoreError("store " + shown_ + ": a child of run " + run +
                         " was taken over by another process (this one's lease ran out)");
    });
  }

  bool finish_child(const std::string& run, const std::string& scope, const std::string& owner,
                    const std::string& report) override {
    Lock lock(mutex_);
    return write([&] {
      Params p;
      p.text(run).text(scope).text(owner).text(report);
      if (exec("UPDATE child_tasks SET state='done', report=$4, lease_until=0, "
               "done_seq=nextval('child_tasks_done') WHERE run=$1 AND scope=$2 AND owner=$3 AND "
               "state='taken'",
               p)
              .affected() == 1)
        return true;
      // Done already by this owner: the same write sent again after a lost connection.
      Params q;
      q.text(run).text(scope).text(owner);
      return exec(
                 "SELECT 1 FROM child_tasks WHERE run=$1 AND scope=$2 AND owner=$3 AND "
                 "state='done'",
                 q)
                 .rows() == 1;
    });
  }

  void release_child(const std::string& run, const std::string& scope,
                     const std::string& owner) override {
    Lock lock(mutex_);
    write([&] {
      Params p;
      p.text(run).text(scope).text(owner);
      exec(
          "UPDATE child_tasks SET lease_until=1 WHERE run=$1 AND scope=$2 AND owner=$3 AND "
          "state='taken'",
          p);
      exec("NOTIFY rbk_children", Params{});
    });
  }

  std::vector<std::pair<std::string, std::string>> finished_children(
      const std::string& run, const std::vector<std::string>& scopes) override {
    Lock lock(mutex_);
    return read([&] {
      Params p;
      p.text(run).text(pg_array(scopes));
      Result r = exec(
          "SELECT t.scope, t.report FROM unnest($2::text[]) AS u(sc), LATERAL (SELECT scope, "
          "report, done_seq FROM child_tasks c WHERE c.run=$1 AND c.scope=u.sc AND "
          "c.state='done' LIMIT 1) t ORDER BY t.done_seq",
          p);
      std::vector<std::pair<std::string, std::string>> out;
      for (int i = 0; i < r.rows(); ++i) out.emplace_back(r.text(i, 0), r.text(i, 1));
      return out;
    });
  }

  std::vector<std::string> withdraw_children(const std::string& run,
                                             const std::vector<std::string>& scopes) override {
    Lock lock(mutex_);
    return write([&] {
      Params p;
      p.text(run).text(pg_array(scopes));
      Result r = exec(
          "DELETE FROM child_tasks WHERE run=$1 AND scope = ANY($2::text[]) AND state='ready' "
          "RETURNING scope",
          p);
      std::vector<std::string> out;
      for (int i = 0; i < r.rows(); ++i) out.push_back(r.text(i, 0));
      return out;
    });
  }

  bool wait_for_children(std::chrono::milliseconds timeout) override {
    return wait_for(children_listener_, "rbk_children", timeout);
  }

  bool wait_for_work(std::chrono::milliseconds timeout) override {
    return wait_for(work_listener_, "rbk_work", timeout);
  }

  struct Listener {
    std::mutex mutex;
    PGconn* conn = nullptr;
  };
  // Waits for a NOTIFY on CHANNEL, on L's connection (made, and LISTENing, when missing).
  bool wait_for(Listener& l, const char* channel, std::chrono::milliseconds timeout) {
    std::lock_guard lock(l.mutex);
    if (!l.conn || PQstatus(l.conn) != CONNECTION_OK) {
      if (l.conn) PQfinish(l.conn);
      l.conn = PQconnectdb(url_.c_str());
      if (PQstatus(l.conn) != CONNECTION_OK ||
          PQresultStatus(
              Result(PQexec(l.conn, (std::string("LISTEN ") + channel).c_str())).raw()) !=
              PGRES_COMMAND_OK) {
        PQfinish(l.conn);
        l.conn = nullptr;
        std::this_thread::sleep_for(timeout);
        return false;
      }
    }
    auto take = [&] {
      PQconsumeInput(l.conn);
      bool any = false;
      while (PGnotify* n = PQnotifies(l.conn)) {
        any = true;
        PQfreemem(n);
      }
      return any;
    };
    if (take()) return true;
    pollfd fd{PQsocket(l.conn), POLLIN, 0};
    if (::poll(&fd, 1, static_cast<int>(timeout.count())) <= 0) return false;
    return take();
  }

  std::optional<RunRecord> get(const std::string& id) override {
    Lock lock(mutex_);
    return read([&]() -> std::optional<RunRecord> {
      Params p;
      p.text(id);
      Result r = exec(std::string("SELECT ") + kRunColumns + " FROM runs WHERE id=$1", p);
      if (r.rows() == 0) return std::nullopt;
      return stored_run(Row{r, 0});
    });
  }

  std::vector<RunRecord> list(const RunFilter& filter, size_t limit) override {
    Lock lock(mutex_);
    return read([&] {
      Params p;  // an unset filter is NULL, which the condition lets through
      filter.status ? p.text(run_state_name(*filter.status)) : p.null();
      filter.waiting_for.empty() ? p.null() : p.text(filter.waiting_for);
      p.integer(static_cast<int64_t>(limit)).text(run_state_name(RunState::Paused));
      filter.runbook.empty() ? p.null() : p.text(filter.runbook);
      filter.updated_after > 0 ? p.integer(filter.updated_after) : p.null();
      filter.started_by.empty() ? p.null() : p.text(filter.started_by);
      Result r = exec(
          std::string("SELECT ") + kRunColumns +
              " FROM runs WHERE ($1::text IS NULL OR status = $1) AND ($2::text IS NULL OR "
              "(status = $4 AND paused_role = $2)) AND ($5::text IS NULL OR runbook = $5) AND "
              "($6::bigint IS NULL OR updated_at > $6) AND ($7::text IS NULL OR started_by = $7) "
              "ORDER BY created_at DESC, id DESC LIMIT $3",
          p);
      std::vector<RunRecord> out;
      for (int i = 0; i < r.rows(); ++i) out.push_back(stored_run(Row{r, i}));
      return out;
    });
  }

  std::vector<RunCount> count_runs() override {
    Lock lock(mutex_);
    return read([&] {
      Result r = exec(
          "SELECT runbook, status, paused_role, COUNT(*), MIN(updated_at) FROM runs GROUP BY "
          "runbook, status, paused_role ORDER BY runbook, status, paused_role",
          Params{});
      std::vector<RunCount> out;
      for (int i = 0; i < r.rows(); ++i) {
        std::optional<RunState> state = run_state_named(r.text(i, 1));
        if (!state) continue;  // not written by rbk
        out.push_back({r.text(i, 0), *state, r.text(i, 2), r.integer(i, 3), r.integer(i, 4)});
      }
      return out;
    });
  }

  void append_journal(const std::string& run, const JournalEntry& e) override {
    append_journal(run, std::vector<JournalEntry>{e});
  }

  void append_journal(const std::string& run, const std::vector<JournalEntry>& entries) override {
    Lock lock(mutex_);
    flush_trace();  // the trace up to here first, as the journal's commit is the run's pace
    write([&] {
      const EntryArrays a = entry_arrays(entries);
      Params p;
      p.text(run).text(a.seqs).text(a.kinds).text(a.keys).text(a.values).text(a.scopes);
      p.text(this_process());
      // One statement for the group, fenced by the owner.
      Result r = exec(
          "INSERT INTO journal(run, seq, kind, key, value, scope) SELECT $1, s, k, ky, v, sc "
          "FROM unnest($2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[]) AS "
          "t(s, k, ky, v, sc) WHERE EXISTS (SELECT 1 FROM runs WHERE id=$1 AND owner=$7) "
          "ON CONFLICT (run, seq) DO NOTHING",
          p);
      if (r.affected() == static_cast<int64_t>(entries.size())) return;
      // Some were there already: this process's own writes, sent again after a lost
      // connection, when they say the same; else the run is another's now.
      for (const auto& e : entries) {
        Params q;
        q.text(run).integer(e.seq).text(e.kind).text(e.key).text(e.value).text(e.scope);
        if (exec("SELECT 1 FROM journal WHERE run=$1 AND seq=$2 AND kind=$3 AND key=$4 AND "
                 "value=$5 AND scope=$6",
                 q)
                .rows() == 1)
          continue;
        refuse_stale(run);
      }
    });
  }

  std::vector<JournalEntry> journal(const std::string& run) override {
    Lock lock(mutex_);
    return read([&] {
      Params p;
      p.text(run);
      Result r =
          exec("SELECT seq, kind, key, value, scope FROM journal WHERE run=$1 ORDER BY seq", p);
      std::vector<JournalEntry> out;
      for (int i = 0; i < r.rows(); ++i)
        out.push_back(
            JournalEntry{r.integer(i, 0), r.text(i, 1), r.text(i, 2), r.text(i, 3), r.text(i, 4)});
      return out;
    });
  }

  // Trace events wait in a buffer, written together (kTraceBatch of them, or the oldest
  // kTraceDelay old), and before the journal's next commit, a status change, or a read of
  // a trace: a round trip each would be most of a fan-out's time. Events lost with a
  // killed process are emitted again when the run is resumed (run/trace_sinks.hpp).
  void append_trace(const std::string& run, int64_t seq, const std::string& event_json) override {
    Lock lock(mutex_);
    if (trace_buffer_.empty()) trace_oldest_ = Clock::now();
    trace_buffer_.push_back({run, seq, event_json});
    if (trace_buffer_.size() >= kTraceBatch || Clock::now() - trace_oldest_ >= kTraceDelay)
      flush_trace();
  }

  std::vector<std::string> trace(const std::string& run, size_t from) override {
    Lock lock(mutex_);
    flush_trace();
    return read([&] {
      Params p;
      p.text(run).integer(static_cast<int64_t>(from));
      Result r = exec("SELECT event FROM trace WHERE run=$1 ORDER BY seq OFFSET $2", p);
      std::vector<std::string> out;
      for (int i = 0; i < r.rows(); ++i) out.push_back(r.text(i, 0));
      return out;
    });
  }

  void add_approval(const std::string& run, const ApprovalRecord& a) override {
    Lock lock(mutex_);
    write([&] { insert_approval(run, a); });
  }

  std::vector<ApprovalRecord> approvals(const std::string& run) override {
    Lock lock(mutex_);
    return read([&] {
      Params p;
      p.text(run);
      Result r = exec(
          "SELECT gate, decision, by, at, comment, plan_hash, picks FROM approvals WHERE run=$1 "
          "ORDER BY id",
          p);
      std::vector<ApprovalRecord> out;
      for (int i = 0; i < r.rows(); ++i) {
        out.push_back(ApprovalRecord{
            r.text(i, 0),
            stored_name(gate_decision_named(r.text(i, 1)), run, "decision", r.text(i, 1)),
            r.text(i, 2), r.integer(i, 3), r.text(i, 4), r.text(i, 5)});
        if (std::string picks = r.text(i, 6); !picks.empty())
          out.back().picks = stored_picks(run, picks);
      }
      return out;
    });
  }

  void append_output(const std::string& run, const std::string& line) override {
    Lock lock(mutex_);
    write([&] {
      Params p;
      p.text(run).text(line);
      exec(
          "INSERT INTO output(run, seq, line) SELECT $1, COALESCE(MAX(seq), 0) + 1, $2 FROM "
          "output WHERE run = $1",
          p);
    });
  }

  std::vector<std::string> output(const std::string& run, size_t from) override {
    Lock lock(mutex_);
    return read([&] {
      Params p;
      p.text(run).integer(static_cast<int64_t>(from));
      Result r = exec("SELECT line FROM output WHERE run=$1 AND seq > $2 ORDER BY seq", p);
      std::vector<std::string> out;
      for (int i = 0; i < r.rows(); ++i) out.push_back(r.text(i, 0));
      return out;
    });
  }

  void append_audit(AuditEntry e) override {
    Lock lock(mutex_);
    transaction([&] {
      // Replicas append one at a time: the chain has one last entry.
      exec(std::string("SELECT pg_advisory_xact_lock(") + kAuditLock + ")", Params{});
      Result last = exec("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1", Params{});
      AuditEntry entry = e;
      entry.seq = last.rows() ? last.integer(0, 0) + 1 : 1;
      entry.prev = last.rows() ? last.text(0, 1) : "";
      entry.hash = audit_hash(entry);
      insert_audit(entry);
      return true;
    });
  }

  void copy_run(const RunCopy& c) override {
    Lock lock(mutex_);
    transaction([&] {
      const std::string& id = c.record.id;
      exec(std::string("INSERT INTO runs(") + kRunColumns +
               ") VALUES($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19,$20,"
               "$21,$22,$23)",
           run_params(c.record));
      for (const auto& e : c.journal) {
        Params p;
        p.text(id).integer(e.seq).text(e.kind).text(e.key).text(e.value).text(e.scope);
        exec("INSERT INTO journal(run, seq, kind, key, value, scope) VALUES($1,$2,$3,$4,$5,$6)", p);
      }
      for (size_t i = 0; i < c.trace.size(); ++i) {
        Params p;
        p.text(id).integer(static_cast<int64_t>(i + 1)).text(c.trace[i]);
        exec("INSERT INTO trace(run, seq, event) VALUES($1,$2,$3)", p);
      }
      for (const auto& a : c.approvals) insert_approval(id, a);
      for (size_t i = 0; i < c.output.size(); ++i) {
        Params p;
        p.text(id).integer(static_cast<int64_t>(i + 1)).text(c.output[i]);
        exec("INSERT INTO output(run, seq, line) VALUES($1,$2,$3)", p);
      }
      return true;
    });
  }

  void copy_audit(const AuditEntry& e) override {
    Lock lock(mutex_);
    write([&] { insert_audit(e); });
  }

  std::vector<AuditEntry> audit() override {
    Lock lock(mutex_);
    return read([&] {
      Result r = exec(
          "SELECT seq, at, actor, action, run, plan_hash, detail, prev, hash FROM audit ORDER BY "
          "seq",
          Params{});
      std::vector<AuditEntry> out;
      for (int i = 0; i < r.rows(); ++i)
        out.push_back(AuditEntry{r.integer(i, 0), r.integer(i, 1), r.text(i, 2), r.text(i, 3),
                                 r.text(i, 4), r.text(i, 5), r.text(i, 6), r.text(i, 7),
                                 r.text(i, 8)});
      return out;
    });
  }

  void create_token(const TokenRecord& t) override {
    Lock lock(mutex_);
    write([&] {
      Params p;
      p.text(t.id).text(t.name).text(nlohmann::json(t.roles).dump()).text(t.hash);
      p.integer(t.created_at).integer(t.expires_at).integer(t.revoked_at);
      exec(std::string("INSERT INTO tokens(") + kTokenColumns +
               ") VALUES($1,$2,$3,$4,$5,$6,$7) ON CONFLICT (id) DO NOTHING",
           p);
    });
  }

  std::vector<TokenRecord> tokens() override {
    Lock lock(mutex_);
    return read([&] {
      Result r =
          exec(std::string("SELECT ") + kTokenColumns + " FROM tokens ORDER BY created_at, id",
               Params{});
      std::vector<TokenRecord> out;
      for (int i = 0; i < r.rows(); ++i) out.push_back(stored_token(Row{r, i}));
      return out;
    });
  }

  std::optional<TokenRecord> token_with_hash(const std::string& hash) override {
    Lock lock(mutex_);
    return read([&]() -> std::optional<TokenRecord> {
      Params p;
      p.text(hash);
      Result r = exec(std::string("SELECT ") + kTokenColumns + " FROM tokens WHERE hash=$1", p);
      if (r.rows() == 0) return std::nullopt;
      return stored_token(Row{r, 0});
    });
  }

  bool revoke_token(const std::string& id, int64_t at) override {
    Lock lock(mutex_);
    return write([&] {
      Params p;
      p.integer(at).text(id);
      return exec("UPDATE tokens SET revoked_at=$1 WHERE id=$2 AND revoked_at=0", p).affected() ==
             1;
    });
  }

  void create_browser_session(const BrowserSession& b) override {
    Lock lock(mutex_);
    write([&] {
      Params gone;
      gone.integer(b.created_at);
      exec("DELETE FROM browser_sessions WHERE expires_at <= $1", gone);
      Params p;
      p.text(b.hash).text(b.name).text(nlohmann::json(b.roles).dump()).text(b.csrf);
      p.integer(b.created_at).integer(b.expires_at);
      exec(
          "INSERT INTO browser_sessions(hash, name, roles, csrf, created_at, expires_at) "
          "VALUES($1,$2,$3,$4,$5,$6) ON CONFLICT (hash) DO NOTHING",
          p);
    });
  }

  std::optional<BrowserSession> browser_session(const std::string& hash, int64_t now) override {
    Lock lock(mutex_);
    return read([&]() -> std::optional<BrowserSession> {
      Params p;
      p.text(hash).integer(now);
      Result r = exec(
          "SELECT hash, name, roles, csrf, created_at, expires_at FROM browser_sessions WHERE "
          "hash=$1 AND expires_at > $2",
          p);
      if (r.rows() == 0) return std::nullopt;
      return BrowserSession{r.text(0, 0), r.text(0, 1),    stored_roles(r.text(0, 2)),
                            r.text(0, 3), r.integer(0, 4), r.integer(0, 5)};
    });
  }

  void end_browser_session(const std::string& hash) override {
    Lock lock(mutex_);
    write([&] {
      Params p;
      p.text(hash);
      exec("DELETE FROM browser_sessions WHERE hash=$1", p);
    });
  }

  void send_signal(const std::string& run, const std::string& name, const std::string& value_json,
                   const std::string& by, int64_t at) override {
    Lock lock(mutex_);
    write([&] {
      Params p;
      p.text(run).text(name).text(value_json).text(by).integer(at);
      exec("INSERT INTO signals(run, name, value, sent_by, sent_at) VALUES($1,$2,$3,$4,$5)", p);
    });
  }

  std::optional<std::string> take_signal(const std::string& run, const std::string& name,
                                         int64_t at) override {
    Lock lock(mutex_);
    return write([&]() -> std::optional<std::string> {
      Params p;
      p.text(run).text(name).integer(at);
      Result r = exec(
          "UPDATE signals SET taken_at=$3 WHERE seq=(SELECT seq FROM signals WHERE run=$1 AND "
          "name=$2 AND taken_at IS NULL ORDER BY seq LIMIT 1 FOR UPDATE SKIP LOCKED) RETURNING "
          "value",
          p);
      if (r.rows() == 0) return std::nullopt;
      return r.text(0, 0);
    });
  }

  void set_progress(const std::string& run, const std::string& line) override {
    Lock lock(mutex_);
    write([&] {
      Params p;
      p.text(run).text(line);
      if (line.empty())
        exec("DELETE FROM progress WHERE run=$1 AND $2=''", p);
      else
        exec(
            "INSERT INTO progress(run, line) VALUES($1,$2) ON CONFLICT (run) DO UPDATE SET line = "
            "EXCLUDED.line",
            p);
    });
  }

  std::string progress(const std::string& run) override {
    Lock lock(mutex_);
    return read([&] {
      Params p;
      p.text(run);
      Result r = exec("SELECT line FROM progress WHERE run=$1", p);
      return r.rows() ? r.text(0, 0) : std::string();
    });
  }

  // A scenario run's writes share transactions (RunStore::batch_writes), committed at most
  // 200 ms or 5,000 writes apart, without waiting for the commit to reach the disk.
  void batch_writes(bool on) override {
    Lock lock(mutex_);
    if (!on) flush();
    batched_ = on;
  }

 private:
  void flush_trace() {
    if (trace_buffer_.empty()) return;
    write([&] {
      std::vector<std::string> runs, seqs, events;
      for (const auto& t : trace_buffer_) {
        runs.push_back(t.run);
        seqs.push_back(std::to_string(t.seq));
        events.push_back(t.event);
      }
      Params p;
      p.text(pg_array(runs)).text(pg_array(seqs)).text(pg_array(events)).text(this_process());
      // Fenced as the journal is: the events of a run another process took over are not
      // written (they would overwrite the new owner's, number for number).
      exec(
          "INSERT INTO trace(run, seq, event) SELECT t.r, t.s, t.e FROM unnest($1::text[], "
          "$2::bigint[], $3::text[]) AS t(r, s, e) WHERE EXISTS (SELECT 1 FROM runs WHERE id = "
          "t.r AND owner = $4) ON CONFLICT (run, seq) DO UPDATE SET event = EXCLUDED.event",
          p);
    });
    trace_buffer_.clear();
  }

  // A fenced write found the run owned by another process (or gone).
  [[noreturn]] void refuse_stale(const std::string& run) {
    Params p;
    p.text(run);
    Result r = exec("SELECT owner FROM runs WHERE id=$1", p);
    if (r.rows() == 0) throw StoreError("no run " + run + " in " + shown_);
    throw StoreError("run " + run + " is executed by another process now (" + r.text(0, 0) +
                     "): this one stops");
  }

  Params run_params(const RunRecord& r) {
    Params p;
    p.text(r.id).text(r.runbook).text(r.program_hash).bytes(r.program).text(run_mode_name(r.mode));
    p.text(r.params).text(r.scenario_path).text(r.scenario).text(r.policy).text(r.options);
    p.text(r.started_by).text(run_state_name(r.status)).text(r.outcome).text(r.error);
    p.text(r.paused_gate).text(r.paused_role).text(r.plan).text(r.plan_hash);
    p.integer(r.created_at).integer(r.updated_at).text(r.owner).text(r.questions);
    p.integer(r.lease_until);
    return p;
  }

  void insert_approval(const std::string& run, const ApprovalRecord& a) {
    Params p;
    p.text(run).text(a.gate).text(gate_decision_name(a.decision)).text(a.by).integer(a.at);
    p.text(a.comment).text(a.plan_hash);
    p.text(a.picks.empty() ? std::string() : nlohmann::json(a.picks).dump());
    exec(
        "INSERT INTO approvals(run, gate, decision, by, at, comment, plan_hash, picks) "
        "VALUES($1,$2,$3,$4,$5,$6,$7,$8)",
        p);
  }

  void insert_audit(const AuditEntry& e) {
    Params p;
    p.integer(e.seq).integer(e.at).text(e.actor).text(e.action).text(e.run).text(e.plan_hash);
    p.text(e.detail).text(e.prev).text(e.hash);
    exec(
        "INSERT INTO audit(seq, at, actor, action, run, plan_hash, detail, prev, hash) "
        "VALUES($1,$2,$3,$4,$5,$6,$7,$8,$9)",
        p);
  }

  void migrate() {
    exec(std::string("SELECT pg_advisory_lock(") + kMigrationLock + ")", Params{});
    try {
      exec(
          "CREATE TABLE IF NOT EXISTS schema_migrations(version BIGINT PRIMARY KEY, applied_at "
          "BIGINT NOT NULL)",
          Params{});
      Result v = exec("SELECT COALESCE(MAX(version), 0) FROM schema_migrations", Params{});
      int64_t version = v.integer(0, 0);
      if (version > kLatest)
        throw StoreError("the run store " + shown_ + " was migrated by a newer rbk (schema " +
                         std::to_string(version) + "; this rbk reads up to " +
                         std::to_string(kLatest) + ")");
      for (int64_t next = version + 1; next <= kLatest; ++next) {
        exec("BEGIN", Params{});
        try {
          exec(kMigrations[next - 1], Params{});
          Params p;
          p.integer(next).integer(std::chrono::duration_cast<std::chrono::milliseconds>(
                                      std::chrono::system_clock::now().time_since_epoch())
                                      .count());
          exec("INSERT INTO schema_migrations(version, applied_at) VALUES($1, $2)", p);
          exec("COMMIT", Params{});
        } catch (...) {
          PQclear(PQexec(conn_, "ROLLBACK"));
          throw;
        }
      }
    } catch (...) {
      PQclear(PQexec(conn_,
                     (std::string("SELECT pg_advisory_unlock(") + kMigrationLock + ")").c_str()));
      throw;
    }
    exec(std::string("SELECT pg_advisory_unlock(") + kMigrationLock + ")", Params{});
  }

  std::string url_, shown_;
  PGconn* conn_ = nullptr;
  std::map<std::string, std::string> prepared_;  // statement -> its name on conn_
  std::recursive_mutex mutex_;                   // one connection, shared by the threads of a fleet
  bool batched_ = false, in_batch_ = false, in_transaction_ = false;
  size_t batch_writes_ = 0;
  Clock::time_point batch_started_;
  Listener work_listener_;      // LISTEN rbk_work (wait_for_work)
  Listener children_listener_;  // LISTEN rbk_children (wait_for_children)
  struct TraceEvent {
    std::string run;
    int64_t seq;
    std::string event;
  };
  std::vector<TraceEvent> trace_buffer_;  // append_trace's, not yet written
  Clock::time_point trace_oldest_;
};

}  // namespace

std::unique_ptr<RunStore> open_postgres_store(const std::string& url) {
  return std::make_unique<PostgresRunStore>(url);
}

}  // namespace rbk
