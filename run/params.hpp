// A run's parameters, from what a person gave (a JSON object: a scenario's "params", an API
// request's; and `--param NAME=VALUE` on the command line) to the typed values of the entry
// runbook's parameters, with errors that say which forms a type accepts. Shared by every
// driver that starts runs (rbk run, rbk test, rbk serve).
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <vector>

#include "vm/program.hpp"
#include "vm/value.hpp"

namespace rbk {

// Binds the entry runbook's parameters from GIVEN (a JSON object; may be null), then from
// ASSIGNMENTS ("NAME=VALUE", which win). Sets ERROR (naming the parameter and the forms
// its type accepts) and returns an empty vector on a bad value, an unknown name, or a
// parameter without a default that nothing gave a value — telling how to give it the way
// the caller takes it: `--param NAME=…` on the COMMAND_LINE, `"NAME": …` in a request.
std::vector<std::optional<Value>> bind_params(const Program& p, const nlohmann::json* given,
                                              const std::vector<std::string>& assignments,
                                              std::string& error, bool command_line = true);

// How a value of type T is written on the command line: "a duration with its unit (90s,
// 45m, 1h30m)", "a JSON list, quoted for the shell ('["10%", "100%"]')".
std::string param_forms(const TypeRef& t);

// The capabilities a run of P needs beyond the clock every run has (what a policy must
// grant): all of them, or only its probes' (a dry-run performs no action).
std::vector<std::string> needed_capabilities(const Program& p, bool probes_only);

}  // namespace rbk
