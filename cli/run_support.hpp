// What `rbk run`, `rbk test`, `rbk approve` share: turning parameters into typed values
// and summarising a run for people.
#pragma once

#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cli/commands.hpp"
#include "run/run_store.hpp"
#include "run/scenario.hpp"
#include "vm/machine.hpp"

namespace rbk::cli {

// Binds the entry runbook's parameters from the scenario, then from --param k=v (which
// win). Sets ERROR (naming the parameter and the forms its type accepts) and returns an
// empty vector on a bad value, an unknown name, or a parameter without a default that
// nothing gave a value.
std::vector<std::optional<Value>> bind_params(const Program& p, const Scenario* scenario,
                                              const std::vector<std::string>& assignments,
                                              std::string& error);

// How a value of type T is written on the command line: "a duration with its unit (90s,
// 45m, 1h30m)", "a JSON list, quoted for the shell ('["10%", "100%"]')".
std::string param_forms(const TypeRef& t);

// "outcome: resolved (5 nodes, 1 action)" or "failed: …" or "paused at gate …".
std::string summary_line(const RunResult& r);

// Opens the run store (--store, or the default) for command CMD and runs F with it; a store
// that cannot be opened or written is reported once, here.
template <typename F>
int with_store(const char* cmd, const std::string& path, F f) {
  try {
    std::unique_ptr<RunStore> store =
        open_sqlite_store(path.empty() ? RunStore::default_path() : path);
    return f(*store);
  } catch (const StoreError& e) {
    std::cerr << "rbk " << cmd << ": " << e.what() << "\n";
    return kUsage;
  }
}

// Who is at the command line when --as does not say: $USER, else $LOGNAME.
std::string current_user();

}  // namespace rbk::cli
