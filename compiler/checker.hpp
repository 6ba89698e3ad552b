// The checker: resolves and type-checks a loaded workspace and runs the graph checks.
//
// Order of work (each step relies on the ones before):
//  1. modules, configuration declarations and the signatures of declared probes and
//     actions, added to the registry of natives;
//  2. the bodies of declared probes and actions (effects: a probe may call only probes),
//     then their capabilities (the union over what they call) and recursion;
//  3. every runbook's items, nodes and edges (so call nodes can see other runbooks'
//     parameters), then each runbook's expressions, graph and decisions;
//  4. call cycles between runbooks.
// Semantic checks run only when every file parsed: diagnostics about half-parsed files
// would mostly be echoes of the syntax errors.
#pragma once

#include "compiler/loader.hpp"
#include "compiler/model.hpp"

namespace rbk {

CheckedProgram check_workspace(const Workspace& ws, Diagnostics& diags);

}  // namespace rbk
