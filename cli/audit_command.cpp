// rbk audit: the audit log of the run store (run/audit.hpp) — every start, approval,
// denial, resume and cancel with who, when, which run and which plan — and `rbk audit
// verify`, which walks its hash chain and names an entry edited, deleted or moved.
#include <fmt/format.h>

#include <iostream>

#include "cli/commands.hpp"
#include "cli/run_support.hpp"
#include "vm/value.hpp"

namespace rbk::cli {

int run_audit(const AuditOptions& opts) {
  return with_store("audit", opts.store, [&](RunStore& store) -> int {
    std::vector<AuditEntry> entries = store.audit();
    if (opts.verify) {
      std::vector<std::string> problems = verify_audit(entries);
      for (const auto& p : problems) std::cout << "rbk audit verify: " << p << "\n";
      if (!problems.empty()) return kFailed;
      std::cout << fmt::format(
          "rbk audit verify: {} entr{}, the chain is intact{}\n", entries.size(),
          entries.size() == 1 ? "y" : "ies",
          entries.empty() ? "" : " (last " + entries.back().hash.substr(0, 12) + "…)");
      return kOk;
    }
    std::cout << fmt::format("{:<5} {:<24} {:<10} {:<12} {:<26} {}\n", "SEQ", "AT", "ACTOR",
                             "ACTION", "RUN", "PLAN / DETAIL");
    for (const auto& e : entries)
      std::cout << fmt::format(
          "{:<5} {:<24} {:<10} {:<12} {:<26} {}\n", e.seq, format_time(e.at), e.actor, e.action,
          e.run, e.plan_hash.empty() ? e.detail : e.plan_hash.substr(0, 12) + "… " + e.detail);
    return kOk;
  });
}

}  // namespace rbk::cli
