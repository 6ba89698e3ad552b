#include "vm/foreach_plan.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace rbk {

std::vector<size_t> wave_ends(const std::vector<WaveInfo>& waves, size_t n) {
  std::vector<size_t> ends;
  if (n == 0) return ends;
  for (const auto& w : waves) {
    size_t end = w.kind == WaveInfo::Kind::All ? n
                 : w.kind == WaveInfo::Kind::Count
                     ? std::min<size_t>(w.value, n)
                     : static_cast<size_t>((static_cast<uint64_t>(n) * w.value + 99999) / 100000);
    size_t floor = ends.empty() ? 1 : ends.back() + 1;
    end = std::min(n, std::max(end, floor));
    if (!ends.empty() && ends.back() == n) break;
    ends.push_back(end);
  }
  if (ends.empty() || ends.back() != n) ends.push_back(n);
  return ends;
}

namespace {

void count_actions(const Program& p, uint32_t r, std::map<std::string, size_t>& out,
                   std::vector<uint32_t>& seen) {
  if (std::find(seen.begin(), seen.end(), r) != seen.end()) return;
  seen.push_back(r);
  const RunbookInfo& rb = p.runbooks[r];
  for (const auto& node : rb.nodes) {
    if (node.code == kNone) continue;
    for (const Instr& in : p.codes[node.code].instrs) {
      if (in.op == Op::PLAN) out[p.functions[in.a].name]++;
      if (in.op == Op::RUN) count_actions(p, in.a, out, seen);
    }
  }
  for (const auto& fe : rb.foreachs) count_actions(p, fe.runbook, out, seen);
}

std::string share_text(uint32_t thousandths) {
  return thousandths % 1000 == 0 ? fmt::format("{}%", thousandths / 1000)
                                 : fmt::format("{:.3f}%", thousandths / 1000.0);
}

}  // namespace

ForeachPlan plan_foreach(const Program& p, const ForeachInfo& fe) {
  ForeachPlan plan;
  std::vector<uint32_t> seen;
  count_actions(p, fe.runbook, plan.actions, seen);
  if (fe.abort) {
    // Every child failing: a share rule fires as soon as it may (at `after`), a count rule
    // at the first count above the limit (and not before `after`).
    size_t fires = fe.abort_share ? fe.abort_after
                                  : std::max<size_t>(size_t(fe.abort_value) + 1, fe.abort_after);
    plan.worst_case = fires + fe.concurrency - 1;
  }
  return plan;
}

std::string explain_foreach(const Program& p, const ForeachInfo& fe) {
  ForeachPlan plan = plan_foreach(p, fe);
  std::string waves;
  for (const auto& w : fe.waves)
    waves +=
        (waves.empty() ? "" : ", ") + (w.kind == WaveInfo::Kind::All     ? std::string("all")
                                       : w.kind == WaveInfo::Kind::Share ? share_text(w.value)
                                                                         : std::to_string(w.value));
  std::string s = "runs " + p.runbooks[fe.runbook].name + " for each item; waves " +
                  (waves.empty() ? "all" : waves) + fmt::format("; concurrency {}", fe.concurrency);
  if (fe.start_interval_ms) s += fmt::format("; a start every {}ms at most", fe.start_interval_ms);
  if (fe.abort) {
    std::string outcomes;
    for (Outcome o : {Outcome::Resolved, Outcome::Mitigated, Outcome::Escalated, Outcome::Failed})
      if (fe.abort_outcomes & (1u << static_cast<unsigned>(o)))
        outcomes += (outcomes.empty() ? "" : " or ") + std::string(outcome_name(o));
    s += "; abort when " + outcomes + " > " +
         (fe.abort_share ? share_text(fe.abort_value) : std::to_string(fe.abort_value)) +
         fmt::format(" after {}", fe.abort_after);
  }
  if (!fe.each_role.empty()) s += "; each wave approved by \"" + fe.each_role + "\"";
  if (!fe.between_role.empty()) s += "; approved between waves by \"" + fe.between_role + "\"";
  std::string actions;
  for (const auto& [name, n] : plan.actions)
    actions += (actions.empty() ? "" : ", ") + fmt::format("{} ×{}", name, n);
  s += "; each child may do " + (actions.empty() ? std::string("no action") : actions);
  s += plan.worst_case ? fmt::format(
                             "; worst case: {} children start before the abort fires, if every "
                             "child fails",
                             *plan.worst_case)
                       : std::string("; no abort rule: every item runs, whatever happens");
  return s;
}

}  // namespace rbk
