#include "grammar/formatter.hpp"

#include "grammar/keywords.hpp"

#include <algorithm>

namespace rbk {

using namespace rbk::ast;

namespace {

constexpr size_t kMaxAlignedHead = 48;  // wider edge heads are not padded into columns

size_t display_width(const std::string& s) {
  size_t n = 0;
  for (unsigned char c : s)
    if ((c & 0xC0) != 0x80) ++n;
  return n;
}

bool is_identifier(const std::string& s) {
  if (s.empty() || !(std::isalpha(static_cast<unsigned char>(s[0])) || s[0] == '_')) return false;
  for (char c : s)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_')) return false;
  return !is_reserved_word(s);
}

int precedence(const Expr& e) {
  if (e.kind == ExprKind::Binary) {
    switch (e.op) {
      case Op::Or:
        return 1;
      case Op::And:
        return 2;
      case Op::Eq:
      case Op::Ne:
      case Op::Lt:
      case Op::Le:
      case Op::Gt:
      case Op::Ge:
      case Op::In:
        return 4;
      case Op::Coalesce:
        return 5;
      case Op::Add:
      case Op::Sub:
        return 6;
      default:
        return 7;
    }
  }
  if (e.kind == ExprKind::Unary) return e.op == Op::Not ? 3 : 8;
  if (e.kind == ExprKind::Cond || e.kind == ExprKind::Lambda) return 0;  // looser than any operator
  return 9;
}

class Printer {
 public:
  explicit Printer(const File& file) : comments_(file.comments), used_(file.comments.size()) {}

  std::string run(const File& file) {
    bool first = true;
    const TopItem* prev = nullptr;
    for (const auto& item : file.items) {
      Range r = range_of(item);
      bool spaced =
          prev &&
          (std::holds_alternative<Runbook>(item) || std::holds_alternative<FuncDecl>(item) ||
           std::holds_alternative<Runbook>(*prev) || std::holds_alternative<FuncDecl>(*prev));
      if (spaced) blank();
      leading(r.begin.offset, first);
      std::visit([&](const auto& x) { top(x); }, item);
      first = false;
      prev = &item;
    }
    leading(UINT32_MAX, first);
    while (out_.size() >= 2 && out_[out_.size() - 1] == '\n' && out_[out_.size() - 2] == '\n')
      out_.pop_back();
    return out_;
  }

 private:
  // ------------------------------------------------------------ lines and comments

  void line(const std::string& text) {
    out_.append(static_cast<size_t>(indent_) * 2, ' ');
    out_ += text;
    out_ += '\n';
  }
  void blank() {
    if (!out_.empty() && !(out_.size() >= 2 && out_[out_.size() - 2] == '\n') &&
        out_.back() == '\n')
      out_ += '\n';
  }
  // A blank line where the source had one before line LINE (none at the top of a block).
  void keep_blank(uint32_t line, bool at_block_start) {
    if (!at_block_start && last_line_ && line > last_line_ + 1) blank();
  }

  // Own-line comments that come before OFFSET. Returns whether it printed any.
  bool leading(uint32_t offset, bool at_block_start = false) {
    bool printed = false;
    for (; cursor_ < comments_.size() && comments_[cursor_].range.begin.offset < offset;
         ++cursor_) {
      if (used_[cursor_]) continue;
      const Comment& c = comments_[cursor_];
      keep_blank(c.range.begin.line, at_block_start);
      at_block_start = false;
      line(c.text);
      used_[cursor_] = true;
      last_line_ = c.range.begin.line;
      printed = true;
    }
    return printed;
  }

  // After printing a construct that ended at END: the comment on its last line goes at
  // the end of the printed line; comments inside it (a multi-line expression) follow.
  void trailing(const Range& r) {
    for (size_t i = cursor_; i < comments_.size(); ++i) {
      const Comment& c = comments_[i];
      if (used_[i]) continue;
      if (c.range.begin.line > r.end.line) break;
      if (c.range.begin.line == r.end.line && c.range.begin.offset >= r.end.offset) {
        out_.pop_back();  // the newline
        out_ += "  " + c.text + "\n";
        used_[i] = true;
      }
    }
    for (size_t i = cursor_; i < comments_.size() && comments_[i].range.begin.offset < r.end.offset;
         ++i)
      if (!used_[i]) {
        line(comments_[i].text);
        used_[i] = true;
      }
    last_line_ = r.end.line;
  }

  // Prints a unit (an item or a clause) with its comments.
  template <typename F>
  void unit(const Range& r, bool at_block_start, F print) {
    if (leading(r.begin.offset, at_block_start)) at_block_start = false;
    keep_blank(r.begin.line, at_block_start);
    print();
    trailing(r);
  }

  // ------------------------------------------------------------ expressions

  std::string str(const Expr& e) {
    if (!e.triple) return e.text;
    // Re-indent a """ string whose first and last lines are blank: its value does not
    // depend on the indentation, which the enclosing clause now decides.
    const std::string& t = e.text;
    std::string_view body(t.data() + 3, t.size() - 6);
    std::vector<std::string_view> lines;
    size_t b = 0;
    for (size_t i = 0; i <= body.size(); ++i)
      if (i == body.size() || body[i] == '\n') {
        lines.push_back(body.substr(b, i - b));
        b = i + 1;
      }
    auto blank_line = [](std::string_view l) {
      return l.find_first_not_of(" \t\r") == std::string_view::npos;
    };
    if (lines.size() < 2 || !blank_line(lines.front()) || !blank_line(lines.back())) return t;
    size_t common = std::string::npos;
    for (size_t k = 1; k + 1 < lines.size(); ++k) {
      if (blank_line(lines[k])) continue;
      common = std::min(common, lines[k].find_first_not_of(" \t"));
    }
    if (common == std::string::npos) common = 0;
    std::string pad(static_cast<size_t>(indent_ + 1) * 2, ' ');
    std::string out = "\"\"\"\n";
    for (size_t k = 1; k + 1 < lines.size(); ++k) {
      std::string_view l = lines[k];
      if (!l.empty() && l.back() == '\r') l.remove_suffix(1);
      if (!blank_line(l)) out += pad + std::string(l.substr(std::min(common, l.size())));
      out += "\n";
    }
    out += std::string(static_cast<size_t>(indent_) * 2, ' ') + "\"\"\"";
    return out;
  }

  std::string args(const std::vector<Arg>& args) {
    std::string s;
    for (size_t i = 0; i < args.size(); ++i) {
      if (i) s += ", ";
      if (args[i].name) s += args[i].name->text + ": ";
      s += expr(*args[i].value);
    }
    return s;
  }

  std::string expr(const Expr& e) {
    switch (e.kind) {
      case ExprKind::Int:
      case ExprKind::Float:
      case ExprKind::Duration:
      case ExprKind::Percent:
        return e.text;
      case ExprKind::Bool:
        return e.int_value ? "true" : "false";
      case ExprKind::Null:
        return "null";
      case ExprKind::String:
        return str(e);
      case ExprKind::Ident:
        return e.name.text;
      case ExprKind::ConfigRef:
        return "config." + e.name.text;
      case ExprKind::Field:
        return operand(*e.lhs, 9) + "." + e.name.text;
      case ExprKind::Index:
        return operand(*e.lhs, 9) + "[" + expr(*e.rhs) + "]";
      case ExprKind::Call:
        return operand(*e.lhs, 9) + "(" + args(e.args) + ")";
      case ExprKind::Paren:
        return "(" + expr(*e.lhs) + ")";
      case ExprKind::Cond:
        return "if " + expr(*e.lhs) + " then " + expr(*e.rhs) + " else " + expr(*e.alt);
      case ExprKind::Lambda:
        return e.name.text + " => " + expr(*e.lhs);
      case ExprKind::Unary:
        return e.op == Op::Not ? "not " + operand(*e.lhs, 3) : "-" + operand(*e.lhs, 8);
      case ExprKind::Binary: {
        int p = precedence(e);
        // Left-associative, except comparisons, which do not chain.
        int right = p == 4 ? 5 : p + 1;
        return operand(*e.lhs, p == 4 ? 5 : p) + " " + op_text(e.op) + " " + operand(*e.rhs, right);
      }
      case ExprKind::List: {
        std::string s = "[";
        for (size_t i = 0; i < e.items.size(); ++i) s += (i ? ", " : "") + expr(*e.items[i]);
        return s + "]";
      }
      case ExprKind::Record: {
        std::string s = "{";
        for (size_t i = 0; i < e.entries.size(); ++i) {
          const auto& en = e.entries[i];
          std::string key = is_identifier(en.name.text) ? en.name.text : quote(en.name.text);
          s += (i ? ", " : "") + key + ": " + expr(*en.value);
        }
        return s + "}";
      }
    }
    return "?";
  }

  // Sub-expressions keep the tree's shape: the parser kept every parenthesis the author
  // wrote, so one is added only where the tree could not be read back otherwise.
  std::string operand(const Expr& e, int min_precedence) {
    std::string s = expr(e);
    return precedence(e) < min_precedence ? "(" + s + ")" : s;
  }

  static std::string quote(const std::string& s) {
    std::string out = "\"";
    for (char c : s) {
      switch (c) {
        case '"':
          out += "\\\"";
          break;
        case '\\':
          out += "\\\\";
          break;
        case '\n':
          out += "\\n";
          break;
        case '\t':
          out += "\\t";
          break;
        case '\r':
          out += "\\r";
          break;
        case '{':
          out += "\\{";
          break;
        default:
          out += c;
      }
    }
    return out + "\"";
  }

  std::string type(const TypeExpr& t) {
    switch (t.kind) {
      case TypeExpr::Kind::Named:
        return t.name;
      case TypeExpr::Kind::List:
        return "list<" + type(*t.elem) + ">";
      case TypeExpr::Kind::Optional:
        return type(*t.elem) + "?";
      case TypeExpr::Kind::Record: {
        std::string s = "{";
        for (size_t i = 0; i < t.fields.size(); ++i)
          s += (i ? ", " : "") + t.fields[i].name.text + ": " + type(*t.fields[i].type);
        return s + "}";
      }
    }
    return "?";
  }

  std::string label(const std::optional<Label>& l) { return l ? " " + str(*l->str) : ""; }

  // ------------------------------------------------------------ items

  void top(const Import& i) {
    unit(i.range, false, [&] { line("import " + str(*i.path.str)); });
  }
  void top(const ModuleDecl& m) {
    unit(m.range, false, [&] { line("module " + m.name.text); });
  }
  void top(const ConfigDecl& c) {
    unit(c.range, false, [&] { line("config " + c.name.text + ": " + type(*c.type)); });
  }

  std::string param(const Param& p) {
    std::string s = p.name.text + ": " + type(*p.type);
    if (p.default_value) s += " = " + expr(*p.default_value);
    return s;
  }

  void top(const FuncDecl& f) {
    std::string head = std::string(f.is_action ? "action " : "probe ") + f.name.text + "(";
    for (size_t i = 0; i < f.params.size(); ++i) head += (i ? ", " : "") + param(f.params[i]);
    head += ")";
    if (f.result) head += " -> " + type(*f.result);
    uint32_t body_begin = f.body.empty() ? f.body_end.begin.offset : f.body[0].range.begin.offset;
    block(f.range, head, body_begin, f.body_end.begin.offset, [&] {
      bool first = true;
      for (const auto& c : f.body) {
        clause_unit(c, first);
        first = false;
      }
    });
  }

  void top(const Runbook& rb) {
    std::string head = "runbook " + rb.name.text + label(rb.title);
    uint32_t body_begin =
        rb.items.empty() ? rb.range.end.offset : range_of(rb.items[0]).begin.offset;
    block(rb.range, head, body_begin, rb.range.end.offset - 1, [&] {
      // Consecutive end nodes are aligned in columns, like edge clauses.
      auto end_node = [&](size_t i) -> const Node* {
        const Node* n = i < rb.items.size() ? std::get_if<Node>(&rb.items[i]) : nullptr;
        return n && n->kind == NodeKind::End ? n : nullptr;
      };
      for (size_t i = 0; i < rb.items.size();) {
        if (!end_node(i)) {
          std::visit([&](const auto& x) { runbook_item(x, i == 0); }, rb.items[i]);
          ++i;
          continue;
        }
        size_t j = i;
        size_t name_w = 0, label_w = 0;
        for (; end_node(j); ++j) {
          name_w = std::max(name_w, display_width(end_node(j)->name.text));
          label_w = std::max(label_w,
                             end_node(j)->label ? display_width(str(*end_node(j)->label->str)) : 0);
        }
        for (size_t k = i; k < j; ++k) {
          const Node& n = *end_node(k);
          unit(n.range, k == 0, [&] {
            std::string s = "end " + n.name.text;
            s.append(name_w - display_width(n.name.text), ' ');
            // The label column, when any end node of the group has a label.
            if (label_w > 0) {
              std::string l = n.label ? str(*n.label->str) : "";
              s += " " + l;
              s.append(label_w - display_width(l), ' ');
            }
            line(s + " as " + n.outcome.text);
          });
        }
        i = j;
      }
    });
  }

  // HEAD {  …BODY…  } with the comments around the braces kept.
  template <typename F>
  void block(const Range& r, const std::string& head, uint32_t body_begin, uint32_t close_offset,
             F body) {
    leading(r.begin.offset);
    keep_blank(r.begin.line, false);
    line(head + " {");
    // A comment on the header line stays there.
    for (size_t i = cursor_; i < comments_.size(); ++i) {
      const Comment& c = comments_[i];
      if (used_[i] || c.range.begin.line != r.begin.line || c.range.begin.offset >= body_begin)
        continue;
      out_.pop_back();
      out_ += "  " + c.text + "\n";
      used_[i] = true;
    }
    last_line_ = r.begin.line;
    ++indent_;
    body();
    leading(close_offset);
    --indent_;
    line("}");
    trailing(Range{r.end, r.end});
  }

  void runbook_item(const Doc& d, bool first) {
    unit(d.range, first, [&] { line("doc " + str(*d.text.str)); });
  }
  void runbook_item(const Param& p, bool first) {
    unit(p.range, first, [&] { line("param " + param(p)); });
  }
  void runbook_item(const Output& o, bool first) {
    unit(o.range, first, [&] { line("output " + o.name.text + ": " + type(*o.type)); });
  }
  void runbook_item(const Start& s, bool first) {
    unit(s.range, first, [&] { line("start -> " + s.target.text); });
  }
  void runbook_item(const Node& n, bool first) {
    if (leading(n.range.begin.offset, first)) first = false;
    if (n.kind == NodeKind::End) {
      unit(n.range, first,
           [&] { line("end " + n.name.text + label(n.label) + " as " + n.outcome.text); });
      return;
    }
    keep_blank(n.range.begin.line, first);
    std::string head = std::string(node_kind_name(n.kind)) + " " + n.name.text + label(n.label);
    uint32_t body_begin = n.clauses.empty() ? n.range.end.offset : n.clauses[0].range.begin.offset;
    block(n.range, head, body_begin, n.range.end.offset - 1, [&] {
      // Consecutive edge clauses are aligned in columns.
      size_t i = 0;
      while (i < n.clauses.size()) {
        if (!is_edge_clause(n.clauses[i].kind)) {
          clause_unit(n.clauses[i], i == 0);
          ++i;
          continue;
        }
        size_t j = i;
        while (j < n.clauses.size() && is_edge_clause(n.clauses[j].kind)) ++j;
        size_t head_w = 0, target_w = 0;
        for (size_t k = i; k < j; ++k) {
          head_w = std::max(head_w, display_width(edge_head(n.clauses[k])));
          target_w = std::max(target_w, display_width(n.clauses[k].target.text));
        }
        bool align = head_w <= kMaxAlignedHead;
        for (size_t k = i; k < j; ++k) {
          const Clause& c = n.clauses[k];
          unit(c.range, k == 0, [&] {
            std::string h = edge_head(c);
            std::string s = h;
            if (align) s.append(head_w - display_width(h), ' ');
            s += " -> " + c.target.text;
            if (c.label) {
              if (align) s.append(target_w - display_width(c.target.text), ' ');
              s += " " + str(*c.label->str);
            }
            line(s);
          });
        }
        i = j;
      }
    });
  }

  std::string edge_head(const Clause& c) {
    switch (c.kind) {
      case ClauseKind::When:
        return "when " + expr(*c.expr);
      case ClauseKind::Timeout:
        return c.expr ? "timeout " + expr(*c.expr) : "timeout";
      default:
        return clause_keyword(c.kind);
    }
  }

  std::string expr_list(const std::vector<ExprPtr>& exprs) {
    std::string s;
    for (size_t i = 0; i < exprs.size(); ++i) s += (i ? ", " : "") + expr(*exprs[i]);
    return s;
  }

  void clause_unit(const Clause& c, bool first) {
    if (c.kind == ClauseKind::Between) {  // a block of clauses of its own
      if (leading(c.range.begin.offset, first)) first = false;
      uint32_t body_begin = c.block.empty() ? c.range.end.offset : c.block[0].range.begin.offset;
      block(c.range, "between waves", body_begin, c.range.end.offset - 1, [&] {
        for (size_t i = 0; i < c.block.size(); ++i) clause_unit(c.block[i], i == 0);
      });
      return;
    }
    unit(c.range, first, [&] {
      switch (c.kind) {
        case ClauseKind::Let:
          line("let " + c.name.text + " = " + expr(*c.expr));
          break;
        case ClauseKind::Do:
          line(c.name.text.empty() ? "do " + expr(*c.expr)
                                   : "do let " + c.name.text + " = " + expr(*c.expr));
          break;
        case ClauseKind::ApproveBy:
          line("approve by " + str(*c.role->str));
          break;
        case ClauseKind::By:
          line("by " + (c.role ? str(*c.role->str) : expr_list(c.exprs)));
          break;
        case ClauseKind::ApproveEach:
          line("approve each wave by " + str(*c.role->str));
          break;
        case ClauseKind::Over:
          line("over " + expr(*c.expr));
          break;
        case ClauseKind::As:
          line("as " + c.name.text);
          break;
        case ClauseKind::Waves:
          line("waves " + expr_list(c.exprs));
          break;
        case ClauseKind::Concurrency:
          line("concurrency " + expr(*c.expr));
          break;
        case ClauseKind::Rate:
          line("rate " + c.text);
          break;
        case ClauseKind::Pause:
          line("pause " + expr(*c.expr));
          break;
        case ClauseKind::Abort: {
          std::string outcomes;
          for (size_t i = 0; i < c.outcomes.size(); ++i)
            outcomes += (i ? " or " : "") + c.outcomes[i].text;
          line("abort when " + outcomes + " > " + expr(*c.expr) +
               (c.after ? " after " + expr(*c.after) : ""));
          break;
        }
        case ClauseKind::Until:
          if (c.signal) {
            line("until signal " + str(*c.signal->str) +
                 (c.name.text.empty() ? "" : " as " + c.name.text) + " within " + expr(*c.within));
            break;
          }
          line("until " + expr(*c.expr) + (c.holds ? " holds " + expr(*c.holds) : "") + " within " +
               expr(*c.within) + " every " + expr(*c.every));
          break;
        case ClauseKind::Show:
          line("show " + expr(*c.expr));
          break;
        case ClauseKind::Ask:
          line("ask " + c.name.text + ": " + type(*c.type) + " in " + expr(*c.expr));
          break;
        case ClauseKind::Run:
          line("run " + c.name.text + "(" + args(c.args) + ")");
          break;
        case ClauseKind::Return:
          line("return " + expr(*c.expr));
          break;
        case ClauseKind::ExprStmt:
          line(expr(*c.expr));
          break;
        default:
          line(edge_head(c) + " -> " + c.target.text + label(c.label));
          break;
      }
    });
  }

  const std::vector<Comment>& comments_;
  std::vector<bool> used_;
  size_t cursor_ = 0;
  std::string out_;
  int indent_ = 0;
  uint32_t last_line_ = 0;
};

}  // namespace

std::string format_file(const File& file) {
  return Printer(file).run(file);
}

}  // namespace rbk
