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
// win). Sets ERROR (naming the parameter) and returns an empty vector on a bad value or
// an unknown name.
std::vector<std::optional<Value>> bind_params(const Program& p, const Scenario* scenario,
                                              const std::vector<std::string>& assignments,
                                              std::string& error);

// "outcome: resolved (5 nodes, 1 action)" or "failed: …" or "paused at gate …".
std::string summary_line(const RunResult& r);

}  // namespace rbk::cli
