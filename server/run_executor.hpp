// Where a server executes runs: a fixed set of worker threads, each taking the next run
// from a queue, so many runs go on at once and no request waits for one. A run is in the
// store (RunSession::register_run, or its decision recorded) before it is queued, owned by
// this process: if the process dies, it is interrupted, and the next server resumes it
// from its journal (resume_interrupted). Stopping a run (cancel, shutdown) asks it through
// its RunInterrupt; it stops between nodes or between a foreach's children, resumable.
//
// Replicas sharing a store (docs/server.md): this process holds the runs it owns by a
// lease it renews every third of its length; a replica that dies or loses the database
// stops renewing, and when its leases run out the others take its runs over
// (claim_expired) and resume them from their journals. A run taken over from this process
// while it still executes it (it was cut off from the database for longer than the lease)
// is stopped here: the store refuses its writes, and the renewal no longer names it.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "run/session.hpp"
#include "server/child_workers.hpp"
#include "server/metrics.hpp"

namespace rbk::server {

class RunExecutor {
 public:
  // Called on the worker after each execution, with the session (its record as it ended:
  // paused, ended, failed, interrupted; its journal's figures) and the result
  // (notifications, metrics).
  using Finished = std::function<void(const RunSession&, const RunResult&)>;

  // OBSERVER (may be null) sees every trace event of the runs executed here. LEASE: how
  // long this process holds its runs without renewing (0: no leases, no takeover).
  // CHILDREN_STORES: with a store the replicas share, connections of their own to it: the
  // children of the runs' foreach nodes are then shared by the replicas, and CHILD_THREADS
  // of them run here at once (server/child_workers.hpp); none: each run's children run on
  // its own threads.
  RunExecutor(RunStore& store, size_t workers, Finished finished, TraceSink* observer,
              std::chrono::milliseconds lease = std::chrono::milliseconds(0),
              std::vector<std::unique_ptr<RunStore>> children_stores = {},
              size_t child_threads = 0);
  ~RunExecutor();  // shutdown()
  RunExecutor(const RunExecutor&) = delete;
  RunExecutor& operator=(const RunExecutor&) = delete;

  // Queues SESSION, recorded and owned by this process, to execute (ACTOR: who made it go
  // on, for the audit log; RESUMING: it ran before, and goes on from its journal).
  void submit(RunSession session, const std::string& actor, bool resuming);

  // Stops run ID if it is queued or executing here, waiting until it has (bounded: 30 s);
  // false when it is not here. Its record is left owned by nobody (cancel_run goes on).
  bool stop(const std::string& id);

  // The interrupted runs this server's processes executed (labelled "serve"), queued again.
  // Returns how many.
  size_t resume_interrupted();

  // Stops taking runs, asks those in flight to stop, and waits for them. Their records stay
  // owned by this process, so the next server resumes them — or, with leases, their
  // leases end at once and another replica takes them over.
  void shutdown();

  size_t executing() const;
  size_t queued() const;
  ExecutorFigures figures() const;

 private:
  struct Job {
    std::shared_ptr<RunSession> session;
    std::string actor;
    std::shared_ptr<RunInterrupt> interrupt;
    bool resuming = false;
  };
  void work();
  void execute(Job& job);
  // The lease keeper's loop: renew, stop what was lost, take over what expired.
  void keep_leases();
  void renew_leases();
  void take_over_expired();
  // Opens run ID from the store and queues it, resuming (WHY: for the log).
  void resume(const std::string& id, const std::string& why);

  RunStore& store_;
  Finished finished_;
  TraceSink* observer_;
  mutable std::mutex mu_;
  std::condition_variable wake_, idle_;
  std::deque<Job> queue_;
  std::map<std::string, std::shared_ptr<RunInterrupt>> executing_;  // by run id
  bool stopping_ = false;
  std::vector<std::thread> workers_;
  const size_t worker_count_;
  const std::chrono::milliseconds lease_;
  std::chrono::steady_clock::time_point renewed_{};
  std::vector<std::string> orphaned_;  // held, executed by nobody here, at the last renewal
  bool store_failing_ = false;         // said once, until it answers again
  std::thread lease_keeper_;
  std::atomic<uint64_t> runs_taken_over_{0};
  std::unique_ptr<ChildWorkers> children_;  // with a shared store
};

}  // namespace rbk::server
