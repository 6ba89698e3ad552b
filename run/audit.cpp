#include "run/audit.hpp"

#include "vm/rbc.hpp"

namespace rbk {

namespace {
// Each field with its length before it: no two different entries read the same.
void field(std::string& out, const std::string& text) {
  out += std::to_string(text.size());
  out += ':';
  out += text;
  out += ';';
}

std::string named(const AuditEntry& e) {
  return "entry " + std::to_string(e.seq) + " (" + e.action + " by " + e.actor +
         (e.run.empty() ? "" : ", run " + e.run) + ")";
}
}  // namespace

std::string audit_hash(const AuditEntry& e) {
  std::string text;
  field(text, std::to_string(e.seq));
  field(text, std::to_string(e.at));
  field(text, e.actor);
  field(text, e.action);
  field(text, e.run);
  field(text, e.plan_hash);
  field(text, e.detail);
  field(text, e.prev);
  return hex(sha256(text));
}

std::vector<std::string> verify_audit(const std::vector<AuditEntry>& entries) {
  std::vector<std::string> problems;
  std::string prev;
  int64_t expected = 1;
  for (const AuditEntry& e : entries) {
    if (e.seq != expected)
      problems.push_back(
          e.seq > expected
              ? "entry " + std::to_string(expected) +
                    (e.seq == expected + 1
                         ? " is missing (deleted)"
                         : " to " + std::to_string(e.seq - 1) + " are missing (deleted)")
              : named(e) + " comes after entry " + std::to_string(expected - 1) + " (moved)");
    if (audit_hash(e) != e.hash)
      problems.push_back(named(e) + ": its hash does not match what it says (edited)");
    else if (e.prev != prev)
      problems.push_back(named(e) + ": the entry before it is not the one it was written after " +
                         "(one was deleted, edited or moved)");
    prev = e.hash;
    expected = e.seq + 1;
  }
  return problems;
}

}  // namespace rbk
