// A fixed number of threads that run jobs from one queue: the children of a foreach that
// run beside each other (live and dry-run modes) run on it, `concurrency` at a time, never
// a thread per item.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace rbk {

class WorkerPool {
 public:
  explicit WorkerPool(size_t threads);
  // Runs the jobs already submitted, then joins the threads.
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  // JOB must not throw (it reports its own failures).
  void submit(std::function<void()> job);

 private:
  void work();
  std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<std::function<void()>> jobs_;
  bool closing_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace rbk
