#include "grammar/ast.hpp"

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
