// Moving a team's runs to another store (rbk store copy): from the SQLite file of one
// machine to the PostgreSQL database of several replicas, or back. Runs with their
// journals, traces, approvals and output, the API tokens (their hashes) and the audit
// chain, copied as they are; the copy's chain is verified against the original's.
#pragma once

#include <cstddef>
#include <functional>
#include <string>

#include "run/run_store.hpp"

namespace rbk {

struct StoreCopyResult {
  std::string error;     // "" when copied; else what went wrong
  bool refused = false;  // ERROR came before anything was written
  size_t runs = 0, journal_entries = 0, tokens = 0, audit_entries = 0;
  std::string last_hash;  // the audit chain's last hash in both stores
};

// Copies FROM into TO, which must be empty; refuses while a run of FROM is executing (its
// journal would go on growing in FROM alone). An interrupted run of a server is copied
// with its lease ended, so a replica on TO takes it over. PROGRESS (may be empty) is told
// each run copied.
StoreCopyResult copy_store(RunStore& from, RunStore& to,
                           const std::function<void(const std::string&)>& progress = {});

}  // namespace rbk
