// Checks on a runbook's graph of nodes and edges, and across runbooks.
//
// - Reachability: every node should be reachable from `start` (warning).
// - Ends: from every reachable node some path should reach an `end` (warning).
// - Spinning loops: a cycle that passes through no `wait` or `approve` node could run
//   forever without pause (error). Found as strongly connected components of the graph
//   with wait and approve nodes removed (Tarjan).
// - Definite assignment: a node may read a variable only if every path from start to it
//   assigns it (error). A forward data-flow problem: IN(n) is the intersection over n's
//   incoming edges of what the source node has assigned by then; an `on error` edge
//   carries only what held when the node was entered. Solved by iteration to a fixpoint.
// - Call cycles: runbooks that call each other in a circle (error).
#pragma once

#include <vector>

#include "compiler/model.hpp"
#include "compiler/runbook_check.hpp"

namespace rbk {

void check_graph(const RunbookModel& rb, const std::vector<VarRead>& reads, Diagnostics& diags);
void check_call_cycles(const CheckedProgram& program, Diagnostics& diags);

// The cycles of a directed graph, one per strongly connected component that holds a
// cycle, each as a list of vertices in order (the first vertex is not repeated).
std::vector<std::vector<int>> find_cycles(const std::vector<std::vector<int>>& successors);

}  // namespace rbk
