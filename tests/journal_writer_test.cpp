// The journal writer shared by a run and its fleet's children (run/journal_writer.hpp), on
// a real SQLite store: one sequence whoever writes, entries that wait are in the store when
// append returns (with everything appended before them), the others at the latest with
// the next one that waits or a flush, and a group commit for what arrives meanwhile.
#include <gtest/gtest.h>

#include <map>
#include <set>
#include <thread>

#include "run/journal_writer.hpp"
#include "test_support.hpp"

namespace rbk::test {
namespace {

JournalEntry entry(const std::string& kind, const std::string& scope, int n) {
  return JournalEntry{0, kind, "k" + std::to_string(n), "null", scope};
}

TEST(JournalWriter, WhatMustWaitIsStoredWithEverythingBeforeIt) {
  TempDir tmp;
  auto store = open_sqlite_store((tmp.path / "runs.db").string());
  JournalWriter writer(*store, "r1", 0);
  writer.append(entry("call", "", 1), /*wait=*/false);
  writer.append(entry("call", "", 2), /*wait=*/false);
  EXPECT_TRUE(store->journal("r1").empty());  // an answer need not be stored at once
  writer.append(entry("act_started", "", 3));
  std::vector<JournalEntry> stored = store->journal("r1");
  ASSERT_EQ(stored.size(), 3u);  // the action's start, and both answers before it
  for (int i = 0; i < 3; ++i) EXPECT_EQ(stored[i].seq, i + 1);
  writer.append(entry("child_done", "n/1/0", 4), false);
  writer.flush();
  ASSERT_EQ(store->journal("r1").size(), 4u);
  EXPECT_EQ(store->journal("r1").back().scope, "n/1/0");
  EXPECT_EQ(writer.stats().entries, 4u);
  EXPECT_EQ(writer.stats().commits, 2u);
}

TEST(JournalWriter, ManyThreadsOneSequenceFewerCommits) {
  TempDir tmp;
  auto store = open_sqlite_store((tmp.path / "runs.db").string());
  JournalWriter writer(*store, "r1", 7);  // a resumed run goes on from its last entry
  const int threads = 16, each = 200;
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t)
    pool.emplace_back([&, t] {
      for (int i = 0; i < each; ++i)
        writer.append(entry(i % 5 == 4 ? "act_done" : "call", "n/1/" + std::to_string(t), i),
                      i % 5 == 4);
    });
  for (auto& th : pool) th.join();
  writer.flush();
  std::vector<JournalEntry> stored = store->journal("r1");
  ASSERT_EQ(stored.size(), static_cast<size_t>(threads * each));
  std::set<int64_t> seqs;
  std::map<std::string, int> next_of_scope;  // each thread's entries in its own order
  for (const auto& e : stored) {
    seqs.insert(e.seq);
    int n = std::stoi(e.key.substr(1));
    EXPECT_EQ(n, next_of_scope[e.scope]++) << e.scope;
  }
  EXPECT_EQ(seqs.size(), stored.size());
  EXPECT_EQ(*seqs.begin(), 8);
  EXPECT_EQ(*seqs.rbegin(), 7 + threads * each);
  EXPECT_LT(writer.stats().commits, static_cast<uint64_t>(threads * each / 5));
}

TEST(JournalWriter, PendingEntriesAreCommittedInGroupsWhenNothingWaits) {
  TempDir tmp;
  auto store = open_sqlite_store((tmp.path / "runs.db").string());
  JournalWriter writer(*store, "r1", 0);
  for (size_t i = 0; i < kLazyEntries; ++i) writer.append(entry("call", "", int(i)), false);
  EXPECT_EQ(store->journal("r1").size(), kLazyEntries);  // a group of them, committed
}

}  // namespace
}  // namespace rbk::test
