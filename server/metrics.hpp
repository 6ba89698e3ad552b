// /metrics in Prometheus' text format (version 0.0.4): what this server did since it
// started (requests, runs it executed to an end, probe and action latencies, journal
// commits), and what the store holds now (runs by runbook and state, gates waiting and how
// long). Counters and histograms are kept here, updated from the request threads and the
// runs' threads; the store's figures are read at each scrape.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "run/journal_writer.hpp"
#include "run/run_store.hpp"
#include "vm/host.hpp"
#include "vm/machine.hpp"

namespace rbk::server {

// Observations in buckets of fixed upper bounds (seconds), one series per label value.
class Histogram {
 public:
  explicit Histogram(std::vector<double> bounds) : bounds_(std::move(bounds)) {}
  void observe(const std::string& labels, double value);
  // NAME's lines (the HELP and TYPE lines are the caller's).
  void render(std::string& out, const std::string& name) const;

 private:
  struct Series {
    std::vector<uint64_t> counts;  // per bound, not cumulative; the last is +Inf
    double sum = 0;
    uint64_t count = 0;
  };
  std::vector<double> bounds_;
  std::map<std::string, Series> series_;  // by rendered labels ("function=\"x\"")
};

// What the run executor reports of its work (server/run_executor.hpp): its runs now, and
// what it took over from other replicas.
struct ExecutorFigures {
  size_t executing = 0, queued = 0;
  uint64_t runs_taken_over = 0;  // runs whose replica's lease ran out, resumed here
  // Fan-out children of any replica's runs (a store the replicas share): executing here
  // now; finished here; left to another (this one's lease ran out); taken over from a
  // replica that died.
  size_t children_executing = 0;
  uint64_t children_done = 0, children_left = 0, children_taken_over = 0;
};

class Metrics : public TraceSink {
 public:
  Metrics();
  // Probe and action events: their duration_ms, by function.
  void event(const TraceEvent& e, int64_t now_ms) override;
  void request(const std::string& method, const std::string& route, int status, double seconds);
  void run_executed(const RunRecord& rec, const RunResult& r,
                    const std::optional<JournalWriter::Stats>& journal);
  // Every metric, the store's read now; WORK: the executor's.
  std::string render(RunStore& store, const ExecutorFigures& work);

 private:
  std::mutex mu_;
  Histogram probes_, actions_, requests_seconds_;
  std::map<std::string, uint64_t> requests_;  // by labels
  std::map<std::string, uint64_t> runs_ended_;
  uint64_t journal_commits_ = 0, journal_entries_ = 0;
  double journal_commit_seconds_ = 0;
};

// The route a path belongs to, as the API's document names it (/api/runs/{id}/approve): a
// label whose values are few, whatever paths clients send.
std::string route_of(const std::string& path);

// V as a Prometheus label value, quoted (backslash, quote and newline escaped).
std::string label_value(const std::string& v);

}  // namespace rbk::server
