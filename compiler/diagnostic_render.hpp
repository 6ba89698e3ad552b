// Diagnostics as people and tools read them.
//
// Text (the default), in the style of compilers people already know:
//   runbooks/x.rbk:12:5: error: unknown node 'chek_broker'
//      12 |     else -> chek_broker "More than 30 min"
//         |             ^~~~~~~~~~~
//   hint: did you mean 'check_broker'?
//   runbooks/x.rbk:4:3: note: …
// JSON (--diagnostics=json): one object with a "diagnostics" array, for editors and CI.
#pragma once

#include <string>

#include "grammar/diagnostic.hpp"

namespace rbk {

std::string render_text(const Diagnostic& d, bool color = false);
std::string render_json(const Diagnostics& diags);
// "2 errors, 1 warning"
std::string summarize(const Diagnostics& diags);

}  // namespace rbk
