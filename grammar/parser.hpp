// The .rbk parser: source text -> AST, with syntax diagnostics.
//
// The file is parsed one item at a time (an import, a declaration, a runbook's head, one
// runbook item). After a syntax error the parser skips to the next line that starts
// with a keyword that can begin an item, so one run reports the syntax errors of every
// item rather than only the first.
#pragma once

#include "grammar/ast.hpp"
#include "grammar/diagnostic.hpp"

namespace rbk {

// How deep expressions and types may nest while parsing (parentheses, lists, `not not`):
// bounded so that hostile input gets a diagnostic, never a stack overflow.
inline constexpr int kMaxParseNesting = 100;

struct ParseResult {
  ast::File file;
  bool ok = true;  // false when a syntax error was reported
};

ParseResult parse_source(const SourcePtr& src, Diagnostics& diags);

}  // namespace rbk
