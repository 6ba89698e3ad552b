// What the store implementations (sqlite_store.cpp, postgres_store.cpp) share in reading
// rows back: the names and JSON they wrote, checked (a damaged store is reported, naming
// the run). Not for the store's users.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "run/run_store.hpp"

namespace rbk {

// E, or a StoreError naming RUN, WHAT and the unknown TEXT.
template <typename E>
E stored_name(std::optional<E> e, const std::string& run, const char* what,
              const std::string& text) {
  if (!e)
    throw StoreError("run " + run + ": the store is damaged: unknown " + what + " '" + text + "'");
  return *e;
}

// An approval's picks as stored ({question: choice}).
GatePicks stored_picks(const std::string& run, const std::string& text);

// A token's or browser session's roles as stored (a JSON array of strings).
std::vector<std::string> stored_roles(const std::string& text);

}  // namespace rbk
