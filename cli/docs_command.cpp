// rbk docs sync DOCS… / rbk docs check DOCS…: the generated diagram blocks of Markdown
// files (publish/diagram_blocks.hpp), rewritten from, or compared with, what each block's
// runbook compiles to now.
#include <algorithm>
#include <filesystem>
#include <iostream>
#include <map>

#include "cli/commands.hpp"
#include "cli/file_output.hpp"
#include "cli/program_loading.hpp"
#include "compiler/loader.hpp"
#include "publish/diagram_blocks.hpp"
#include "publish/line_diff.hpp"
#include "render/graphviz.hpp"
#include "render/mermaid.hpp"

namespace rbk::cli {

namespace {

namespace fs = std::filesystem;

// What one block should hold, and the SVG file beside the Markdown for format=svg.
struct Expected {
  bool ok = false;
  std::string body;
  std::string svg_path, svg;
};

// Each runbook is compiled once per command, however many blocks or pages draw it (its
// diagnostics are printed once too).
const LoadedProgram& compiled(const std::string& path, const std::string& name) {
  static std::map<std::pair<std::string, std::string>, LoadedProgram> cache;
  auto key = std::make_pair(path, name);
  auto it = cache.find(key);
  if (it == cache.end()) it = cache.emplace(key, load_program(path, name)).first;
  return it->second;
}

Expected expected_block(const std::string& md_path, const DiagramBlock& block) {
  Expected e;
  fs::path runbook = fs::path(md_path).parent_path() / block.runbook_path;
  const LoadedProgram& lp = compiled(runbook.lexically_normal().string(), block.runbook_name);
  if (lp.exit_code) {
    std::cerr << md_path << ":" << block.line << ": error: the block's runbook "
              << block.runbook_path << " does not compile (see above)\n";
    return e;
  }
  const Program& p = lp.program;
  const RunbookInfo& rb = p.entry_runbook();
  if (block.format == "mermaid") {
    MermaidDiagram d = render_mermaid(rb);
    for (const auto& w : d.warnings)
      std::cerr << md_path << ":" << block.line << ": warning: " << w << "\n";
    e.body = mermaid_block_body(d.text, p.hash_hex());
  } else {
    std::string name = rb.name + ".svg";
    e.svg_path = (fs::path(md_path).parent_path() / name).string();
    try {
      e.svg = render_svg(render_dot(rb));
    } catch (const std::exception& ex) {
      std::cerr << md_path << ":" << block.line << ": error: " << ex.what() << "\n";
      return e;
    }
    e.body = svg_block_body(rb.title.empty() ? rb.name : rb.title, name, p.hash_hex());
  }
  e.ok = true;
  return e;
}

std::string read_or_empty(const std::string& path, bool& exists) {
  std::string text, error;
  exists = read_file(path, text, error);
  return text;
}

// The Markdown files of PATHS: a folder stands for the *.md files below it (hidden folders
// and node_modules skipped), in name order, so a hook can name the docs folder once.
std::vector<std::string> markdown_files(const std::vector<std::string>& paths) {
  std::vector<std::string> out;
  for (const auto& p : paths) {
    std::error_code ec;
    if (!fs::is_directory(p, ec)) {
      out.push_back(p);
      continue;
    }
    std::vector<std::string> found;
    fs::recursive_directory_iterator it(p, fs::directory_options::skip_permission_denied, ec), end;
    for (; !ec && it != end; it.increment(ec)) {
      std::string name = it->path().filename().string();
      if (it->is_directory(ec) && (name.starts_with(".") || name == "node_modules")) {
        it.disable_recursion_pending();
        continue;
      }
      if (it->path().extension() == ".md" && it->is_regular_file(ec))
        found.push_back(it->path().string());
    }
    std::sort(found.begin(), found.end());
    out.insert(out.end(), found.begin(), found.end());
  }
  return out;
}

}  // namespace

int run_docs_blocks(const DocsOptions& opts) {
  bool sync = opts.action == "sync";
  const char* me = sync ? "rbk docs sync" : "rbk docs check";
  int status = kOk;
  size_t blocks = 0, stale = 0;
  std::vector<std::string> files = markdown_files(opts.files);
  for (const auto& path : files) {
    std::string text, error;
    if (!read_file(path, text, error)) {
      std::cerr << me << ": cannot read " << path << ": " << error << "\n";
      status = kUsage;
      continue;
    }
    MarkdownDoc doc = parse_markdown_doc(text);
    if (!doc.errors.empty()) {
      for (const auto& e : doc.errors) std::cerr << path << ":" << e << "\n";
      status = kUsage;
      continue;  // a file we cannot read exactly is never rewritten
    }
    std::vector<std::string> bodies;
    size_t rewritten = 0;
    for (const auto& block : doc.blocks) {
      ++blocks;
      std::string current = block_body(doc, block);
      Expected want = expected_block(path, block);
      if (!want.ok) {
        bodies.push_back(current);  // left as it was
        if (status == kOk) status = kFailed;
        continue;
      }
      bodies.push_back(want.body);
      bool svg_exists = true;
      bool svg_stale =
          !want.svg_path.empty() && read_or_empty(want.svg_path, svg_exists) != want.svg;
      bool body_stale = current != want.body;
      if (!body_stale && !svg_stale) continue;
      ++stale;
      if (sync) {
        if (body_stale) ++rewritten;
        if (svg_stale && !write_file_atomically(want.svg_path, want.svg, error)) {
          std::cerr << me << ": " << error << "\n";
          status = kUsage;
        }
        continue;
      }
      if (status == kOk) status = kFailed;
      if (body_stale) {
        std::cerr << path << ":" << block.line << ": the diagram block differs from what "
                  << block.runbook_path << " compiles to; run: rbk docs sync " << path << "\n";
        std::cerr << "  (- in " << path << ", + compiled)\n" << line_diff(current, want.body);
      }
      if (svg_stale)
        std::cerr << path << ":" << block.line << ": " << want.svg_path
                  << (svg_exists ? " differs from" : " is missing; it is") << " what "
                  << block.runbook_path << " compiles to; run: rbk docs sync " << path << "\n";
    }
    if (sync && rewritten > 0) {
      if (!write_file_atomically(path, with_bodies(doc, bodies), error)) {
        std::cerr << me << ": " << error << "\n";
        status = kUsage;
        continue;
      }
    }
    if (sync)
      std::cout << me << ": " << path << ": " << doc.blocks.size() << " block"
                << (doc.blocks.size() == 1 ? "" : "s") << ", " << rewritten << " rewritten\n";
  }
  if (!sync && status == kOk)
    std::cout << me << ": " << blocks << " diagram block" << (blocks == 1 ? "" : "s") << " in "
              << files.size() << " file" << (files.size() == 1 ? "" : "s")
              << " match their runbooks\n";
  else if (!sync && stale > 0)
    std::cerr << me << ": " << stale << " of " << blocks << " diagram blocks are out of date\n";
  return status;
}

}  // namespace rbk::cli
