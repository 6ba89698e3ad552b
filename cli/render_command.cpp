// rbk render FILE --format mermaid|dot|svg [--trace T.jsonl] [-o OUT] [--runbook NAME]
#include <fstream>
#include <iostream>

#include "cli/commands.hpp"
#include "cli/file_output.hpp"
#include "cli/program_loading.hpp"
#include "compiler/loader.hpp"
#include "render/graphviz.hpp"
#include "render/mermaid.hpp"
#include "vm/rbc.hpp"

namespace rbk::cli {

int run_render(const RenderOptions& opts) {
  LoadedProgram lp = load_program(opts.file, opts.runbook);
  if (lp.exit_code) return lp.exit_code;
  const RunbookInfo& rb = lp.program.entry_runbook();
  Overlay overlay;
  if (!opts.trace.empty()) {
    std::string text, error;
    if (!read_file(opts.trace, text, error)) {
      std::cerr << "rbk render: cannot read " << opts.trace << ": " << error << "\n";
      return kUsage;
    }
    try {
      overlay = read_overlay(text, rb.name, lp.program.hash_hex(), runbook_digest(rb));
      overlay.enter_edge_targets(rb);
    } catch (const OverlayError& e) {
      std::cerr << "rbk render: " << opts.trace << ": " << e.what() << "\n";
      return kUsage;
    }
  }
  std::string out;
  if (opts.format == "mermaid") {
    MermaidDiagram diagram = render_mermaid(rb, overlay);
    for (const auto& w : diagram.warnings) std::cerr << "rbk render: warning: " << w << "\n";
    out = std::move(diagram.text);
  } else {
    out = render_dot(rb, overlay);
  }
  if (opts.format == "svg") {
    try {
      out = render_svg(out);
    } catch (const std::exception& e) {
      std::cerr << "rbk render: " << e.what() << "\n";
      return kFailed;
    }
  }
  return write_output("render", opts.output, out) ? kOk : kUsage;
}

}  // namespace rbk::cli
