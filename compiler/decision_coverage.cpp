#include "compiler/decision_coverage.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string_view>

#include "compiler/expr_check.hpp"
#include "vm/value.hpp"

namespace rbk {

using ast::Expr;
using ast::ExprKind;
using ast::Op;

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr size_t kMaxCombinations = 4096;

struct Subject {
  std::string path;
  TypeKind kind = TypeKind::Error;
  bool nullable = false;
  // The constants it is compared with; once Analyzer::finish() has run, numbers are
  // sorted and both are without duplicates (strings in the order they first appear).
  std::vector<double> numbers;
  std::vector<std::string> strings;
};

// One cell of a subject's domain.
struct Cell {
  enum class K { Null, Point, Open, Bool, String, OtherString } k = K::Null;
  double lo = 0, hi = 0;  // Point: lo; Open: (lo, hi)
  bool flag = false;      // Bool
  std::string str;        // String

  static Cell of(K k, double lo = 0, double hi = 0, bool flag = false, std::string str = {}) {
    Cell c;
    c.k = k;
    c.lo = lo;
    c.hi = hi;
    c.flag = flag;
    c.str = std::move(str);
    return c;
  }
  double sample() const {
    if (k == K::Point) return lo;
    if (lo == -kInf) return hi - 1;
    if (hi == kInf) return lo + 1;
    return lo + (hi - lo) / 2;
  }
};

struct Formula {
  enum class K { Const, Truthy, Cmp, IsNull, Not, And, Or } k;
  bool value = false;  // Const; IsNull: true for `== null`
  int subject = -1;
  Op op = Op::Eq;
  double number = 0;
  std::string str;
  bool is_string = false;
  std::unique_ptr<Formula> a, b;
};
using FormulaPtr = std::unique_ptr<Formula>;

class Analyzer {
 public:
  std::vector<Subject> subjects;

  // After every condition is extracted: each constant once, numbers in order. (Done once
  // here, not per constant: a decide node may compare one value with 40,000 constants.)
  void finish() {
    for (auto& s : subjects) {
      std::sort(s.numbers.begin(), s.numbers.end());
      s.numbers.erase(std::unique(s.numbers.begin(), s.numbers.end()), s.numbers.end());
      std::set<std::string_view> seen;
      std::vector<std::string> strings;
      for (auto& str : s.strings)
        if (seen.insert(str).second) strings.push_back(str);
      s.strings = std::move(strings);
    }
  }

  FormulaPtr extract(const Expr& e) {
    switch (e.kind) {
      case ExprKind::Paren:
        return extract(*e.lhs);
      case ExprKind::Bool: {
        auto f = make(Formula::K::Const);
        f->value = e.int_value != 0;
        return f;
      }
      case ExprKind::Unary: {
        if (e.op != Op::Not) return nullptr;
        auto inner = extract(*e.lhs);
        if (!inner) return nullptr;
        auto f = make(Formula::K::Not);
        f->a = std::move(inner);
        return f;
      }
      case ExprKind::Ident:
      case ExprKind::Field: {
        if (!e.type || strip_optional(e.type)->kind != TypeKind::Bool) return nullptr;
        int s = subject(e, TypeKind::Bool);
        if (s < 0) return nullptr;
        auto f = make(Formula::K::Truthy);
        f->subject = s;
        return f;
      }
      case ExprKind::Binary: {
        if (e.op == Op::And || e.op == Op::Or) {
          auto a = extract(*e.lhs), b = extract(*e.rhs);
          if (!a || !b) return nullptr;
          auto f = make(e.op == Op::And ? Formula::K::And : Formula::K::Or);
          f->a = std::move(a);
          f->b = std::move(b);
          return f;
        }
        if (e.op < Op::Eq || e.op > Op::Ge) return nullptr;
        return comparison(e);
      }
      default:
        return nullptr;
    }
  }

  std::vector<Cell> cells(const Subject& s) const {
    std::vector<Cell> out;
    if (s.nullable) out.push_back(Cell::of(Cell::K::Null));
    if (s.kind == TypeKind::Bool) {
      out.push_back(Cell::of(Cell::K::Bool, 0, 0, false));
      out.push_back(Cell::of(Cell::K::Bool, 0, 0, true));
    } else if (s.kind == TypeKind::String) {
      for (const auto& str : s.strings) out.push_back(Cell::of(Cell::K::String, 0, 0, false, str));
      out.push_back(Cell::of(Cell::K::OtherString));
    } else {
      // Ints and durations (whole milliseconds) have no values strictly between
      // neighbours one apart.
      bool discrete = s.kind == TypeKind::Int || s.kind == TypeKind::Duration;
      double prev = -kInf;
      for (double c : s.numbers) {
        if (!(discrete && prev != -kInf && c - prev <= 1))
          out.push_back(Cell::of(Cell::K::Open, prev, c));
        out.push_back(Cell::of(Cell::K::Point, c, c));
        prev = c;
      }
      out.push_back(Cell::of(Cell::K::Open, prev, kInf));
    }
    return out;
  }

  static bool eval(const Formula& f, const std::vector<const Cell*>& at) {
    switch (f.k) {
      case Formula::K::Const:
        return f.value;
      case Formula::K::Not:
        return !eval(*f.a, at);
      case Formula::K::And:
        return eval(*f.a, at) && eval(*f.b, at);
      case Formula::K::Or:
        return eval(*f.a, at) || eval(*f.b, at);
      case Formula::K::IsNull:
        return (at[f.subject]->k == Cell::K::Null) == f.value;
      case Formula::K::Truthy:
        return at[f.subject]->k == Cell::K::Bool && at[f.subject]->flag;
      case Formula::K::Cmp: {
        const Cell& c = *at[f.subject];
        if (c.k == Cell::K::Null) return f.op == Op::Ne;
        if (f.is_string) {
          bool eq = c.k == Cell::K::String && c.str == f.str;
          return f.op == Op::Eq ? eq : !eq;
        }
        double v = c.sample();
        switch (f.op) {
          case Op::Eq:
            return v == f.number;
          case Op::Ne:
            return v != f.number;
          case Op::Lt:
            return v < f.number;
          case Op::Le:
            return v <= f.number;
          case Op::Gt:
            return v > f.number;
          default:
            return v >= f.number;
        }
      }
    }
    return false;
  }

 private:
  static FormulaPtr make(Formula::K k) {
    auto f = std::make_unique<Formula>();
    f->k = k;
    return f;
  }

  int subject(const Expr& e, TypeKind kind) {
    std::string path = ExprChecker::path_of(e);
    if (path.empty()) return -1;
    for (size_t i = 0; i < subjects.size(); ++i) {
      if (subjects[i].path != path) continue;
      if (subjects[i].kind != kind) return -1;
      subjects[i].nullable |= e.type && is_optional(e.type);
      return static_cast<int>(i);
    }
    Subject s;
    s.path = path;
    s.kind = kind;
    s.nullable = e.type && is_optional(e.type);
    subjects.push_back(std::move(s));
    return static_cast<int>(subjects.size()) - 1;
  }

  // A literal constant: its number, its string, or null.
  struct Constant {
    enum class K { Number, String, Bool, Null } k;
    TypeKind kind = TypeKind::Error;
    double number = 0;
    std::string str;
  };
  static std::optional<Constant> constant(const Expr& e) {
    switch (e.kind) {
      case ExprKind::Paren:
        return constant(*e.lhs);
      case ExprKind::Int:
        return Constant{Constant::K::Number, TypeKind::Int, double(e.int_value), {}};
      case ExprKind::Float:
        return Constant{Constant::K::Number, TypeKind::Float, e.float_value, {}};
      case ExprKind::Duration:
        return Constant{Constant::K::Number, TypeKind::Duration, double(e.int_value), {}};
      case ExprKind::Percent:
        return Constant{Constant::K::Number, TypeKind::Percent, e.float_value, {}};
      case ExprKind::Bool:
        return Constant{Constant::K::Bool, TypeKind::Bool, double(e.int_value), {}};
      case ExprKind::Null:
        return Constant{Constant::K::Null, TypeKind::Null, 0, {}};
      case ExprKind::String:
        if (!e.is_static_string()) return std::nullopt;
        return Constant{Constant::K::String, TypeKind::String, 0, e.static_string()};
      case ExprKind::Unary:
        if (e.op == Op::Neg)
          if (auto c = constant(*e.lhs); c && c->k == Constant::K::Number) {
            c->number = -c->number;
            return c;
          }
        return std::nullopt;
      default:
        return std::nullopt;
    }
  }

  FormulaPtr comparison(const Expr& e) {
    auto lc = constant(*e.lhs), rc = constant(*e.rhs);
    if (lc.has_value() == rc.has_value()) return nullptr;
    const Expr& value = lc ? *e.rhs : *e.lhs;
    Constant c = lc ? *lc : *rc;
    Op op = e.op;
    if (lc) {  // 5m < age  is  age > 5m
      if (op == Op::Lt)
        op = Op::Gt;
      else if (op == Op::Gt)
        op = Op::Lt;
      else if (op == Op::Le)
        op = Op::Ge;
      else if (op == Op::Ge)
        op = Op::Le;
    }
    if (!value.type || is_error(value.type)) return nullptr;
    TypeKind kind = strip_optional(value.type)->kind;
    if (c.k == Constant::K::Null) {
      if (op != Op::Eq && op != Op::Ne) return nullptr;
      int s = subject(value, kind);
      if (s < 0) return nullptr;
      subjects[s].nullable = true;
      auto f = make(Formula::K::IsNull);
      f->subject = s;
      f->value = op == Op::Eq;
      return f;
    }
    if (c.k == Constant::K::Bool) {
      if (kind != TypeKind::Bool || (op != Op::Eq && op != Op::Ne)) return nullptr;
      int s = subject(value, kind);
      if (s < 0) return nullptr;
      auto t = make(Formula::K::Truthy);
      t->subject = s;
      if ((op == Op::Eq) == (c.number != 0)) return t;
      auto f = make(Formula::K::Not);
      f->a = std::move(t);
      return f;
    }
    if (c.k == Constant::K::String) {
      if (kind != TypeKind::String || (op != Op::Eq && op != Op::Ne)) return nullptr;
      int s = subject(value, kind);
      if (s < 0) return nullptr;
      subjects[s].strings.push_back(c.str);  // duplicates go in finish()
      auto f = make(Formula::K::Cmp);
      f->subject = s;
      f->op = op;
      f->is_string = true;
      f->str = c.str;
      return f;
    }
    // numbers, durations, percents: the constant must be of the value's kind
    bool numeric = kind == TypeKind::Int || kind == TypeKind::Float;
    bool fits =
        c.kind == kind || (numeric && (c.kind == TypeKind::Int || c.kind == TypeKind::Float));
    if (!fits) return nullptr;
    if (kind == TypeKind::Int && c.kind == TypeKind::Float) kind = TypeKind::Float;
    int s = subject(value, kind == TypeKind::Float && numeric ? TypeKind::Float : kind);
    if (s < 0) return nullptr;
    subjects[s].numbers.push_back(c.number);  // sorted in finish()
    auto f = make(Formula::K::Cmp);
    f->subject = s;
    f->op = op;
    f->number = c.number;
    return f;
  }
};

std::string format_number(TypeKind kind, double v) {
  if (kind == TypeKind::Duration) return format_duration(static_cast<int64_t>(v));
  if (kind == TypeKind::Percent) return fmt::format("{}%", v);
  if (kind == TypeKind::Int) return fmt::format("{}", static_cast<int64_t>(v));
  return fmt::format("{}", v);
}

// One uncovered stretch of a single value: cells [from, to] of its cell list.
std::string describe_run(const Subject& s, const std::vector<Cell>& cells, size_t from, size_t to) {
  const Cell& a = cells[from];
  const Cell& b = cells[to];
  const std::string& x = s.path;
  switch (a.k) {
    case Cell::K::Null:
      return x + " is null";
    case Cell::K::Bool:
      return x + (a.flag ? " is true" : " is false");
    case Cell::K::String:
      return fmt::format("{} == \"{}\"", x, a.str);
    case Cell::K::OtherString: {
      std::string list;
      for (const auto& str : s.strings) list += (list.empty() ? "\"" : ", \"") + str + "\"";
      return x + " is none of " + list;
    }
    default:
      break;
  }
  double lo = a.lo, hi = b.k == Cell::K::Point ? b.lo : b.hi;
  bool lo_in = a.k == Cell::K::Point, hi_in = b.k == Cell::K::Point;
  if (s.kind == TypeKind::Int) {  // integers: say [5, 9] rather than (4, 10)
    if (!lo_in && lo != -kInf) lo += 1, lo_in = true;
    if (!hi_in && hi != kInf) hi -= 1, hi_in = true;
  }
  auto num = [&](double v) { return format_number(s.kind, v); };
  if (lo == -kInf && hi == kInf) return "every value of " + x;
  if (lo == -kInf) return fmt::format("{} {} {}", x, hi_in ? "<=" : "<", num(hi));
  if (hi == kInf) return fmt::format("{} {} {}", x, lo_in ? ">=" : ">", num(lo));
  if (lo == hi) return fmt::format("{} == {}", x, num(lo));
  return fmt::format("{} in {}{}, {}{}", x, lo_in ? "[" : "(", num(lo), num(hi), hi_in ? "]" : ")");
}

std::string describe_cell(const Subject& s, const std::vector<Cell>& cells, size_t i) {
  return describe_run(s, cells, i, i);
}

bool numeric_cell(const Cell& c) {
  return c.k == Cell::K::Point || c.k == Cell::K::Open;
}

}  // namespace

void check_decision_coverage(const RunbookModel& rb, int node, Diagnostics& diags) {
  const ast::Node& n = rb.node(node);
  std::vector<const ast::Clause*> whens;
  bool has_else = false;
  for (const auto& c : n.clauses) {
    if (c.kind == ast::ClauseKind::When) whens.push_back(&c);
    has_else |= c.kind == ast::ClauseKind::Else;
  }
  if (whens.empty()) return;
  for (const auto* w : whens)
    if (!w->expr->type || is_error(w->expr->type)) return;  // already reported

  Analyzer an;
  std::vector<FormulaPtr> formulas;
  bool provable = true;
  for (const auto* w : whens) {
    formulas.push_back(an.extract(*w->expr));
    provable &= formulas.back() != nullptr;
  }
  an.finish();
  std::vector<std::vector<Cell>> cells;
  size_t combos = 1;
  if (provable) {
    for (const auto& s : an.subjects) {
      cells.push_back(an.cells(s));
      combos *= cells.back().size();
      if (combos > kMaxCombinations) {
        provable = false;
        break;
      }
    }
  }
  if (!provable) {
    if (!has_else)
      diags
          .warning("incomplete-decision", rb.src, n.name.range,
                   "decide node '" + n.name.text +
                       "' has no 'else', and rbk cannot prove its conditions cover every case")
          .hints.push_back(
              "add 'else -> node' for the remaining cases (rbk proves coverage for comparisons of "
              "one value with constants)");
    return;
  }

  // Evaluate every combination of cells.
  size_t ns = an.subjects.size();
  std::vector<size_t> digit(ns, 0);
  std::vector<const Cell*> at(ns);
  std::vector<bool> chosen(whens.size(), false), ever_true(whens.size(), false);
  std::vector<std::vector<size_t>> uncovered;
  for (size_t k = 0; k < combos; ++k) {
    for (size_t i = 0; i < ns; ++i) at[i] = &cells[i][digit[i]];
    int first = -1;
    for (size_t w = 0; w < whens.size(); ++w)
      if (Analyzer::eval(*formulas[w], at)) {
        ever_true[w] = true;
        if (first < 0) first = static_cast<int>(w);
      }
    if (first >= 0)
      chosen[first] = true;
    else
      uncovered.push_back(digit);
    for (size_t i = 0; i < ns; ++i) {  // next combination
      if (++digit[i] < cells[i].size()) break;
      digit[i] = 0;
    }
  }

  for (size_t w = 0; w < whens.size(); ++w) {
    if (chosen[w]) continue;
    const auto* c = whens[w];
    if (ever_true[w])
      diags
          .warning("redundant-when", rb.src, c->expr->range,
                   "this condition is never the one chosen: earlier conditions cover every case it "
                   "matches")
          .hints.push_back("remove it, or move it before the conditions that cover it");
    else
      diags.warning("redundant-when", rb.src, c->expr->range, "this condition can never be true");
  }

  if (has_else || uncovered.empty()) return;
  std::string what;
  std::vector<std::string> more;
  if (ns == 1) {
    // Merge adjacent uncovered numeric cells into intervals.
    const auto& cs = cells[0];
    std::vector<bool> open(cs.size(), false);
    for (const auto& u : uncovered) open[u[0]] = true;
    std::vector<std::string> runs;
    for (size_t i = 0; i < cs.size(); ++i) {
      if (!open[i]) continue;
      size_t j = i;
      if (numeric_cell(cs[i]))
        while (j + 1 < cs.size() && open[j + 1] && numeric_cell(cs[j + 1])) ++j;
      runs.push_back(describe_run(an.subjects[0], cs, i, j));
      i = j;
    }
    for (const auto& r : runs) what += (what.empty() ? "" : " or ") + r;
    what += " reaches no branch";
  } else {
    auto combo = [&](const std::vector<size_t>& u) {
      std::string s;
      for (size_t i = 0; i < ns; ++i)
        s += (i ? " and " : "") + describe_cell(an.subjects[i], cells[i], u[i]);
      return s;
    };
    what = "no branch is taken when " + combo(uncovered[0]);
    for (size_t k = 1; k < uncovered.size() && k < 4; ++k)
      more.push_back("nor when " + combo(uncovered[k]));
    if (uncovered.size() > 4)
      more.push_back(fmt::format("and {} more cases", uncovered.size() - 4));
  }
  auto& d = diags.warning("incomplete-decision", rb.src, n.name.range,
                          fmt::format("decide node '{}' has no 'else': {}", n.name.text, what));
  for (auto& m : more) d.hints.push_back(m);
  d.hints.push_back("add a 'when' for these values, or 'else -> node'");
}

}  // namespace rbk
