// `rbk fmt`: prints an AST in the one canonical layout.
//
// Layout: two-space indentation; one item or clause per line; single spaces around
// operators; consecutive edge clauses of a node aligned in columns (`->` and the labels),
// as in the examples of docs/language.md; `;` dropped; at most one blank line kept where
// the source had blank lines, and one always between top-level declarations.
// Strings are printed as written (their escapes kept); a """ string whose first and last
// lines are blank is re-indented under its clause, which does not change its value.
// Every comment is kept: a comment on its own line stays on its own line before what
// followed it, a comment after code stays at the end of that line.
// Formatting is idempotent: format(format(x)) == format(x) (the tests check it).
#pragma once

#include <string>

#include "grammar/ast.hpp"

namespace rbk {

std::string format_file(const ast::File& file);

}  // namespace rbk
