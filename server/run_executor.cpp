#include "server/run_executor.hpp"

#include <algorithm>
#include <chrono>
#include <iostream>

#include "run/output_log.hpp"
#include "run/owner.hpp"

namespace rbk::server {

RunExecutor::RunExecutor(RunStore& store, size_t workers, Finished finished, TraceSink* observer,
                         std::chrono::milliseconds lease,
                         std::vector<std::unique_ptr<RunStore>> children_stores,
                         size_t child_threads)
    : store_(store),
      finished_(std::move(finished)),
      observer_(observer),
      worker_count_(std::max<size_t>(workers, 1)),
      lease_(lease) {
  if (!children_stores.empty() && children_stores[0]->shares_children() && lease_.count() > 0)
    children_ = std::make_unique<ChildWorkers>(std::move(children_stores), child_threads, lease_);
  for (size_t i = 0; i < worker_count_; ++i) workers_.emplace_back([this] { work(); });
  if (lease_.count() > 0) {
    store_.hold_leases(lease_.count());
    lease_keeper_ = std::thread([this] { keep_leases(); });
  }
}

void RunExecutor::keep_leases() {
  // A tick: at most a second (a shutdown waits for it), a third of the lease at least.
  const auto tick = std::min<std::chrono::milliseconds>(lease_ / 3, std::chrono::seconds(1));
  for (;;) {
    {
      std::lock_guard lock(mu_);
      if (stopping_) return;
    }
    try {
      if (std::chrono::steady_clock::now() - renewed_ >= lease_ / 3) renew_leases();
      take_over_expired();
      if (store_failing_) std::cerr << "rbk serve: the store answers again\n";
      store_failing_ = false;
    } catch (const std::exception& e) {  // StoreError: it stays down, the runs' writes fail
      if (!store_failing_) std::cerr << "rbk serve: leases: " << e.what() << " (trying again)\n";
      store_failing_ = true;
    }
    store_.wait_for_work(tick);  // woken early when a replica hands its runs on
  }
}

void RunExecutor::renew_leases() {
  const std::string me = this_process();
  std::vector<std::string> held = store_.renew_leases(me, lease_.count());
  renewed_ = std::chrono::steady_clock::now();
  std::sort(held.begin(), held.end());
  std::vector<std::string> missing, orphans;
  {
    std::lock_guard lock(mu_);
    for (const auto& [id, interrupt] : executing_)
      if (!interrupt->requested && !std::binary_search(held.begin(), held.end(), id))
        missing.push_back(id);
    for (const auto& id : held)
      if (!executing_.count(id)) orphans.push_back(id);
  }
  // Executing here but no longer held: taken over by another replica while this one was
  // cut off. Stop it here. (A run that just ended or paused is not running either.)
  for (const auto& id : missing) {
    std::optional<RunRecord> rec = store_.get(id);
    // (A dead process of this machine still named as the owner is this one's to take: a
    // run resumed after a crash is queued before it is claimed.)
    if (!rec || rec->status != RunState::Running || rec->owner == me || owner_gone(rec->owner))
      continue;
    std::cerr << "rbk serve: run " << id << " was taken over by " << rec->owner
              << ": stopping it here\n";
    std::lock_guard lock(mu_);
    if (auto it = executing_.find(id); it != executing_.end()) it->second->requested = true;
  }
  // Held but executed by nobody here, at two renewals in a row (not a run between being
  // recorded and being queued): resumed, so no run stays leased and idle.
  std::vector<std::string> still;
  for (const auto& id : orphans)
    if (std::binary_search(orphaned_.begin(), orphaned_.end(), id)) {
      resume(id, "it was held here but not executing");
    } else {
      still.push_back(id);
    }
  orphaned_ = std::move(still);
}

void RunExecutor::resume(const std::string& id, const std::string& why) {
  try {
    std::optional<RunSession> s = RunSession::open(store_, id);
    if (!s) return;
    std::cerr << "rbk serve: resuming run " << id << " (" << why << ")\n";
    submit(std::move(*s), "rbk serve", true);
  } catch (const SessionError& e) {
    std::cerr << "rbk serve: run " << id << " cannot be resumed: " << e.what() << "\n";
  }
}

void RunExecutor::take_over_expired() {
  size_t free;
  {
    std::lock_guard lock(mu_);
    if (stopping_) return;
    free = executing_.size() >= worker_count_ ? 0 : worker_count_ - executing_.size();
  }
  if (free == 0) return;
  for (const std::string& id :
       store_.claim_expired("serve", this_process(), lease_.count(), free)) {
    ++runs_taken_over_;
    resume(id, "taken over: the lease of the replica executing it ran out");
  }
}

RunExecutor::~RunExecutor() {
  shutdown();
}

void RunExecutor::submit(RunSession session, const std::string& actor, bool resuming) {
  std::lock_guard lock(mu_);
  Job job{std::make_shared<RunSession>(std::move(session)), actor, std::make_shared<RunInterrupt>(),
          resuming};
  if (stopping_) return;  // recorded and owned by this process: the next server resumes it
  // Once: a run resumed by the lease keeper and queued by a request meanwhile is one run.
  if (!executing_.emplace(job.session->record().id, job.interrupt).second) return;
  queue_.push_back(std::move(job));
  wake_.notify_one();
}

void RunExecutor::work() {
  for (;;) {
    Job job;
    {
      std::unique_lock lock(mu_);
      wake_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping
      job = std::move(queue_.front());
      queue_.pop_front();
    }
    execute(job);
    std::lock_guard lock(mu_);
    executing_.erase(job.session->record().id);
    idle_.notify_all();
  }
}

void RunExecutor::execute(Job& job) {
  RunSession& session = *job.session;
  const std::string id = session.record().id;
  if (job.interrupt->requested) {  // stopped while queued: leave it to whoever stops it
    store_.claim(id, this_process(), "");
    return;
  }
  RunResult r;
  try {
    OutputLog out(store_, id, nullptr);
    RunSession::Output setup;
    setup.readable = &out;
    setup.actor = job.actor;
    setup.interrupt = job.interrupt.get();
    setup.observer = observer_;
    setup.share_children = children_ != nullptr;
    setup.starting = [&out, resuming = job.resuming](const RunRecord& rec) {
      out << (resuming ? "resuming run " + rec.id + " " + rec.runbook
                       : "run " + rec.id + " " + rec.runbook + " (" + run_mode_name(rec.mode) + ")")
          << " in rbk serve" << std::endl;
    };
    r = session.execute(setup);
    out << summary_line(r) << "\n";
    if (r.status == RunStatus::Paused)
      for (const auto& line : r.paused_at.plan_lines()) out << "  plan: " << line << "\n";
    out.flush();
  } catch (const std::exception& e) {  // SessionError, StoreError
    std::cerr << "rbk serve: run " << id << ": " << e.what() << "\n";
    return;
  }
  // Stopped by a shutdown: owned by this process again, so the next server resumes it (a
  // cancel takes it over from nobody instead).
  bool shutting_down;
  {
    std::lock_guard lock(mu_);
    shutting_down = stopping_;
  }
  if (r.status == RunStatus::Interrupted && shutting_down) store_.claim(id, "", this_process());
  if (finished_) finished_(session, r);
}

bool RunExecutor::stop(const std::string& id) {
  std::unique_lock lock(mu_);
  auto it = executing_.find(id);
  if (it == executing_.end()) return false;
  it->second->requested = true;
  // A queued run is taken off the queue here; one executing stops at its next node.
  for (auto q = queue_.begin(); q != queue_.end(); ++q)
    if (q->session->record().id == id) {
      queue_.erase(q);
      executing_.erase(id);
      lock.unlock();
      store_.claim(id, this_process(), "");
      return true;
    }
  idle_.wait_for(lock, std::chrono::seconds(30), [&] { return !executing_.count(id); });
  return true;
}

size_t RunExecutor::resume_interrupted() {
  size_t n = 0;
  RunFilter filter;
  filter.status = RunState::Interrupted;
  for (const RunRecord& rec : find_runs(store_, filter, 10'000)) {
    if (!owner_labelled(rec.owner, "serve")) continue;  // a person's run: rbk resume
    // A replica of another machine, or one whose lease ran out while it runs on: taken
    // over by the lease keeper (take_over_expired), not here.
    if (!owner_gone(rec.owner)) continue;
    // Ours before it is queued: no other replica of this machine resumes it too.
    if (!store_.claim(rec.id, rec.owner, this_process())) continue;
    try {
      std::optional<RunSession> s = RunSession::open(store_, rec.id);
      if (!s) continue;
      submit(std::move(*s), "rbk serve", true);
      ++n;
    } catch (const SessionError& e) {
      std::cerr << "rbk serve: run " << rec.id << " cannot be resumed: " << e.what() << "\n";
    }
  }
  return n;
}

void RunExecutor::shutdown() {
  {
    std::lock_guard lock(mu_);
    if (stopping_ && workers_.empty()) return;
    stopping_ = true;
    for (auto& [id, interrupt] : executing_) interrupt->requested = true;
    queue_.clear();  // recorded and owned by this process: the next server resumes them
    wake_.notify_all();
  }
  // The children running here finish first (the runs, stopping, wait for them), so that
  // none is held here when the leases below are let go.
  if (children_) children_->stop();
  for (auto& t : workers_) t.join();
  workers_.clear();
  if (lease_keeper_.joinable()) {
    lease_keeper_.join();
    try {  // the runs stopped here are another replica's at once, not after the lease
      store_.release_leases(this_process());
    } catch (const std::exception& e) {
      std::cerr << "rbk serve: " << e.what() << " (the runs' leases run out instead)\n";
    }
  }
}

size_t RunExecutor::executing() const {
  std::lock_guard lock(mu_);
  return executing_.size() - queue_.size();
}

size_t RunExecutor::queued() const {
  std::lock_guard lock(mu_);
  return queue_.size();
}

ExecutorFigures RunExecutor::figures() const {
  ExecutorFigures f;
  f.executing = executing();
  f.queued = queued();
  f.runs_taken_over = runs_taken_over_;
  if (children_) {
    ChildWorkers::Figures c = children_->figures();
    f.children_executing = c.executing;
    f.children_done = c.done;
    f.children_left = c.left;
    f.children_taken_over = c.taken_over;
  }
  return f;
}

}  // namespace rbk::server
