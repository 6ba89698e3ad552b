// Parse tree -> AST. The parse tree holds only the rules selector.hpp selects; each
// function here knows the children its rule produces, in order (see rules.hpp).
#include "grammar/ast_builder.hpp"

#include <cerrno>
#include <cstdlib>
#include <limits>

#include "grammar/rules.hpp"
#include "lang/utf8.hpp"

namespace rbk::grammar {

using namespace rbk::ast;

namespace {

template <typename Rule>
bool is(const TreeNode& n) {
  return n.is_type<Rule>();
}

bool is_blank(char c) {
  return c == ' ' || c == '\t' || c == '\r';
}

Op op_from_text(std::string_view t) {
  auto starts = [&](std::string_view p) { return t.substr(0, p.size()) == p; };
  if (starts("==")) return Op::Eq;
  if (starts("!=")) return Op::Ne;
  if (starts("<=")) return Op::Le;
  if (starts(">=")) return Op::Ge;
  if (starts("<")) return Op::Lt;
  if (starts(">")) return Op::Gt;
  if (starts("??")) return Op::Coalesce;
  if (starts("+")) return Op::Add;
  if (starts("-")) return Op::Sub;
  if (starts("*")) return Op::Mul;
  if (starts("/")) return Op::Div;
  if (starts("and")) return Op::And;
  if (starts("or")) return Op::Or;
  if (starts("not")) return Op::Not;
  return Op::In;
}

ExprPtr make_expr(ExprKind k, Range r) {
  auto e = std::make_unique<Expr>();
  e->kind = k;
  e->range = r;
  return e;
}

}  // namespace

void AstBuilder::fail(Range r, std::string message) const {
  throw BuildError{r, std::move(message)};
}

Pos AstBuilder::begin_of(const TreeNode& n) const {
  return Pos{static_cast<uint32_t>(n.m_begin.byte), static_cast<uint32_t>(n.m_begin.line),
             static_cast<uint32_t>(n.m_begin.column)};
}

Pos AstBuilder::end_of(const TreeNode& n) const {
  if (!n.has_content()) return n.children.empty() ? begin_of(n) : end_of(*n.children.back());
  // Token rules include the whitespace and comments after them: a range ends at its
  // last significant character.
  uint32_t begin = static_cast<uint32_t>(n.m_begin.byte);
  uint32_t off = static_cast<uint32_t>(n.m_end.byte);
  const std::string& text = src_.text();
  for (;;) {
    while (off > begin && (is_blank(text[off - 1]) || text[off - 1] == '\n' ||
                           text[off - 1] == '\f' || text[off - 1] == '\v'))
      --off;
    auto it = comment_ends_.find(off);
    if (it == comment_ends_.end() || it->second < begin) break;
    off = it->second;
  }
  return src_.pos_at(off);
}

Range AstBuilder::range_of(const TreeNode& n) const {
  return Range{begin_of(n), end_of(n)};
}

Name AstBuilder::name(const TreeNode& n) const {
  return Name{std::string(n.string_view()), range_of(n)};
}

Label AstBuilder::label(const TreeNode& n, int depth) {
  return Label{string(n, depth)};
}

// ---------------------------------------------------------------- types

TypeExprPtr AstBuilder::type(const TreeNode& n, int depth) {
  if (depth > kMaxExprDepth) fail(range_of(n), "type is nested too deeply");
  const TreeNode& base = *n.children.at(0);
  auto t = std::make_unique<TypeExpr>();
  t->range = range_of(base);
  if (is<list_type>(base)) {
    t->kind = TypeExpr::Kind::List;
    t->elem = type(*base.children.at(0), depth + 1);
  } else if (is<record_type>(base)) {
    t->kind = TypeExpr::Kind::Record;
    for (const auto& f : base.children)
      t->fields.push_back(TypeField{name(*f->children.at(0)), type(*f->children.at(1), depth + 1)});
  } else {
    t->kind = TypeExpr::Kind::Named;
    t->name = std::string(base.children.at(0)->string_view());
  }
  if (n.children.size() > 1) {
    auto opt = std::make_unique<TypeExpr>();
    opt->kind = TypeExpr::Kind::Optional;
    opt->range = Range{t->range.begin, end_of(*n.children[1])};
    opt->elem = std::move(t);
    return opt;
  }
  return t;
}

// ---------------------------------------------------------------- expressions

ExprPtr AstBuilder::number(const TreeNode& n) {
  Range r = range_of(n);
  std::string text(n.string_view());
  if (is<int_lit>(n)) {
    auto e = make_expr(ExprKind::Int, r);
    errno = 0;
    char* end = nullptr;
    long long v = std::strtoll(text.c_str(), &end, 10);
    if (errno == ERANGE) fail(r, "integer literal " + text + " is out of range");
    e->int_value = v;
    e->text = text;
    return e;
  }
  if (is<float_lit>(n) || is<percent_lit>(n)) {
    auto e = make_expr(is<float_lit>(n) ? ExprKind::Float : ExprKind::Percent, r);
    e->float_value = std::strtod(text.c_str(), nullptr);
    e->text = text;
    return e;
  }
  // duration: one or more NUMBER UNIT pairs, summed in milliseconds
  auto e = make_expr(ExprKind::Duration, r);
  e->text = text;
  int64_t total = 0;
  size_t i = 0;
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  while (i < text.size()) {
    int64_t v = 0;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
      if (v > (kMax - 9) / 10) fail(r, "duration " + text + " is out of range");
      v = v * 10 + (text[i++] - '0');
    }
    int64_t scale = 0;
    if (text.compare(i, 2, "ms") == 0) {
      scale = 1;
      i += 2;
    } else {
      switch (text[i++]) {
        case 's':
          scale = 1000;
          break;
        case 'm':
          scale = 60'000;
          break;
        case 'h':
          scale = 3'600'000;
          break;
        default:
          scale = 86'400'000;
          break;  // 'd'
      }
    }
    if (v > (kMax - total) / scale) fail(r, "duration " + text + " is out of range");
    total += v * scale;
  }
  e->int_value = total;
  return e;
}

ExprPtr AstBuilder::string(const TreeNode& n, int depth) {
  Range r = range_of(n);
  auto e = make_expr(ExprKind::String, r);
  e->text = std::string(n.string_view());
  e->triple = is<triple_string>(n);

  // For """…""": which bytes of the content are layout, not text (Kotlin's trimIndent):
  // a blank first and last line go, and the least indentation of the other non-blank
  // lines is removed from every line. Escapes and interpolations are never blank, so the
  // stripped bytes are always raw whitespace.
  std::vector<bool> strip;
  uint32_t content_begin = r.begin.offset + (e->triple ? 3 : 1);
  if (e->triple) {
    std::string_view c = std::string_view(e->text).substr(3, e->text.size() - 6);
    strip.assign(c.size(), false);
    std::vector<std::pair<size_t, size_t>> lines;  // [begin, end) excluding '\n'
    size_t b = 0;
    for (size_t i = 0; i <= c.size(); ++i)
      if (i == c.size() || c[i] == '\n') {
        lines.emplace_back(b, i);
        b = i + 1;
      }
    auto blank = [&](std::pair<size_t, size_t> l) {
      for (size_t i = l.first; i < l.second; ++i)
        if (!is_blank(c[i])) return false;
      return true;
    };
    size_t first = 0, last = lines.size();
    if (lines.size() > 1 && blank(lines.front())) {
      for (size_t i = lines[0].first; i <= lines[0].second; ++i) strip[i] = true;
      first = 1;
    }
    if (lines.size() > 1 && last > first && blank(lines.back())) {
      for (size_t i = lines.back().first - 1; i < lines.back().second; ++i) strip[i] = true;
      --last;
    }
    size_t indent = std::string::npos;
    for (size_t k = first; k < last; ++k) {
      if (blank(lines[k])) continue;
      size_t w = 0;
      while (lines[k].first + w < lines[k].second && is_blank(c[lines[k].first + w])) ++w;
      indent = std::min(indent, w);
    }
    if (indent == std::string::npos) indent = 0;
    for (size_t k = first; k < last; ++k) {
      for (size_t w = 0;
           w < indent && lines[k].first + w < lines[k].second && is_blank(c[lines[k].first + w]);
           ++w)
        strip[lines[k].first + w] = true;
      // CRLF files: the '\r' before a line break is layout too.
      if (lines[k].second > lines[k].first && c[lines[k].second - 1] == '\r')
        strip[lines[k].second - 1] = true;
    }
  }

  auto literal = [&](std::string_view piece) -> std::string& {
    if (e->parts.empty() || e->parts.back().is_expr) e->parts.push_back(StringPart{});
    e->parts.back().text.append(piece);
    return e->parts.back().text;
  };
  for (const auto& child : n.children) {
    const TreeNode& p = *child;
    if (is<plain_chars>(p)) {
      literal(p.string_view());
    } else if (is<raw_chars>(p)) {
      // As written, but a CRLF file's '\r' before a line break is layout, not text.
      std::string kept;
      std::string_view s = p.string_view();
      for (size_t i = 0; i < s.size(); ++i)
        if (!(s[i] == '\r' && i + 1 < s.size() && s[i + 1] == '\n')) kept += s[i];
      literal(kept);
    } else if (is<triple_chars>(p)) {
      std::string kept;
      uint32_t off = static_cast<uint32_t>(p.m_begin.byte) - content_begin;
      std::string_view s = p.string_view();
      for (size_t i = 0; i < s.size(); ++i)
        if (!strip[off + i]) kept += s[i];
      literal(kept);
    } else if (is<escape>(p)) {
      std::string_view s = p.string_view();
      std::string out;
      switch (s[1]) {
        case 'n':
          out = "\n";
          break;
        case 't':
          out = "\t";
          break;
        case 'r':
          out = "\r";
          break;
        case 'u': {
          uint32_t cp =
              static_cast<uint32_t>(std::strtoul(std::string(s.substr(3)).c_str(), nullptr, 16));
          if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            fail(range_of(p), "\\u{" + std::string(s.substr(3, s.size() - 4)) +
                                  "} is not a Unicode scalar value");
          append_utf8(out, cp);
          break;
        }
        default:
          out = std::string(1, s[1]);
          break;  // " \ { }
      }
      literal(out);
    } else {  // interp
      StringPart part;
      part.is_expr = true;
      part.expr = expr(*p.children.at(0), depth + 1);
      e->parts.push_back(std::move(part));
    }
  }
  return e;
}

void AstBuilder::args(const TreeNode& n, size_t first, std::vector<Arg>& out, int depth) {
  for (size_t i = first; i < n.children.size(); ++i) {
    const TreeNode& a = *n.children[i];
    Arg arg;
    if (is<named_arg>(a)) {
      arg.name = name(*a.children.at(0));
      arg.value = expr(*a.children.at(1), depth + 1);
    } else {
      arg.value = expr(a, depth + 1);
    }
    out.push_back(std::move(arg));
  }
}

ExprPtr AstBuilder::expr(const TreeNode& n, int depth) {
  if (depth > kMaxExprDepth)
    fail(range_of(n), "expression is nested too deeply (more than " +
                          std::to_string(kMaxExprDepth) + " levels)");
  Range r = range_of(n);

  if (is<ident_expr>(n)) {
    auto e = make_expr(ExprKind::Ident, r);
    e->name = name(*n.children.at(0));
    return e;
  }
  if (is<int_lit>(n) || is<float_lit>(n) || is<percent_lit>(n) || is<duration_lit>(n))
    return number(n);
  if (is<true_lit>(n) || is<false_lit>(n)) {
    auto e = make_expr(ExprKind::Bool,
                       Range{r.begin, src_.pos_at(r.begin.offset + (is<true_lit>(n) ? 4 : 5))});
    e->int_value = is<true_lit>(n);
    return e;
  }
  if (is<null_lit>(n))
    return make_expr(ExprKind::Null, Range{r.begin, src_.pos_at(r.begin.offset + 4)});
  if (is<plain_string>(n) || is<triple_string>(n) || is<raw_string>(n)) return string(n, depth);
  if (is<lambda_expr>(n)) {
    auto e = make_expr(ExprKind::Lambda, r);
    e->name = name(*n.children.at(0));
    e->lhs = expr(*n.children.at(1), depth + 1);
    return e;
  }
  if (is<cond_expr>(n)) {
    auto e = make_expr(ExprKind::Cond, r);
    e->lhs = expr(*n.children.at(0), depth + 1);
    e->rhs = expr(*n.children.at(1), depth + 1);
    e->alt = expr(*n.children.at(2), depth + 1);
    return e;
  }
  if (is<paren_expr>(n)) {
    auto e = make_expr(ExprKind::Paren, r);
    e->lhs = expr(*n.children.at(0), depth + 1);
    return e;
  }
  if (is<list_lit>(n)) {
    auto e = make_expr(ExprKind::List, r);
    for (const auto& c : n.children) e->items.push_back(expr(*c, depth + 1));
    return e;
  }
  if (is<record_lit>(n)) {
    auto e = make_expr(ExprKind::Record, r);
    for (const auto& c : n.children) {
      const TreeNode& key = *c->children.at(0);
      Name k;
      if (is<ident_raw>(key)) {
        k = name(key);
      } else {
        auto s = string(key, depth + 1);
        if (!s->is_static_string()) fail(s->range, "a record key cannot interpolate");
        k = Name{s->static_string(), s->range};
      }
      e->entries.push_back(RecordEntry{std::move(k), expr(*c->children.at(1), depth + 1)});
    }
    return e;
  }
  if (is<config_ref>(n)) {
    auto e = make_expr(ExprKind::ConfigRef, r);
    e->name = name(*n.children.at(0));
    return e;
  }
  if (is<postfix_expr>(n)) {
    size_t count = n.children.size();
    if (depth + static_cast<int>(count) > kMaxExprDepth)
      fail(r, "expression is nested too deeply (more than " + std::to_string(kMaxExprDepth) +
                  " levels)");
    ExprPtr e = expr(*n.children.at(0), depth + static_cast<int>(count));
    for (size_t i = 1; i < count; ++i) {
      const TreeNode& s = *n.children[i];
      Range sr{e->range.begin, end_of(s)};
      ExprPtr next;
      if (is<field_suffix>(s)) {
        next = make_expr(ExprKind::Field, sr);
        next->name = name(*s.children.at(0));
      } else if (is<index_suffix>(s)) {
        next = make_expr(ExprKind::Index, sr);
        next->rhs = expr(*s.children.at(0), depth + 1);
      } else {
        next = make_expr(ExprKind::Call, sr);
        args(s, 0, next->args, depth);
      }
      next->lhs = std::move(e);
      e = std::move(next);
    }
    return e;
  }
  if (is<neg_expr>(n) || is<not_expr>(n)) {
    auto e = make_expr(ExprKind::Unary, r);
    e->op = is<neg_expr>(n) ? Op::Neg : Op::Not;
    e->lhs = expr(*n.children.at(1), depth + 1);
    e->range = Range{begin_of(*n.children[0]), e->lhs->range.end};
    return e;
  }
  // A binary level: operand (op operand)*, folded to the left.
  size_t count = n.children.size();
  int ops = static_cast<int>(count / 2);
  if (depth + ops > kMaxExprDepth)
    fail(r, "expression is nested too deeply (more than " + std::to_string(kMaxExprDepth) +
                " levels)");
  ExprPtr e = expr(*n.children.at(0), depth + ops);
  for (size_t i = 1; i + 1 < count; i += 2) {
    ExprPtr rhs = expr(*n.children[i + 1], depth + 1);
    auto b = make_expr(ExprKind::Binary, Range{e->range.begin, rhs->range.end});
    b->op = op_from_text(n.children[i]->string_view());
    b->lhs = std::move(e);
    b->rhs = std::move(rhs);
    e = std::move(b);
  }
  return e;
}

// ---------------------------------------------------------------- clauses and items

Clause AstBuilder::clause(const TreeNode& n) {
  Clause c;
  c.range = range_of(n);
  const auto& ch = n.children;
  auto keyword = [&](size_t len) {
    c.keyword = Range{c.range.begin, src_.pos_at(c.range.begin.offset + len)};
  };
  auto edge = [&](size_t at) {
    c.target = name(*ch.at(at));
    if (ch.size() > at + 1) c.label = label(*ch[at + 1], 0);
  };
  if (is<let_clause>(n)) {
    c.kind = ClauseKind::Let;
    keyword(3);
    c.name = name(*ch.at(0));
    c.expr = expr(*ch.at(1), 0);
  } else if (is<when_clause>(n)) {
    c.kind = ClauseKind::When;
    keyword(4);
    c.expr = expr(*ch.at(0), 0);
    edge(1);
  } else if (is<else_clause>(n)) {
    c.kind = ClauseKind::Else;
    keyword(4);
    edge(0);
  } else if (is<do_clause>(n)) {
    c.kind = ClauseKind::Do;
    keyword(2);
    if (ch.size() == 2) c.name = name(*ch[0]);  // do let NAME = CALL
    c.expr = expr(*ch.back(), 0);
  } else if (is<then_clause>(n)) {
    c.kind = ClauseKind::Then;
    keyword(4);
    edge(0);
  } else if (is<on_error_clause>(n)) {
    c.kind = ClauseKind::OnError;
    keyword(2);
    edge(0);
  } else if (is<approved_clause>(n)) {
    c.kind = ClauseKind::Approved;
    keyword(8);
    edge(0);
  } else if (is<denied_clause>(n)) {
    c.kind = ClauseKind::Denied;
    keyword(6);
    edge(0);
  } else if (is<approve_by_clause>(n)) {
    c.kind = ClauseKind::ApproveBy;
    keyword(7);
    c.role = label(*ch.at(0), 0);
  } else if (is<by_clause>(n)) {
    // one string: an approve node's role; otherwise a foreach's cohort columns
    c.kind = ClauseKind::By;
    keyword(2);
    for (const auto& item : ch) c.exprs.push_back(expr(*item, 0));
    if (c.exprs.size() == 1 && c.exprs[0]->kind == ExprKind::String) {
      c.role = Label{std::move(c.exprs[0])};
      c.exprs.clear();
    }
  } else if (is<approve_each_clause>(n)) {
    c.kind = ClauseKind::ApproveEach;
    keyword(7);
    c.role = label(*ch.at(0), 0);
  } else if (is<over_clause>(n)) {
    c.kind = ClauseKind::Over;
    keyword(4);
    c.expr = expr(*ch.at(0), 0);
  } else if (is<as_clause>(n)) {
    c.kind = ClauseKind::As;
    keyword(2);
    c.name = name(*ch.at(0));
  } else if (is<waves_clause>(n)) {
    c.kind = ClauseKind::Waves;
    keyword(5);
    for (const auto& item : ch) c.exprs.push_back(expr(*item, 0));
  } else if (is<concurrency_clause>(n)) {
    c.kind = ClauseKind::Concurrency;
    keyword(11);
    c.expr = expr(*ch.at(0), 0);
  } else if (is<rate_clause>(n)) {
    c.kind = ClauseKind::Rate;
    keyword(4);
    c.text = std::string(ch.at(0)->string_view());
  } else if (is<abort_clause>(n)) {
    c.kind = ClauseKind::Abort;
    keyword(5);
    size_t i = 0;
    while (i < ch.size() && is<ident_raw>(*ch[i])) c.outcomes.push_back(name(*ch[i++]));
    ++i;  // '>'
    c.expr = expr(*ch.at(i++), 0);
    if (i < ch.size()) c.after = expr(*ch[i], 0);
  } else if (is<between_clause>(n)) {
    c.kind = ClauseKind::Between;
    keyword(7);
    for (const auto& item : ch) c.block.push_back(clause(*item));
  } else if (is<pause_clause>(n)) {
    c.kind = ClauseKind::Pause;
    keyword(5);
    c.expr = expr(*ch.at(0), 0);
  } else if (is<aborted_clause>(n)) {
    c.kind = ClauseKind::Aborted;
    keyword(7);
    edge(0);
  } else if (is<show_clause>(n)) {
    c.kind = ClauseKind::Show;
    keyword(4);
    c.expr = expr(*ch.at(0), 0);
  } else if (is<ask_clause>(n)) {
    c.kind = ClauseKind::Ask;
    keyword(3);
    c.name = name(*ch.at(0));
    c.type = type(*ch.at(1), 0);
    c.expr = expr(*ch.at(2), 0);
  } else if (is<until_clause>(n)) {
    c.kind = ClauseKind::Until;
    keyword(5);
    if (is<signal_until>(*ch.at(0))) {  // until signal "NAME" [as VAR] within DURATION
      const auto& s = ch[0]->children;
      c.signal = label(*s.at(0), 0);
      if (s.size() == 3) c.name = name(*s[1]);
      c.within = expr(*s.back(), 0);
      return c;
    }
    c.expr = expr(*ch.at(0), 0);
    size_t next = 1;
    if (ch.size() == 4) c.holds = expr(*ch.at(next++), 0);  // the optional `holds` duration
    c.within = expr(*ch.at(next++), 0);
    c.every = expr(*ch.at(next), 0);
  } else if (is<timeout_clause>(n)) {
    c.kind = ClauseKind::Timeout;
    keyword(7);
    size_t at = 0;
    if (!is<ident_raw>(*ch.at(0))) c.expr = expr(*ch[at++], 0);
    edge(at);
  } else if (is<run_clause>(n)) {
    c.kind = ClauseKind::Run;
    keyword(3);
    c.name = name(*ch.at(0));
    args(n, 1, c.args, 0);
  } else if (is<return_clause>(n)) {
    c.kind = ClauseKind::Return;
    keyword(6);
    c.expr = expr(*ch.at(0), 0);
  } else {  // expr_stmt
    c.kind = ClauseKind::ExprStmt;
    c.expr = expr(*ch.at(0), 0);
    c.keyword = c.expr->range;
  }
  return c;
}

Param AstBuilder::param(const TreeNode& n) {
  Param p;
  p.range = range_of(n);
  p.name = name(*n.children.at(0));
  p.type = type(*n.children.at(1), 0);
  if (n.children.size() > 2) p.default_value = expr(*n.children[2], 0);
  return p;
}

Node AstBuilder::node(const TreeNode& n) {
  Node node;
  node.range = range_of(n);
  const auto& ch = n.children;
  size_t i = 0;
  if (is<end_node>(n)) {
    node.kind = NodeKind::End;
    node.keyword = Range{node.range.begin, src_.pos_at(node.range.begin.offset + 3)};
  } else {
    std::string_view k = ch.at(0)->string_view();
    node.keyword = Range{node.range.begin, src_.pos_at(node.range.begin.offset + k.size())};
    node.kind = node_kind_named(k).value_or(NodeKind::Call);  // the grammar admits only these
    i = 1;
  }
  node.name = name(*ch.at(i++));
  if (i < ch.size() &&
      (is<plain_string>(*ch[i]) || is<triple_string>(*ch[i]) || is<raw_string>(*ch[i])))
    node.label = label(*ch[i++], 0);
  if (node.kind == NodeKind::End) {
    node.outcome = name(*ch.at(i));
    return node;
  }
  for (; i < ch.size(); ++i) node.clauses.push_back(clause(*ch[i]));
  return node;
}

FuncDecl AstBuilder::func(const TreeNode& n, bool is_action) {
  FuncDecl f;
  f.range = range_of(n);
  f.is_action = is_action;
  const auto& ch = n.children;
  f.name = name(*ch.at(0));
  size_t i = 1;
  for (; i < ch.size() && is<func_param>(*ch[i]); ++i) f.params.push_back(param(*ch[i]));
  if (i < ch.size() && is<type_expr>(*ch[i])) f.result = type(*ch[i++], 0);
  for (; i < ch.size() && !is<body_close>(*ch[i]); ++i) f.body.push_back(clause(*ch[i]));
  if (i < ch.size()) f.body_end = range_of(*ch[i]);
  return f;
}

Runbook AstBuilder::runbook_head(const TreeNode& n) {
  Runbook rb;
  rb.range = range_of(n);
  rb.name = name(*n.children.at(0));
  if (n.children.size() > 1) rb.title = label(*n.children[1], 0);
  return rb;
}

RunbookItem AstBuilder::runbook_item(const TreeNode& n) {
  if (is<doc_item>(n)) return Doc{range_of(n), label(*n.children.at(0), 0)};
  if (is<param_item>(n)) return param(n);
  if (is<output_item>(n))
    return Output{range_of(n), name(*n.children.at(0)), type(*n.children.at(1), 0)};
  if (is<start_item>(n)) return Start{range_of(n), name(*n.children.at(0))};
  return node(n);
}

TopItem AstBuilder::top_item(const TreeNode& n) {
  if (is<import_decl>(n)) return Import{range_of(n), label(*n.children.at(0), 0)};
  if (is<module_decl>(n)) return ModuleDecl{range_of(n), name(*n.children.at(0))};
  if (is<config_decl>(n))
    return ConfigDecl{range_of(n), name(*n.children.at(0)), type(*n.children.at(1), 0)};
  if (is<probe_decl>(n)) return func(n, false);
  if (is<action_decl>(n)) return func(n, true);
  return runbook_head(n);
}

}  // namespace rbk::grammar
