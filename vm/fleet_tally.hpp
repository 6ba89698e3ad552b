// How the children of one foreach node went, counted as each finishes: by outcome, by end
// node, by cohort (the `by` columns), and by path. A fleet's children take a handful of
// distinct paths through their runbook, so a child is kept as the index of its path, and
// the `children` trace events list each distinct path once (docs/running.md, "Trace
// events"). Nothing here allocates per child beyond a new path, a new cohort, and the
// event's per-child lists.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <unordered_map>
#include <vector>

#include "vm/host.hpp"
#include "vm/program.hpp"
#include "vm/value.hpp"

namespace rbk {

struct ValueHash {
  size_t operator()(const Value& v) const { return value_hash(v); }
};

class FleetTally {
 public:
  explicit FleetTally(const RunbookInfo& child);

  // One finished child. EDGES: the edges of the child runbook it took, in order; END: the
  // end node it reached (kNone when it failed); KEY: its cohort (a list, or null without
  // `by`); ID: what a person calls its item (null when nothing); REASON: why it failed.
  void add(const std::vector<uint32_t>& edges, uint32_t end, Outcome outcome, const Value& key,
           const Value& id, const std::string& reason);

  // The fields of a `children` event holding the children added since the last one, and
  // FROM, the index of the first of them; empty when there are none.
  std::vector<TraceField> take_event(size_t from);
  size_t pending() const { return event_path_.size(); }

  struct Cohort {
    Value key;                 // the `by` columns' values, in order
    std::vector<size_t> ends;  // children by end node (indexed like the child's nodes)
    size_t failed = 0;         // children that reached no end
  };
  const std::vector<Cohort>& cohorts() const { return cohorts_; }
  size_t by_outcome(Outcome o) const { return by_outcome_[static_cast<size_t>(o)]; }
  size_t by_end(uint32_t node) const { return by_end_[node]; }

 private:
  struct Path {
    std::vector<uint32_t> edges;
    uint32_t end;
    Outcome outcome;
  };
  uint32_t path_of(const std::vector<uint32_t>& edges, uint32_t end, Outcome outcome);
  uint32_t cohort_of(const Value& key);

  const RunbookInfo& child_;
  std::array<size_t, 5> by_outcome_{};  // indexed by Outcome
  std::vector<size_t> by_end_;
  std::vector<Path> paths_;
  std::map<std::vector<uint32_t>, uint32_t> path_ids_;  // edges + {end, outcome} -> path
  std::vector<uint32_t> key_scratch_;
  std::vector<Cohort> cohorts_;
  std::unordered_map<Value, uint32_t, ValueHash> cohort_ids_;
  // The event being gathered: each child's path and cohort as an index into the event's
  // own lists of paths and cohorts (kNone: not in this event yet).
  std::vector<uint32_t> event_path_of_, event_cohort_of_;
  std::vector<Value> event_paths_, event_cohorts_;
  std::vector<Value> event_path_, event_cohort_, event_ids_, event_reasons_;
  bool any_key_ = false, any_reason_ = false;
};

}  // namespace rbk
