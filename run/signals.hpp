// Sending a signal to a run: what `rbk signal RUN NAME --value JSON` and the server's
// POST /api/runs/{id}/signals/{name} share. The signal waits in the run store until a
// wait node of the run (`until signal "NAME"`) takes it; the sender is in the audit log.
#pragma once

#include <string>

#include "run/run_store.hpp"

namespace rbk {

// The largest value a signal carries (its JSON text).
inline constexpr size_t kMaxSignalValue = 64 * 1024;

struct SignalResult {
  enum class Kind { Sent, NoSuchRun, Finished, Refused } kind;
  std::string why;  // unless Sent
};

// VALUE_JSON is the value's JSON text ("" for none: null). Refused: a name that is not a
// signal name, a value that is not JSON or too large, a scenario run (its signals are the
// scenario's).
SignalResult send_signal(RunStore& store, const std::string& run, const std::string& name,
                         const std::string& value_json, const std::string& who);

}  // namespace rbk
