// Text in HTML and XML (the site's pages, JUnit reports): &, <, > and " as entities, so
// it is safe in element content and in double-quoted attributes.
#pragma once

#include <string>

namespace rbk {

std::string markup_escaped(const std::string& text);

}  // namespace rbk
