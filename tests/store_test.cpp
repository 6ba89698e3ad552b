// The run store's contract (run/run_store.hpp), held by both implementations: each test runs
// against an SQLite file and against a real PostgreSQL database (a throwaway cluster that
// tests/with_postgres.sh starts on loopback and names in $RBK_TEST_POSTGRES; without it,
// the PostgreSQL cases are skipped, saying so — the postgres_store ctest always sets it).
#include <gtest/gtest.h>

#include <cstdlib>
#include <thread>

#include "run/audit.hpp"
#include "run/owner.hpp"
#include "run/run_store.hpp"
#include "run/tokens.hpp"
#include "test_support.hpp"
#include "vm/value.hpp"

namespace rbk::test {
namespace {

enum class Engine { SQLite, PostgreSQL };
void PrintTo(Engine e, std::ostream* os) {
  *os << (e == Engine::SQLite ? "SQLite" : "PostgreSQL");
}

std::string postgres_url() {
  const char* url = std::getenv("RBK_TEST_POSTGRES");
  return url ? url : "";
}

// Runs SQL against the test database with psql (the store under test never drops tables).
void psql(const std::string& sql) {
  std::string cmd =
      "psql -q -v ON_ERROR_STOP=1 '" + postgres_url() + "' -c \"" + sql + "\" >/dev/null";
  ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
}

class StoreTest : public ::testing::TestWithParam<Engine> {
 protected:
  void SetUp() override {
    if (GetParam() == Engine::PostgreSQL) {
      if (postgres_url().empty())
        GTEST_SKIP() << "RBK_TEST_POSTGRES is not set (ctest -R postgres_store runs these)";
      psql("DROP SCHEMA public CASCADE; CREATE SCHEMA public;");  // every test from empty
      where_ = postgres_url();
    } else {
      where_ = "sqlite:" + (tmp_.path / "runs.db").string();
    }
    store_ = RunStore::open(where_);
  }
  std::unique_ptr<RunStore> reopen() { return RunStore::open(where_); }

  RunRecord run(const std::string& id, int64_t created) {
    RunRecord r;
    r.id = id;
    r.runbook = "device_offline";
    r.program_hash = "sha256:abc";
    r.program = std::string("RBC\0\x01\xff bytes", 13);  // binary, NULs included
    r.mode = RunMode::DryRun;
    r.params = R"({"device":"d-1"})";
    r.options = "{}";
    r.started_by = "alice";
    r.created_at = r.updated_at = created;
    r.owner = this_process();
    return r;
  }

  TempDir tmp_;
  std::string where_;
  std::unique_ptr<RunStore> store_;
};

TEST_P(StoreTest, KeepsARunAsWritten) {
  RunRecord r = run("r-1", 1000);
  r.scenario = "{\"probes\": {}}\n";
  r.policy = "{}";
  r.questions = R"([{"name":"reach","choices":["25%"]}])";
  store_->create(r);
  std::optional<RunRecord> got = reopen()->get("r-1");
  ASSERT_TRUE(got);
  EXPECT_EQ(got->program, r.program);
  EXPECT_EQ(got->params, r.params);
  EXPECT_EQ(got->scenario, r.scenario);
  EXPECT_EQ(got->questions, r.questions);
  EXPECT_EQ(got->mode, RunMode::DryRun);
  EXPECT_EQ(got->status, RunState::Running);
  EXPECT_EQ(got->owner, this_process());
  EXPECT_EQ(got->created_at, 1000);
  EXPECT_FALSE(store_->get("r-none"));
}

TEST_P(StoreTest, ListsNewestFirstThroughItsFilters) {
  for (int i = 1; i <= 5; ++i) {
    RunRecord r = run("r-" + std::to_string(i), i * 1000);
    if (i % 2 == 0) {
      r.status = RunState::Paused;
      r.paused_gate = "restart";
      r.paused_role = i == 2 ? "ops" : "oncall";
    }
    if (i == 5) r.runbook = "cert_expiry";
    store_->create(r);
  }
  auto ids = [](const std::vector<RunRecord>& runs) {
    std::vector<std::string> out;
    for (const auto& r : runs) out.push_back(r.id);
    return out;
  };
  EXPECT_EQ(ids(store_->list()), (std::vector<std::string>{"r-5", "r-4", "r-3", "r-2", "r-1"}));
  EXPECT_EQ(ids(store_->list({}, 2)), (std::vector<std::string>{"r-5", "r-4"}));
  RunFilter paused;
  paused.status = RunState::Paused;
  EXPECT_EQ(ids(store_->list(paused)), (std::vector<std::string>{"r-4", "r-2"}));
  RunFilter ops;
  ops.waiting_for = "ops";
  EXPECT_EQ(ids(store_->list(ops)), (std::vector<std::string>{"r-2"}));
  RunFilter book;
  book.runbook = "cert_expiry";
  EXPECT_EQ(ids(store_->list(book)), (std::vector<std::string>{"r-5"}));
  RunFilter recent;
  recent.updated_after = 3000;
  EXPECT_EQ(ids(store_->list(recent)), (std::vector<std::string>{"r-5", "r-4"}));

  std::vector<RunCount> counts = store_->count_runs();
  ASSERT_EQ(counts.size(), 4u);  // cert_expiry running; device_offline paused ×2 roles, running
  EXPECT_EQ(counts[0].runbook, "cert_expiry");
}

TEST_P(StoreTest, ADecisionIsTakenOnce) {
  RunRecord r = run("r-1", 1000);
  r.status = RunState::Paused;
  r.paused_gate = "restart";
  r.plan_hash = "sha256:plan";
  r.owner = "";
  store_->create(r);
  RunRecord next = r;
  next.status = RunState::Running;
  next.owner = this_process();
  next.paused_gate = next.plan_hash = "";
  ApprovalRecord a{"restart",     GateDecision::Approved,     "bob", 2000, "ok",
                   "sha256:plan", GatePicks{{"reach", "50%"}}};
  JournalEntry e{1, "gate", "restart", R"({"decision":"approved"})"};
  EXPECT_TRUE(store_->record_decision(next, a, e));
  EXPECT_FALSE(store_->record_decision(next, a, e));  // decided already
  std::vector<ApprovalRecord> approvals = store_->approvals("r-1");
  ASSERT_EQ(approvals.size(), 1u);
  EXPECT_EQ(approvals[0].by, "bob");
  EXPECT_EQ(approvals[0].picks.at("reach"), "50%");
  ASSERT_EQ(store_->journal("r-1").size(), 1u);
  EXPECT_EQ(store_->get("r-1")->status, RunState::Running);
}

TEST_P(StoreTest, ClaimIsCompareAndSet) {
  store_->create(run("r-1", 1000));
  EXPECT_FALSE(store_->claim("r-1", "someone/1/1", "me/2/2"));
  EXPECT_TRUE(store_->claim("r-1", this_process(), ""));
  EXPECT_TRUE(store_->claim("r-1", "", this_process()));
  EXPECT_EQ(store_->get("r-1")->owner, this_process());
}

TEST_P(StoreTest, JournalTraceOutputAndProgressKeepTheirOrder) {
  store_->create(run("r-1", 1000));
  store_->append_journal("r-1", JournalEntry{1, "call", "probe a", "1"});
  store_->append_journal("r-1", {JournalEntry{2, "call", "probe b", "2", "fan/1/3"},
                                 JournalEntry{3, "act_done", "act c", "null"}});
  store_->batch_writes(true);
  for (int i = 4; i < 50; ++i) store_->append_journal("r-1", JournalEntry{i, "now", "", "5"});
  store_->batch_writes(false);
  std::vector<JournalEntry> j = reopen()->journal("r-1");
  ASSERT_EQ(j.size(), 49u);
  EXPECT_EQ(j[1].scope, "fan/1/3");
  EXPECT_EQ(j[2].kind, "act_done");
  EXPECT_EQ(j[48].seq, 49);

  // What JSON may hold, written as it is: quotes, backslashes, braces, commas, NULL as text.
  const std::string tricky = R"({"s":"a \"quoted\" \\ back,slash {brace} NULL é ✓"})";
  store_->append_journal("r-1", {JournalEntry{50, "call", "k \" ,{}", tricky, "s\\1"},
                                 JournalEntry{51, "call", "", "", ""}});
  std::vector<JournalEntry> again = store_->journal("r-1");
  ASSERT_EQ(again.size(), 51u);
  EXPECT_EQ(again[49].value, tricky);
  EXPECT_EQ(again[49].key, "k \" ,{}");
  EXPECT_EQ(again[49].scope, "s\\1");
  EXPECT_EQ(again[50].value, "");

  for (int i = 1; i <= 3; ++i) store_->append_trace("r-1", i, "{\"n\":" + std::to_string(i) + "}");
  EXPECT_EQ(store_->trace("r-1", 1), (std::vector<std::string>{"{\"n\":2}", "{\"n\":3}"}));
  store_->append_trace("r-1", 4, tricky);
  if (GetParam() == Engine::PostgreSQL) {  // buffered: not yet written…
    EXPECT_EQ(reopen()->trace("r-1", 3), std::vector<std::string>{});
  }
  EXPECT_EQ(store_->trace("r-1", 3), std::vector<std::string>{tricky});  // …a read writes it
  store_->append_output("r-1", "first");
  store_->append_output("r-1", "second");
  EXPECT_EQ(store_->output("r-1", 1), (std::vector<std::string>{"second"}));
  store_->set_progress("r-1", "3 of 10 devices");
  EXPECT_EQ(store_->progress("r-1"), "3 of 10 devices");
  store_->set_progress("r-1", "");
  EXPECT_EQ(store_->progress("r-1"), "");
}

TEST_P(StoreTest, TheAuditChainVerifiesAndCopiesAsItIs) {
  for (int i = 0; i < 3; ++i)
    store_->append_audit({0, 1000 + i, "alice", "start", "r-" + std::to_string(i), "", "dry-run"});
  std::vector<AuditEntry> chain = store_->audit();
  ASSERT_EQ(chain.size(), 3u);
  EXPECT_TRUE(verify_audit(chain).empty());
  EXPECT_EQ(chain[2].prev, chain[1].hash);

  TempDir other;
  auto copy = RunStore::open("sqlite:" + (other.path / "copy.db").string());
  for (const auto& e : chain) copy->copy_audit(e);
  EXPECT_TRUE(verify_audit(copy->audit()).empty());
  copy->append_audit({0, 2000, "bob", "cancel", "r-1", "", ""});
  EXPECT_TRUE(verify_audit(copy->audit()).empty());
}

TEST_P(StoreTest, AuditAppendsFromManyThreadsStayOneChain) {
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&, t] {
      auto mine = reopen();  // its own connection, as a replica has
      for (int i = 0; i < 10; ++i)
        mine->append_audit({0, i, "t" + std::to_string(t), "x", "", "", ""});
    });
  for (auto& t : threads) t.join();
  std::vector<AuditEntry> chain = store_->audit();
  EXPECT_EQ(chain.size(), 40u);
  EXPECT_TRUE(verify_audit(chain).empty());
}

TEST_P(StoreTest, TokensAndBrowserSessions) {
  std::string token = issue_token(*store_, "bob", {"ops"}, 0, "admin");
  std::string why;
  auto t = authenticate_token(*store_, token, system_now_ms(), why);
  ASSERT_TRUE(t) << why;
  EXPECT_EQ(t->roles, std::vector<std::string>{"ops"});
  EXPECT_TRUE(revoke_token(*store_, t->id, "admin"));
  EXPECT_FALSE(revoke_token(*store_, t->id, "admin"));

  store_->create_browser_session({"h1", "carol", {"ops", "oncall"}, "csrf", 1000, 5000});
  ASSERT_TRUE(store_->browser_session("h1", 2000));
  EXPECT_EQ(store_->browser_session("h1", 2000)->roles.size(), 2u);
  EXPECT_FALSE(store_->browser_session("h1", 5000));  // expired
  store_->end_browser_session("h1");
  EXPECT_FALSE(store_->browser_session("h1", 2000));
}

TEST_P(StoreTest, SignalsAreTakenOldestFirstOnce) {
  store_->create(run("r-1", 1000));
  store_->send_signal("r-1", "done", "1", "bob", 10);
  store_->send_signal("r-1", "done", "2", "bob", 11);
  EXPECT_EQ(store_->take_signal("r-1", "done", 20), "1");
  EXPECT_EQ(store_->take_signal("r-1", "done", 21), "2");
  EXPECT_FALSE(store_->take_signal("r-1", "done", 22));
  EXPECT_FALSE(store_->take_signal("r-1", "other", 22));
}

TEST_P(StoreTest, ALeaseThatRunsOutIsTakenOverOnce) {
  set_process_label("serve");
  const std::string me = this_process();
  RunRecord mine = run("r-1", 1000);
  mine.owner = "replica-a/1/1#serve";  // another machine's replica
  store_->create(mine);
  RunRecord person = run("r-2", 1000);
  person.owner = "laptop/7/7";  // a person's rbk run: never taken over by a server
  store_->create(person);
  EXPECT_EQ(store_->renew_leases("replica-a/1/1#serve", 15'000), std::vector<std::string>{"r-1"});
  EXPECT_EQ(current_state(*store_->get("r-1")), RunState::Running);
  EXPECT_TRUE(store_->claim_expired("serve", me, 15'000, 10).empty());  // still held

  store_->renew_leases("replica-a/1/1#serve", -1000);  // it stopped renewing: the lease ran out
  EXPECT_EQ(current_state(*store_->get("r-1")), RunState::Interrupted);
  EXPECT_EQ(store_->claim_expired("serve", me, 15'000, 10), std::vector<std::string>{"r-1"});
  EXPECT_TRUE(store_->claim_expired("serve", "replica-c/3/3#serve", 15'000, 10).empty());
  EXPECT_EQ(store_->get("r-1")->owner, me);
  EXPECT_TRUE(store_->renew_leases("replica-a/1/1#serve", 15'000).empty());  // it lost it

  store_->release_leases(me);  // a replica shutting down hands its runs on at once
  EXPECT_EQ(current_state(*store_->get("r-1")), RunState::Interrupted);
  EXPECT_EQ(store_->claim_expired("serve", "replica-c/3/3#serve", 15'000, 10),
            std::vector<std::string>{"r-1"});
  set_process_label("");
}

TEST_P(StoreTest, ARunIsHeldFromTheMomentItIsTaken) {
  // A server that dies the moment after it took a run, before any renewal: the run is
  // another replica's once the lease it took it with runs out.
  store_->hold_leases(15'000);
  RunRecord r = run("r-1", 1000);
  r.owner = "replica-a/1/1#serve";
  store_->create(r);
  EXPECT_GT(store_->get("r-1")->lease_until, system_now_ms());
  auto other = reopen();
  EXPECT_TRUE(other->claim_expired("serve", "replica-b/2/2#serve", 15'000, 10).empty());

  store_->hold_leases(1);
  EXPECT_TRUE(store_->claim("r-1", "replica-a/1/1#serve", "replica-a/9/9#serve"));
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_EQ(other->claim_expired("serve", "replica-b/2/2#serve", 15'000, 10),
            std::vector<std::string>{"r-1"});
}

TEST_P(StoreTest, ANewerSchemaIsRefused) {
  store_.reset();
  if (GetParam() == Engine::PostgreSQL)
    psql("INSERT INTO schema_migrations VALUES (999, 0)");
  else
    ASSERT_EQ(
        std::system(("sqlite3 '" + (tmp_.path / "runs.db").string() +
                     "' 'PRAGMA user_version = 999' 2>/dev/null || python3 -c \"import "
                     "sqlite3; sqlite3.connect('" +
                     (tmp_.path / "runs.db").string() + "').execute('PRAGMA user_version = 999')\"")
                        .c_str()),
        0);
  try {
    reopen();
    FAIL() << "a newer store was opened";
  } catch (const StoreError& e) {
    EXPECT_NE(std::string(e.what()).find("newer rbk"), std::string::npos) << e.what();
  }
}

INSTANTIATE_TEST_SUITE_P(Stores, StoreTest, ::testing::Values(Engine::SQLite, Engine::PostgreSQL),
                         [](const auto& info) {
                           return info.param == Engine::SQLite ? "SQLite" : "PostgreSQL";
                         });

// PostgreSQL only: what several machines sharing one database rely on.
class PostgresStoreTest : public StoreTest {};

TEST_P(PostgresStoreTest, AProcessThatLostARunCannotWriteItsJournal) {
  RunRecord r = run("r-1", 1000);
  r.owner = "replica-b/2/2#serve";  // taken over by another replica
  store_->create(r);
  try {
    store_->append_journal("r-1", JournalEntry{1, "call", "probe", "1"});
    FAIL() << "a stale owner appended to the journal";
  } catch (const StoreError& e) {
    EXPECT_NE(std::string(e.what()).find("executed by another process now (replica-b/2/2#serve)"),
              std::string::npos)
        << e.what();
  }
  RunRecord stale = r;
  stale.status = RunState::Ended;
  stale.owner = "";
  EXPECT_THROW(store_->update_status(stale), StoreError);
  EXPECT_EQ(store_->get("r-1")->status, RunState::Running);
  EXPECT_TRUE(store_->journal("r-1").empty());
}

TEST_P(PostgresStoreTest, ChildrenAreClaimedOnceJournaledByTheirHolderAndReportedInOrder) {
  ASSERT_TRUE(store_->shares_children());
  RunRecord r = run("r-1", 1000);
  r.owner = "replica-a/1/1#serve";
  store_->create(r);
  std::vector<StoredChildTask> tasks;
  for (int i = 0; i < 3; ++i)
    tasks.push_back({"r-1", "each/1/" + std::to_string(i), 1, "[]", 1, false, 0});
  store_->publish_children("r-1", tasks);
  store_->publish_children("r-1", tasks);  // published again by a run resumed: left as they are

  auto other = reopen();  // another replica
  std::vector<StoredChildTask> a = store_->claim_children("replica-a/1/1#serve", 15'000, 2);
  std::vector<StoredChildTask> b = other->claim_children("replica-b/2/2#serve", 15'000, 5);
  ASSERT_EQ(a.size(), 2u);
  ASSERT_EQ(b.size(), 1u);  // each child to one replica
  EXPECT_EQ(a[0].scope, "each/1/0");
  EXPECT_EQ(b[0].scope, "each/1/2");
  EXPECT_EQ(a[0].attempts, 1);
  EXPECT_TRUE(other->claim_children("replica-c/3/3#serve", 15'000, 5).empty());

  // A child's journal is written by the replica holding it, and only by it.
  store_->append_child_journal("r-1", "replica-a/1/1#serve",
                               {JournalEntry{7, "call", "probe", "1", "each/1/0"}});
  store_->append_child_journal("r-1", "replica-a/1/1#serve",
                               {JournalEntry{7, "call", "probe", "1", "each/1/0"}});  // sent again
  EXPECT_THROW(other->append_child_journal("r-1", "replica-b/2/2#serve",
                                           {JournalEntry{1, "call", "probe", "2", "each/1/0"}}),
               StoreError);
  EXPECT_EQ(store_->child_journal("r-1", "each/1/0").size(), 1u);

  // Reported in the order they finished; a report by a replica that no longer holds the
  // child is refused.
  EXPECT_TRUE(other->finish_child("r-1", "each/1/2", "replica-b/2/2#serve", R"({"fault":"x"})"));
  EXPECT_FALSE(other->finish_child("r-1", "each/1/1", "replica-b/2/2#serve", "{}"));
  EXPECT_TRUE(store_->finish_child("r-1", "each/1/0", "replica-a/1/1#serve", "{}"));
  auto done = store_->finished_children("r-1", {"each/1/0", "each/1/1", "each/1/2"});
  ASSERT_EQ(done.size(), 2u);
  EXPECT_EQ(done[0].first, "each/1/2");
  EXPECT_EQ(done[1].first, "each/1/0");

  // Replica A dies holding each/1/1: once its lease runs out another takes it, sees it was
  // taken before, and reads what A journaled.
  store_->append_child_journal("r-1", "replica-a/1/1#serve",
                               {JournalEntry{8, "act_started", "reboot", "null", "each/1/1"}});
  store_->renew_leases("replica-a/1/1#serve", -1000);
  std::vector<StoredChildTask> c = other->claim_children("replica-c/3/3#serve", 15'000, 5);
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0].scope, "each/1/1");
  EXPECT_EQ(c[0].attempts, 2);
  ASSERT_EQ(other->child_journal("r-1", "each/1/1").size(), 1u);
  EXPECT_EQ(other->child_journal("r-1", "each/1/1")[0].kind, "act_started");
  EXPECT_THROW(
      store_->append_child_journal("r-1", "replica-a/1/1#serve",
                                   {JournalEntry{9, "act_done", "reboot", "1", "each/1/1"}}),
      StoreError);

  // A replica shutting down lets its children go at once; one not yet taken can be taken back.
  store_->publish_children("r-1", {{"r-1", "each/2/0", 1, "[]", 1, false, 0},
                                   {"r-1", "each/2/1", 1, "[]", 1, false, 0}});
  ASSERT_EQ(other->claim_children("replica-c/3/3#serve", 15'000, 1).size(), 1u);
  other->release_leases("replica-c/3/3#serve");
  EXPECT_EQ(store_->withdraw_children("r-1", {"each/2/0", "each/2/1"}),
            std::vector<std::string>{"each/2/1"});
  EXPECT_EQ(store_->claim_children("replica-a/1/1#serve", 15'000, 5).size(), 2u);  // 1/1 and 2/0

  // The children of a run that is not running are nobody's to take.
  RunRecord ended = r;
  ended.id = "r-2";
  ended.status = RunState::Cancelled;
  store_->create(ended);
  store_->publish_children("r-2", {{"r-2", "each/1/0", 1, "[]", 1, false, 0}});
  EXPECT_TRUE(store_->claim_children("replica-a/1/1#serve", 15'000, 5).empty());
}

TEST_P(PostgresStoreTest, AnEntryWrittenTwiceIsOneEntry) {
  store_->create(run("r-1", 1000));
  JournalEntry e{1, "call", "probe", "1"};
  store_->append_journal("r-1", e);
  store_->append_journal("r-1", e);  // sent again after a lost connection
  EXPECT_EQ(store_->journal("r-1").size(), 1u);
  e.value = "2";
  EXPECT_THROW(store_->append_journal("r-1", e), StoreError);  // a different answer: refused
}

TEST_P(PostgresStoreTest, ADatabaseRestartLosesNoWrite) {
  const char* dir = std::getenv("RBK_TEST_POSTGRES_DIR");
  if (!dir) GTEST_SKIP() << "RBK_TEST_POSTGRES_DIR is not set";
  store_->create(run("r-1", 1000));
  std::atomic<bool> restarted = false;
  std::thread restart([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    std::string cmd = std::string(RBK_SOURCE_DIR) + "/tests/pg_cluster.sh restart " + dir;
    EXPECT_EQ(std::system(cmd.c_str()), 0);
    restarted = true;
  });
  int seq = 0;
  while (!restarted || seq < 200) {  // writing all through the restart
    ++seq;
    store_->append_journal("r-1", JournalEntry{seq, "now", "", std::to_string(seq)});
    store_->append_trace("r-1", seq, "{}");
    if (seq > 100'000) break;  // bounded
  }
  restart.join();
  std::vector<JournalEntry> j = reopen()->journal("r-1");
  ASSERT_EQ(j.size(), static_cast<size_t>(seq));
  for (int i = 0; i < seq; ++i) EXPECT_EQ(j[i].seq, i + 1);
  EXPECT_EQ(store_->trace("r-1").size(), static_cast<size_t>(seq));
}

TEST_P(PostgresStoreTest, MessagesNeverShowThePassword) {
  try {
    RunStore::open("postgresql://rbk:s3cret-pw@127.0.0.1:1/none?connect_timeout=2");
    FAIL() << "opened a store on a closed port";
  } catch (const StoreError& e) {
    EXPECT_EQ(std::string(e.what()).find("s3cret-pw"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("postgresql://rbk@127.0.0.1:1/none"), std::string::npos)
        << e.what();
  }
}

INSTANTIATE_TEST_SUITE_P(Stores, PostgresStoreTest, ::testing::Values(Engine::PostgreSQL),
                         [](const auto&) { return "PostgreSQL"; });

}  // namespace
}  // namespace rbk::test
