#include "run/store_copy.hpp"

#include <algorithm>
#include <limits>

#include "run/audit.hpp"
#include "run/owner.hpp"

namespace rbk {

StoreCopyResult copy_store(RunStore& from, RunStore& to,
                           const std::function<void(const std::string&)>& progress) {
  StoreCopyResult result;
  result.refused = true;
  const size_t all = std::numeric_limits<int32_t>::max();
  if (!to.list({}, 1).empty() || !to.audit().empty() || !to.tokens().empty()) {
    result.error = "the store " + to.path() +
                   " is not empty: copy into a new store (its audit chain cannot take another)";
    return result;
  }
  std::vector<RunRecord> runs = from.list({}, all);
  for (const auto& r : runs)
    if (current_state(r) == RunState::Running) {
      result.error = "run " + r.id + " is executing (" + r.owner +
                     "): stop what executes runs on " + from.path() + " first";
      return result;
    }
  std::vector<AuditEntry> chain = from.audit();
  if (std::vector<std::string> problems = verify_audit(chain); !problems.empty()) {
    result.error = "the audit chain of " + from.path() + " does not verify: " + problems.front();
    return result;
  }

  result.refused = false;
  std::reverse(runs.begin(), runs.end());  // oldest first, as they were made
  for (RunRecord& r : runs) {
    RunCopy c;
    c.journal = from.journal(r.id);
    c.trace = from.trace(r.id);
    c.approvals = from.approvals(r.id);
    c.output = from.output(r.id);
    if (r.status == RunState::Running && owner_labelled(r.owner, "serve"))
      r.lease_until = 1;  // interrupted in a server: a replica on TO takes it over
    c.record = std::move(r);
    to.copy_run(c);
    ++result.runs;
    result.journal_entries += c.journal.size();
    if (progress) progress(c.record.id);
  }
  for (const auto& t : from.tokens()) {
    to.create_token(t);
    ++result.tokens;
  }
  for (const auto& e : chain) to.copy_audit(e);
  std::vector<AuditEntry> copied = to.audit();
  if (std::vector<std::string> problems = verify_audit(copied); !problems.empty()) {
    result.error = "the copied audit chain does not verify: " + problems.front();
    return result;
  }
  if (copied.size() != chain.size() ||
      (!chain.empty() && copied.back().hash != chain.back().hash)) {
    result.error = "the copied audit chain differs from the original";
    return result;
  }
  result.audit_entries = copied.size();
  result.last_hash = copied.empty() ? "" : copied.back().hash;
  return result;
}

}  // namespace rbk
