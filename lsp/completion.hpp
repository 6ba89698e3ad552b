// What to offer where the cursor is: node names after `->`, a module's probes and actions
// after `module.`, configuration names after `config.`, runbooks after `run`, a record's
// fields after `variable.`, and otherwise the keywords the grammar allows there (top
// level, runbook body, the clauses of the node kind the cursor is in) with the names in
// scope. The context is read from the text before the cursor and the document's AST; the
// names come from the last analysis that checked, since a half-typed line rarely parses.
#pragma once

#include <string>
#include <vector>

#include "lsp/analysis.hpp"

namespace rbk::lsp {

// The protocol's CompletionItemKind values used here.
enum class ItemKind {
  Method = 2,
  Function = 3,
  Field = 5,
  Variable = 6,
  Module = 9,
  Property = 10,
  Keyword = 14,
  File = 17,
  Constant = 21,
  Event = 23
};

struct CompletionItem {
  std::string label;
  ItemKind kind = ItemKind::Keyword;
  std::string detail;         // a signature, a type, a node's label
  std::string documentation;  // Markdown
  // A call with its required parameters as snippet placeholders ("up(${1:site})"), for
  // clients that take snippets; empty for anything else.
  std::string snippet;
};

// CURRENT is the analysis of the text as it is; CHECKED the latest one that checked (may
// be CURRENT, or null). OFFSET is the cursor's byte offset in CURRENT's text.
std::vector<CompletionItem> complete(const Analysis& current, const Analysis* checked,
                                     uint32_t offset);

}  // namespace rbk::lsp
