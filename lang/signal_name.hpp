// What a signal may be called: the word a wait node's `until signal "NAME"` and the one
// `rbk signal RUN NAME` (and the server's API) send must agree, so the checker, the CLI and
// the server ask this one rule.
#pragma once

#include <string_view>

namespace rbk {

// 1 to 64 ASCII letters, digits, '_', '-' or '.': safe in a URL path, a shell and a log.
inline bool is_signal_name(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  for (char c : name)
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
          c == '-' || c == '.'))
      return false;
  return true;
}

}  // namespace rbk
