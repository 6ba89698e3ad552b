// Type checking of expressions, with effects and null safety.
//
// Every expression gets a static type (stored on the AST node for code generation).
// Three rules shape it:
// - Effects: a call to an action is allowed only where the environment says actions
//   may run (an action node's clauses, an action declaration's body).
// - Null safety: a value of type T? must be narrowed before it is compared or computed
//   with. `x != null` narrows `x` in the right operand of `and`; `x == null` narrows it
//   in the right operand of `or`; a decision's earlier `when` conditions narrow its later
//   ones (when x == null -> … ; when x < 5 -> …). `??` gives a default.
// - json: a value read from outside converts to whatever typed value it meets, checked at
//   run time, so json fits anywhere statically.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "compiler/model.hpp"
#include "grammar/diagnostic.hpp"

namespace rbk {

struct Binding {
  TypeRef type;
  int var = -1;  // a run variable (definite assignment applies), or -1 for params/locals
  Range def;     // the name that binds it (a variable: its first binding)
};

// What an expression may see and do where it stands.
struct ExprEnv {
  const std::unordered_map<std::string, Binding>* names = nullptr;
  const std::unordered_map<std::string, int>* call_nodes = nullptr;  // for `node.outcome`
  // and `node.NAME`, an output of the runbook a call node ran
  const std::unordered_map<std::string, std::map<std::string, std::pair<int, TypeRef>>>*
      call_outputs = nullptr;
  bool actions_allowed = false;
  // The one call that may be an action although actions_allowed is false: the call of a
  // `do` clause (its arguments are evaluated before any action runs, for the plan).
  const ast::Expr* action_call = nullptr;
  std::string where;                                    // "a decide node": used in effect errors
  std::set<std::string> nonnull;                        // paths narrowed to non-null here
  std::vector<std::pair<int, Range>>* reads = nullptr;  // run-variable reads, for DA
  std::vector<const FunctionSig*>* called = nullptr;    // functions called, for capabilities
  bool in_lambda = false;                               // a lambda's body: pure calls only
};

// The list functions that take a lambda (`filter(devices, d => d.online)`): special forms
// of the checker and the code generator, not natives, since their second argument is
// code. Each is one opcode (vm/opcodes.def) of the same name.
#define RBK_LIST_FNS(X)  \
  X(Map, "map")          \
  X(Filter, "filter")    \
  X(Any, "any")          \
  X(All, "all")          \
  X(SortBy, "sort_by")   \
  X(GroupBy, "group_by") \
  X(CountBy, "count_by")
enum class ListFn {
#define RBK_ENUM_ITEM(e, name) e,
  RBK_LIST_FNS(RBK_ENUM_ITEM)
#undef RBK_ENUM_ITEM
};
// The list function a call is (`filter(…)`: its callee is that bare name), if any; not
// any(list<bool>) or all(list<bool>) with one argument, which are natives.
std::optional<ListFn> list_fn_of(const ast::Expr& call);

// The names a file can see: its own module and the modules and runbooks of the files it
// imports, on top of the natives.
struct Visibility {
  std::set<std::string> modules;
  std::set<std::string> runbooks;  // what a call node may run: the file's and its imports'
};

class ExprChecker {
 public:
  ExprChecker(const CheckedProgram& program, const Visibility& visible, SourcePtr file,
              Diagnostics& diags)
      : program_(program), visible_(visible), file_(std::move(file)), diags_(diags) {}

  TypeRef check(const ast::Expr& e, ExprEnv& env);
  // Checks E and requires WANT; WHAT names the place in the message ("the condition").
  TypeRef expect(const ast::Expr& e, const TypeRef& want, ExprEnv& env, const std::string& what);
  TypeRef resolve_type(const ast::TypeExpr& t);

  // The paths a condition proves non-null when it is true (TRUTHY) or false.
  static void narrowing(const ast::Expr& cond, bool truthy, std::set<std::string>& out);
  // "gw.online" for a variable or field chain; empty for anything else.
  static std::string path_of(const ast::Expr& e);

 private:
  TypeRef check_inner(const ast::Expr& e, ExprEnv& env);
  TypeRef check_cond(const ast::Expr& e, ExprEnv& env);
  TypeRef check_ident(const ast::Expr& e, ExprEnv& env);
  TypeRef check_field(const ast::Expr& e, ExprEnv& env);
  TypeRef check_call(const ast::Expr& e, ExprEnv& env);
  TypeRef check_list_fn(const ast::Expr& e, ListFn fn, ExprEnv& env);
  const std::vector<const FunctionSig*>* resolve_callee(const ast::Expr& e, ExprEnv& env,
                                                        std::string& name);
  bool bind_arguments(const ast::Expr& e, const std::vector<TypeRef>& arg_types,
                      const FunctionSig& sig, const std::string& name, bool report, TypeRef* tvar);
  const FunctionSig* choose_overload(const ast::Expr& e, const std::vector<TypeRef>& arg_types,
                                     const std::vector<const FunctionSig*>& candidates,
                                     const std::string& name, TypeRef& tvar);
  TypeRef check_binary(const ast::Expr& e, ExprEnv& env);
  TypeRef check_unary(const ast::Expr& e, ExprEnv& env);
  bool non_null_operand(const ast::Expr& operand, const TypeRef& t);
  std::string callee_name(const ast::Expr& callee, const ExprEnv& env) const;
  Diagnostic& error(const char* code, const Range& r, std::string message);

  const CheckedProgram& program_;
  const Visibility& visible_;
  SourcePtr file_;
  Diagnostics& diags_;
};

// Whether a value of type FROM may be used where TO is expected. Type variables in TO
// bind to *T (one variable per signature).
bool assignable(const TypeRef& from, const TypeRef& to, TypeRef* tvar = nullptr);

}  // namespace rbk
