#include "grammar/diagnostic.hpp"

#include <algorithm>

namespace rbk {

size_t Diagnostics::error_count() const {
  return std::count_if(items_.begin(), items_.end(),
                       [](const Diagnostic& d) { return d.severity == Severity::Error; });
}

size_t Diagnostics::warning_count() const {
  return items_.size() - error_count();
}

void Diagnostics::promote_warnings() {
  for (auto& d : items_) d.severity = Severity::Error;
}

void Diagnostics::sort() {
  std::stable_sort(items_.begin(), items_.end(), [](const Diagnostic& a, const Diagnostic& b) {
    const std::string& pa = a.file ? a.file->path() : std::string();
    const std::string& pb = b.file ? b.file->path() : std::string();
    if (pa != pb) return pa < pb;
    return a.range.begin.offset < b.range.begin.offset;
  });
}

}  // namespace rbk
