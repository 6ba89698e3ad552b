#include "server/gate_watch.hpp"

#include <chrono>
#include <iostream>

#include "vm/value.hpp"

namespace rbk::server {

namespace {

constexpr auto kEvery = std::chrono::milliseconds(500);
// A run's updated_at is written by the process that pauses it, whose clock may lag this
// one's a little, and a commit may land after the look that began before it: each look
// reaches this far behind the last, and the gates it finds again are told once.
constexpr int64_t kOverlapMs = 5'000;

std::string key(const RunRecord& r) {
  return r.id + " " + r.paused_gate + " " + r.plan_hash;
}

}  // namespace

GateWatch::GateWatch(RunStore& store, Waiting waiting)
    : store_(store), waiting_(std::move(waiting)) {
  since_ = system_now_ms();
  RunFilter paused;
  paused.status = RunState::Paused;
  paused.updated_after = since_ - kOverlapMs;
  for (const RunRecord& r : store_.list(paused, 10'000)) told_.insert(key(r));  // before us
  thread_ = std::thread([this] { look(); });
}

GateWatch::~GateWatch() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void GateWatch::look() {
  std::unique_lock lock(mu_);
  while (!wake_.wait_for(lock, kEvery, [&] { return stopping_; })) {
    RunFilter paused;
    paused.status = RunState::Paused;
    paused.updated_after = since_ - kOverlapMs;
    int64_t now = system_now_ms();
    try {
      std::set<std::string> seen;
      for (const RunRecord& r : store_.list(paused, 10'000)) {
        seen.insert(key(r));
        if (!told_.count(key(r))) waiting_(r);
      }
      told_ = std::move(seen);  // what the next look's overlap can find again
      since_ = now;
    } catch (const StoreError& e) {  // looked at again in half a second
      std::cerr << "rbk serve: looking for gates waiting: " << e.what() << "\n";
    }
  }
}

}  // namespace rbk::server
