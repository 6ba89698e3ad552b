// Telling people a gate waits for them: when a run pauses at a gate (gate_watch.hpp finds
// it in the store, whichever process executes the run), each configured webhook gets a POST — a
// Slack-compatible message (the plan, who may decide, a link) or a generic JSON document (the run
// as the API shows it). Deliveries go from a thread of their own, so a slow or failing receiver
// never holds a run up; each is retried with a doubling delay until it succeeds (2xx) or its
// attempts are spent. A webhook's URL is never logged: Slack's carry their token in the path.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <thread>

#include "run/run_store.hpp"
#include "server/settings.hpp"

namespace rbk::server {

class Notifier {
 public:
  explicit Notifier(Settings settings);
  ~Notifier();  // stops; deliveries still pending are given up (and logged)
  Notifier(const Notifier&) = delete;
  Notifier& operator=(const Notifier&) = delete;

  // REC has just paused at a gate: every webhook is to be told.
  void gate_waiting(const RunRecord& rec);

  struct Stats {
    uint64_t delivered = 0, retried = 0, given_up = 0;
  };
  Stats stats();

 private:
  using Clock = std::chrono::steady_clock;
  struct Delivery {
    size_t hook;
    std::string body;
    std::string what;  // "gate 'reprovision' of run r…", for the log
    int attempt = 0;
    Clock::time_point due;
  };
  void work();
  bool post(const Webhook& hook, const std::string& body, std::string& why);

  Settings settings_;
  std::mutex mu_;
  std::condition_variable wake_;
  std::deque<Delivery> pending_;
  Stats stats_;
  bool stopping_ = false;
  std::thread worker_;
};

// The bodies posted for REC (paused) to a webhook of each format; links start at
// PUBLIC_URL ("" for relative links).
std::string slack_message(const RunRecord& rec, const std::string& public_url);
std::string json_message(const RunRecord& rec, const std::string& public_url);

}  // namespace rbk::server
