#include "vm/host.hpp"

#include <array>

namespace rbk {

namespace {

constexpr std::array kGateDecisionNames = {
#define RBK_NAME_ITEM(e, name) name,
    RBK_GATE_DECISIONS(RBK_NAME_ITEM)
#undef RBK_NAME_ITEM
};
constexpr std::array kTraceKindNames = {
#define RBK_NAME_ITEM(e, name) name,
    RBK_TRACE_KINDS(RBK_NAME_ITEM)
#undef RBK_NAME_ITEM
};

}  // namespace

const char* gate_decision_name(GateDecision d) {
  return kGateDecisionNames[static_cast<size_t>(d)];
}

std::optional<GateDecision> gate_decision_named(std::string_view name) {
  for (size_t i = 0; i < kGateDecisionNames.size(); ++i)
    if (name == kGateDecisionNames[i]) return static_cast<GateDecision>(i);
  return std::nullopt;
}

const char* trace_kind_name(TraceKind k) {
  return kTraceKindNames[static_cast<size_t>(k)];
}

std::string PlannedCall::describe() const {
  std::string s = function->name + "(";
  for (size_t i = 0; i < args.size(); ++i) {
    if (i) s += ", ";
    s += args[i].kind == ValueKind::String ? "\"" + args[i].str() + "\"" : to_display(args[i]);
  }
  return s + ")";
}

}  // namespace rbk
