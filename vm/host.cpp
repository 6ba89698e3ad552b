#include "vm/host.hpp"

#include "lang/name_table.hpp"

namespace rbk {

namespace {

#define RBK_NAME_ITEM(e, name) name,
constexpr auto kGateDecisions = name_table<GateDecision>({RBK_GATE_DECISIONS(RBK_NAME_ITEM)});
constexpr auto kTraceKinds = name_table<TraceKind>({RBK_TRACE_KINDS(RBK_NAME_ITEM)});
#undef RBK_NAME_ITEM

}  // namespace

const char* gate_decision_name(GateDecision d) {
  return kGateDecisions.name(d);
}
std::optional<GateDecision> gate_decision_named(std::string_view name) {
  return kGateDecisions.find(name);
}
const char* trace_kind_name(TraceKind k) {
  return kTraceKinds.name(k);
}

std::string call_text(const std::string& name, const std::vector<Value>& args) {
  std::string s = name + "(";
  for (size_t i = 0; i < args.size(); ++i) s += (i ? ", " : "") + to_source(args[i]);
  return s + ")";
}

std::string PlannedCall::describe() const {
  return call_text(function->name, args);
}

std::vector<std::string> GateRequest::plan_lines() const {
  std::vector<std::string> lines;
  for (const auto& c : plan) lines.push_back(c.describe());
  if (!wave.empty()) lines.push_back(wave);
  return lines;
}

}  // namespace rbk
