#include "lsp/text_document.hpp"

#include <algorithm>

#include "lang/utf8.hpp"

namespace rbk::lsp {

namespace {

// How many units of ENC the UTF-8 bytes S take. Invalid bytes count as one unit each
// (the checker reports them; positions around them must still be usable).
uint32_t units(std::string_view s, Encoding enc) {
  if (enc == Encoding::Utf8) return static_cast<uint32_t>(s.size());
  uint32_t n = 0;
  for (size_t i = 0; i < s.size();) {
    size_t len = utf8_sequence_length(static_cast<unsigned char>(s[i]));
    if (i + len > s.size()) len = 1;
    n += len == 4 ? 2 : 1;  // outside the BMP: a surrogate pair
    i += len;
  }
  return n;
}

// The byte length of the first CHARACTER units of LINE (clamped to the line).
size_t bytes_for(std::string_view line, uint32_t character, Encoding enc) {
  if (enc == Encoding::Utf8) return std::min<size_t>(character, line.size());
  uint32_t n = 0;
  size_t i = 0;
  while (i < line.size() && n < character) {
    size_t len = utf8_sequence_length(static_cast<unsigned char>(line[i]));
    if (i + len > line.size()) len = 1;
    n += len == 4 ? 2 : 1;
    i += len;
  }
  return i;
}

int hex(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

Position to_lsp(std::string_view text, const Pos& p, Encoding enc) {
  size_t offset = std::min<size_t>(p.offset, text.size());
  size_t start = offset >= p.col - 1 ? offset - (p.col - 1) : 0;
  return {p.line - 1, units(text.substr(start, offset - start), enc)};
}

TextRange to_lsp(std::string_view text, const Range& r, Encoding enc) {
  return {to_lsp(text, r.begin, enc), to_lsp(text, r.end, enc)};
}

TextDocument::TextDocument(std::string uri, std::string path, int64_t version, std::string text)
    : uri_(std::move(uri)), path_(std::move(path)), text_(std::move(text)), version_(version) {
  index_lines();
}

void TextDocument::index_lines() {
  line_starts_.assign(1, 0);
  for (size_t i = 0; i < text_.size(); ++i)
    if (text_[i] == '\n') line_starts_.push_back(i + 1);
}

size_t TextDocument::offset_at(const Position& p, Encoding enc) const {
  if (p.line >= line_starts_.size()) return text_.size();
  size_t start = line_starts_[p.line];
  size_t end = p.line + 1 < line_starts_.size() ? line_starts_[p.line + 1] - 1 : text_.size();
  if (end > start && text_[end - 1] == '\r') --end;
  return start + bytes_for(std::string_view(text_).substr(start, end - start), p.character, enc);
}

Position TextDocument::position_at(size_t offset, Encoding enc) const {
  offset = std::min(offset, text_.size());
  auto it = std::upper_bound(line_starts_.begin(), line_starts_.end(), offset);
  size_t line = static_cast<size_t>(it - line_starts_.begin()) - 1;
  size_t start = line_starts_[line];
  return {static_cast<uint32_t>(line),
          units(std::string_view(text_).substr(start, offset - start), enc)};
}

void TextDocument::replace(const TextRange& range, std::string_view text, Encoding enc) {
  size_t a = offset_at(range.start, enc), b = offset_at(range.end, enc);
  if (b < a) std::swap(a, b);
  text_.replace(a, b - a, text);
  index_lines();
}

void TextDocument::replace_all(std::string text) {
  text_ = std::move(text);
  index_lines();
}

std::string uri_to_path(std::string_view uri) {
  constexpr std::string_view scheme = "file://";
  if (uri.substr(0, scheme.size()) != scheme) return {};
  uri.remove_prefix(scheme.size());
  // file://host/path: only the local host is ours.
  if (!uri.empty() && uri.front() != '/') {
    size_t slash = uri.find('/');
    if (uri.substr(0, slash) != "localhost") return {};
    uri.remove_prefix(slash == std::string_view::npos ? uri.size() : slash);
  }
  std::string out;
  for (size_t i = 0; i < uri.size(); ++i) {
    if (uri[i] == '%' && i + 2 < uri.size() && hex(uri[i + 1]) >= 0 && hex(uri[i + 2]) >= 0) {
      out.push_back(static_cast<char>(hex(uri[i + 1]) * 16 + hex(uri[i + 2])));
      i += 2;
    } else {
      out.push_back(uri[i]);
    }
  }
  return out;
}

std::string path_to_uri(std::string_view path) {
  static const char* digits = "0123456789ABCDEF";
  std::string out = "file://";
  for (char ch : path) {
    auto c = static_cast<unsigned char>(ch);
    if (std::isalnum(c) || std::string_view("/-._~").find(ch) != std::string_view::npos) {
      out.push_back(ch);
    } else {
      out.push_back('%');
      out.push_back(digits[c >> 4]);
      out.push_back(digits[c & 15]);
    }
  }
  return out;
}

}  // namespace rbk::lsp
