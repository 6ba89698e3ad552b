// Which gates started waiting: the server looks at the store every half second for runs
// that paused since it last looked, whoever executes them (its own workers, `rbk run` or
// `rbk approve` on an operator's machine sharing the store), and tells of each gate once
// (a run, its gate and its plan hash). Gates already waiting when the server starts were
// there before it: they are not told again.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <set>
#include <string>
#include <thread>

#include "run/run_store.hpp"

namespace rbk::server {

class GateWatch {
 public:
  using Waiting = std::function<void(const RunRecord&)>;
  // Calls WAITING (on a thread of its own) for each gate that starts waiting in STORE.
  GateWatch(RunStore& store, Waiting waiting);
  ~GateWatch();  // stops looking
  GateWatch(const GateWatch&) = delete;
  GateWatch& operator=(const GateWatch&) = delete;

 private:
  void look();

  RunStore& store_;
  Waiting waiting_;
  int64_t since_ = 0;           // runs changed after this were not looked at yet
  std::set<std::string> told_;  // "RUN GATE PLAN_HASH" of the gates seen at since_'s edge
  std::mutex mu_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace rbk::server
