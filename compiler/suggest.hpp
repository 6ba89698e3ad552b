// "Did you mean …?" for misspelled names.
#pragma once

#include <string>
#include <vector>

namespace rbk {

// The candidate closest to NAME by edit distance, if it is close enough to be a likely
// typo (at most a third of the name's length, and names of three letters or more); empty
// otherwise.
std::string closest_name(const std::string& name, const std::vector<std::string>& candidates);

}  // namespace rbk
