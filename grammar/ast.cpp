#include "grammar/ast.hpp"

#include <algorithm>

namespace rbk::ast {

const char* op_text(Op op) {
  switch (op) {
    case Op::Or:
      return "or";
    case Op::And:
      return "and";
    case Op::Not:
      return "not";
    case Op::Eq:
      return "==";
    case Op::Ne:
      return "!=";
    case Op::Lt:
      return "<";
    case Op::Le:
      return "<=";
    case Op::Gt:
      return ">";
    case Op::Ge:
      return ">=";
    case Op::In:
      return "in";
    case Op::Coalesce:
      return "??";
    case Op::Add:
      return "+";
    case Op::Sub:
      return "-";
    case Op::Mul:
      return "*";
    case Op::Div:
      return "/";
    case Op::Neg:
      return "-";
  }
  return "?";
}

bool Expr::is_static_string() const {
  if (kind != ExprKind::String) return false;
  for (const auto& p : parts)
    if (p.is_expr) return false;
  return true;
}

std::string Expr::static_string() const {
  std::string s;
  for (const auto& p : parts)
    if (!p.is_expr) s += p.text;
  return s;
}

const char* clause_keyword(ClauseKind k) {
  switch (k) {
    case ClauseKind::Let:
      return "let";
    case ClauseKind::When:
      return "when";
    case ClauseKind::Else:
      return "else";
    case ClauseKind::Do:
      return "do";
    case ClauseKind::Then:
      return "then";
    case ClauseKind::OnError:
      return "on error";
    case ClauseKind::ApproveBy:
      return "approve by";
    case ClauseKind::By:
      return "by";
    case ClauseKind::Until:
      return "until";
    case ClauseKind::Approved:
      return "approved";
    case ClauseKind::Denied:
      return "denied";
    case ClauseKind::Timeout:
      return "timeout";
    case ClauseKind::Run:
      return "run";
    case ClauseKind::Return:
      return "return";
    case ClauseKind::ExprStmt:
      return "expression";
    case ClauseKind::Over:
      return "over";
    case ClauseKind::As:
      return "as";
    case ClauseKind::Waves:
      return "waves";
    case ClauseKind::Concurrency:
      return "concurrency";
    case ClauseKind::Rate:
      return "rate";
    case ClauseKind::Abort:
      return "abort when";
    case ClauseKind::Between:
      return "between waves";
    case ClauseKind::Pause:
      return "pause";
    case ClauseKind::ApproveEach:
      return "approve each wave by";
    case ClauseKind::Aborted:
      return "aborted";
    case ClauseKind::Show:
      return "show";
    case ClauseKind::Ask:
      return "ask";
  }
  return "?";
}

bool is_edge_clause(ClauseKind k) {
  switch (k) {
    case ClauseKind::When:
    case ClauseKind::Else:
    case ClauseKind::Then:
    case ClauseKind::OnError:
    case ClauseKind::Approved:
    case ClauseKind::Denied:
    case ClauseKind::Timeout:
    case ClauseKind::Aborted:
      return true;
    default:
      return false;
  }
}

}  // namespace rbk::ast

namespace rbk::ast {

std::string doc_comment_before(const File& file, const SourceFile& src, const Pos& at) {
  auto after =
      std::lower_bound(file.comments.begin(), file.comments.end(), at.offset,
                       [](const Comment& c, uint32_t off) { return c.range.begin.offset < off; });
  std::vector<std::string_view> lines;
  uint32_t want = at.line;
  for (auto it = after; it != file.comments.begin();) {
    --it;
    if (it->range.begin.line + 1 != want) break;
    std::string_view line = src.line(it->range.begin.line);
    if (line.find_first_not_of(" \t") != it->range.begin.col - 1) break;  // after code
    std::string_view text = it->text;
    text.remove_prefix(std::min<size_t>(2, text.size()));
    if (!text.empty() && text.front() == ' ') text.remove_prefix(1);
    lines.push_back(text);
    want = it->range.begin.line;
  }
  std::string doc;
  for (auto l = lines.rbegin(); l != lines.rend(); ++l)
    doc += (doc.empty() ? "" : "\n") + std::string(*l);
  return doc;
}

}  // namespace rbk::ast
