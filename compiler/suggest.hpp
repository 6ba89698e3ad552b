// "Did you mean …?" for misspelled names.
#pragma once

#include <string>
#include <vector>

#include "grammar/diagnostic.hpp"

namespace rbk {

// The candidate closest to NAME by edit distance, if it is close enough to be a likely
// typo (at most a third of the name's length, and names of three letters or more); empty
// otherwise.
std::string closest_name(const std::string& name, const std::vector<std::string>& candidates);

// Finding a suggestion scans every name in scope. As clang's -fspell-checking-limit does,
// a check looks for one only while it has reported at most kSuggestionLimit diagnostics,
// so a file with thousands of unknown names is still checked in linear time.
inline constexpr size_t kSuggestionLimit = 100;
inline bool may_suggest(const Diagnostics& diags) {
  return diags.items().size() <= kSuggestionLimit;
}

}  // namespace rbk
