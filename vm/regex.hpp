// Regular expressions for the pure natives re.* (lang/natives.def): RE2's syntax and its
// guarantee — matching takes time linear in the text, whatever the pattern, so a pattern
// from a runbook or a probe's answer cannot stall a run by backtracking. The only file
// that includes RE2's header (docs/architecture.md).
#pragma once

#include <string>
#include <vector>

#include "vm/value.hpp"

namespace rbk {

// Each returns an error value when PATTERN is not a valid RE2 pattern, naming the problem.
// A pattern with a capture group yields the group's text; without one, the whole match.
Value regex_matches(const std::string& text, const std::string& pattern);   // bool
Value regex_find(const std::string& text, const std::string& pattern);      // string or null
Value regex_find_all(const std::string& text, const std::string& pattern);  // list<string>
// Every match replaced by WITH (the replacement), in which \1…\9 are the groups and \0 the match.
Value regex_replace(const std::string& text, const std::string& pattern, const std::string& with);

}  // namespace rbk
