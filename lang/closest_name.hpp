// "Did you mean …?": the name a misspelling most likely meant. Used for diagnostics,
// commands, scenario files: anywhere a person types a name rbk knows.
#pragma once

#include <string>
#include <vector>

namespace rbk {

// The candidate closest to NAME by edit distance (a swap of two neighbouring letters is
// one edit), if it is close enough to be a likely typo (at most a third of the name's
// length, and names of three letters or more); empty otherwise.
std::string closest_name(const std::string& name, const std::vector<std::string>& candidates);

// "; did you mean 'X'?" for NAME among CANDIDATES, or "" (QUOTE is ' or ").
std::string did_you_mean(const std::string& name, const std::vector<std::string>& candidates,
                         char quote = '\'');

}  // namespace rbk
