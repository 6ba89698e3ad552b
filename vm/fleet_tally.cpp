#include "vm/fleet_tally.hpp"

namespace rbk {

FleetTally::FleetTally(const RunbookInfo& child) : child_(child), by_end_(child.nodes.size(), 0) {}

uint32_t FleetTally::path_of(const std::vector<uint32_t>& edges, uint32_t end, Outcome outcome) {
  key_scratch_.assign(edges.begin(), edges.end());
  key_scratch_.push_back(end);
  key_scratch_.push_back(static_cast<uint32_t>(outcome));
  auto [at, added] = path_ids_.try_emplace(key_scratch_, static_cast<uint32_t>(paths_.size()));
  if (added) paths_.push_back({edges, end, outcome});
  return at->second;
}

uint32_t FleetTally::cohort_of(const Value& key) {
  auto [at, added] = cohort_ids_.try_emplace(key, static_cast<uint32_t>(cohorts_.size()));
  if (added) cohorts_.push_back({key, std::vector<size_t>(child_.nodes.size(), 0), 0});
  return at->second;
}

void FleetTally::add(const std::vector<uint32_t>& edges, uint32_t end, Outcome outcome,
                     const Value& key, const Value& id, const std::string& reason) {
  by_outcome_[static_cast<size_t>(outcome)]++;
  if (end != kNone) by_end_[end]++;
  const uint32_t path = path_of(edges, end, outcome);
  if (event_path_of_.size() <= path) event_path_of_.resize(path + 1, kNone);
  uint32_t& local_path = event_path_of_[path];
  if (local_path == kNone) {
    local_path = static_cast<uint32_t>(event_paths_.size());
    std::vector<Value> taken;
    for (uint32_t e : edges) taken.push_back(Value::integer(e));
    event_paths_.push_back(
        Value::record({"outcome", "end", "edges"},
                      {Value::string(outcome_name(outcome)),
                       end != kNone ? Value::string(child_.nodes[end].name) : Value::null(),
                       Value::list(std::move(taken))}));
  }
  event_path_.push_back(Value::integer(local_path));
  if (key.kind == ValueKind::List) {
    const uint32_t cohort = cohort_of(key);
    Cohort& c = cohorts_[cohort];
    if (end != kNone)
      c.ends[end]++;
    else
      c.failed++;
    if (event_cohort_of_.size() <= cohort) event_cohort_of_.resize(cohort + 1, kNone);
    uint32_t& local_cohort = event_cohort_of_[cohort];
    if (local_cohort == kNone) {
      local_cohort = static_cast<uint32_t>(event_cohorts_.size());
      event_cohorts_.push_back(key);
    }
    event_cohort_.push_back(Value::integer(local_cohort));
    any_key_ = true;
  } else {
    event_cohort_.push_back(Value::null());
  }
  event_ids_.push_back(id);
  any_reason_ = any_reason_ || !reason.empty();
  event_reasons_.push_back(reason.empty() ? Value::null() : Value::string(reason));
}

std::vector<TraceField> FleetTally::take_event(size_t from) {
  if (event_path_.empty()) return {};
  std::vector<TraceField> fields{{"child", Value::string(child_.name)},
                                 {"from", Value::integer(static_cast<int64_t>(from))},
                                 {"paths", Value::list(std::move(event_paths_))},
                                 {"path", Value::list(std::move(event_path_))},
                                 {"ids", Value::list(std::move(event_ids_))}};
  if (any_key_) {
    fields.push_back({"cohorts", Value::list(std::move(event_cohorts_))});
    fields.push_back({"cohort", Value::list(std::move(event_cohort_))});
  }
  if (any_reason_) fields.push_back({"reasons", Value::list(std::move(event_reasons_))});
  event_paths_.clear(), event_path_.clear(), event_ids_.clear(), event_cohorts_.clear();
  event_cohort_.clear(), event_reasons_.clear();
  std::fill(event_path_of_.begin(), event_path_of_.end(), kNone);
  std::fill(event_cohort_of_.begin(), event_cohort_of_.end(), kNone);
  any_key_ = any_reason_ = false;
  return fields;
}

}  // namespace rbk
