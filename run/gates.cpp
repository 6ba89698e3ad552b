#include "run/gates.hpp"

#include <fmt/format.h>

#include <istream>
#include <ostream>

#include <nlohmann/json.hpp>

#include "vm/json_read.hpp"

namespace rbk {

std::string gate_answer_json(const GateAnswer& a) {
  if (a.picks.empty()) return nlohmann::json(gate_decision_name(a.decision)).dump();
  return nlohmann::json{{"decision", gate_decision_name(a.decision)}, {"picks", a.picks}}.dump();
}

std::optional<GateAnswer> read_gate_answer(const nlohmann::json& j) {
  if (j.is_string()) {
    auto d = gate_decision_named(j.get<std::string>());
    if (!d || *d == GateDecision::Pending) return std::nullopt;
    return GateAnswer{*d};
  }
  if (!j.is_object()) return std::nullopt;
  auto d = gate_decision_named(string_member(j, "decision"));
  if (!d || *d == GateDecision::Pending) return std::nullopt;
  GateAnswer a{*d};
  if (auto p = j.find("picks"); p != j.end()) {
    if (!p->is_object()) return std::nullopt;
    for (const auto& [question, pick] : p->items()) {
      if (!pick.is_string()) return std::nullopt;
      a.picks[question] = pick.get<std::string>();
    }
  }
  return a;
}

std::optional<GateAnswer> StreamPrompt::ask(const GateRequest& r, const std::string& who) {
  out_ << fmt::format("    gate '{}' needs role \"{}\"", r.gate, r.role) << "\n";
  for (const auto& call : r.plan) out_ << "      will do: " << call.describe() << "\n";
  if (!r.wave.empty()) out_ << "      will do: " << r.wave << "\n";
  if (!r.text.empty()) out_ << "      " << r.text << "\n";
  out_ << fmt::format("    approve as {}? [y/N] ", who) << std::flush;
  std::string answer;
  if (!std::getline(in_, answer)) {
    out_ << "\n";
    return std::nullopt;
  }
  if (answer != "y" && answer != "Y" && answer != "yes") return GateAnswer{GateDecision::Denied};
  GateAnswer approved{GateDecision::Approved};
  for (const auto& q : r.questions) {
    std::optional<std::string> p = pick(q);
    if (!p) return std::nullopt;
    approved.picks[q.name] = *p;
  }
  return approved;
}

// Asks for one of Q's choices, by number or as written, until one comes (or the input ends).
std::optional<std::string> StreamPrompt::pick(const GateQuestion& q) {
  if (q.choices.empty()) {
    out_ << fmt::format("    '{}' has no choices: the gate can only be denied", q.name) << "\n";
    return std::nullopt;
  }
  out_ << fmt::format("    {}:", q.name) << "\n";
  for (size_t i = 0; i < q.choices.size(); ++i)
    out_ << fmt::format("      {}) {}", i + 1, choice_text(q.choices[i])) << "\n";
  for (;;) {
    out_ << fmt::format("    {}? [1-{}] ", q.name, q.choices.size()) << std::flush;
    std::string line;
    if (!std::getline(in_, line)) {
      out_ << "\n";
      return std::nullopt;
    }
    for (size_t i = 0; i < q.choices.size(); ++i)
      if (line == std::to_string(i + 1) || line == choice_text(q.choices[i]))
        return choice_text(q.choices[i]);
    out_ << "      (a number from the list, or a choice as written)\n";
  }
}

void StreamPrompt::tell(const std::string& why) {
  out_ << "    (" << why << ": the run pauses for another person)" << std::endl;
}

GateAnswer GateDecisions::gate(const GateRequest& r) {
  if (s_.flags.deny.count(r.gate)) return GateDecision::Denied;
  GateAnswer a = inner_.gate(r);
  if (a.decision != GateDecision::Pending) return a;
  if (s_.flags.approve_all) {
    auto given = s_.flags.picks.find(r.gate);
    GateAnswer approved{GateDecision::Approved,
                        given == s_.flags.picks.end() ? GatePicks{} : given->second};
    if (std::string why = check_picks(r.gate, r.question_texts(), approved.picks); !why.empty())
      throw HostFault(why + (r.questions.empty()
                                 ? ""
                                 : fmt::format(" (with --approve-all, pick with --answer "
                                               "{}.{}=CHOICE)",
                                               r.gate, r.questions.front().name)));
    return approved;
  }
  if (!s_.may_pause)
    throw HostFault(fmt::format(
        "the scenario does not answer gate '{0}' (role \"{1}\"), and a scenario run never "
        "pauses: add \"approvals\": {{\"{0}\": \"approved\"}} (or \"denied\", \"timeout\", "
        "{{\"decision\": \"approved\", \"picks\": {{question: choice}}}} for a gate that asks, "
        "or one per visit: [\"approved\", \"denied\"]), or run with --approve-all or --deny {0}",
        r.gate, r.role));
  return s_.prompt ? ask(r) : GateAnswer{};
}

GateAnswer GateDecisions::ask(const GateRequest& r) {
  const std::string& me = s_.started_by;
  if (s_.policy)
    if (std::string why = s_.policy->may_approve(me, r.role, me); !why.empty()) {
      s_.prompt->tell(why);
      return GateAnswer{};
    }
  std::optional<GateAnswer> a = s_.prompt->ask(r, me);
  if (!a) return GateAnswer{};
  if (s_.store)
    s_.store->add_approval(s_.run, ApprovalRecord{r.gate, a->decision, me, system_now_ms(),
                                                  "at the terminal", r.plan_hash, a->picks});
  return *a;
}

}  // namespace rbk
