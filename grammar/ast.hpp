// The abstract syntax tree of a .rbk file. Every node carries its source range. The tree
// mirrors the source closely (parentheses and literal spellings are kept) so that
// `rbk fmt` can print it back; meaning is assigned by compiler/.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "grammar/source.hpp"
#include "lang/kinds.hpp"
#include "lang/type.hpp"

namespace rbk::ast {

struct Name {
  std::string text;
  Range range;
};

// ---------------------------------------------------------------- types

struct TypeExpr;
using TypeExprPtr = std::unique_ptr<TypeExpr>;

struct TypeField {
  Name name;
  TypeExprPtr type;
};

struct TypeExpr {
  enum class Kind { Named, List, Record, Optional } kind = Kind::Named;
  Range range;
  std::string name;               // Named
  TypeExprPtr elem;               // List, Optional
  std::vector<TypeField> fields;  // Record
};

// ---------------------------------------------------------------- expressions

struct Expr;
using ExprPtr = std::unique_ptr<Expr>;

enum class ExprKind {
  Int,
  Float,
  Duration,
  Percent,
  Bool,
  Null,
  String,     // parts: literal text and interpolated expressions
  Ident,      // name
  ConfigRef,  // config.NAME
  Field,      // lhs.name
  Index,      // lhs[rhs]
  Call,       // lhs(args)
  Unary,      // op lhs
  Binary,     // lhs op rhs
  List,       // [items]
  Record,     // {name: value, ...}
  Paren,      // (lhs)
  Cond,       // if lhs then rhs else alt
  Lambda,     // name => lhs: an argument of map, filter, any, all, sort_by, group_by, count_by
};

enum class Op {
  Or,
  And,
  Not,
  Eq,
  Ne,
  Lt,
  Le,
  Gt,
  Ge,
  In,
  Coalesce,
  Add,
  Sub,
  Mul,
  Div,
  Neg,
};
const char* op_text(Op op);

struct StringPart {
  bool is_expr = false;
  std::string text;  // the decoded text of a literal part
  ExprPtr expr;      // an interpolated expression
};

struct Arg {
  std::optional<Name> name;  // a named argument `name: value`
  ExprPtr value;
};

struct RecordEntry {
  Name name;
  ExprPtr value;
};

struct Expr {
  ExprKind kind;
  Range range;
  std::string text;  // literal spelling as written (numbers, durations, strings)
  Name name;         // Ident, ConfigRef, Field
  Op op = Op::Add;   // Unary, Binary
  ExprPtr lhs, rhs;
  ExprPtr alt;             // Cond: the else branch
  int64_t int_value = 0;   // Int, Bool (0/1), Duration (milliseconds)
  double float_value = 0;  // Float, Percent (5% is 5.0)
  bool triple = false;     // String: written as """…"""
  std::vector<StringPart> parts;
  std::vector<Arg> args;             // Call
  std::vector<ExprPtr> items;        // List
  std::vector<RecordEntry> entries;  // Record
  // Filled in by the checker: the static type of this expression, and for a call the
  // index of the chosen function (overload) in the checked program's registry.
  mutable TypeRef type;
  mutable int32_t callee = -1;
  // Ident: where the name it reads is bound (a parameter, a variable's first binding, a
  // foreach item, a lambda's parameter, a declaration's local), in the same file; empty
  // when it names nothing bound. Editors read it (go to definition, rename).
  mutable Range binding;

  bool has_binding() const { return binding.end.offset > binding.begin.offset; }

  // A string literal without interpolation: its value. Only valid when is_static_string().
  bool is_static_string() const;
  std::string static_string() const;
};

// A static text: runbook titles, node and edge labels, docs, roles.
struct Label {
  ExprPtr str;  // a String expression
  Range range() const { return str->range; }
  std::string text() const { return str->static_string(); }
};

// ---------------------------------------------------------------- runbook nodes

enum class ClauseKind {
  Let,        // let NAME = expr
  When,       // when expr -> target "label"
  Else,       // else -> target "label"
  Do,         // do call
  Then,       // then -> target
  OnError,    // on error -> target
  ApproveBy,  // approve by "role"        (in an action node)
  By,         // by "role"                (in an approve node)
  Until,      // until expr [holds expr] within expr every expr
  Approved,   // approved -> target
  Denied,     // denied -> target
  Timeout,    // timeout [expr] -> target
  Run,        // run runbook(args)
  Return,     // return expr              (in probe/action declarations)
  ExprStmt,   // a bare call              (in probe/action declarations)
  // foreach
  Over,         // over expr
  As,           // as NAME
  Waves,        // waves 10%, 100, all    (exprs)
  Concurrency,  // concurrency expr
  Rate,         // rate 600/m              (text)
  Abort,        // abort when failed [or …] > threshold [after expr]
  Between,      // between waves { pause …; until …; approve by … }   (block)
  Pause,        // pause expr              (in a between-waves block)
  ApproveEach,  // approve each wave by "role"
  Aborted,      // aborted -> target
  // approve nodes
  Show,  // show expr                 (what the approver reads: text with interpolations)
  Ask,   // ask NAME: TYPE in expr    (a question: one of the choices expr lists)
};
const char* clause_keyword(ClauseKind k);
bool is_edge_clause(ClauseKind k);

struct Clause {
  ClauseKind kind;
  Range range;
  Range keyword;                // the clause keyword(s), for diagnostics
  Name name;                    // Let, Do (do let NAME = …): variable; Run: runbook
  ExprPtr expr;                 // Let value, When/Until condition, Do call, Timeout duration,
                                // Return value, ExprStmt
  ExprPtr within, every;        // Until
  ExprPtr holds;                // Until: how long the condition must hold (null: once true)
  std::optional<Label> signal;  // Until signal "NAME" (expr, holds, every null); name: its `as`
  std::optional<Label> role;    // ApproveBy, By (one string), ApproveEach
  Name target;                  // edges
  std::optional<Label> label;
  std::vector<Arg> args;       // Run
  std::vector<ExprPtr> exprs;  // By (foreach cohort columns), Waves
  std::vector<Name> outcomes;  // Abort: the outcomes counted
  ExprPtr after;               // Abort: how many children finish before it is checked
  std::string text;            // Rate: as written ("600/m")
  std::vector<Clause> block;   // Between
  TypeExprPtr type;            // Ask: the answer's type (name: the answer; expr: the choices)
};

struct Node {
  NodeKind kind;
  Range range;
  Range keyword;
  Name name;
  std::optional<Label> label;
  std::vector<Clause> clauses;
  Name outcome;  // End: `as OUTCOME`
};

struct Param {
  Range range;
  Name name;
  TypeExprPtr type;
  ExprPtr default_value;
};

struct Doc {
  Range range;
  Label text;
};

struct Start {
  Range range;
  Name target;
};

// output NAME: TYPE — a run variable of the runbook that a call node running it reads as
// NODE.NAME once it has ended.
struct Output {
  Range range;
  Name name;
  TypeExprPtr type;
};

using RunbookItem = std::variant<Doc, Param, Output, Start, Node>;

struct Runbook {
  Range range;
  Name name;
  std::optional<Label> title;
  std::vector<RunbookItem> items;
};

// ---------------------------------------------------------------- top level

struct Import {
  Range range;
  Label path;
};

struct ModuleDecl {
  Range range;
  Name name;
};

struct ConfigDecl {
  Range range;
  Name name;
  TypeExprPtr type;
};

// `probe NAME(params) -> T { … }` or `action NAME(params) [-> T] { … }`
struct FuncDecl {
  Range range;
  bool is_action = false;
  Name name;
  std::vector<Param> params;
  TypeExprPtr result;  // null for an action without a result
  std::vector<Clause> body;
  Range body_end;  // the closing brace
};

using TopItem = std::variant<Import, ModuleDecl, ConfigDecl, FuncDecl, Runbook>;

struct Comment {
  Range range;
  std::string text;  // including the leading //
};

struct File {
  std::vector<TopItem> items;
  std::vector<Comment> comments;  // in source order
};

// The doc comment of a declaration starting at AT in SRC: the comments on their own lines
// right above it, with no blank line between, without their slashes, joined by newlines.
// Empty when there is none.
std::string doc_comment_before(const File& file, const SourceFile& src, const Pos& at);

inline Range range_of(const RunbookItem& item) {
  return std::visit([](const auto& x) { return x.range; }, item);
}
inline Range range_of(const TopItem& item) {
  return std::visit([](const auto& x) { return x.range; }, item);
}

}  // namespace rbk::ast
