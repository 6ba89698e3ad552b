// The one writer of a run's journal, shared by the run and the children of its foreach
// nodes that run beside each other on their own threads. It numbers the entries (one
// sequence for the run, whoever writes) and commits them in groups: an entry appended
// while another thread's commit is under way waits and goes into the next commit with
// everything else that arrived meanwhile, so sixty-four children writing at once cost a
// commit per group, not one each. append() returns once its entry is committed: an
// action's start is in the store before the action leaves the process.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

#include "run/run_store.hpp"

namespace rbk {

class JournalWriter {
 public:
  // LAST_SEQ: the highest sequence number the run's journal holds already (0 when new).
  JournalWriter(RunStore& store, std::string run, int64_t last_seq);

  // Appends E (its seq assigned here); returns once it is committed.
  void append(JournalEntry e);
  const std::string& run() const { return run_; }

 private:
  RunStore& store_;
  const std::string run_;
  std::mutex mutex_;
  std::condition_variable committed_;
  std::vector<JournalEntry> pending_;
  int64_t next_seq_;
  int64_t committed_seq_;
  bool writing_ = false;
  bool failed_ = false;  // a commit threw: later appends throw too
  std::string failure_;
  long crash_after_ = -1;  // fault injection for the durability tests: RBK_CRASH_AFTER=N
  long writes_ = 0;
};

}  // namespace rbk
