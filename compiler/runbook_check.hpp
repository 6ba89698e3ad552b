// Checking one runbook: its items, each node's clauses against what its kind allows,
// edge targets, expressions in node context, then the graph checks (graph_check.hpp)
// and decision coverage (decision_coverage.hpp).
#pragma once

#include <set>
#include <string>
#include <vector>

#include "compiler/expr_check.hpp"
#include "compiler/model.hpp"

namespace rbk {

// A read of a run variable inside node NODE's clause CLAUSE, for definite assignment.
struct VarRead {
  int node;
  int clause;
  int var;
  Range range;
};

// Phase 1, for every runbook before any is checked further: the runbook's items, nodes,
// edges and parameter types (call nodes of other runbooks need the parameters).
void collect_runbook(const CheckedProgram& program, RunbookModel& rb, const Visibility& visible,
                     Diagnostics& diags);

// Phase 2: expressions, call nodes, graph checks and decision coverage.
void check_runbook(const CheckedProgram& program, RunbookModel& rb, const Visibility& visible,
                   Diagnostics& diags);

// The clauses a node of kind K may hold, in the order its documentation lists them
// (what an editor offers inside such a node).
std::vector<ast::ClauseKind> clauses_allowed(NodeKind k);

}  // namespace rbk
