#include "run/params.hpp"

#include <fmt/format.h>

#include <nlohmann/json.hpp>
#include <set>

#include "vm/json_read.hpp"
#include "vm/value_json.hpp"

namespace rbk {

std::string param_forms(const TypeRef& t) {
  switch (t->kind) {
    case TypeKind::Optional:
      return param_forms(t->elem) + ", or null";
    case TypeKind::String:
      return "any text";
    case TypeKind::Int:
      return "a whole number (42)";
    case TypeKind::Float:
      return "a number (0.5)";
    case TypeKind::Bool:
      return "true or false";
    case TypeKind::Duration:
      return "a duration with its unit (90s, 45m, 1h30m)";
    case TypeKind::Percent:
      return "a percentage with % (5%, 99.5%)";
    case TypeKind::Time:
      return "an RFC 3339 time (2026-11-22T18:30:00Z)";
    case TypeKind::List: {
      const TypeRef& e = t->elem;
      std::string example = e->kind == TypeKind::Percent    ? "'[\"10%\", \"100%\"]'"
                            : e->kind == TypeKind::Duration ? "'[\"5m\", \"1h\"]'"
                            : e->kind == TypeKind::Int      ? "'[1, 2]'"
                                                            : "'[\"eu\", \"us\"]'";
      return "a JSON list, quoted for the shell (" + example + ")";
    }
    case TypeKind::Record:
      return "a JSON object, quoted for the shell ('{\"min\": 1}')";
    default:
      return "any JSON value";
  }
}

std::vector<std::optional<Value>> bind_params(const Program& p, const nlohmann::json* given,
                                              const std::vector<std::string>& assignments,
                                              std::string& error, bool command_line) {
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
    const TypeRef& type = p.types[rb.params[i].type];
    Value v = convert(raw, type, "parameter " + name);
    if (v.is_error()) {
      error = v.str() + " (" + name + " takes " + param_forms(type) + ")";
      return false;
    }
    out[i] = v;
    return true;
  };
  if (given) {
    if (!given->is_object()) {
      error = "parameters are given as a JSON object of NAME: VALUE";
      return {};
    }
    for (auto it = given->begin(); it != given->end(); ++it)
      if (!set(it.key(), from_plain_json(it.value()))) return {};
  }
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
  // Every parameter without a default needs a value before the run starts.
  std::string missing;
  for (size_t i = 0; i < rb.params.size(); ++i) {
    const ParamInfo& prm = rb.params[i];
    if (out[i] || prm.default_code != kNone) continue;
    std::string how = command_line ? "--param " + prm.name + "=…" : "\"" + prm.name + "\": …";
    missing += fmt::format("\n  {}  ({}: {})", how, to_string(p.types[prm.type]),
                           param_forms(p.types[prm.type]));
  }
  if (!missing.empty()) {
    error = "runbook '" + rb.name +
            "' needs a value for each of its parameters without a default:" + missing;
    return {};
  }
  return out;
}

std::vector<std::string> needed_capabilities(const Program& p, bool probes_only) {
  std::set<std::string> out;
  if (!probes_only)
    out.insert(p.entry_runbook().capabilities.begin(), p.entry_runbook().capabilities.end());
  for (const auto& f : p.functions)
    if (probes_only && f.effect == Effect::Probe)
      out.insert(f.capabilities.begin(), f.capabilities.end());
  out.erase("clock");
  return {out.begin(), out.end()};
}

}  // namespace rbk
