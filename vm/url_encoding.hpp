// Percent-encoding (RFC 3986): one home for it, read by the url.* natives and by rbk
// serve's sign-in requests.
#pragma once

#include <string>
#include <string_view>

namespace rbk {

// TEXT with every byte but the unreserved characters (letters, digits, - _ . ~) as %XX:
// safe as a URL path segment, a query value or an application/x-www-form-urlencoded value.
std::string url_encoded(std::string_view text);

}  // namespace rbk
