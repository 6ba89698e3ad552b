#include "run/gates.hpp"

#include <fmt/format.h>

#include <istream>
#include <ostream>

namespace rbk {

std::optional<bool> StreamPrompt::ask(const GateRequest& r, const std::string& who) {
  out_ << fmt::format("    gate '{}' needs role \"{}\"", r.gate, r.role) << "\n";
  for (const auto& line : r.plan_lines()) out_ << "      will do: " << line << "\n";
  out_ << fmt::format("    approve as {}? [y/N] ", who) << std::flush;
  std::string answer;
  if (!std::getline(in_, answer)) {
    out_ << "\n";
    return std::nullopt;
  }
  return answer == "y" || answer == "Y" || answer == "yes";
}

void StreamPrompt::tell(const std::string& why) {
  out_ << "    (" << why << ": the run pauses for another person)" << std::endl;
}

GateDecision GateDecisions::gate(const GateRequest& r) {
  if (s_.flags.deny.count(r.gate)) return GateDecision::Denied;
  GateDecision d = inner_.gate(r);
  if (d != GateDecision::Pending) return d;
  if (s_.flags.approve_all) return GateDecision::Approved;
  if (!s_.may_pause)
    throw HostFault(fmt::format(
        "the scenario does not answer gate '{0}' (role \"{1}\"), and a scenario run never "
        "pauses: add \"approvals\": {{\"{0}\": \"approved\"}} (or \"denied\", \"timeout\", or "
        "one per visit: [\"approved\", \"denied\"]), or run with --approve-all or --deny {0}",
        r.gate, r.role));
  return s_.prompt ? ask(r) : GateDecision::Pending;
}

GateDecision GateDecisions::ask(const GateRequest& r) {
  const std::string& me = s_.started_by;
  if (s_.policy)
    if (std::string why = s_.policy->may_approve(me, r.role, me); !why.empty()) {
      s_.prompt->tell(why);
      return GateDecision::Pending;
    }
  std::optional<bool> yes = s_.prompt->ask(r, me);
  if (!yes) return GateDecision::Pending;
  GateDecision d = *yes ? GateDecision::Approved : GateDecision::Denied;
  if (s_.store)
    s_.store->add_approval(
        s_.run, ApprovalRecord{r.gate, d, me, system_now_ms(), "at the terminal", r.plan_hash});
  return d;
}

}  // namespace rbk
