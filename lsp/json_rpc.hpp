// JSON-RPC 2.0 messages as the Language Server Protocol frames them on a byte stream:
// a header block (`Content-Length: N`, optionally `Content-Type`), a blank line, then N
// bytes of UTF-8 JSON. Reading is strict about the framing and bounded in size, so a
// client that sends garbage gets an error, never a hang or an allocation of its choosing.
#pragma once

#include <istream>
#include <optional>
#include <ostream>
#include <string>

namespace rbk::lsp {

// The largest message body accepted (a whole 64 MiB source file, escaped, fits).
inline constexpr size_t kMaxMessageBytes = 160u << 20;

struct FramingError {
  std::string message;
};

// Reads one message body. nullopt at a clean end of input (between messages); a
// FramingError (thrown) for a malformed header, a missing length, a body too large or
// cut short.
std::optional<std::string> read_message(std::istream& in);

// Writes BODY with its header and flushes.
void write_message(std::ostream& out, const std::string& body);

}  // namespace rbk::lsp
