// Generated diagram blocks in Markdown: the docs that cannot drift.
//
//   <!-- rbk:diagram runbook=PATH format=mermaid -->      (format=svg; name=RUNBOOK optional)
//   ```mermaid
//   ...the diagram PATH compiles to, with its program hash as a Mermaid comment...
//   ```
//   <!-- rbk:end -->
//
// PATH is relative to the Markdown file. With format=svg the block holds an image link to
// RUNBOOK.svg written beside the Markdown file, and the hash as an HTML comment. Markers
// inside fenced code (a page showing the syntax) are text, not blocks.
#pragma once

#include <string>
#include <vector>

namespace rbk {

struct DiagramBlock {
  size_t line = 0;           // 1-based line of the opening marker
  std::string runbook_path;  // as written: relative to the Markdown file
  std::string runbook_name;  // name=..., or "" for the runbook named like the file
  std::string format;        // "mermaid" or "svg"
  size_t body_begin = 0;     // 0-based index of the first line after the marker
  size_t body_end = 0;       // 0-based index of the closing marker's line
};

struct MarkdownDoc {
  std::vector<std::string> lines;  // without line ends
  std::string newline = "\n";      // the file's own ("\r\n" if its first line ends so)
  bool final_newline = true;
  std::vector<DiagramBlock> blocks;
  std::vector<std::string> errors;  // "LINE: problem", in line order
};

MarkdownDoc parse_markdown_doc(const std::string& text);

// The lines between a block's markers, each followed by "\n".
std::string block_body(const MarkdownDoc& doc, const DiagramBlock& block);

// The document with each block's body replaced by BODIES[i] (text of "\n"-ended lines);
// every other byte stays as it was.
std::string with_bodies(const MarkdownDoc& doc, const std::vector<std::string>& bodies);

// What a block of each format holds for a program.
std::string mermaid_block_body(const std::string& diagram, const std::string& program_hash);
std::string svg_block_body(const std::string& title, const std::string& svg_file,
                           const std::string& program_hash);

}  // namespace rbk
