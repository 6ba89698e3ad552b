// A source file held in memory, and positions in it. Lines and columns are 1-based;
// columns count bytes (the caret renderer converts to display columns).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace rbk {

struct Pos {
  uint32_t offset = 0;  // byte offset from the start of the file
  uint32_t line = 1;
  uint32_t col = 1;
};

// A half-open span [begin, end) in one file.
struct Range {
  Pos begin;
  Pos end;
};

class SourceFile {
 public:
  SourceFile(std::string path, std::string text);

  const std::string& path() const { return path_; }
  const std::string& text() const { return text_; }
  uint32_t line_count() const { return static_cast<uint32_t>(line_starts_.size()); }
  // The text of line LINE (1-based) without its line terminator.
  std::string_view line(uint32_t line) const;
  Pos pos_at(uint32_t offset) const;

 private:
  std::string path_;
  std::string text_;
  std::vector<uint32_t> line_starts_;
};

using SourcePtr = std::shared_ptr<const SourceFile>;

// Where the first invalid UTF-8 sequence or NUL byte of TEXT starts, or npos.
struct EncodingProblem {
  size_t offset = std::string::npos;
  std::string what;
};
EncodingProblem find_encoding_problem(std::string_view text);

}  // namespace rbk
