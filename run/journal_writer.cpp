#include "run/journal_writer.hpp"

#include <chrono>
#include <csignal>
#include <cstdlib>

namespace rbk {

JournalWriter::JournalWriter(RunStore& store, std::string run, int64_t last_seq)
    : JournalWriter(
          [&store, run](const std::vector<JournalEntry>& group) {
            store.append_journal(run, group);
          },
          run, last_seq) {}

JournalWriter::JournalWriter(Commit commit, std::string run, int64_t last_seq)
    : commit_(std::move(commit)),
      run_(std::move(run)),
      next_seq_(last_seq),
      committed_seq_(last_seq) {
  if (const char* c = std::getenv("RBK_CRASH_AFTER"); c && *c) crash_after_ = std::atol(c);
}

JournalWriter::Stats JournalWriter::stats() {
  std::lock_guard lock(mutex_);
  return stats_;
}

void JournalWriter::append(JournalEntry e, bool wait) {
  using Clock = std::chrono::steady_clock;
  const auto asked = Clock::now();
  std::unique_lock lock(mutex_);
  if (failed_) throw StoreError(failure_);
  e.seq = ++next_seq_;
  const int64_t mine = e.seq;
  pending_.push_back(std::move(e));
  // The durability tests kill the process at its Nth append: after the commit of one that
  // waits, or with one that does not still pending (lost, as a real crash would lose it).
  const bool crash = crash_after_ >= 0 && ++appends_ >= crash_after_;
  if (crash && !wait) std::raise(SIGKILL);
  if (!wait && pending_.size() < kLazyEntries) return;
  commit_until(lock, mine);
  if (crash) std::raise(SIGKILL);
  stats_.wait_ms += std::chrono::duration<double, std::milli>(Clock::now() - asked).count();
}

void JournalWriter::flush() {
  std::unique_lock lock(mutex_);
  if (failed_) throw StoreError(failure_);
  commit_until(lock, next_seq_);
}

void JournalWriter::commit_until(std::unique_lock<std::mutex>& lock, int64_t until) {
  using Clock = std::chrono::steady_clock;
  while (committed_seq_ < until) {
    if (failed_) throw StoreError(failure_);
    if (writing_) {  // another thread commits: ours goes into the next group
      committed_.wait(lock);
      continue;
    }
    writing_ = true;
    std::vector<JournalEntry> group;
    group.swap(pending_);
    lock.unlock();
    const auto began = Clock::now();
    try {
      commit_(group);
    } catch (const std::exception& x) {
      lock.lock();
      writing_ = false;
      failed_ = true;
      failure_ = x.what();
      committed_.notify_all();
      throw;
    }
    lock.lock();
    stats_.commit_ms += std::chrono::duration<double, std::milli>(Clock::now() - began).count();
    stats_.commits++;
    stats_.entries += group.size();
    committed_seq_ = group.back().seq;
    writing_ = false;
    committed_.notify_all();
  }
}

}  // namespace rbk
