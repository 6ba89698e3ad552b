#include "cli/run_support.hpp"

#include <fmt/format.h>

#include "vm/json_read.hpp"
#include "vm/value_json.hpp"

namespace rbk::cli {

std::vector<std::optional<Value>> bind_params(const Program& p, const Scenario* scenario,
                                              const std::vector<std::string>& assignments,
                                              std::string& error) {
  const RunbookInfo& rb = p.entry_runbook();
  std::vector<std::optional<Value>> out(rb.params.size());
  auto index_of = [&](const std::string& name) -> int {
    for (size_t i = 0; i < rb.params.size(); ++i)
      if (rb.params[i].name == name) return static_cast<int>(i);
    return -1;
  };
  auto set = [&](const std::string& name, const Value& raw) -> bool {
    int i = index_of(name);
    if (i < 0) {
      std::string names;
      for (const auto& prm : rb.params) names += (names.empty() ? "" : ", ") + prm.name;
      error = "runbook '" + rb.name + "' has no parameter '" + name + "'" +
              (names.empty() ? "" : " (its parameters: " + names + ")");
      return false;
    }
    Value v = convert(raw, p.types[rb.params[i].type], "parameter " + name);
    if (v.is_error()) {
      error = v.str();
      return false;
    }
    out[i] = v;
    return true;
  };
  if (scenario)
    for (auto it = scenario->params.begin(); it != scenario->params.end(); ++it)
      if (!set(it.key(), from_plain_json(it.value()))) return {};
  for (const auto& a : assignments) {
    auto eq = a.find('=');
    if (eq == std::string::npos) {
      error = "--param takes NAME=VALUE, not '" + a + "'";
      return {};
    }
    std::string name = a.substr(0, eq), text = a.substr(eq + 1);
    int i = index_of(name);
    Value raw = Value::string(text);
    // Non-string parameters read JSON (42, true, [1, 2]); anything else stays text and
    // converts by type ("45m" to a duration).
    if (i >= 0 && strip_optional(p.types[rb.params[i].type])->kind != TypeKind::String) {
      try {
        raw = from_plain_json(read_json(text));
      } catch (const JsonReadError&) {  // not JSON: the text converts by type, or fails
      }
    }
    if (!set(name, raw)) return {};
  }
  return out;
}

std::string summary_line(const RunResult& r) {
  size_t nodes = r.path.size(), actions = r.actions.size();
  std::string counts = fmt::format("{} node{}, {} action{}", nodes, nodes == 1 ? "" : "s", actions,
                                   actions == 1 ? "" : "s");
  switch (r.status) {
    case RunStatus::Ended:
      return fmt::format("outcome: {} ({})", outcome_name(r.outcome), counts);
    case RunStatus::Failed:
      return fmt::format("outcome: failed: {}{} ({})", r.error,
                         r.error_where.empty() ? "" : " [at " + r.error_where + "]", counts);
    case RunStatus::Paused:
      return fmt::format("paused at gate '{}' (role \"{}\")", r.paused_at.gate, r.paused_at.role);
  }
  return "";
}

}  // namespace rbk::cli
