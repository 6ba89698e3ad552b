#include "server/child_workers.hpp"

#include <iostream>

#include "run/owner.hpp"

namespace rbk::server {

namespace {
// How long the claimer waits for a NOTIFY before it looks anyway (children whose taker
// died are claimable once their lease ran out, which nobody announces).
constexpr auto kClaimPoll = std::chrono::milliseconds(250);
}  // namespace

ChildWorkers::ChildWorkers(std::vector<std::unique_ptr<RunStore>> stores, size_t threads,
                           std::chrono::milliseconds lease)
    : stores_(std::move(stores)), threads_(std::max<size_t>(threads, 1)), lease_(lease) {
  for (auto& s : stores_) runners_.push_back(std::make_unique<ChildTaskRunner>(*s, this_process()));
  for (size_t i = 0; i < threads_; ++i)
    workers_.emplace_back([this, &runner = *runners_[i % runners_.size()]] { work(runner); });
  claimer_ = std::thread([this] { claim(); });
}

ChildWorkers::~ChildWorkers() {
  stop();
}

void ChildWorkers::claim() {
  bool failing = false;  // said once, until the store answers again
  for (;;) {
    size_t idle;
    {
      std::unique_lock lock(mu_);
      idle_.wait_for(lock, kClaimPoll,
                     [&] { return stopping_ || queue_.size() + running_ < threads_; });
      if (stopping_) return;
      idle = threads_ - std::min(threads_, queue_.size() + running_);
    }
    if (idle == 0) continue;
    std::vector<StoredChildTask> taken;
    try {
      taken = stores_[0]->claim_children(this_process(), lease_.count(), idle);
      if (failing) std::cerr << "rbk serve: the store answers again (children)\n";
      failing = false;
    } catch (const std::exception& e) {
      if (!failing) std::cerr << "rbk serve: children: " << e.what() << " (trying again)\n";
      failing = true;
      std::this_thread::sleep_for(kClaimPoll);
      continue;
    }
    if (!taken.empty()) {
      std::lock_guard lock(mu_);
      for (auto& t : taken) queue_.push_back(std::move(t));
      ready_.notify_all();
      if (taken.size() == idle) continue;  // more may be waiting
    }
    stores_[0]->wait_for_children(kClaimPoll);  // woken when a run publishes children
  }
}

void ChildWorkers::work(ChildTaskRunner& runner) {
  for (;;) {
    StoredChildTask task;
    {
      std::unique_lock lock(mu_);
      ready_.wait(lock, [&] { return !queue_.empty() || (stopping_ && queue_.empty()); });
      if (queue_.empty()) return;  // stopping, nothing left
      task = std::move(queue_.front());
      queue_.pop_front();
      ++running_;
    }
    const bool done = runner.run(task);
    if (!done)
      std::cerr << "rbk serve: child " << task.scope << " of run " << task.run
                << " was left to another process (its lease ran out here)\n";
    std::lock_guard lock(mu_);
    --running_;
    ++(done ? done_ : left_);
    if (task.attempts > 1) ++taken_over_;
    idle_.notify_all();
  }
}

void ChildWorkers::stop() {
  {
    std::lock_guard lock(mu_);
    if (stopping_ && workers_.empty()) return;
    stopping_ = true;
    ready_.notify_all();
    idle_.notify_all();
  }
  if (claimer_.joinable()) claimer_.join();
  // Those claimed run to their end (a child is short; its run waits for it).
  for (auto& t : workers_) t.join();
  workers_.clear();
}

ChildWorkers::Figures ChildWorkers::figures() const {
  std::lock_guard lock(mu_);
  return Figures{running_ + queue_.size(), done_, left_, taken_over_};
}

}  // namespace rbk::server
