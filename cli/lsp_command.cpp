// rbk lsp: the language server on stdio (lsp/server.hpp), with what the lsp floor does
// not include itself: the renderer (diagrams of the code lens) and this executable's path
// (dry-runs of the code lens run it).
#include <unistd.h>

#include <filesystem>
#include <iostream>

#include "cli/commands.hpp"
#include "compiler/loader.hpp"
#include "lsp/server.hpp"
#include "render/graphviz.hpp"
#include "vm/program.hpp"

namespace rbk::cli {

int run_lsp(const LspOptions& opts) {
  lsp::ServerOptions options;
  options.version = opts.version;
  options.stdlib_dir = default_stdlib_dir();
  options.draw_svg = [](const Program& p) { return render_svg(render_dot(p.entry_runbook())); };
  std::error_code ec;
  options.rbk_path = std::filesystem::read_symlink("/proc/self/exe", ec).string();
  // Stdout carries the protocol only: nothing else may print there.
  std::ios::sync_with_stdio(false);
  return lsp::serve(std::cin, std::cout, options);
}

}  // namespace rbk::cli
