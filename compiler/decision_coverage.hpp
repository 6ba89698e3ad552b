// Decision coverage: which values of a decide node's inputs reach none of its branches,
// and which `when` can never be the one chosen.
//
// The conditions are read as boolean formulas over atoms that compare one value (a
// variable or field path) with a constant, or test a bool value or null. Each value's
// domain is cut into cells at the constants it is compared with: for `age < 5m` and
// `age > 30m`, (-inf, 5m), [5m], (5m, 30m), [30m], (30m, +inf); plus null when the value
// is optional; bools have two cells; strings one per constant and one for the rest.
// Every combination of cells is evaluated (at most 4096). A combination where no
// condition holds reaches no branch; without `else` it is reported, with adjacent cells
// merged back into intervals ("age in [5m, 30m] reaches no branch"). A `when` that is
// the first true condition of no combination is reported as never chosen.
//
// Conditions outside this fragment (two variables compared, arithmetic, calls) cannot be
// proved: a decide node without `else` that has such a condition gets a warning saying so.
#pragma once

#include "compiler/model.hpp"

namespace rbk {

void check_decision_coverage(const RunbookModel& rb, int node, Diagnostics& diags);

}  // namespace rbk
