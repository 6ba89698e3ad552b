// Facts about a compiled runbook for its documentation, read from the bytecode (never the
// source): what each node calls, every probe and action the runbook can reach (through
// declared functions and sub-runbooks), which runbooks it calls, and parameter defaults.
#pragma once

#include <string>
#include <vector>

#include "vm/program.hpp"

namespace rbk {

struct NodeCalls {
  std::vector<std::string> probes, actions;  // names as written (fleet.last_seen_age), sorted
};
NodeCalls node_calls(const Program& p, const NodeInfo& node);

struct Reachable {
  std::string name;
  Effect effect = Effect::Probe;
  std::vector<std::string> capabilities;
};
// Every probe and action RB's nodes can call, directly, inside declared functions, or in
// the runbooks it calls (to any depth); sorted by name.
std::vector<Reachable> reachable_effects(const Program& p, const RunbookInfo& rb);

// The runbooks RB runs — by its call nodes, and as the child of its foreach nodes — by
// name, sorted.
std::vector<std::string> called_runbooks(const Program& p, const RunbookInfo& rb);

// A parameter's default as text: the value as a runbook writes it when it is built from
// literals (5%, "eu", ["eu", "us"], {min: 1}), "(computed)" when it is an expression, ""
// when the parameter has none.
std::string param_default(const Program& p, const ParamInfo& param);

}  // namespace rbk
