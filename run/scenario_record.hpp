// A stored run turned into a scenario file (rbk scenario record RUN): the quickest way
// from "it happened" to "it is tested". The probes the runbook's nodes called answer as
// they answered that run (one value, a sequence, per arguments, or an error), its gates
// are decided as they were (one decision per visit when they differed), it starts at the
// run's first moment, and "expect" holds the run's outcome, path and actions.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "run/run_store.hpp"
#include "vm/program.hpp"

namespace rbk {

// RECORD's run of PROGRAM, from its stored TRACE (one JSON event a line). Configuration
// values the nodes read are kept, except secrets (their names say token, secret, …).
nlohmann::ordered_json recorded_scenario(const RunRecord& record, const Program& program,
                                         const std::vector<std::string>& trace);

}  // namespace rbk
