// A readable difference between two texts, line by line, for `rbk docs check`: lines
// only in the first are marked "-", only in the second "+", with two lines of context
// around each change (unified-diff style hunks without the counts).
#pragma once

#include <string>

namespace rbk {

// "" when the texts are equal.
std::string line_diff(const std::string& before, const std::string& after);

}  // namespace rbk
