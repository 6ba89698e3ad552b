// Builds AST nodes from the parse tree of one item (internal to the parser).
#pragma once

#include <map>
#include <stdexcept>

#include <tao/pegtl/contrib/parse_tree.hpp>

#include "grammar/ast.hpp"

namespace rbk::grammar {

using TreeNode = tao::pegtl::parse_tree::node;

// A problem found while building the AST (an out-of-range number, an invalid code point,
// an expression nested too deeply): reported like a syntax error.
struct BuildError {
  Range range;
  std::string message;
};

// The deepest expression tree the builder accepts; keeps every later recursive pass
// (checker, formatter, code generator) far from the end of the stack.
inline constexpr int kMaxExprDepth = 200;

class AstBuilder {
 public:
  // COMMENT_ENDS maps the end offset of every comment parsed so far to its start, so
  // that a node's range can end at its last token rather than after trailing comments.
  AstBuilder(const SourceFile& src, const std::map<uint32_t, uint32_t>& comment_ends)
      : src_(src), comment_ends_(comment_ends) {}

  ast::TopItem top_item(const TreeNode& n);
  ast::Runbook runbook_head(const TreeNode& n);
  ast::RunbookItem runbook_item(const TreeNode& n);
  Pos end_of(const TreeNode& n) const;

 private:
  Pos begin_of(const TreeNode& n) const;
  Range range_of(const TreeNode& n) const;
  ast::Name name(const TreeNode& n) const;
  ast::Label label(const TreeNode& n, int depth);
  ast::TypeExprPtr type(const TreeNode& n, int depth);
  ast::ExprPtr expr(const TreeNode& n, int depth);
  ast::ExprPtr string(const TreeNode& n, int depth);
  ast::ExprPtr number(const TreeNode& n);
  void args(const TreeNode& n, size_t first, std::vector<ast::Arg>& out, int depth);
  ast::Clause clause(const TreeNode& n);
  ast::Param param(const TreeNode& n);
  ast::Node node(const TreeNode& n);
  ast::FuncDecl func(const TreeNode& n, bool is_action);
  [[noreturn]] void fail(Range r, std::string message) const;

  const SourceFile& src_;
  const std::map<uint32_t, uint32_t>& comment_ends_;
};

}  // namespace rbk::grammar
