// Where trace events go: a JSON-lines file (one object per event, with the run id and the
// program hash), the run store, the readable path on a terminal; any of them at once.
#pragma once

#include <atomic>
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
  // A resumed run appends to the file its earlier processes wrote N events to.
  void continue_after(size_t n) { seq_ = n; }

 private:
  std::ostream& out_;
  std::string run_, program_;
  size_t seq_ = 0;
};

// The trace kept in the run store (`rbk runs ID` shows it).
class StoreTrace : public TraceSink {
 public:
  // ALREADY: the events earlier processes of the run stored (a resumed run goes on after).
  StoreTrace(RunStore& store, std::string run_id, std::string program_hash, size_t already)
      : store_(store), run_(std::move(run_id)), program_(std::move(program_hash)), seq_(already) {}
  void event(const TraceEvent& e, int64_t now_ms) override;

 private:
  RunStore& store_;
  std::string run_, program_;
  size_t seq_ = 0;
};

// The rows of a fleet's cohort table a person is shown (the largest, when there are more).
inline constexpr size_t kCohortRows = 20;

// The path a person reads: nodes, probe results, edges, actions, gates, the outcome.
class ReadableTrace : public TraceSink {
 public:
  explicit ReadableTrace(std::ostream& out) : out_(out) {}
  void event(const TraceEvent& e, int64_t now_ms) override;

 private:
  void cohort_table(const Value& columns, const Value& cohorts, const std::string& pad);
  std::ostream& out_;
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

// What a resumed run emits after the events its earlier processes wrote: it replays its
// journal, emitting again what they emitted, and only then goes on. A replay does not run
// again the body of an action its journal says is done, so it emits fewer of the events
// inside declared probes' and actions' bodies (in_body) than the first process wrote:
// counting every event would swallow as many new ones (a gate's decision). So the events of
// the run's path are counted: the first PATH_EVENTS of them, and whatever comes before the
// last, are the earlier processes'.
class AfterReplay : public TraceSink {
 public:
  AfterReplay(TraceSink& to, size_t path_events) : to_(to), skip_(path_events) {}
  void event(const TraceEvent& e, int64_t now_ms) override {
    size_t before = e.in_body ? path_seen_.load() : path_seen_.fetch_add(1);
    if (before >= skip_) to_.event(e, now_ms);
  }
  void progress(const FleetProgress& p) override { to_.progress(p); }

 private:
  TraceSink& to_;
  size_t skip_;
  std::atomic<size_t> path_seen_{0};
};

// Drops every event (rbk test: the result is what matters).
class NoTrace : public TraceSink {
 public:
  void event(const TraceEvent&, int64_t) override {}
};

}  // namespace rbk
