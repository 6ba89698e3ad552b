#include "run/signals.hpp"

#include "lang/signal_name.hpp"
#include "run/audit.hpp"
#include "run/owner.hpp"
#include "vm/json_read.hpp"

namespace rbk {

SignalResult send_signal(RunStore& store, const std::string& run, const std::string& name,
                         const std::string& value_json, const std::string& who) {
  using Kind = SignalResult::Kind;
  if (!is_signal_name(name))
    return {Kind::Refused, "\"" + name +
                               "\" is not a signal name (1 to 64 letters, digits, '_', '-' "
                               "or '.', as a wait node writes it: until signal \"NAME\")"};
  std::string value = value_json.empty() ? "null" : value_json;
  if (value.size() > kMaxSignalValue)
    return {Kind::Refused, "the value is " + std::to_string(value.size()) +
                               " bytes of JSON; a signal carries at most " +
                               std::to_string(kMaxSignalValue)};
  try {
    value = read_json(value).dump();  // one spelling, checked
  } catch (const JsonReadError& e) {
    return {Kind::Refused, std::string("the value is ") + e.what()};
  }
  std::optional<RunRecord> rec = store.get(run);
  if (!rec) return {Kind::NoSuchRun, "no run " + run + " in " + store.path()};
  RunState state = current_state(*rec);
  if (state == RunState::Ended || state == RunState::Failed || state == RunState::Cancelled)
    return {Kind::Finished, "run " + run + " has finished (" + run_state_name(state) +
                                "): nothing waits for a signal"};
  if (rec->mode == RunMode::Scenario)
    return {Kind::Refused, "run " + run +
                               " is a scenario run: its signals are the scenario's "
                               "(\"signals\")"};
  const int64_t now = system_now_ms();
  store.send_signal(run, name, value, who, now);
  store.append_audit({0, now, who, "signal", run, "", name});
  return {Kind::Sent, ""};
}

}  // namespace rbk
