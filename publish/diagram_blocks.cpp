#include "publish/diagram_blocks.hpp"

#include <fmt/format.h>

#include <sstream>

namespace rbk {

namespace {

constexpr std::string_view kOpen = "<!-- rbk:diagram";
constexpr std::string_view kEnd = "<!-- rbk:end -->";

std::string trimmed(const std::string& s) {
  size_t b = s.find_first_not_of(" \t\r");
  if (b == std::string::npos) return "";
  size_t e = s.find_last_not_of(" \t\r");
  return s.substr(b, e - b + 1);
}

// The fence a line opens or closes (``` or ~~~, three or more, up to three spaces in).
std::string fence_of(const std::string& line) {
  size_t i = 0;
  while (i < line.size() && i < 3 && line[i] == ' ') ++i;
  if (i >= line.size() || (line[i] != '`' && line[i] != '~')) return "";
  size_t j = i;
  while (j < line.size() && line[j] == line[i]) ++j;
  return j - i >= 3 ? line.substr(i, j - i) : "";
}

// Reads `key=value` words of an opening marker (values may be "quoted" to hold spaces).
bool parse_marker(const std::string& marker, DiagramBlock& block, std::string& problem) {
  std::string inner = marker.substr(kOpen.size(), marker.size() - kOpen.size() - 3);
  size_t i = 0;
  while (i < inner.size()) {
    while (i < inner.size() && (inner[i] == ' ' || inner[i] == '\t')) ++i;
    if (i >= inner.size()) break;
    size_t eq = inner.find('=', i);
    size_t space = inner.find_first_of(" \t", i);
    if (eq == std::string::npos || (space != std::string::npos && space < eq)) {
      problem =
          fmt::format("expected key=value in the marker, found '{}'", inner.substr(i, space - i));
      return false;
    }
    std::string key = inner.substr(i, eq - i), value;
    i = eq + 1;
    if (i < inner.size() && inner[i] == '"') {
      size_t close = inner.find('"', i + 1);
      if (close == std::string::npos) {
        problem = "unterminated quoted value in the marker";
        return false;
      }
      value = inner.substr(i + 1, close - i - 1);
      i = close + 1;
    } else {
      size_t stop = inner.find_first_of(" \t", i);
      value = inner.substr(i, stop == std::string::npos ? std::string::npos : stop - i);
      i = stop == std::string::npos ? inner.size() : stop;
    }
    if (key == "runbook")
      block.runbook_path = value;
    else if (key == "format")
      block.format = value;
    else if (key == "name")
      block.runbook_name = value;
    else {
      problem = fmt::format("unknown marker attribute '{}' (known: runbook, format, name)", key);
      return false;
    }
  }
  if (block.runbook_path.empty()) {
    problem = "the marker names no runbook (runbook=PATH, relative to this file)";
    return false;
  }
  if (block.format.empty()) block.format = "mermaid";
  if (block.format != "mermaid" && block.format != "svg") {
    problem = fmt::format("unknown format '{}' (mermaid or svg)", block.format);
    return false;
  }
  return true;
}

}  // namespace

MarkdownDoc parse_markdown_doc(const std::string& text) {
  MarkdownDoc doc;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) doc.lines.push_back(line);
  doc.final_newline = text.empty() || text.back() == '\n';
  if (!doc.lines.empty() && !doc.lines[0].empty() && doc.lines[0].back() == '\r')
    doc.newline = "\r\n";
  for (auto& line : doc.lines)
    if (doc.newline == "\r\n" && !line.empty() && line.back() == '\r') line.pop_back();

  std::string fence;  // the open code fence outside blocks, if any
  bool open = false;
  DiagramBlock current;
  for (size_t i = 0; i < doc.lines.size(); ++i) {
    std::string t = trimmed(doc.lines[i]);
    if (open) {
      if (t == kEnd) {
        current.body_end = i;
        doc.blocks.push_back(current);
        open = false;
      } else if (t.rfind(kOpen, 0) == 0) {
        doc.errors.push_back(fmt::format(
            "{}: a diagram block starts inside the block opened at line {}", i + 1, current.line));
      }
      continue;
    }
    if (!fence.empty()) {
      std::string f = fence_of(doc.lines[i]);
      if (!f.empty() && f[0] == fence[0] && f.size() >= fence.size() && trimmed(doc.lines[i]) == f)
        fence.clear();
      continue;
    }
    if (std::string f = fence_of(doc.lines[i]); !f.empty()) {
      fence = f;
      continue;
    }
    if (t.rfind(kOpen, 0) == 0) {
      if (t.size() < kOpen.size() + 3 || t.compare(t.size() - 3, 3, "-->") != 0) {
        doc.errors.push_back(
            fmt::format("{}: the diagram marker does not end with --> on its line", i + 1));
        continue;
      }
      current = DiagramBlock{};
      current.line = i + 1;
      current.body_begin = i + 1;
      std::string problem;
      if (!parse_marker(t, current, problem)) {
        doc.errors.push_back(fmt::format("{}: {}", i + 1, problem));
        continue;
      }
      open = true;
    } else if (t == kEnd) {
      doc.errors.push_back(fmt::format("{}: <!-- rbk:end --> closes no diagram block", i + 1));
    }
  }
  if (open)
    doc.errors.push_back(
        fmt::format("{}: the diagram block opened here has no <!-- rbk:end -->", current.line));
  return doc;
}

std::string block_body(const MarkdownDoc& doc, const DiagramBlock& block) {
  std::string out;
  for (size_t i = block.body_begin; i < block.body_end; ++i) out += doc.lines[i] + "\n";
  return out;
}

std::string with_bodies(const MarkdownDoc& doc, const std::vector<std::string>& bodies) {
  std::vector<std::string> lines;
  size_t next = 0;
  for (size_t b = 0; b < doc.blocks.size(); ++b) {
    const DiagramBlock& block = doc.blocks[b];
    for (; next < block.body_begin; ++next) lines.push_back(doc.lines[next]);
    std::istringstream in(bodies[b]);
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    next = block.body_end;
  }
  for (; next < doc.lines.size(); ++next) lines.push_back(doc.lines[next]);
  std::string out;
  for (size_t i = 0; i < lines.size(); ++i) {
    out += lines[i];
    if (i + 1 < lines.size() || doc.final_newline) out += doc.newline;
  }
  return out;
}

std::string mermaid_block_body(const std::string& diagram, const std::string& program_hash) {
  std::string body = diagram;
  const std::string header = "flowchart TD\n";
  size_t at = body.find(header);
  std::string comment = "  %% program sha256:" + program_hash +
                        " (generated by rbk docs sync: edit the runbook, not this block)\n";
  if (at == std::string::npos)
    body = comment + body;
  else
    body.insert(at + header.size(), comment);
  return "```mermaid\n" + body + "```\n";
}

std::string svg_block_body(const std::string& title, const std::string& svg_file,
                           const std::string& program_hash) {
  std::string alt;
  for (char c : title) alt += (c == '[' || c == ']' || c == '\n') ? ' ' : c;
  return fmt::format("![{}]({})\n<!-- program sha256:{} (generated by rbk docs sync) -->\n", alt,
                     svg_file, program_hash);
}

}  // namespace rbk
