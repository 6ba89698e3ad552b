#include "compiler/expr_check.hpp"

#include <fmt/format.h>

#include "compiler/suggest.hpp"

namespace rbk {

using ast::Expr;
using ast::ExprKind;
using ast::Op;

bool assignable(const TypeRef& from, const TypeRef& to, TypeRef* tvar) {
  if (is_error(from) || is_error(to)) return true;
  if (to->kind == TypeKind::Var) {
    if (!tvar) return true;
    if (!*tvar) {
      *tvar = from;
      return true;
    }
    return assignable(from, *tvar, nullptr);
  }
  if (to->kind == TypeKind::Json || from->kind == TypeKind::Json) return true;
  if (from->kind == TypeKind::Null) return is_optional(to) || to->kind == TypeKind::Null;
  if (is_optional(to)) return assignable(strip_optional(from), to->elem, tvar);
  if (is_optional(from)) return false;
  if (from->kind == TypeKind::Int && to->kind == TypeKind::Float) return true;
  if (from->kind != to->kind) return false;
  if (to->kind == TypeKind::List) return assignable(from->elem, to->elem, tvar);
  if (to->kind == TypeKind::Record) {
    for (const auto& f : to->fields) {
      const Field* g = from->field(f.name);
      if (!g || !assignable(g->type, f.type, tvar)) return false;
    }
  }
  return true;
}

Diagnostic& ExprChecker::error(const char* code, const Range& r, std::string message) {
  return diags_.error(code, file_, r, std::move(message));
}

std::string ExprChecker::path_of(const Expr& e) {
  switch (e.kind) {
    case ExprKind::Ident:
      return e.name.text;
    case ExprKind::Paren:
      return path_of(*e.lhs);
    case ExprKind::Field: {
      std::string p = path_of(*e.lhs);
      return p.empty() ? p : p + "." + e.name.text;
    }
    default:
      return {};
  }
}

void ExprChecker::narrowing(const Expr& c, bool truthy, std::set<std::string>& out) {
  switch (c.kind) {
    case ExprKind::Paren:
      narrowing(*c.lhs, truthy, out);
      return;
    case ExprKind::Unary:
      if (c.op == Op::Not) narrowing(*c.lhs, !truthy, out);
      return;
    case ExprKind::Binary:
      if ((c.op == Op::And && truthy) || (c.op == Op::Or && !truthy)) {
        narrowing(*c.lhs, truthy, out);
        narrowing(*c.rhs, truthy, out);
      } else if ((c.op == Op::Ne && truthy) || (c.op == Op::Eq && !truthy)) {
        const Expr* other = c.rhs->kind == ExprKind::Null   ? c.lhs.get()
                            : c.lhs->kind == ExprKind::Null ? c.rhs.get()
                                                            : nullptr;
        if (other) {
          std::string p = path_of(*other);
          if (!p.empty()) out.insert(p);
        }
      }
      return;
    default:
      return;
  }
}

TypeRef ExprChecker::resolve_type(const ast::TypeExpr& t) {
  switch (t.kind) {
    case ast::TypeExpr::Kind::Named: {
      if (TypeRef r = Type::named(t.name)) return r;
      auto& d = error("unknown-type", t.range, "unknown type '" + t.name + "'");
      if (may_suggest(diags_))
        if (std::string s = closest_name(
                t.name, {"bool", "int", "float", "string", "duration", "time", "percent", "json"});
            !s.empty())
          d.hints.push_back("did you mean '" + s + "'?");
      d.hints.push_back(
          "types are bool, int, float, string, duration, time, percent, json, list<T>, {field: T, "
          "…} and T?");
      return Type::error();
    }
    case ast::TypeExpr::Kind::List:
      return Type::list(resolve_type(*t.elem));
    case ast::TypeExpr::Kind::Optional:
      return Type::optional(resolve_type(*t.elem));
    case ast::TypeExpr::Kind::Record: {
      std::vector<Field> fields;
      for (const auto& f : t.fields) {
        bool dup = false;
        for (const auto& g : fields) dup |= g.name == f.name.text;
        if (dup) {
          error("duplicate-field", f.name.range,
                "field '" + f.name.text + "' appears twice in the record type");
          continue;
        }
        fields.push_back(Field{f.name.text, resolve_type(*f.type)});
      }
      return Type::record(std::move(fields));
    }
  }
  return Type::error();
}

TypeRef ExprChecker::check(const Expr& e, ExprEnv& env) {
  TypeRef t = check_inner(e, env);
  e.type = t;
  return t;
}

TypeRef ExprChecker::expect(const Expr& e, const TypeRef& want, ExprEnv& env,
                            const std::string& what) {
  TypeRef t = check(e, env);
  if (is_optional(t) && !is_optional(want) && want->kind != TypeKind::Json) {
    non_null_operand(e, t);
    return want;
  }
  if (!assignable(t, want)) {
    error("type-mismatch", e.range,
          fmt::format("{} must be {}, but this is {}", what, to_string(want), to_string(t)));
    return want;
  }
  return t;
}

bool ExprChecker::non_null_operand(const Expr& operand, const TypeRef& t) {
  if (!is_optional(t) && t->kind != TypeKind::Null) return true;
  std::string p = path_of(operand);
  std::string name = p.empty() ? "this value" : "'" + p + "'";
  auto& d = error("nullable", operand.range,
                  fmt::format("{} may be null here (its type is {})", name, to_string(t)));
  if (!p.empty())
    d.hints.push_back(
        fmt::format("check it first ({0} != null and …) or give a default ({0} ?? …)", p));
  else
    d.hints.push_back("give a default with ?? …");
  return false;
}

// if C then A else B: C a bool; A checked knowing what C being true says of null
// (`if x != null then x.y else 0`), B what C being false says. The result is the branches'
// one type: an int and a float make a float, null and T make T?.
TypeRef ExprChecker::check_cond(const Expr& e, ExprEnv& env) {
  TypeRef c = check(*e.lhs, env);
  if (!is_error(c) && non_null_operand(*e.lhs, c) && c->kind != TypeKind::Bool &&
      c->kind != TypeKind::Json)
    error("type-mismatch", e.lhs->range,
          "the condition of 'if' must be bool, but this is " + to_string(c));
  ExprEnv when_true = env, when_false = env;
  narrowing(*e.lhs, true, when_true.nonnull);
  narrowing(*e.lhs, false, when_false.nonnull);
  TypeRef a = check(*e.rhs, when_true);
  TypeRef b = check(*e.alt, when_false);
  if (is_error(a)) return b;
  if (is_error(b)) return a;
  if (a->kind == TypeKind::Null && b->kind == TypeKind::Null) return a;
  if (a->kind == TypeKind::Null) return is_optional(b) ? b : Type::optional(b);
  if (b->kind == TypeKind::Null) return is_optional(a) ? a : Type::optional(a);
  if (a->kind == TypeKind::Int && b->kind == TypeKind::Float) return b;
  if (assignable(b, a)) return a;
  if (assignable(a, b)) return b;
  error("type-mismatch", e.range,
        fmt::format("the branches of 'if' must have one type: 'then' gives {}, 'else' gives {}",
                    to_string(a), to_string(b)));
  return Type::error();
}

TypeRef ExprChecker::check_inner(const Expr& e, ExprEnv& env) {
  switch (e.kind) {
    case ExprKind::Int:
      return Type::integer();
    case ExprKind::Float:
      return Type::floating();
    case ExprKind::Duration:
      return Type::duration();
    case ExprKind::Percent:
      return Type::percent();
    case ExprKind::Bool:
      return Type::boolean();
    case ExprKind::Null:
      return Type::null();
    case ExprKind::String:
      for (const auto& p : e.parts)
        if (p.is_expr) check(*p.expr, env);
      return Type::string();
    case ExprKind::Ident:
      return check_ident(e, env);
    case ExprKind::ConfigRef: {
      auto it = program_.config.find(e.name.text);
      if (it != program_.config.end()) return it->second.type;
      auto& d = error("unknown-config", e.range,
                      "unknown configuration value 'config." + e.name.text + "'");
      if (may_suggest(diags_)) {
        std::vector<std::string> names;
        for (const auto& [n, _] : program_.config) names.push_back(n);
        if (std::string s = closest_name(e.name.text, names); !s.empty())
          d.hints.push_back("did you mean 'config." + s + "'?");
      }
      d.hints.push_back("declare it in a module: config " + e.name.text + ": string");
      return Type::error();
    }
    case ExprKind::Field:
      return check_field(e, env);
    case ExprKind::Index: {
      TypeRef t = check(*e.lhs, env);
      TypeRef i = check(*e.rhs, env);
      if (is_error(t)) return t;
      if (!non_null_operand(*e.lhs, t)) return Type::error();
      if (t->kind == TypeKind::Json) return Type::json();
      if (t->kind == TypeKind::List) {
        if (!assignable(i, Type::integer()))
          error("type-mismatch", e.rhs->range,
                "a list index must be int, but this is " + to_string(i));
        return t->elem;
      }
      error("type-mismatch", e.lhs->range,
            "only lists and json values can be indexed; this is " + to_string(t));
      return Type::error();
    }
    case ExprKind::Call:
      return check_call(e, env);
    case ExprKind::Unary:
      return check_unary(e, env);
    case ExprKind::Binary:
      return check_binary(e, env);
    case ExprKind::Paren:
      return check(*e.lhs, env);
    case ExprKind::Cond:
      return check_cond(e, env);
    case ExprKind::Lambda:
      error("misplaced-lambda", e.range,
            "a lambda (" + e.name.text +
                " => …) is only the second argument of map, filter, any, all, sort_by, "
                "group_by or count_by");
      return Type::error();
    case ExprKind::List: {
      TypeRef elem;
      for (const auto& item : e.items) {
        TypeRef t = check(*item, env);
        if (is_error(t)) continue;
        if (!elem || (elem->kind == TypeKind::Int && t->kind == TypeKind::Float)) {
          elem = t;
        } else if (!assignable(t, elem)) {
          error("type-mismatch", item->range,
                fmt::format("list items must all have one type: this is {}, earlier items are {}",
                            to_string(t), to_string(elem)));
        }
      }
      return Type::list(elem ? elem : Type::json());
    }
    case ExprKind::Record: {
      std::vector<Field> fields;
      for (const auto& entry : e.entries) {
        TypeRef t = check(*entry.value, env);
        bool dup = false;
        for (const auto& f : fields) dup |= f.name == entry.name.text;
        if (dup)
          error("duplicate-field", entry.name.range,
                "field '" + entry.name.text + "' appears twice in the record");
        else
          fields.push_back(Field{entry.name.text, t});
      }
      return Type::record(std::move(fields));
    }
  }
  return Type::error();
}

TypeRef ExprChecker::check_ident(const Expr& e, ExprEnv& env) {
  const std::string& n = e.name.text;
  if (auto it = env.names->find(n); it != env.names->end()) {
    e.binding = it->second.def;
    if (it->second.var >= 0 && env.reads) env.reads->emplace_back(it->second.var, e.range);
    TypeRef t = it->second.type ? it->second.type : Type::error();
    if (is_optional(t) && env.nonnull.count(n)) return t->elem;
    return t;
  }
  if (env.call_nodes && env.call_nodes->count(n)) {
    error("unknown-variable", e.range, "'" + n + "' is a call node, not a value")
        .hints.push_back("read the outcome of the runbook it ran as " + n + ".outcome");
    return Type::error();
  }
  if (visible_.modules.count(n) || Registry::natives().has_module(n)) {
    error("unknown-variable", e.range, "'" + n + "' is a module, not a value")
        .hints.push_back("call one of its functions, as in " + n + ".name(…)");
    return Type::error();
  }
  auto& d = error("unknown-variable", e.range, "unknown variable '" + n + "'");
  if (may_suggest(diags_)) {
    std::vector<std::string> names;
    for (const auto& [k, _] : *env.names) names.push_back(k);
    if (std::string s = closest_name(n, names); !s.empty())
      d.hints.push_back("did you mean '" + s + "'?");
  }
  return Type::error();
}

TypeRef ExprChecker::check_field(const Expr& e, ExprEnv& env) {
  const Expr& lhs = *e.lhs;
  if (lhs.kind == ExprKind::Ident && !env.names->count(lhs.name.text)) {
    const std::string& base = lhs.name.text;
    if (env.call_nodes) {
      if (auto it = env.call_nodes->find(base); it != env.call_nodes->end()) {
        lhs.type = Type::error();
        if (e.name.text != "outcome") {
          if (env.call_outputs)
            if (auto node = env.call_outputs->find(base); node != env.call_outputs->end())
              if (auto out = node->second.find(e.name.text); out != node->second.end()) {
                if (env.reads) env.reads->emplace_back(out->second.first, e.range);
                const TypeRef& t = out->second.second;
                return is_optional(t) && env.nonnull.count(base + "." + e.name.text) ? t->elem : t;
              }
          error("unknown-field", e.name.range, "a call node has no field '" + e.name.text + "'")
              .hints.push_back("a call node exposes the outcome of the runbook it ran (" + base +
                               ".outcome) and the outputs it declares (output NAME: TYPE)");
          return Type::error();
        }
        if (env.reads) env.reads->emplace_back(it->second, e.range);
        return Type::string();
      }
    }
    if (visible_.modules.count(base) || Registry::natives().has_module(base)) {
      error("not-called", e.range, "'" + base + "." + e.name.text + "' is a function: call it")
          .hints.push_back("as in " + base + "." + e.name.text + "(…)");
      return Type::error();
    }
  }
  TypeRef t = check(lhs, env);
  if (is_error(t)) return t;
  if (!non_null_operand(lhs, t)) return Type::error();
  TypeRef result;
  if (t->kind == TypeKind::Json) {
    result = Type::json();
  } else if (t->kind == TypeKind::Record) {
    const Field* f = t->field(e.name.text);
    if (!f) {
      auto& d = error("unknown-field", e.name.range,
                      fmt::format("no field '{}' in {}", e.name.text, to_string(t)));
      if (may_suggest(diags_)) {
        std::vector<std::string> names;
        for (const auto& g : t->fields) names.push_back(g.name);
        if (std::string s = closest_name(e.name.text, names); !s.empty())
          d.hints.push_back("did you mean '" + s + "'?");
      }
      return Type::error();
    }
    result = f->type;
  } else {
    error("unknown-field", e.name.range,
          fmt::format("a value of type {} has no fields", to_string(t)));
    return Type::error();
  }
  if (is_optional(result) && env.nonnull.count(path_of(e))) return result->elem;
  return result;
}

std::string ExprChecker::callee_name(const Expr& callee, const ExprEnv& env) const {
  if (callee.kind == ExprKind::Ident && !env.names->count(callee.name.text))
    return callee.name.text;
  // Values have no methods, so `m.f(…)` names a function even where a variable is also
  // called m (`do gateway.restart(gateway)` with a parameter named gateway).
  if (callee.kind == ExprKind::Field && callee.lhs->kind == ExprKind::Ident) {
    const std::string& m = callee.lhs->name.text;
    if (!env.names->count(m) || visible_.modules.count(m) || Registry::natives().has_module(m))
      return m + "." + callee.name.text;
  }
  return {};
}

// The functions NAME (the callee of call E) may be: its overloads in the registry. Null
// (after reporting it) when E's callee is not a function name, or names an unknown
// module or function, or one of a module the file did not import.
const std::vector<const FunctionSig*>* ExprChecker::resolve_callee(const Expr& e, ExprEnv& env,
                                                                   std::string& name) {
  name = callee_name(*e.lhs, env);
  if (name.empty()) {
    error("not-callable", e.lhs->range, "only functions can be called")
        .hints.push_back("functions are named module.function, as in fleet.last_seen_age(device)");
    return nullptr;
  }
  e.lhs->type = Type::error();
  auto dot = name.rfind('.');
  std::string module = dot == std::string::npos ? "" : name.substr(0, dot);
  bool native_module = module.empty() || Registry::natives().has_module(module);
  const auto& candidates = program_.registry.find(name);
  bool visible = native_module || visible_.modules.count(module);
  if (!candidates.empty() && visible) return &candidates;

  if (!module.empty() && !native_module && !visible_.modules.count(module)) {
    auto& d = error("unknown-module", e.lhs->range, "unknown module '" + module + "'");
    std::vector<std::string> mods(visible_.modules.begin(), visible_.modules.end());
    for (const auto& m : Registry::natives().modules()) mods.push_back(m);
    if (std::string s = may_suggest(diags_) ? closest_name(module, mods) : ""; !s.empty())
      d.hints.push_back("did you mean '" + s + "'?");
    else if (program_.registry.has_module(module))
      d.hints.push_back("module '" + module + "' is declared in another file: import it");
    else
      d.hints.push_back("import the file that declares it, as in import \"stdlib/" + module +
                        ".rbk\"");
    return nullptr;
  }
  auto& d = error("unknown-function", e.lhs->range, "unknown function '" + name + "'");
  if (may_suggest(diags_)) {
    std::vector<std::string> names;
    if (module.empty()) {
      for (const auto& f : program_.registry.all())
        if (f.module().empty()) names.push_back(f.name);
    } else {
      names = program_.registry.names_in_module(module);
    }
    if (std::string s = closest_name(name, names); !s.empty())
      d.hints.push_back("did you mean '" + s + "'?");
  }
  return nullptr;
}

// Binds call E's arguments (of ARG_TYPES) to SIG's parameters: positional, then named;
// each once; each assignable (binding the type variable T in TVAR); every parameter
// without a default given. Reports each problem when REPORT; returns whether all bound.
bool ExprChecker::bind_arguments(const Expr& e, const std::vector<TypeRef>& arg_types,
                                 const FunctionSig& sig, const std::string& name, bool report,
                                 TypeRef* tvar) {
  bool ok = true;
  std::vector<int> slot(sig.params.size(), -1);
  bool seen_named = false;
  size_t positional = 0;
  for (size_t i = 0; i < e.args.size(); ++i) {
    const auto& a = e.args[i];
    int p = -1;
    if (a.name) {
      seen_named = true;
      for (size_t k = 0; k < sig.params.size(); ++k)
        if (sig.params[k].name == a.name->text) p = static_cast<int>(k);
      if (p < 0) {
        if (report) {
          auto& d = error("bad-argument", a.name->range,
                          fmt::format("{} has no parameter '{}'", name, a.name->text));
          if (may_suggest(diags_)) {
            std::vector<std::string> names;
            for (const auto& q : sig.params) names.push_back(q.name);
            if (std::string s = closest_name(a.name->text, names); !s.empty())
              d.hints.push_back("did you mean '" + s + "'?");
          }
          d.hints.push_back("signature: " + sig.signature());
        }
        ok = false;
        continue;
      }
    } else {
      if (seen_named) {
        if (report)
          error("bad-argument", a.value->range, "a positional argument cannot follow named ones");
        ok = false;
        continue;
      }
      if (positional >= sig.params.size()) {
        if (report)
          error("bad-argument", a.value->range,
                fmt::format("too many arguments: {} takes {}", name, sig.params.size()))
              .hints.push_back("signature: " + sig.signature());
        ok = false;
        continue;
      }
      p = static_cast<int>(positional++);
    }
    if (slot[p] >= 0) {
      if (report)
        error("bad-argument", a.value->range,
              fmt::format("argument '{}' is given twice", sig.params[p].name));
      ok = false;
      continue;
    }
    slot[p] = static_cast<int>(i);
    if (!assignable(arg_types[i], sig.params[p].type, tvar)) {
      if (report) {
        if (is_optional(arg_types[i]) &&
            assignable(strip_optional(arg_types[i]), sig.params[p].type, tvar))
          non_null_operand(*a.value, arg_types[i]);
        else
          error("type-mismatch", a.value->range,
                fmt::format("argument '{}' of {} must be {}, but this is {}", sig.params[p].name,
                            name,
                            to_string(*tvar && sig.params[p].type->kind == TypeKind::Var
                                          ? *tvar
                                          : sig.params[p].type),
                            to_string(arg_types[i])));
      }
      ok = false;
    }
  }
  for (size_t k = 0; k < sig.params.size(); ++k) {
    if (slot[k] < 0 && !sig.params[k].has_default()) {
      if (report)
        error("bad-argument", e.range,
              fmt::format("missing argument '{}' of {}", sig.params[k].name, name))
            .hints.push_back("signature: " + sig.signature());
      ok = false;
    }
  }
  return ok;
}

// The first overload the arguments bind to (with T bound in TVAR). None: the one
// candidate's problems are reported, or, for overloads, that no version takes them.
const FunctionSig* ExprChecker::choose_overload(const Expr& e,
                                                const std::vector<TypeRef>& arg_types,
                                                const std::vector<const FunctionSig*>& candidates,
                                                const std::string& name, TypeRef& tvar) {
  for (const FunctionSig* c : candidates) {
    tvar = nullptr;
    if (bind_arguments(e, arg_types, *c, name, false, &tvar)) return c;
  }
  if (candidates.size() == 1) {
    tvar = nullptr;
    bind_arguments(e, arg_types, *candidates[0], name, true, &tvar);
  } else {
    std::string types;
    for (size_t i = 0; i < arg_types.size(); ++i)
      types += (i ? ", " : "") + to_string(arg_types[i]);
    auto& d =
        error("type-mismatch", e.range, fmt::format("no version of {} takes ({})", name, types));
    for (const FunctionSig* c : candidates) d.hints.push_back("signature: " + c->signature());
  }
  return nullptr;
}

// A call: its arguments, its callee, the overload they bind to, where its effect may
// happen, and its result (T bound by the arguments; json when nothing bound it).
std::optional<ListFn> list_fn_of(const Expr& call) {
  if (call.kind != ExprKind::Call || !call.lhs || call.lhs->kind != ExprKind::Ident)
    return std::nullopt;
  std::optional<ListFn> fn;
#define RBK_MATCH(e, spelling) \
  if (call.lhs->name.text == spelling) fn = ListFn::e;
  RBK_LIST_FNS(RBK_MATCH)
#undef RBK_MATCH
  // any(list<bool>) and all(list<bool>) are natives too: the forms with a lambda take two
  // arguments.
  if ((fn == ListFn::Any || fn == ListFn::All) && call.args.size() < 2) return std::nullopt;
  return fn;
}

// map(xs, x => U), filter(xs, x => bool), any/all(xs, x => bool), sort_by(xs, x => K),
// group_by(xs, x => K), count_by(xs, x => K): XS a list<T> (or json), the lambda's
// parameter a T, its body pure. K, a key, is never null: an ordered type (or json) to sort
// by; any type to group by (records too: a cohort).
TypeRef ExprChecker::check_list_fn(const Expr& e, ListFn fn, ExprEnv& env) {
  const std::string& name = e.lhs->name.text;
  auto usage = [&] {
    return name + "(list, x => " +
           (fn == ListFn::Map                                                ? "value"
            : fn == ListFn::Filter || fn == ListFn::Any || fn == ListFn::All ? "condition"
                                                                             : "key") +
           ")";
  };
  if (e.args.size() != 2 || e.args[0].name || e.args[1].name ||
      e.args[1].value->kind != ExprKind::Lambda) {
    for (const auto& a : e.args)
      if (a.value->kind != ExprKind::Lambda) check(*a.value, env);
    error("bad-argument", e.range, name + " takes a list and a lambda: " + usage())
        .hints.push_back("as in filter(devices, d => d.online)");
    return Type::error();
  }
  const Expr& list = *e.args[0].value;
  const Expr& lambda = *e.args[1].value;
  TypeRef lt = check(list, env);
  TypeRef item = Type::error();
  if (!is_error(lt) && non_null_operand(list, lt)) {
    if (lt->kind == TypeKind::List)
      item = lt->elem;
    else if (lt->kind == TypeKind::Json)
      item = Type::json();
    else
      error("type-mismatch", list.range,
            "the first argument of " + name + " must be a list, but this is " + to_string(lt));
  }
  // The parameter: a new name (a lambda that shadowed a variable would read as the other).
  const std::string& param = lambda.name.text;
  if (env.names->count(param) || (env.call_nodes && env.call_nodes->count(param)))
    error("shadowed-name", lambda.name.range,
          "'" + param + "' is already a name here; the lambda's parameter needs another")
        .hints.push_back("as in " + name + "(…, item => …)");
  std::unordered_map<std::string, Binding> names = *env.names;
  names[param] = Binding{item, -1, lambda.name.range};
  ExprEnv inner = env;
  inner.names = &names;
  inner.in_lambda = true;
  inner.where = "a lambda";
  inner.nonnull.erase(param);
  for (auto it = inner.nonnull.lower_bound(param + ".");
       it != inner.nonnull.end() && it->rfind(param + ".", 0) == 0;)
    it = inner.nonnull.erase(it);
  lambda.type = item;
  TypeRef body = check(*lambda.lhs, inner);
  if (is_error(body) || is_error(item)) {
    if (fn == ListFn::Any || fn == ListFn::All) return Type::boolean();
    return Type::error();
  }
  switch (fn) {
    case ListFn::Map:
      if (body->kind == TypeKind::Null) {
        error("type-mismatch", lambda.lhs->range, "map's lambda gives null for every item");
        return Type::error();
      }
      return Type::list(body);
    case ListFn::Filter:
    case ListFn::Any:
    case ListFn::All:
      if (non_null_operand(*lambda.lhs, body) && body->kind != TypeKind::Bool &&
          body->kind != TypeKind::Json)
        error("type-mismatch", lambda.lhs->range,
              "the lambda of " + name + " must give a bool, but this gives " + to_string(body));
      return fn == ListFn::Filter ? Type::list(item) : Type::boolean();
    case ListFn::SortBy:
      if (non_null_operand(*lambda.lhs, body) && !is_ordered(body) &&
          body->kind != TypeKind::Json)  // (json keys are ordered at run time, or fail)
        error("type-mismatch", lambda.lhs->range,
              "sort_by sorts by a number, duration, time, percent or string; this key is " +
                  to_string(body));
      return Type::list(item);
    case ListFn::GroupBy:
    case ListFn::CountBy:
      if (!non_null_operand(*lambda.lhs, body)) return Type::error();
      if (fn == ListFn::GroupBy)
        return Type::list(Type::record({Field{"key", body}, Field{"items", Type::list(item)}}));
      return Type::list(Type::record({Field{"key", body}, Field{"count", Type::integer()}}));
  }
  return Type::error();
}

TypeRef ExprChecker::check_call(const Expr& e, ExprEnv& env) {
  if (std::optional<ListFn> fn = list_fn_of(e)) return check_list_fn(e, *fn, env);
  std::vector<TypeRef> arg_types;
  for (const auto& a : e.args) arg_types.push_back(check(*a.value, env));
  std::string name;
  const std::vector<const FunctionSig*>* candidates = resolve_callee(e, env, name);
  if (!candidates) return Type::error();
  TypeRef tvar;
  const FunctionSig* chosen = choose_overload(e, arg_types, *candidates, name, tvar);
  if (!chosen) return Type::error();

  e.callee = static_cast<int32_t>(chosen - program_.registry.all().data());
  if (chosen->effect == Effect::Action && !env.actions_allowed && env.action_call != &e) {
    auto& d = error("action-not-allowed", e.range,
                    fmt::format("action '{}' cannot be called in {}", name, env.where));
    d.hints.push_back(
        "actions have side effects: call them only in an action node's clauses (do …) "
        "or in an action declaration");
  }
  if (env.in_lambda && chosen->effect != Effect::Pure)
    error(
        "impure-lambda", e.range,
        fmt::format("a lambda is pure: it cannot call {} '{}'", effect_name(chosen->effect), name))
        .hints.push_back("call it before, with let, and read its value in the lambda");
  if (env.called) env.called->push_back(chosen);
  TypeRef result = chosen->result;
  if (result->kind == TypeKind::Var) return tvar ? tvar : Type::json();
  if (result->kind == TypeKind::List && result->elem->kind == TypeKind::Var)
    return Type::list(tvar ? tvar : Type::json());
  return result;
}

TypeRef ExprChecker::check_unary(const Expr& e, ExprEnv& env) {
  TypeRef t = check(*e.lhs, env);
  if (is_error(t)) return t;
  if (!non_null_operand(*e.lhs, t)) return Type::error();
  if (e.op == Op::Not) {
    if (t->kind == TypeKind::Bool || t->kind == TypeKind::Json) return Type::boolean();
    error("type-mismatch", e.lhs->range, "'not' needs a bool, but this is " + to_string(t));
    return Type::error();
  }
  switch (t->kind) {
    case TypeKind::Int:
    case TypeKind::Float:
    case TypeKind::Duration:
    case TypeKind::Percent:
    case TypeKind::Json:
      return t;
    default:
      error("type-mismatch", e.lhs->range,
            "'-' needs a number, duration or percent, but this is " + to_string(t));
      return Type::error();
  }
}

TypeRef ExprChecker::check_binary(const Expr& e, ExprEnv& env) {
  // and / or: the right side sees what the left side proves.
  if (e.op == Op::And || e.op == Op::Or) {
    TypeRef l = check(*e.lhs, env);
    ExprEnv right = env;
    narrowing(*e.lhs, e.op == Op::And, right.nonnull);
    TypeRef r = check(*e.rhs, right);
    for (auto [side, t] : {std::pair{e.lhs.get(), l}, std::pair{e.rhs.get(), r}}) {
      if (is_error(t) || !non_null_operand(*side, t)) continue;
      if (t->kind != TypeKind::Bool && t->kind != TypeKind::Json)
        error("type-mismatch", side->range,
              fmt::format("'{}' needs bool operands, but this is {}", ast::op_text(e.op),
                          to_string(t)));
    }
    return Type::boolean();
  }

  TypeRef l = check(*e.lhs, env);
  TypeRef r = check(*e.rhs, env);
  if (is_error(l) || is_error(r))
    return e.op >= Op::Eq && e.op <= Op::In ? Type::boolean() : Type::error();
  const char* op = ast::op_text(e.op);
  auto mismatch = [&]() {
    error("type-mismatch", e.range,
          fmt::format("'{}' cannot combine {} and {}", op, to_string(l), to_string(r)));
    return Type::error();
  };

  if (e.op == Op::Coalesce) {
    if (!is_optional(l) && l->kind != TypeKind::Json && l->kind != TypeKind::Null) {
      diags_.warning(
          "redundant-default", file_, e.lhs->range,
          fmt::format(
              "the left side of '?\?' is never null (it is {}), so the default is never used",
              to_string(l)));
      return l;
    }
    if (l->kind == TypeKind::Json) return r;
    TypeRef base = strip_optional(l);
    if (assignable(r, base)) return base;
    if (assignable(strip_optional(r), base)) return Type::optional(base);
    error("type-mismatch", e.rhs->range,
          fmt::format("the default must be {}, but this is {}", to_string(base), to_string(r)));
    return base;
  }

  if (e.op == Op::Eq || e.op == Op::Ne) {
    bool null_check = l->kind == TypeKind::Null || r->kind == TypeKind::Null;
    if (null_check || assignable(l, r) || assignable(r, l)) return Type::boolean();
    error("type-mismatch", e.range,
          fmt::format("cannot compare {} with {}", to_string(l), to_string(r)));
    return Type::boolean();
  }

  // Everything else needs values, not maybe-nulls.
  bool lok = non_null_operand(*e.lhs, l), rok = non_null_operand(*e.rhs, r);
  if (!lok || !rok) return e.op >= Op::Lt && e.op <= Op::In ? Type::boolean() : Type::error();
  bool lj = l->kind == TypeKind::Json, rj = r->kind == TypeKind::Json;

  if (e.op == Op::In) {
    if (rj) return Type::boolean();
    if (r->kind == TypeKind::List) {
      if (!assignable(l, r->elem)) mismatch();
      return Type::boolean();
    }
    if (r->kind == TypeKind::String) {
      if (!assignable(l, Type::string())) mismatch();
      return Type::boolean();
    }
    error("type-mismatch", e.rhs->range,
          "'in' needs a list or a string on its right, but this is " + to_string(r));
    return Type::boolean();
  }

  if (e.op == Op::Lt || e.op == Op::Le || e.op == Op::Gt || e.op == Op::Ge) {
    bool ok = (lj && (rj || is_ordered(r))) || (rj && is_ordered(l)) ||
              (is_numeric(l) && is_numeric(r)) || (is_ordered(l) && l->kind == r->kind);
    if (!ok) {
      auto& d = error(
          "type-mismatch", e.range,
          fmt::format("cannot order {} against {} with '{}'", to_string(l), to_string(r), op));
      if ((l->kind == TypeKind::Duration && is_numeric(r)) ||
          (r->kind == TypeKind::Duration && is_numeric(l)))
        d.hints.push_back("write durations with a unit: 30m, 90s, 2h");
      if ((l->kind == TypeKind::Percent && is_numeric(r)) ||
          (r->kind == TypeKind::Percent && is_numeric(l)))
        d.hints.push_back("write percentages with a %: 5%, 99.5%");
    }
    return Type::boolean();
  }

  // Arithmetic. A json operand takes the other side's type.
  if (lj && rj) return Type::json();
  if (lj) l = r;
  if (rj) r = l;
  TypeKind a = l->kind, b = r->kind;
  auto num = [&]() {
    return a == TypeKind::Int && b == TypeKind::Int ? Type::integer() : Type::floating();
  };
  switch (e.op) {
    case Op::Add:
      if (is_numeric(l) && is_numeric(r)) return num();
      if (a == b && (a == TypeKind::Duration || a == TypeKind::Percent || a == TypeKind::String))
        return l;
      if ((a == TypeKind::Time && b == TypeKind::Duration) ||
          (a == TypeKind::Duration && b == TypeKind::Time))
        return Type::time();
      return mismatch();
    case Op::Sub:
      if (is_numeric(l) && is_numeric(r)) return num();
      if (a == b && (a == TypeKind::Duration || a == TypeKind::Percent)) return l;
      if (a == TypeKind::Time && b == TypeKind::Time) return Type::duration();
      if (a == TypeKind::Time && b == TypeKind::Duration) return Type::time();
      return mismatch();
    case Op::Mul:
      if (is_numeric(l) && is_numeric(r)) return num();
      if ((a == TypeKind::Duration && is_numeric(r)) || (is_numeric(l) && b == TypeKind::Duration))
        return Type::duration();
      return mismatch();
    case Op::Div:
      if (is_numeric(l) && is_numeric(r)) return Type::floating();
      if (a == TypeKind::Duration && b == TypeKind::Duration) return Type::floating();
      if (a == TypeKind::Duration && is_numeric(r)) return Type::duration();
      return mismatch();
    default:
      return mismatch();
  }
}

}  // namespace rbk
