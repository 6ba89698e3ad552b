#include "lsp/json_rpc.hpp"

#include <charconv>

namespace rbk::lsp {

namespace {

// One header line without its CR LF; false at the end of input before any byte.
bool read_header_line(std::istream& in, std::string& line) {
  line.clear();
  int c;
  while ((c = in.get()) != EOF) {
    if (c == '\n') {
      if (!line.empty() && line.back() == '\r') line.pop_back();
      return true;
    }
    if (line.size() > 1024) throw FramingError{"a header line longer than 1024 bytes"};
    line.push_back(static_cast<char>(c));
  }
  if (!line.empty()) throw FramingError{"the input ended inside a header"};
  return false;
}

bool iequals_prefix(const std::string& line, std::string_view name) {
  if (line.size() < name.size()) return false;
  for (size_t i = 0; i < name.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(line[i])) != name[i]) return false;
  return true;
}

}  // namespace

std::optional<std::string> read_message(std::istream& in) {
  std::string line;
  std::optional<size_t> length;
  bool any = false;
  while (true) {
    if (!read_header_line(in, line)) {
      if (any) throw FramingError{"the input ended inside a header"};
      return std::nullopt;
    }
    if (line.empty()) {
      if (!any) continue;  // tolerate blank lines between messages
      break;
    }
    any = true;
    if (iequals_prefix(line, "content-length:")) {
      std::string_view v(line);
      v.remove_prefix(15);
      while (!v.empty() && v.front() == ' ') v.remove_prefix(1);
      size_t n = 0;
      auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
      if (ec != std::errc() || end != v.data() + v.size())
        throw FramingError{"Content-Length is not a number: '" + line + "'"};
      length = n;
    } else if (line.find(':') == std::string::npos) {
      throw FramingError{"not a header line: '" + line.substr(0, 80) + "'"};
    }
  }
  if (!length) throw FramingError{"a message without Content-Length"};
  if (*length > kMaxMessageBytes)
    throw FramingError{"a message of " + std::to_string(*length) + " bytes, over the limit"};
  std::string body(*length, '\0');
  in.read(body.data(), static_cast<std::streamsize>(*length));
  if (static_cast<size_t>(in.gcount()) != *length)
    throw FramingError{"the input ended inside a message body"};
  return body;
}

void write_message(std::ostream& out, const std::string& body) {
  out << "Content-Length: " << body.size() << "\r\n\r\n" << body;
  out.flush();
}

}  // namespace rbk::lsp
