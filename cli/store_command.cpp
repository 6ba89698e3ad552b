// rbk store copy: a team's runs moved to another store (run/store_copy.hpp) — typically
// from one machine's SQLite file to the PostgreSQL database of several rbk serve replicas.
#include <iostream>

#include "cli/commands.hpp"
#include "run/store_copy.hpp"

namespace rbk::cli {

int run_store_copy(const StoreCopyOptions& opts) {
  std::unique_ptr<RunStore> from, to;
  try {
    from = RunStore::open(opts.from);
    to = RunStore::open(opts.to);
  } catch (const StoreError& e) {
    std::cerr << "rbk store copy: " << e.what() << "\n";
    return kUsage;
  }
  StoreCopyResult r;
  try {
    r = copy_store(*from, *to);
  } catch (const StoreError& e) {
    std::cerr << "rbk store copy: the copy broke off: " << e.what() << " (" << to->path()
              << " holds part of it: empty it before trying again)\n";
    return kFailed;
  }
  if (!r.error.empty()) {
    std::cerr << "rbk store copy: " << r.error << "\n";
    return r.refused ? kUsage : kFailed;
  }
  std::cout << "rbk store copy: " << r.runs << " run" << (r.runs == 1 ? "" : "s") << " ("
            << r.journal_entries << " journal entries), " << r.tokens << " token"
            << (r.tokens == 1 ? "" : "s") << " and " << r.audit_entries
            << " audit entries copied to " << to->path() << "; the audit chain verifies"
            << (r.last_hash.empty() ? "" : " (last " + r.last_hash.substr(0, 12) + "…)") << "\n";
  return kOk;
}

}  // namespace rbk::cli
