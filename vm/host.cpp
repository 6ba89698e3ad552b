#include "vm/host.hpp"

#include <algorithm>

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

std::string choice_text(const Value& choice) {
  return to_display(choice);
}

std::vector<std::string> GateRequest::plan_lines() const {
  std::vector<std::string> lines;
  for (const auto& c : plan) lines.push_back(c.describe());
  if (!wave.empty()) lines.push_back(wave);
  if (!text.empty()) lines.push_back(text);
  for (const auto& q : questions) {
    std::string line = "ask " + q.name + ": ";
    if (q.choices.empty()) line += "no choices (it can only be denied)";
    for (size_t i = 0; i < q.choices.size(); ++i)
      line += (i ? ", " : "one of ") + to_source(q.choices[i]);
    lines.push_back(line);
  }
  return lines;
}

QuestionTexts GateRequest::question_texts() const {
  QuestionTexts out;
  for (const auto& q : questions) {
    std::vector<std::string> texts;
    for (const auto& c : q.choices) texts.push_back(choice_text(c));
    out.emplace_back(q.name, std::move(texts));
  }
  return out;
}

namespace {
// Choices and names for a message: 'tonight 02:00', 'saturday 06:00'.
std::string joined(const std::vector<std::string>& items) {
  std::string s;
  for (size_t i = 0; i < items.size(); ++i) s += (i ? ", '" : "'") + items[i] + "'";
  return s;
}
}  // namespace

std::string check_picks(const std::string& gate, const QuestionTexts& questions,
                        const GatePicks& picks) {
  std::vector<std::string> asked;
  for (const auto& [name, choices] : questions) {
    asked.push_back(name);
    auto it = picks.find(name);
    if (choices.empty())
      return "gate '" + gate + "' asks '" + name + "' but offers no choice: it can only be denied";
    if (it == picks.end())
      return "gate '" + gate + "' asks '" + name + "': pick one of " + joined(choices);
    if (std::find(choices.begin(), choices.end(), it->second) == choices.end())
      return "gate '" + gate + "' asks '" + name + "': '" + it->second +
             "' is not one of its choices (" + joined(choices) + ")";
  }
  for (const auto& [name, pick] : picks)
    if (std::find(asked.begin(), asked.end(), name) == asked.end())
      return "gate '" + gate + "' asks no '" + name + "'" +
             (asked.empty() ? "" : " (it asks " + joined(asked) + ")");
  return "";
}

}  // namespace rbk
