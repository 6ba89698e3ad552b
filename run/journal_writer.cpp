#include "run/journal_writer.hpp"

#include <csignal>
#include <cstdlib>

namespace rbk {

JournalWriter::JournalWriter(RunStore& store, std::string run, int64_t last_seq)
    : store_(store), run_(std::move(run)), next_seq_(last_seq), committed_seq_(last_seq) {
  if (const char* c = std::getenv("RBK_CRASH_AFTER"); c && *c) crash_after_ = std::atol(c);
}

void JournalWriter::append(JournalEntry e) {
  std::unique_lock lock(mutex_);
  if (failed_) throw StoreError(failure_);
  e.seq = ++next_seq_;
  const int64_t mine = e.seq;
  pending_.push_back(std::move(e));
  while (committed_seq_ < mine) {
    if (failed_) throw StoreError(failure_);
    if (writing_) {  // another thread commits: ours goes into the next group
      committed_.wait(lock);
      continue;
    }
    writing_ = true;
    std::vector<JournalEntry> group;
    group.swap(pending_);
    lock.unlock();
    try {
      store_.append_journal(run_, group);
    } catch (const std::exception& x) {
      lock.lock();
      writing_ = false;
      failed_ = true;
      failure_ = x.what();
      committed_.notify_all();
      throw;
    }
    lock.lock();
    committed_seq_ = group.back().seq;
    writing_ = false;
    committed_.notify_all();
    if (crash_after_ >= 0 && (writes_ += static_cast<long>(group.size())) >= crash_after_)
      std::raise(SIGKILL);
  }
}

}  // namespace rbk
