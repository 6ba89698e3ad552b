#include "server/run_executor.hpp"

#include <chrono>
#include <iostream>

#include "run/output_log.hpp"
#include "run/owner.hpp"

namespace rbk::server {

RunExecutor::RunExecutor(RunStore& store, size_t workers, Finished finished, TraceSink* observer)
    : store_(store), finished_(std::move(finished)), observer_(observer) {
  for (size_t i = 0; i < std::max<size_t>(workers, 1); ++i)
    workers_.emplace_back([this] { work(); });
}

RunExecutor::~RunExecutor() {
  shutdown();
}

void RunExecutor::submit(RunSession session, const std::string& actor, bool resuming) {
  std::lock_guard lock(mu_);
  Job job{std::make_shared<RunSession>(std::move(session)), actor, std::make_shared<RunInterrupt>(),
          resuming};
  if (stopping_) return;  // recorded and owned by this process: the next server resumes it
  executing_[job.session->record().id] = job.interrupt;
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
  for (auto& t : workers_) t.join();
  workers_.clear();
}

size_t RunExecutor::executing() const {
  std::lock_guard lock(mu_);
  return executing_.size() - queue_.size();
}

size_t RunExecutor::queued() const {
  std::lock_guard lock(mu_);
  return queue_.size();
}

}  // namespace rbk::server
