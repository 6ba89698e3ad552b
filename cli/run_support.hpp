// What `rbk run`, `rbk test`, `rbk approve` share: turning parameters into typed values
// and summarising a run for people.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "run/scenario.hpp"
#include "vm/machine.hpp"

namespace rbk::cli {

// Binds the entry runbook's parameters from the scenario, then from --param k=v (which
// win). Sets ERROR (naming the parameter and the forms its type accepts) and returns an
// empty vector on a bad value, an unknown name, or a parameter without a default that
// nothing gave a value.
std::vector<std::optional<Value>> bind_params(const Program& p, const Scenario* scenario,
                                              const std::vector<std::string>& assignments,
                                              std::string& error);

// How a value of type T is written on the command line: "a duration with its unit (90s,
// 45m, 1h30m)", "a JSON list, quoted for the shell ('["10%", "100%"]')".
std::string param_forms(const TypeRef& t);

// "outcome: resolved (5 nodes, 1 action)" or "failed: …" or "paused at gate …".
std::string summary_line(const RunResult& r);

}  // namespace rbk::cli
