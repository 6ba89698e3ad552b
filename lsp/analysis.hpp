// One check of one document as an editor holds it: the document's text, the unsaved texts
// of the other open documents in place of their files (Workspace::overlay), loaded with
// its imports, checked, and indexed. An Analysis is immutable once built, so requests read
// it without locks while the next keystroke builds a new one.
#pragma once

#include <map>
#include <memory>
#include <string>

#include "compiler/loader.hpp"
#include "compiler/model.hpp"
#include "lsp/symbol_index.hpp"

namespace rbk::lsp {

struct Analysis {
  std::string path;  // canonical
  Workspace ws;      // files[0] is the document
  Diagnostics diags;
  CheckedProgram program;
  bool checked = false;  // every file parsed, so the semantic checks ran
  SymbolIndex index;

  const SourceFile& source() const { return *ws.files[0].src; }
  const ast::File& file() const { return *ws.files[0].ast; }
};

std::shared_ptr<const Analysis> analyze(const std::string& path, std::string text,
                                        const std::map<std::string, std::string>& overlay,
                                        const std::string& stdlib_dir);

}  // namespace rbk::lsp
