// "Did you mean …?" in diagnostics: closest_name (lang/closest_name.hpp), looked for only
// while a file has few diagnostics.
#pragma once

#include <string>
#include <vector>

#include "grammar/diagnostic.hpp"
#include "lang/closest_name.hpp"

namespace rbk {

// Finding a suggestion scans every name in scope. As clang's -fspell-checking-limit does,
// a check looks for one only while it has reported at most kSuggestionLimit diagnostics,
// so a file with thousands of unknown names is still checked in linear time.
inline constexpr size_t kSuggestionLimit = 100;
inline bool may_suggest(const Diagnostics& diags) {
  return diags.items().size() <= kSuggestionLimit;
}

}  // namespace rbk
