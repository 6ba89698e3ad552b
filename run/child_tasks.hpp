// The children of a foreach shared by a team's processes through their store (rbk serve
// replicas on one PostgreSQL: RunStore::publish_children). Two sides:
//
// - the run's (StoreChildQueue): the machine hands its children to the store as tasks,
//   at most `concurrency` at once and at the foreach's rate, and collects their reports;
// - a taker's (ChildTaskRunner): runs a child it claimed on a host of the run's mode,
//   journaled under the child's scope and fenced by its task, and reports how it went.
//
// A taker that dies leaves its task's lease to run out; another takes it and replays what
// the first journaled, so no completed action repeats. The run that published the tasks may
// die too: whoever takes the run over publishes the same tasks again (left as they are)
// and collects the same reports.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "run/journal_writer.hpp"
#include "run/run_store.hpp"
#include "vm/host.hpp"

namespace rbk {

class StoreChildQueue : public ChildQueue {
 public:
  StoreChildQueue(RunStore& store, std::string run) : store_(store), run_(std::move(run)) {}
  void publish(const std::vector<ChildTask>& tasks) override;
  std::vector<ChildReport> finished(const std::vector<std::string>& scopes,
                                    std::chrono::steady_clock::time_point deadline) override;
  std::vector<std::string> withdraw(const std::vector<std::string>& scopes) override;

 private:
  RunStore& store_;
  const std::string run_;
};

// A report as the store keeps it: {"result", "edges", "actions"} or {"fault"}; and back
// (a damaged one comes back as a fault naming the child).
std::string child_report_json(const ChildReport& report);
ChildReport child_report_from(const std::string& scope, const std::string& json);

class ChildTaskRunner {
 public:
  // Runs the children OWNER (this process: run/owner.hpp) took from STORE, which must
  // outlive it. May be used from several threads at once.
  ChildTaskRunner(RunStore& store, std::string owner);
  ~ChildTaskRunner();
  ChildTaskRunner(const ChildTaskRunner&) = delete;
  ChildTaskRunner& operator=(const ChildTaskRunner&) = delete;

  // Runs TASK to its end and reports how it went. False when the task was taken from this
  // process meanwhile (cut off from the store longer than its lease): its new taker reports.
  bool run(const StoredChildTask& task);

 private:
  struct RunContext;
  // What the children of RUN share here: its program, policy, world and journal writer
  // (made once, while the run goes on; dropped when its writer failed).
  std::shared_ptr<RunContext> context(const std::string& run);
  void drop(const std::string& run, const std::shared_ptr<RunContext>& c);

  RunStore& store_;
  const std::string owner_;
  std::mutex mutex_;
  std::map<std::string, std::shared_ptr<RunContext>> contexts_;  // by run id
};

}  // namespace rbk
