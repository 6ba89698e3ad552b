// What a foreach node will do, before it does it: the sizes of its waves over N items,
// what each child may do (its action calls, counted), and the worst case — how many
// children can start before the abort rule fires if every child fails. The VM shows it
// when the node starts (the foreach_plan event); `rbk check --explain` shows the part
// that does not depend on the list.
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "vm/program.hpp"
#include "vm/value.hpp"

namespace rbk {

// The end (exclusive) of each wave over N items: cumulative shares rounded up, counts
// capped at N, each wave at least one item more than the one before (a share that rounds
// to nothing is raised to one item), the last taking the whole list. Empty for N = 0.
std::vector<size_t> wave_ends(const std::vector<WaveInfo>& waves, size_t n);

struct ForeachPlan {
  std::map<std::string, size_t> actions;  // action -> calls in the child (and what it calls)
  // Children that can start before the abort fires when every child fails: `after` (or
  // the count that crosses the limit) plus the children already in flight. Unset without
  // an abort rule: then every item runs.
  std::optional<size_t> worst_case;
};
ForeachPlan plan_foreach(const Program& p, const ForeachInfo& fe);

// What the plan calls a list of items: the first 16 hex digits of a SHA-256 over the items'
// kinds and contents (lengths before strings and lists), so that two plans over the same
// items show the same digest. Streamed: a fleet's list is never printed whole to hash it.
std::string items_digest(const Value& list);

// The static part as text: "waves 1%, 10%, 100%; concurrency 50; rate: a start every
// 100ms; abort when failed > 5% after 20; each child may do ota.rollback ×1; worst case:
// 69 children start before the abort fires, if every child fails".
std::string explain_foreach(const Program& p, const ForeachInfo& fe);

}  // namespace rbk
