// The one writer of a run's journal, shared by the run and the children of its foreach
// nodes that run beside each other on their own threads. It numbers the entries (one
// sequence for the run, whoever writes) and commits them in groups: an entry appended
// while another thread's commit is under way waits and goes into the next commit with
// everything else that arrived meanwhile, so sixty-four children writing at once cost a
// commit per group, not one each.
//
// What must be in the store before the run goes on waits for its commit: an action's start
// and end, a gate's decision. A probe's answer, the clock, a child's start and end need
// not: lost with the process, they are asked again on resume, and nothing the world saw
// depended on them without a commit after them (an action's start commits everything
// before it). Those are committed with the next entry that waits, by flush(), or in groups
// of kLazyEntries.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include "run/run_store.hpp"

namespace rbk {

// Entries that need not wait, pending at most: then they are committed.
inline constexpr size_t kLazyEntries = 512;

class JournalWriter {
 public:
  // Where a group of entries is committed (in one transaction, or not at all).
  using Commit = std::function<void(const std::vector<JournalEntry>&)>;
  // LAST_SEQ: the highest sequence number the run's journal holds already (0 when new).
  JournalWriter(RunStore& store, std::string run, int64_t last_seq);
  // Commits through COMMIT instead of the run's journal (the children a replica took from
  // a shared store: their journals, fenced by their tasks).
  JournalWriter(Commit commit, std::string run, int64_t last_seq);

  // Appends E (its seq assigned here); with WAIT, returns once it is committed.
  void append(JournalEntry e, bool wait = true);
  // Commits whatever is pending (before a run stops: paused, ended, failed).
  void flush();
  const std::string& run() const { return run_; }

  // What the journal cost this process: entries, the commits that wrote them, the time
  // spent committing (one commit at a time: its share of a fan-out's time says whether the
  // journal is the bottleneck) and the time appenders waited for a commit of theirs.
  struct Stats {
    uint64_t entries = 0, commits = 0;
    double commit_ms = 0, wait_ms = 0;
  };
  Stats stats();

 private:
  // Commits everything pending up to sequence number UNTIL (lock held, released while
  // committing).
  void commit_until(std::unique_lock<std::mutex>& lock, int64_t until);
  Commit commit_;
  const std::string run_;
  std::mutex mutex_;
  std::condition_variable committed_;
  std::vector<JournalEntry> pending_;
  int64_t next_seq_;
  int64_t committed_seq_;
  bool writing_ = false;
  bool failed_ = false;  // a commit threw: later appends throw too
  std::string failure_;
  Stats stats_;
  long crash_after_ = -1;  // fault injection for the durability tests: RBK_CRASH_AFTER=N
  long appends_ = 0;
};

}  // namespace rbk
