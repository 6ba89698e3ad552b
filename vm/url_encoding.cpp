#include "vm/url_encoding.hpp"

#include <cctype>

namespace rbk {

std::string url_encoded(std::string_view text) {
  static const char* hexdigits = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hexdigits[c >> 4];
      out += hexdigits[c & 15];
    }
  }
  return out;
}

}  // namespace rbk
