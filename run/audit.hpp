// The audit log: who started, approved, denied, resumed and cancelled which run, when, bound
// to which plan — one entry each, in a hash chain. Each entry's hash covers its fields and
// the hash of the entry before it, so an entry edited, deleted or moved breaks the chain
// where it happened, and `rbk audit verify` names it. The store appends (taking the last
// hash and writing the next entry in one transaction); this file holds the chain's rules.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace rbk {

struct AuditEntry {
  int64_t seq = 0;  // from 1, without gaps
  int64_t at = 0;   // milliseconds since the epoch
  std::string actor{};
  // start, approve, deny, resume, cancel; token-create, token-revoke; sign-in (rbk serve)
  std::string action{};
  std::string run{};
  std::string plan_hash{};  // what an approval or denial was bound to ("" otherwise)
  std::string detail{};     // a comment, the mode a run started in
  std::string prev{};       // the hash of entry seq - 1 ("" for the first)
  std::string hash{};       // SHA-256 (hex) over the fields above, prev included
};

// The hash entry E should have (its HASH field not read).
std::string audit_hash(const AuditEntry& e);

// What is wrong with the chain ENTRIES (in seq order, as stored): one message per broken
// place, naming the entry ("entry 12 (approve by bob, run r…): …"); empty when intact.
std::vector<std::string> verify_audit(const std::vector<AuditEntry>& entries);

}  // namespace rbk
