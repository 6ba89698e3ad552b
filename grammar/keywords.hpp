// The reserved words of .rbk: never names. rules.hpp spells each as a PEGTL keyword
// rule; this list is for code that needs them at run time (the formatter quotes a record
// key that is one). A test checks the two agree.
#pragma once

#include <algorithm>
#include <array>
#include <string_view>

namespace rbk {

inline constexpr std::array<std::string_view, 30> kReservedWords = {
    "import", "module",  "config", "probe", "action", "runbook", "doc",  "param", "start", "decide",
    "wait",   "approve", "call",   "end",   "let",    "when",    "else", "do",    "then",  "on",
    "until",  "return",  "true",   "false", "null",   "and",     "or",   "not",   "in",    "as"};

inline bool is_reserved_word(std::string_view word) {
  return std::find(kReservedWords.begin(), kReservedWords.end(), word) != kReservedWords.end();
}

}  // namespace rbk
