// Diagnostics: what every phase reports about a source file. Rendering (text with carets,
// JSON) lives in compiler/diagnostic_render.hpp; this header is only the data.
#pragma once

#include <string>
#include <vector>

#include "grammar/source.hpp"

namespace rbk {

enum class Severity { Error, Warning };

struct RelatedNote {
  SourcePtr file;
  Range range;
  std::string message;  // "first defined here"
};

struct Diagnostic {
  Severity severity = Severity::Error;
  std::string code;  // stable identifier, e.g. "unknown-node" (listed in docs/diagnostics.md)
  SourcePtr file;    // may be null for diagnostics about no file in particular
  Range range;
  std::string message;
  std::vector<std::string> hints;
  std::vector<RelatedNote> related;
};

class Diagnostics {
 public:
  Diagnostic& error(std::string code, SourcePtr file, Range r, std::string message) {
    return add(Severity::Error, std::move(code), std::move(file), r, std::move(message));
  }
  Diagnostic& warning(std::string code, SourcePtr file, Range r, std::string message) {
    return add(Severity::Warning, std::move(code), std::move(file), r, std::move(message));
  }
  Diagnostic& add(Severity s, std::string code, SourcePtr file, Range r, std::string message) {
    items_.push_back(
        Diagnostic{s, std::move(code), std::move(file), r, std::move(message), {}, {}});
    return items_.back();
  }

  const std::vector<Diagnostic>& items() const { return items_; }
  std::vector<Diagnostic>& items() { return items_; }
  size_t error_count() const;
  size_t warning_count() const;
  // Under --strict every warning counts as an error.
  void promote_warnings();
  // Orders by file, then position, keeping the order of reports at the same place.
  void sort();

 private:
  std::vector<Diagnostic> items_;
};

}  // namespace rbk
