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
#include "run/output_log.hpp"
#include "run/params.hpp"
#include "run/run_store.hpp"
#include "run/scenario.hpp"
#include "vm/machine.hpp"

namespace rbk::cli {

// Opens the run store (--store, or the default) for command CMD and runs F with it; a store
// that cannot be opened or written is reported once, here.
template <typename F>
int with_store(const char* cmd, const std::string& path, F f) {
  try {
    std::unique_ptr<RunStore> store = RunStore::open(path);
    return f(*store);
  } catch (const StoreError& e) {
    std::cerr << "rbk " << cmd << ": " << e.what() << "\n";
    return kUsage;
  }
}

// Who is at the command line when --as does not say: $USER, else $LOGNAME.
std::string current_user();

}  // namespace rbk::cli
