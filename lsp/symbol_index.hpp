// What each name in a file refers to: the index behind hover, go to definition, find
// references, rename and document symbols.
//
// A symbol is identified by where it is defined: the canonical path of the defining file
// and the byte offset of its name there ("/w/runbooks/x.rbk#412"); natives, which have no
// source, by "native:NAME#OVERLOAD". Two files' indexes therefore agree on a symbol
// without sharing anything, which is how references are found across imports: each file
// that might mention a symbol is indexed on its own and its occurrences compared by key.
//
// Names resolve as the checker resolved them: an identifier reads the binding the checker
// recorded on it (ast::Expr::binding), a call the function it chose (ast::Expr::callee).
// Only names the grammar alone decides (nodes, edge targets, runbooks of a file, a
// declaration's own name) are found without a check, so a file with syntax errors still
// has its outline and its edges.
#pragma once

#include <string>
#include <unordered_map>
#include <vector>

#include "compiler/loader.hpp"
#include "compiler/model.hpp"

namespace rbk::lsp {

enum class SymbolKind { File, Runbook, Node, Param, Variable, Local, Function, Config };

struct Symbol {
  SymbolKind kind = SymbolKind::Local;
  std::string name;       // as referred to: "check_broker", "fleet.last_seen_age"
  std::string file;       // canonical path of the defining file ("" for natives)
  Range def;              // the defining name in that file
  std::string container;  // the runbook or module it belongs to
  std::string detail;     // its declaration in one line, as source: "param device: string"
  std::string doc;        // Markdown: doc comment, title, effect and capabilities
  bool renameable() const {
    return kind == SymbolKind::Node || kind == SymbolKind::Param || kind == SymbolKind::Variable ||
           kind == SymbolKind::Local;
  }
};

struct Occurrence {
  Range range;  // in the indexed file
  std::string symbol;
  bool definition = false;
  std::string type;  // a read of a value: its type at this point (narrowed), when checked
};

struct SymbolIndex {
  std::vector<Occurrence> occurrences;  // in the indexed file, in source order
  std::unordered_map<std::string, Symbol> symbols;

  // The occurrence whose range holds OFFSET (or ends right at it: the cursor after a name).
  const Occurrence* at(uint32_t offset) const;
  const Symbol* symbol(const std::string& key) const;
};

// Indexes file FILE of WS. PROGRAM is the checked program, or null when the workspace did
// not check (syntax errors): then only what the grammar decides is indexed.
SymbolIndex index_file(const Workspace& ws, size_t file, const CheckedProgram* program);

}  // namespace rbk::lsp
