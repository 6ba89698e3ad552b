// UTF-8, where rbk writes it itself: a code point from an escape (\u00e9 in a runbook's
// string, in a JSON string) appended as its bytes; and how long a sequence is, where rbk
// counts characters (an editor's positions, a man page's escapes).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace rbk {

// Appends code point CP (at most U+10FFFF, not a surrogate) to OUT, encoded.
inline void append_utf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

// The length of the sequence LEAD begins: 1 to 4 bytes; 1 for a byte that begins none
// (so that text with bad bytes can still be walked one position at a time).
inline size_t utf8_sequence_length(unsigned char lead) {
  if (lead < 0x80) return 1;
  if ((lead >> 5) == 0x6) return 2;
  if ((lead >> 4) == 0xE) return 3;
  if ((lead >> 3) == 0x1E) return 4;
  return 1;
}

}  // namespace rbk
