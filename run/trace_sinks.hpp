// Where trace events go: a JSON-lines file (one object per event, with the run id and the
// program hash), the run store, the readable path on a terminal; any of them at once.
#pragma once

#include <fstream>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "run/run_store.hpp"
#include "vm/host.hpp"

namespace rbk {

// One trace event as the JSON object written to trace files and the store.
nlohmann::json trace_json(const TraceEvent& e, int64_t now_ms, const std::string& run,
                          const std::string& program, size_t seq);

class JsonlTrace : public TraceSink {
 public:
  JsonlTrace(std::ostream& out, std::string run_id, std::string program_hash)
      : out_(out), run_(std::move(run_id)), program_(std::move(program_hash)) {}
  void event(const TraceEvent& e, int64_t now_ms) override;
  // Events already written by an earlier process of the same run are skipped (resume).
  void skip_first(size_t n) { skip_ = n; }

 private:
  std::ostream& out_;
  std::string run_, program_;
  size_t seq_ = 0, skip_ = 0;
};

// The trace kept in the run store (`rbk runs ID` shows it).
class StoreTrace : public TraceSink {
 public:
  StoreTrace(RunStore& store, std::string run_id, std::string program_hash, size_t already)
      : store_(store), run_(std::move(run_id)), program_(std::move(program_hash)), skip_(already) {}
  void event(const TraceEvent& e, int64_t now_ms) override;

 private:
  RunStore& store_;
  std::string run_, program_;
  size_t seq_ = 0, skip_ = 0;
};

// The rows of a fleet's cohort table a person is shown (the largest, when there are more).
inline constexpr size_t kCohortRows = 20;

// The path a person reads: nodes, probe results, edges, actions, gates, the outcome.
class ReadableTrace : public TraceSink {
 public:
  explicit ReadableTrace(std::ostream& out) : out_(out) {}
  void event(const TraceEvent& e, int64_t now_ms) override;
  void skip_first(size_t n) { skip_ = n; }

 private:
  void cohort_table(const Value& columns, const Value& cohorts, const std::string& pad);
  std::ostream& out_;
  size_t seen_ = 0, skip_ = 0;
};

// A foreach's progress as a person reads it: "rollback: wave 2 of 3 · 1,234 of 60,000 done ·
// 12 failed · 8 in flight · 450/s · about 2m left".
std::string progress_text(const FleetProgress& p);

// The progress kept in the run store, for `rbk runs RUN --follow` in another process.
class StoreProgress : public TraceSink {
 public:
  StoreProgress(RunStore& store, std::string run) : store_(store), run_(std::move(run)) {}
  void event(const TraceEvent&, int64_t) override {
    if (shown_) store_.set_progress(run_, "");
    shown_ = false;
  }
  void progress(const FleetProgress& p) override {
    store_.set_progress(run_, progress_text(p));
    shown_ = true;
  }
  ~StoreProgress() override {
    try {
      if (shown_) store_.set_progress(run_, "");
    } catch (const std::exception&) {  // (a store that fails now fails its next write too)
    }
  }

 private:
  RunStore& store_;
  std::string run_;
  bool shown_ = false;
};

// A foreach's progress as one line on a terminal, drawn over itself ("rollback: wave 2 of
// 3 · 1,234 of 60,000 done · 12 failed · 8 in flight · 450/s · about 2m left"), and
// erased before anything else is printed: add it to a FanOut before the readable trace.
class ProgressLine : public TraceSink {
 public:
  explicit ProgressLine(std::ostream& terminal) : out_(terminal) {}
  void event(const TraceEvent&, int64_t) override { erase(); }
  void progress(const FleetProgress& p) override;
  ~ProgressLine() override { erase(); }

 private:
  void erase();
  std::ostream& out_;
  bool shown_ = false;
};

// Every event to each of several sinks.
class FanOut : public TraceSink {
 public:
  void add(TraceSink* s) { sinks_.push_back(s); }
  void event(const TraceEvent& e, int64_t now_ms) override {
    for (auto* s : sinks_) s->event(e, now_ms);
  }
  void progress(const FleetProgress& p) override {
    for (auto* s : sinks_) s->progress(p);
  }

 private:
  std::vector<TraceSink*> sinks_;
};

// Drops every event (rbk test: the result is what matters).
class NoTrace : public TraceSink {
 public:
  void event(const TraceEvent&, int64_t) override {}
};

}  // namespace rbk
