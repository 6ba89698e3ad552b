#include "lsp/analysis.hpp"

#include "compiler/checker.hpp"

namespace rbk::lsp {

std::shared_ptr<const Analysis> analyze(const std::string& path, std::string text,
                                        const std::map<std::string, std::string>& overlay,
                                        const std::string& stdlib_dir) {
  auto a = std::make_shared<Analysis>();
  a->path = path;
  a->ws.stdlib_dir = stdlib_dir;
  a->ws.overlay = overlay;
  a->ws.overlay.erase(path);  // the document itself is the root
  load_source(a->ws, path, std::move(text), a->diags);
  a->program = check_workspace(a->ws, a->diags);
  a->checked = a->ws.all_parsed();
  a->diags.sort();
  a->index = index_file(a->ws, 0, a->checked ? &a->program : nullptr);
  return a;
}

}  // namespace rbk::lsp
