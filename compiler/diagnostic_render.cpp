#include "compiler/diagnostic_render.hpp"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

namespace rbk {

namespace {

// Display width of a UTF-8 prefix: one column per code point, tabs kept as tabs so the
// caret line lines up under the source line in any terminal.
size_t columns(std::string_view s) {
  size_t n = 0;
  for (unsigned char c : s)
    if ((c & 0xC0) != 0x80) ++n;
  return n;
}

std::string caret_line(std::string_view line, const Range& r) {
  std::string out;
  size_t start = std::min<size_t>(r.begin.col - 1, line.size());
  for (size_t i = 0; i < start; ++i) {
    if ((static_cast<unsigned char>(line[i]) & 0xC0) == 0x80) continue;  // one column per character
    out += line[i] == '\t' ? '\t' : ' ';
  }
  // Only the first line of a multi-line span is underlined.
  size_t end =
      r.end.line == r.begin.line ? std::min<size_t>(r.end.col - 1, line.size()) : line.size();
  size_t width = end > start ? columns(line.substr(start, end - start)) : 1;
  out += '^';
  for (size_t i = 1; i < width; ++i) out += '~';
  return out;
}

Pos display_pos(const SourceFile* f, Pos p) {
  if (!f) return p;
  std::string_view line = f->line(p.line);
  p.col =
      static_cast<uint32_t>(columns(line.substr(0, std::min<size_t>(p.col - 1, line.size()))) + 1);
  return p;
}

}  // namespace

std::string render_text(const Diagnostic& d, bool color) {
  const char* bold = color ? "\033[1m" : "";
  const char* reset = color ? "\033[0m" : "";
  const char* sev_color =
      color ? (d.severity == Severity::Error ? "\033[1;31m" : "\033[1;35m") : "";
  const char* sev = d.severity == Severity::Error ? "error" : "warning";
  std::string out;
  if (d.file) {
    Pos p = display_pos(d.file.get(), d.range.begin);
    out += fmt::format("{}{}:{}:{}:{} {}{}:{} {}\n", bold, d.file->path(), p.line, p.col, reset,
                       sev_color, sev, reset, d.message);
    std::string_view line = d.file->line(d.range.begin.line);
    std::string gutter = std::to_string(d.range.begin.line);
    std::string pad(gutter.size(), ' ');
    out += fmt::format(" {} | {}\n", gutter, line);
    out += fmt::format(" {} | {}{}{}\n", pad, sev_color, caret_line(line, d.range), reset);
  } else {
    out += fmt::format("{}{}:{} {}\n", sev_color, sev, reset, d.message);
  }
  for (const auto& h : d.hints) out += fmt::format("{}hint:{} {}\n", bold, reset, h);
  for (const auto& r : d.related) {
    if (r.file) {
      Pos p = display_pos(r.file.get(), r.range.begin);
      out += fmt::format("{}:{}:{}: note: {}\n", r.file->path(), p.line, p.col, r.message);
    } else {
      out += fmt::format("note: {}\n", r.message);
    }
  }
  return out;
}

std::string render_json(const Diagnostics& diags) {
  using nlohmann::json;
  auto where = [](const SourcePtr& f, const Range& r) {
    json j;
    j["file"] = f ? f->path() : "";
    Pos b = display_pos(f.get(), r.begin), e = display_pos(f.get(), r.end);
    j["line"] = b.line;
    j["column"] = b.col;
    j["end_line"] = e.line;
    j["end_column"] = e.col;
    return j;
  };
  json list = json::array();
  for (const auto& d : diags.items()) {
    json j = where(d.file, d.range);
    j["severity"] = d.severity == Severity::Error ? "error" : "warning";
    j["code"] = d.code;
    j["message"] = d.message;
    j["hints"] = d.hints;
    json rel = json::array();
    for (const auto& r : d.related) {
      json rj = where(r.file, r.range);
      rj["message"] = r.message;
      rel.push_back(rj);
    }
    j["related"] = rel;
    list.push_back(j);
  }
  json doc;
  doc["diagnostics"] = list;
  doc["errors"] = diags.error_count();
  doc["warnings"] = diags.warning_count();
  return doc.dump(2) + "\n";
}

std::string summarize(const Diagnostics& diags) {
  size_t e = diags.error_count(), w = diags.warning_count();
  return fmt::format("{} error{}, {} warning{}", e, e == 1 ? "" : "s", w, w == 1 ? "" : "s");
}

}  // namespace rbk
