// The children of foreach nodes a server takes from a store its replicas share
// (run/child_tasks.hpp): a claimer takes as many as it has idle threads (FOR UPDATE SKIP
// LOCKED: replicas claiming at once each get others), woken when children are published
// (LISTEN) or a thread becomes idle, and looking at least four times a second for those a
// dead replica held; each thread runs one child at a time.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "run/child_tasks.hpp"

namespace rbk::server {

class ChildWorkers {
 public:
  // STORES: connections of their own to the shared store (the threads take turns on them;
  // a connection carries one statement at a time). THREADS: children at once. LEASE: how
  // long a claimed child is held before it is renewed (by the run executor's lease keeper,
  // which renews everything this process holds).
  ChildWorkers(std::vector<std::unique_ptr<RunStore>> stores, size_t threads,
               std::chrono::milliseconds lease);
  ~ChildWorkers();  // stop()
  ChildWorkers(const ChildWorkers&) = delete;
  ChildWorkers& operator=(const ChildWorkers&) = delete;

  // Takes no more children and waits for those running here to finish.
  void stop();
  struct Figures {
    size_t executing = 0;  // claimed and not finished (running, or waiting for a thread)
    uint64_t done = 0, left = 0, taken_over = 0;
  };
  Figures figures() const;

 private:
  void claim();
  void work(ChildTaskRunner& runner);

  std::vector<std::unique_ptr<RunStore>> stores_;
  std::vector<std::unique_ptr<ChildTaskRunner>> runners_;  // one per store
  const size_t threads_;
  const std::chrono::milliseconds lease_;
  mutable std::mutex mu_;
  std::condition_variable ready_, idle_;
  std::deque<StoredChildTask> queue_;
  size_t running_ = 0;
  uint64_t done_ = 0, left_ = 0, taken_over_ = 0;
  bool stopping_ = false;
  std::vector<std::thread> workers_;
  std::thread claimer_;
};

}  // namespace rbk::server
