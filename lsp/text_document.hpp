// The documents an editor has open, as the Language Server Protocol addresses them:
// file:// URIs, zero-based lines, and characters counted in the encoding the client and
// server agreed on (UTF-16 code units by default, UTF-8 bytes when the client offers them).
// The compiler counts bytes from 1 (grammar/source.hpp); conversions live here only.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "grammar/source.hpp"

namespace rbk::lsp {

enum class Encoding { Utf16, Utf8 };

struct Position {
  uint32_t line = 0;       // zero-based
  uint32_t character = 0;  // zero-based, in the negotiated encoding
};

struct TextRange {
  Position start, end;
};

// A compiler position (1-based, bytes) in TEXT as an LSP position.
Position to_lsp(std::string_view text, const Pos& p, Encoding enc);
TextRange to_lsp(std::string_view text, const Range& r, Encoding enc);

class TextDocument {
 public:
  TextDocument(std::string uri, std::string path, int64_t version, std::string text);

  const std::string& uri() const { return uri_; }
  const std::string& path() const { return path_; }  // canonical (compiler/loader.hpp)
  const std::string& text() const { return text_; }
  int64_t version() const { return version_; }

  // The byte offset of an LSP position; positions past a line's end or the text's end
  // are clamped to them, as the protocol asks.
  size_t offset_at(const Position& p, Encoding enc) const;
  Position position_at(size_t offset, Encoding enc) const;

  // One content change of didChange: replace RANGE (or, without one, everything).
  void replace(const TextRange& range, std::string_view text, Encoding enc);
  void replace_all(std::string text);
  void set_version(int64_t v) { version_ = v; }

 private:
  void index_lines();

  std::string uri_, path_, text_;
  int64_t version_;
  std::vector<size_t> line_starts_;
};

// file:///a/b%20c.rbk <-> /a/b c.rbk. Empty when URI is not a file URI.
std::string uri_to_path(std::string_view uri);
std::string path_to_uri(std::string_view path);

}  // namespace rbk::lsp
