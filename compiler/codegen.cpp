#include "compiler/codegen.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <deque>
#include <filesystem>
#include <functional>
#include <map>
#include <set>

#include "compiler/expr_check.hpp"
#include "vm/rbc.hpp"

namespace rbk {

using ast::ClauseKind;
using ast::ExprKind;

namespace {

EdgeKind edge_kind(ClauseKind k) {
  switch (k) {
    case ClauseKind::When:
      return EdgeKind::When;
    case ClauseKind::Else:
      return EdgeKind::Else;
    case ClauseKind::OnError:
      return EdgeKind::OnError;
    case ClauseKind::Timeout:
      return EdgeKind::Timeout;
    case ClauseKind::Approved:
      return EdgeKind::Approved;
    case ClauseKind::Denied:
      return EdgeKind::Denied;
    case ClauseKind::Aborted:
      return EdgeKind::Aborted;
    default:
      return EdgeKind::Then;
  }
}

bool is_json(const TypeRef& t) {
  return t && (t->kind == TypeKind::Json || t->kind == TypeKind::Var);
}

// Whether json (or a generic T) occurs anywhere in T: a record built from JSON fields
// (`{online: d.online}`) is typed record{online: json} and needs converting too.
bool contains_json(const TypeRef& t) {
  if (!t) return false;
  if (is_json(t)) return true;
  if (t->elem && contains_json(t->elem)) return true;
  for (const auto& f : t->fields)
    if (contains_json(f.type)) return true;
  return false;
}

class Generator {
 public:
  explicit Generator(const CheckedProgram& ck) : ck_(ck) {}

  Program run(int entry) {
    entry_dir_ =
        std::filesystem::path(ck_.runbooks[entry].src->path()).lexically_normal().parent_path();
    p_.entry = runbook(entry);
    while (!pending_runbooks_.empty() || !pending_functions_.empty()) {
      if (!pending_runbooks_.empty()) {
        auto [checked, index] = pending_runbooks_.front();
        pending_runbooks_.pop_front();
        runbook_body(checked, index);
      } else {
        auto [name, index] = pending_functions_.front();
        pending_functions_.pop_front();
        function_body(name, index);
      }
    }
    capabilities();
    seal(p_);
    return std::move(p_);
  }

 private:
  // ------------------------------------------------------------ tables

  uint32_t type(const TypeRef& t) {
    std::string key = to_string(t);
    auto it = types_.find(key);
    if (it != types_.end()) return it->second;
    p_.types.push_back(t);
    return types_[key] = static_cast<uint32_t>(p_.types.size() - 1);
  }

  uint32_t constant(const Value& v) {
    std::string key = std::to_string(static_cast<int>(v.kind)) + ":" + to_display(v);
    auto it = constants_.find(key);
    if (it != constants_.end()) return it->second;
    p_.constants.push_back(v);
    return constants_[key] = static_cast<uint32_t>(p_.constants.size() - 1);
  }

  uint32_t shape(const std::vector<std::string>& keys) {
    for (size_t i = 0; i < p_.shapes.size(); ++i)
      if (p_.shapes[i] == keys) return static_cast<uint32_t>(i);
    p_.shapes.push_back(keys);
    return static_cast<uint32_t>(p_.shapes.size() - 1);
  }

  uint32_t function(int registry_index) {
    auto it = functions_.find(registry_index);
    if (it != functions_.end()) return it->second;
    const FunctionSig& sig = ck_.registry.all()[registry_index];
    FunctionInfo f;
    f.name = sig.name;
    f.effect = sig.effect;
    f.capabilities = sig.capabilities;
    for (const auto& prm : sig.params)
      f.params.push_back(ParamInfo{prm.name, type(prm.type), kNone});
    f.result = type(sig.result);
    if (sig.native)
      if (const NativeRow* row = native_named(sig.name)) f.native = row->id;
    p_.functions.push_back(std::move(f));
    uint32_t index = static_cast<uint32_t>(p_.functions.size() - 1);
    functions_[registry_index] = index;
    if (!sig.native) pending_functions_.emplace_back(sig.name, index);
    return index;
  }

  uint32_t runbook(int checked) {
    auto it = runbooks_.find(checked);
    if (it != runbooks_.end()) return it->second;
    p_.runbooks.emplace_back();
    uint32_t index = static_cast<uint32_t>(p_.runbooks.size() - 1);
    runbooks_[checked] = index;
    pending_runbooks_.emplace_back(checked, index);
    return index;
  }

  // ------------------------------------------------------------ emission

  uint32_t new_code() {
    p_.codes.emplace_back();
    return static_cast<uint32_t>(p_.codes.size() - 1);
  }
  Code& code() { return p_.codes[code_]; }
  size_t emit(Op op, uint32_t a = 0, uint32_t b = 0) {
    code().instrs.push_back(Instr{op, a, b});
    code().lines.push_back(line_);
    return code().instrs.size() - 1;
  }
  uint32_t here() { return static_cast<uint32_t>(code().instrs.size()); }
  void patch(size_t at) { code().instrs[at].a = here(); }

  // The name a conversion error gives the value: its variable or field path, else "value".
  std::string describe(const ast::Expr& e) const {
    if (e.kind == ExprKind::Ident) return e.name.text;
    if (e.kind == ExprKind::Field) return describe(*e.lhs) + "." + e.name.text;
    if (e.kind == ExprKind::Index) return describe(*e.lhs) + "[…]";
    if (e.kind == ExprKind::Paren) return describe(*e.lhs);
    if (e.kind == ExprKind::Call && e.callee >= 0) return ck_registry_name(e) + "(…)";
    return "value";
  }
  std::string ck_registry_name(const ast::Expr& e) const {
    return ck_.registry.all()[e.callee].name;
  }

  // Where a value typed json (or holding json inside) meets a typed slot, CONVERT checks
  // and converts it at run time: 9 from a JSON body becomes 9% in a percent field.
  void convert_to(const ast::Expr& e, const TypeRef& expected) {
    if (!expected || is_error(expected) || contains_json(expected) || !contains_json(e.type))
      return;
    emit(Op::CONVERT, type(expected), constant(Value::string(describe(e))));
  }

  // ------------------------------------------------------------ expressions

  void expr(const ast::Expr& e) {
    uint32_t saved = line_;
    line_ = e.range.begin.line;
    switch (e.kind) {
      case ExprKind::Int:
        emit(Op::CONST, constant(Value::integer(e.int_value)));
        break;
      case ExprKind::Float:
        emit(Op::CONST, constant(Value::floating(e.float_value)));
        break;
      case ExprKind::Duration:
        emit(Op::CONST, constant(Value::duration(e.int_value)));
        break;
      case ExprKind::Percent:
        emit(Op::CONST, constant(Value::percent(e.float_value)));
        break;
      case ExprKind::Bool:
        emit(Op::CONST, constant(Value::boolean(e.int_value != 0)));
        break;
      case ExprKind::Null:
        emit(Op::NULL_);
        break;
      case ExprKind::String:
        if (e.is_static_string()) {
          emit(Op::CONST, constant(Value::string(e.static_string())));
        } else {
          for (const auto& part : e.parts) {
            if (part.is_expr)
              expr(*part.expr);
            else
              emit(Op::CONST, constant(Value::string(part.text)));
          }
          emit(Op::CONCAT, static_cast<uint32_t>(e.parts.size()));
        }
        break;
      case ExprKind::Ident:
        load_name(e.name.text);
        break;
      case ExprKind::ConfigRef: {
        if (!config_.count(e.name.text)) {
          config_.insert(e.name.text);
          p_.config.push_back(ConfigInfo{e.name.text, type(ck_.config.at(e.name.text).type)});
        }
        emit(Op::LOAD_CONFIG, constant(Value::string(e.name.text)));
        break;
      }
      case ExprKind::Field: {
        const ast::Expr& lhs = *e.lhs;
        // NODE.outcome and NODE.OUTPUT of a call node: variables "NODE.outcome", "NODE.NAME"
        // (captured as such in a lambda).
        const std::string dotted =
            lhs.kind == ExprKind::Ident ? lhs.name.text + "." + e.name.text : std::string();
        if (locals_ && !dotted.empty() && locals_->count(dotted)) {
          emit(Op::LOAD_LOCAL, locals_->at(dotted));
          break;
        }
        if (!locals_ && lhs.kind == ExprKind::Ident && is_call_field(lhs.name.text)) {
          emit(Op::LOAD_VAR, static_cast<uint32_t>(rb_->var_index.at(dotted)));
          break;
        }
        expr(lhs);
        emit(Op::FIELD, constant(Value::string(e.name.text)));
        break;
      }
      case ExprKind::Index:
        expr(*e.lhs);
        expr(*e.rhs);
        emit(Op::INDEX);
        break;
      case ExprKind::Call:
        if (std::optional<ListFn> fn = list_fn_of(e))
          list_fn(e, *fn);
        else
          call(e, false);
        break;
      case ExprKind::Lambda:  // only as list_fn's argument (the checker's misplaced-lambda)
        emit(Op::NULL_);
        break;
      case ExprKind::Paren:
        expr(*e.lhs);
        break;
      case ExprKind::Cond: {
        // test; JUMP_IF_FALSE else; then; JUMP end; else: else; end — one value either way.
        expr(*e.lhs);
        convert_to(*e.lhs, Type::boolean());
        size_t to_else = emit(Op::JUMP_IF_FALSE);
        expr(*e.rhs);
        convert_to(*e.rhs, e.type);
        size_t to_end = emit(Op::JUMP);
        patch(to_else);
        expr(*e.alt);
        convert_to(*e.alt, e.type);
        patch(to_end);
        break;
      }
      case ExprKind::Unary:
        expr(*e.lhs);
        if (e.op == ast::Op::Not) {
          convert_to(*e.lhs, Type::boolean());
          emit(Op::NOT);
        } else {
          emit(Op::NEG);
        }
        break;
      case ExprKind::Binary:
        binary(e);
        break;
      case ExprKind::List:
        for (const auto& item : e.items) expr(*item);
        emit(Op::MAKE_LIST, static_cast<uint32_t>(e.items.size()));
        break;
      case ExprKind::Record: {
        std::vector<std::string> keys;
        for (const auto& entry : e.entries) {
          expr(*entry.value);
          keys.push_back(entry.name.text);
        }
        emit(Op::MAKE_RECORD, shape(keys));
        break;
      }
    }
    line_ = saved;
  }

  bool is_param(const std::string& n) const {
    for (const ast::Param* p : rb_->params)
      if (p->name.text == n) return true;
    return false;
  }

  // ------------------------------------------------------------ lambdas

  // map(xs, x => …) and the other list functions: the lambda becomes a pure function of
  // the program whose parameters are the values it reads from around it (captured here,
  // in order) and then the item; the opcode applies it to each item.
  void list_fn(const ast::Expr& e, ListFn fn) {
    const ast::Expr& lambda = *e.args[1].value;
    std::vector<std::string> captured;
    std::set<std::string> bound{lambda.name.text};
    free_names(*lambda.lhs, bound, captured);
    for (const auto& n : captured) load_captured(n);
    expr(*e.args[0].value);
    uint32_t f = lambda_function(lambda, fn, captured);
    static constexpr Op kOps[] = {Op::MAP,     Op::FILTER,   Op::ANY,     Op::ALL,
                                  Op::SORT_BY, Op::GROUP_BY, Op::COUNT_BY};
    emit(kOps[static_cast<size_t>(fn)], f, static_cast<uint32_t>(captured.size()));
  }

  // Whether X.FIELD reads a call node's outcome or output here (X not a variable or
  // parameter); in a lambda, whether it captured X.FIELD.
  bool is_call_field(const std::string& x, const std::string& field = "") const {
    if (locals_) return locals_->count(x + "." + field) > 0;
    return rb_ && rb_->call_outcome_var.count(x) && !is_param(x) && !rb_->var_index.count(x) &&
           !item_alias_.count(x);
  }

  // The names E reads that BOUND (lambda parameters) does not bind, in order of first
  // reading; a call node's outcome as "NODE.outcome". Module and function names are not
  // values: a call's callee is skipped.
  void free_names(const ast::Expr& e, const std::set<std::string>& bound,
                  std::vector<std::string>& out) const {
    auto add = [&](const std::string& n) {
      if (std::find(out.begin(), out.end(), n) == out.end()) out.push_back(n);
    };
    switch (e.kind) {
      case ExprKind::Ident:
        if (!bound.count(e.name.text)) add(e.name.text);
        return;
      case ExprKind::Field:
        if (e.lhs->kind == ExprKind::Ident && !bound.count(e.lhs->name.text) &&
            is_call_field(e.lhs->name.text, e.name.text)) {
          add(e.lhs->name.text + "." + e.name.text);
          return;
        }
        free_names(*e.lhs, bound, out);
        return;
      case ExprKind::Call:
        for (const auto& a : e.args) free_names(*a.value, bound, out);
        return;
      case ExprKind::Lambda: {
        std::set<std::string> inner = bound;
        inner.insert(e.name.text);
        free_names(*e.lhs, inner, out);
        return;
      }
      case ExprKind::String:
        for (const auto& p : e.parts)
          if (p.is_expr) free_names(*p.expr, bound, out);
        return;
      case ExprKind::List:
        for (const auto& i : e.items) free_names(*i, bound, out);
        return;
      case ExprKind::Record:
        for (const auto& r : e.entries) free_names(*r.value, bound, out);
        return;
      default:
        for (const ast::Expr* sub : {e.lhs.get(), e.rhs.get(), e.alt.get()})
          if (sub) free_names(*sub, bound, out);
        return;
    }
  }

  void load_captured(const std::string& n) {
    if (locals_ && locals_->count(n)) {
      emit(Op::LOAD_LOCAL, locals_->at(n));
    } else if (n.find('.') != std::string::npos) {  // a call node's NODE.outcome, NODE.NAME
      emit(Op::LOAD_VAR, static_cast<uint32_t>(rb_->var_index.at(n)));
    } else {
      load_name(n);
    }
  }

  // The lambda as a function of the program: "lambda#N", pure, its code the body.
  uint32_t lambda_function(const ast::Expr& lambda, ListFn fn,
                           const std::vector<std::string>& captured) {
    FunctionInfo info;
    // Numbered, not named by position: formatting a file must not change its program.
    info.name = fmt::format("lambda#{}", ++lambdas_);
    info.effect = Effect::Pure;
    std::unordered_map<std::string, uint32_t> locals;
    std::vector<TypeRef> types = captured_types(*lambda.lhs, captured);
    for (size_t i = 0; i < captured.size(); ++i) {
      locals.emplace(captured[i], static_cast<uint32_t>(i));
      info.params.push_back(ParamInfo{captured[i], type(types[i]), kNone});
    }
    locals.emplace(lambda.name.text, static_cast<uint32_t>(captured.size()));
    info.params.push_back(ParamInfo{lambda.name.text, type(lambda.type), kNone});
    const bool condition = fn == ListFn::Filter || fn == ListFn::Any || fn == ListFn::All;
    info.result = type(condition ? Type::boolean() : lambda.lhs->type);
    info.locals = static_cast<uint32_t>(locals.size());
    p_.functions.push_back(std::move(info));
    const uint32_t index = static_cast<uint32_t>(p_.functions.size() - 1);

    // Its body is compiled aside, then the enclosing code goes on.
    auto saved_locals = locals_;
    auto saved_rb = rb_;
    auto saved_alias = std::move(item_alias_);
    uint32_t saved_code = code_, saved_line = line_;
    item_alias_.clear();
    locals_ = &locals;
    rb_ = nullptr;
    code_ = new_code();
    expr(*lambda.lhs);
    if (condition) convert_to(*lambda.lhs, Type::boolean());
    emit(Op::RETURN);
    p_.functions[index].code = code_;
    locals_ = saved_locals;
    rb_ = saved_rb;
    item_alias_ = std::move(saved_alias);
    code_ = saved_code;
    line_ = saved_line;
    return index;
  }

  // The checked types of the captured names as BODY reads them (json where unknown).
  static std::vector<TypeRef> captured_types(const ast::Expr& body,
                                             const std::vector<std::string>& captured) {
    std::vector<TypeRef> out(captured.size());
    std::function<void(const ast::Expr&)> walk = [&](const ast::Expr& e) {
      std::string n = e.kind == ExprKind::Ident ? e.name.text
                      : e.kind == ExprKind::Field && e.lhs->kind == ExprKind::Ident
                          ? e.lhs->name.text + "." + e.name.text
                          : "";
      if (!n.empty())
        for (size_t i = 0; i < captured.size(); ++i)
          if (captured[i] == n && !out[i] && e.type) out[i] = e.type;
      if (e.lhs) walk(*e.lhs);
      if (e.rhs) walk(*e.rhs);
      if (e.alt) walk(*e.alt);
      for (const auto& a : e.args) walk(*a.value);
      for (const auto& p : e.parts)
        if (p.expr) walk(*p.expr);
      for (const auto& i : e.items) walk(*i);
      for (const auto& r : e.entries) walk(*r.value);
    };
    walk(body);
    for (auto& t : out)
      if (!t) t = Type::json();
    return out;
  }

  void load_name(const std::string& n) {
    if (auto it = item_alias_.find(n); it != item_alias_.end()) {  // a foreach's `as`
      emit(Op::LOAD_VAR, it->second);
      return;
    }
    if (locals_) {
      emit(Op::LOAD_LOCAL, locals_->at(n));
      return;
    }
    for (size_t i = 0; i < rb_->params.size(); ++i)
      if (rb_->params[i]->name.text == n) {
        emit(Op::LOAD_PARAM, static_cast<uint32_t>(i));
        return;
      }
    emit(Op::LOAD_VAR, static_cast<uint32_t>(rb_->var_index.at(n)));
  }

  void binary(const ast::Expr& e) {
    using ast::Op;
    if (e.op == Op::And || e.op == Op::Or) {
      expr(*e.lhs);
      convert_to(*e.lhs, Type::boolean());
      emit(rbk::Op::DUP);
      size_t jump = emit(e.op == Op::And ? rbk::Op::JUMP_IF_FALSE : rbk::Op::JUMP_IF_TRUE);
      emit(rbk::Op::POP);
      expr(*e.rhs);
      convert_to(*e.rhs, Type::boolean());
      patch(jump);
      return;
    }
    if (e.op == Op::Coalesce) {
      expr(*e.lhs);
      emit(rbk::Op::DUP);
      size_t jump = emit(rbk::Op::JUMP_IF_NOT_NULL);
      emit(rbk::Op::POP);
      expr(*e.rhs);
      patch(jump);
      return;
    }
    // A json operand meets a typed one: it converts to that type (checked at run time). An
    // equality lets a json null through (a missing field equals nothing but null), and a
    // comparison with the literal null converts nothing.
    bool lj = is_json(e.lhs->type), rj = is_json(e.rhs->type);
    const bool equality = e.op == Op::Eq || e.op == Op::Ne;
    auto json_target = [&](const TypeRef& other) -> TypeRef {
      if (!other || e.op == Op::In || other->kind == TypeKind::Null) return nullptr;
      return equality ? Type::optional(strip_optional(other)) : strip_optional(other);
    };
    expr(*e.lhs);
    if (lj && !rj)
      if (TypeRef to = json_target(e.rhs->type)) convert_to(*e.lhs, to);
    expr(*e.rhs);
    if (rj && !lj)
      if (TypeRef to = json_target(e.lhs->type)) convert_to(*e.rhs, to);
    switch (e.op) {
      case Op::Add:
        emit(rbk::Op::ADD);
        break;
      case Op::Sub:
        emit(rbk::Op::SUB);
        break;
      case Op::Mul:
        emit(rbk::Op::MUL);
        break;
      case Op::Div:
        emit(rbk::Op::DIV);
        break;
      case Op::Eq:
        emit(rbk::Op::EQ);
        break;
      case Op::Ne:
        emit(rbk::Op::NE);
        break;
      case Op::Lt:
        emit(rbk::Op::LT);
        break;
      case Op::Le:
        emit(rbk::Op::LE);
        break;
      case Op::Gt:
        emit(rbk::Op::GT);
        break;
      case Op::Ge:
        emit(rbk::Op::GE);
        break;
      default:
        emit(rbk::Op::IN);
        break;
    }
  }

  // A literal default of a native parameter ("10s", "null", "443", "\"%Y\"").
  Value literal(const std::string& text) {
    int64_t ms;
    if (text == "null") return Value::null();
    if (text == "true" || text == "false") return Value::boolean(text == "true");
    if (text.size() >= 2 && text.front() == '"')
      return Value::string(text.substr(1, text.size() - 2));
    if (parse_duration(text, ms) && !std::isdigit(static_cast<unsigned char>(text.back())))
      return Value::duration(ms);
    if (text.find('.') != std::string::npos) return Value::floating(std::stod(text));
    return Value::integer(std::stoll(text));
  }

  // Pushes the arguments of call E in the callee's parameter order, then CALL or PLAN.
  void call(const ast::Expr& e, bool plan) {
    const FunctionSig& sig = ck_.registry.all()[e.callee];
    uint32_t f = function(e.callee);
    const ast::FuncDecl* decl = sig.native ? nullptr : ck_.declared.at(sig.name);
    size_t positional = 0;
    for (size_t k = 0; k < sig.params.size(); ++k) {
      const ast::Arg* arg = nullptr;
      size_t seen = 0;
      for (const auto& a : e.args) {
        if (a.name ? a.name->text == sig.params[k].name : seen++ == k) {
          arg = &a;
          break;
        }
      }
      if (arg) {
        expr(*arg->value);
        if (sig.params[k].type->kind != TypeKind::Var) convert_to(*arg->value, sig.params[k].type);
        ++positional;
      } else if (decl && decl->params[k].default_value) {
        expr(*decl->params[k].default_value);
      } else {
        Value v = literal(sig.params[k].default_text);
        if (v.is_null())
          emit(Op::NULL_);
        else
          emit(Op::CONST, constant(v));
      }
    }
    emit(plan ? Op::PLAN : Op::CALL, f, static_cast<uint32_t>(sig.params.size()));
  }

  // ------------------------------------------------------------ runbooks and functions

  void runbook_body(int checked, uint32_t index) {
    const RunbookModel& m = ck_.runbooks[checked];
    rb_ = &m;
    locals_ = nullptr;
    RunbookInfo info;
    info.name = m.name;
    info.title = m.ast->title ? m.ast->title->text() : "";
    info.file = source_name(m.src->path());
    for (const auto& item : m.ast->items)
      if (auto* d = std::get_if<ast::Doc>(&item))
        info.doc += (info.doc.empty() ? "" : "\n\n") + d->text.text();
    for (size_t i = 0; i < m.params.size(); ++i) {
      ParamInfo prm{m.params[i]->name.text, type(m.param_types[i]), kNone};
      if (m.params[i]->default_value) {
        prm.default_code = code_ = new_code();
        line_ = m.params[i]->range.begin.line;
        expr(*m.params[i]->default_value);
        convert_to(*m.params[i]->default_value, m.param_types[i]);
        emit(Op::RETURN);
      }
      info.params.push_back(prm);
    }
    for (const auto& v : m.vars) info.vars.push_back(v.name);
    for (const auto& e : m.edges)
      info.edges.push_back(
          EdgeInfo{static_cast<uint32_t>(e.from), static_cast<uint32_t>(e.to), edge_kind(e.kind),
                   e.clause->label ? e.clause->label->text() : "", e.clause->range.begin.line});
    info.start = static_cast<uint32_t>(m.start);
    foreachs_ = &info.foreachs;
    for (size_t n = 0; n < m.nodes.size(); ++n) info.nodes.push_back(node(m, static_cast<int>(n)));
    foreachs_ = nullptr;
    p_.runbooks[index] = std::move(info);
    rb_ = nullptr;
  }

  NodeInfo node(const RunbookModel& m, int index) {
    const ast::Node& n = m.node(index);
    const NodeModel& model = m.nodes[index];
    NodeInfo info;
    info.kind = n.kind;
    info.name = n.name.text;
    info.label = n.label ? n.label->text() : "";
    info.line = n.name.range.begin.line;
    info.col = n.name.range.begin.col;
    for (int e : model.out_edges) {
      info.edges.push_back(static_cast<uint32_t>(e));
      switch (m.edges[e].kind) {
        case ClauseKind::OnError:
          info.error_edge = static_cast<uint32_t>(e);
          break;
        case ClauseKind::Approved:
          info.approved_edge = static_cast<uint32_t>(e);
          break;
        case ClauseKind::Denied:
          info.denied_edge = static_cast<uint32_t>(e);
          break;
        case ClauseKind::Timeout:
          if (n.kind == NodeKind::Approve) info.timeout_edge = static_cast<uint32_t>(e);
          break;
        default:
          break;
      }
    }
    if (n.kind == NodeKind::End) {
      info.outcome = written_outcome(n.outcome.text).value_or(Outcome::Failed);
      return info;
    }
    auto edge_of = [&](ClauseKind k) -> uint32_t {
      for (int e : model.out_edges)
        if (m.edges[e].kind == k) return static_cast<uint32_t>(e);
      return kNone;
    };
    info.code = code_ = new_code();
    line_ = info.line;
    const ast::Clause* timeout_clause = nullptr;
    for (size_t k = 0; k < n.clauses.size(); ++k) {
      const ast::Clause& c = n.clauses[k];
      line_ = c.range.begin.line;
      switch (c.kind) {
        case ClauseKind::Let:
          expr(*c.expr);
          emit(Op::STORE_VAR, static_cast<uint32_t>(m.var_index.at(c.name.text)));
          break;
        case ClauseKind::When: {
          expr(*c.expr);
          convert_to(*c.expr, Type::boolean());
          size_t skip = emit(Op::JUMP_IF_FALSE);
          emit(Op::TAKE, static_cast<uint32_t>(model.out_edges[edge_position(model, m, &c)]));
          patch(skip);
          break;
        }
        case ClauseKind::Else:
          emit(Op::TAKE, static_cast<uint32_t>(model.out_edges[edge_position(model, m, &c)]));
          break;
        case ClauseKind::Do:
          call(*c.expr, true);
          break;
        case ClauseKind::ApproveBy:
        case ClauseKind::By:
          if (c.role && n.kind != NodeKind::Foreach) info.role = c.role->text();
          break;
        case ClauseKind::Timeout:
          timeout_clause = &c;
          break;
        default:
          break;
      }
    }
    switch (n.kind) {
      case NodeKind::Decide: {
        bool has_else = edge_of(ClauseKind::Else) != kNone;
        if (!has_else) emit(Op::NO_BRANCH);
        break;
      }
      case NodeKind::Action: {
        emit(Op::ACT);
        const uint32_t act_line = line_;
        uint32_t planned = 0;  // the k-th `do` is the plan's call k
        for (const auto& c : n.clauses) {
          if (c.kind != ClauseKind::Do) continue;
          if (!c.name.text.empty()) {
            line_ = c.range.begin.line;
            emit(Op::ACT_RESULT, planned);
            emit(Op::STORE_VAR, static_cast<uint32_t>(m.var_index.at(c.name.text)));
          }
          ++planned;
        }
        line_ = act_line;
        emit(Op::TAKE, edge_of(ClauseKind::Then));
        break;
      }
      case NodeKind::Wait: {
        const ast::Clause* until = nullptr;
        for (const auto& c : n.clauses)
          if (c.kind == ClauseKind::Until) until = &c;
        line_ = until->range.begin.line;
        if (until->signal) {  // until signal "NAME" [as VAR] within DURATION
          const bool bound = !until->name.text.empty();
          const uint32_t var = bound ? static_cast<uint32_t>(m.var_index.at(until->name.text)) : 0;
          if (bound) {  // null unless the signal arrives (the timeout edge reads it so)
            emit(Op::NULL_);
            emit(Op::STORE_VAR, var);
          }
          expr(*until->within);
          emit(Op::AWAIT_SIGNAL, constant(Value::string(until->signal->text())),
               edge_of(ClauseKind::Timeout));
          if (bound)
            emit(Op::STORE_VAR, var);
          else
            emit(Op::POP);
          emit(Op::TAKE, edge_of(ClauseKind::Then));
          break;
        }
        expr(*until->within);
        expr(*until->every);
        emit(Op::WAIT_SETUP);
        if (until->holds) {
          expr(*until->holds);
          emit(Op::WAIT_HOLD);
        }
        uint32_t loop = here();
        expr(*until->expr);
        convert_to(*until->expr, Type::boolean());
        emit(Op::POLL, loop, edge_of(ClauseKind::Timeout));
        emit(Op::TAKE, edge_of(ClauseKind::Then));
        break;
      }
      case NodeKind::Approve: {
        if (timeout_clause && timeout_clause->expr)
          expr(*timeout_clause->expr);
        else
          emit(Op::NULL_);
        std::vector<const ast::Clause*> asks;
        const ast::Clause* show = nullptr;
        for (const auto& c : n.clauses) {
          if (c.kind == ClauseKind::Ask) asks.push_back(&c);
          if (c.kind == ClauseKind::Show) show = &c;
        }
        if (!show && asks.empty()) {  // a plain gate (its code as before questions existed)
          emit(Op::APPROVE);
          break;
        }
        if (show) {
          line_ = show->range.begin.line;
          expr(*show->expr);
          convert_to(*show->expr, Type::string());
        } else {
          emit(Op::NULL_);
        }
        std::vector<std::string> names;
        for (const ast::Clause* a : asks) {
          line_ = a->range.begin.line;
          expr(*a->expr);
          convert_to(*a->expr, Type::list(m.vars[m.var_index.at(a->name.text)].type));
          names.push_back(a->name.text);
        }
        emit(Op::ASK, shape(names));
        for (auto a = asks.rbegin(); a != asks.rend(); ++a)
          emit(Op::STORE_VAR, static_cast<uint32_t>(m.var_index.at((*a)->name.text)));
        emit(Op::TAKE, edge_of(ClauseKind::Approved));
        break;
      }
      case NodeKind::Call: {
        const ast::Clause* run = nullptr;
        for (const auto& c : n.clauses)
          if (c.kind == ClauseKind::Run) run = &c;
        line_ = run->range.begin.line;
        int callee = ck_.runbook_index.at(run->name.text);
        const RunbookModel& target = ck_.runbooks[callee];
        runbook_args(*run, target);
        const uint32_t callee_index = runbook(callee);
        emit(Op::RUN, callee_index, static_cast<uint32_t>(target.params.size()));
        emit(Op::STORE_VAR, static_cast<uint32_t>(m.call_outcome_var.at(n.name.text)));
        for (const auto& out : target.outputs) {  // its outputs, null where it never set them
          emit(Op::RUN_OUTPUT, static_cast<uint32_t>(target.var_index.at(out)), callee_index);
          emit(Op::STORE_VAR, static_cast<uint32_t>(m.var_index.at(n.name.text + "." + out)));
        }
        emit(Op::TAKE, edge_of(ClauseKind::Then));
        break;
      }
      case NodeKind::Foreach:
        info.foreach = foreach (m, index, edge_of(ClauseKind::Aborted));
        code_ = info.code;
        for (const auto& c : n.clauses)
          if (c.kind == ClauseKind::Over) {
            line_ = c.range.begin.line;
            expr(*c.expr);
          }
        line_ = info.line;
        emit(Op::FOREACH, info.foreach);
        emit(Op::TAKE, edge_of(ClauseKind::Then));
        break;
      case NodeKind::End:
        break;
    }
    return info;
  }

  // The arguments of `run TARGET(…)` (a call node's or a foreach's), pushed in the
  // target's parameter order, defaults filled in.
  void runbook_args(const ast::Clause& run, const RunbookModel& target) {
    for (size_t p = 0; p < target.params.size(); ++p) {
      const ast::Arg* arg = nullptr;
      for (const auto& a : run.args)
        if (a.name && a.name->text == target.params[p]->name.text) arg = &a;
      if (arg) {
        expr(*arg->value);
        convert_to(*arg->value, target.param_types[p]);
      } else {
        // The callee's default sees no variables: it compiles here as well as there.
        const RunbookModel* saved = rb_;
        rb_ = &target;
        expr(*target.params[p]->default_value);
        rb_ = saved;
      }
    }
  }

  // A foreach node's table and its parts (arguments, cohort columns, between-waves
  // checks), each a code block that ends with RETURN. Returns its index.
  uint32_t foreach (const RunbookModel& m, int index, uint32_t aborted_edge) {
    const ast::Node& n = m.node(index);
    std::map<ClauseKind, const ast::Clause*> c;
    for (const auto& cl : n.clauses) c.emplace(cl.kind, &cl);
    ForeachInfo f;
    f.node = static_cast<uint32_t>(index);
    f.aborted_edge = aborted_edge;
    f.result_var = static_cast<uint32_t>(m.foreach_result_var.at(n.name.text));
    f.item_var = static_cast<uint32_t>(m.foreach_item_var.at(n.name.text));
    item_alias_[c.at(ClauseKind::As)->name.text] = f.item_var;
    auto part = [&](const ast::Clause& at, auto body) {
      uint32_t code = code_ = new_code();
      line_ = at.range.begin.line;
      body();
      emit(Op::RETURN);
      return code;
    };
    // The child's arguments, in its parameter order (defaults compiled here, as for call).
    const ast::Clause& run = *c.at(ClauseKind::Run);
    int callee = ck_.runbook_index.at(run.name.text);
    const RunbookModel& target = ck_.runbooks[callee];
    f.runbook = runbook(callee);
    f.args_code = part(run, [&] {
      runbook_args(run, target);
      emit(Op::MAKE_LIST, static_cast<uint32_t>(target.params.size()));
    });
    if (auto by = c.find(ClauseKind::By); by != c.end()) {
      f.by_code = part(*by->second, [&] {
        for (const auto& col : by->second->exprs) {
          expr(*col);
          const Range& r = col->range;
          f.by_names.push_back(m.src->text().substr(r.begin.offset, r.end.offset - r.begin.offset));
        }
        emit(Op::MAKE_LIST, static_cast<uint32_t>(by->second->exprs.size()));
      });
    }
    item_alias_.clear();
    if (auto w = c.find(ClauseKind::Waves); w != c.end())
      for (const auto& e : w->second->exprs) {
        WaveInfo wave;
        if (e->kind == ExprKind::Percent) {
          wave.kind = WaveInfo::Kind::Share;
          wave.value = static_cast<uint32_t>(std::llround(e->float_value * 1000));
        } else if (e->kind == ExprKind::Int) {
          wave.kind = WaveInfo::Kind::Count;
          wave.value = static_cast<uint32_t>(e->int_value);
        }
        f.waves.push_back(wave);
      }
    if (auto k = c.find(ClauseKind::Concurrency); k != c.end())
      f.concurrency = static_cast<uint32_t>(k->second->expr->int_value);
    if (auto r = c.find(ClauseKind::Rate); r != c.end()) {
      const std::string& t = r->second->text;  // N/s, N/m, N/h (checked)
      uint64_t per = std::stoull(t.substr(0, t.find('/')));
      uint64_t unit_ms = t.back() == 's' ? 1000 : t.back() == 'm' ? 60000 : 3600000;
      f.start_interval_ms = static_cast<uint32_t>(unit_ms / std::max<uint64_t>(per, 1));
    }
    if (auto a = c.find(ClauseKind::Abort); a != c.end()) {
      f.abort = true;
      for (const auto& o : a->second->outcomes)
        if (auto out = written_outcome(o.text))
          f.abort_outcomes |= 1u << static_cast<unsigned>(*out);
      const ast::Expr& t = *a->second->expr;
      f.abort_share = t.kind == ExprKind::Percent;
      f.abort_value = f.abort_share ? static_cast<uint32_t>(std::llround(t.float_value * 1000))
                                    : static_cast<uint32_t>(t.int_value);
      f.abort_after = a->second->after ? static_cast<uint32_t>(a->second->after->int_value) : 1;
    }
    if (auto e = c.find(ClauseKind::ApproveEach); e != c.end())
      f.each_role = e->second->role->text();
    if (auto b = c.find(ClauseKind::Between); b != c.end()) {
      const ast::Clause *pause = nullptr, *until = nullptr;
      for (const auto& cl : b->second->block) {
        if (cl.kind == ClauseKind::Pause) pause = &cl;
        // (a signal there is the checker's misplaced-clause: never compiled)
        if (cl.kind == ClauseKind::Until && !cl.signal) until = &cl;
        if (cl.kind == ClauseKind::ApproveBy) f.between_role = cl.role->text();
      }
      f.between_code = part(*b->second, [&] {
        if (pause)
          expr(*pause->expr);
        else
          emit(Op::NULL_);
        if (until)
          expr(*until->within);
        else
          emit(Op::NULL_);
        if (until)
          expr(*until->every);
        else
          emit(Op::NULL_);
        emit(Op::MAKE_LIST, 3);
      });
      if (until)
        f.until_code = part(*until, [&] {
          expr(*until->expr);
          convert_to(*until->expr, Type::boolean());
        });
    }
    foreachs_->push_back(std::move(f));
    return static_cast<uint32_t>(foreachs_->size() - 1);
  }

  static size_t edge_position(const NodeModel& model, const RunbookModel& m, const ast::Clause* c) {
    for (size_t i = 0; i < model.out_edges.size(); ++i)
      if (m.edges[model.out_edges[i]].clause == c) return i;
    return 0;
  }

  void function_body(const std::string& name, uint32_t index) {
    const ast::FuncDecl& fn = *ck_.declared.at(name);
    std::unordered_map<std::string, uint32_t> locals;
    for (const auto& prm : fn.params)
      locals.emplace(prm.name.text, static_cast<uint32_t>(locals.size()));
    locals_ = &locals;
    rb_ = nullptr;
    uint32_t c = code_ = new_code();
    line_ = fn.range.begin.line;
    bool returned = false;
    for (const auto& st : fn.body) {
      line_ = st.range.begin.line;
      if (st.kind == ClauseKind::Let) {
        expr(*st.expr);
        auto it = locals.find(st.name.text);
        uint32_t slot = it != locals.end() ? it->second : static_cast<uint32_t>(locals.size());
        locals.emplace(st.name.text, slot);
        emit(Op::STORE_LOCAL, slot);
      } else if (st.kind == ClauseKind::Return) {
        expr(*st.expr);
        convert_to(*st.expr, ck_.registry.find(name).front()->result);
        emit(Op::RETURN);
        returned = true;
        break;  // what follows a return never runs
      } else {
        expr(*st.expr);
        emit(Op::POP);
      }
    }
    if (!returned) {
      emit(Op::NULL_);
      emit(Op::RETURN);
    }
    p_.functions[index].code = c;
    p_.functions[index].locals = static_cast<uint32_t>(locals.size());
    locals_ = nullptr;
  }

  // Every capability a runbook can use: its calls, their callees, its sub-runbooks.
  void capabilities() {
    std::vector<std::set<std::string>> caps(p_.runbooks.size());
    std::vector<std::set<uint32_t>> subs(p_.runbooks.size());
    for (size_t r = 0; r < p_.runbooks.size(); ++r)
      for (const auto& n : p_.runbooks[r].nodes) {
        if (n.code == kNone) continue;
        for (const auto& in : p_.codes[n.code].instrs) {
          if (in.op == Op::CALL || in.op == Op::PLAN)
            caps[r].insert(p_.functions[in.a].capabilities.begin(),
                           p_.functions[in.a].capabilities.end());
          if (in.op == Op::RUN) subs[r].insert(in.a);
        }
      }
    for (bool changed = true; changed;) {
      changed = false;
      for (size_t r = 0; r < caps.size(); ++r)
        for (uint32_t s : subs[r])
          for (const auto& c : std::set<std::string>(caps[s])) changed |= caps[r].insert(c).second;
    }
    for (size_t r = 0; r < caps.size(); ++r)
      p_.runbooks[r].capabilities.assign(caps[r].begin(), caps[r].end());
  }

  const CheckedProgram& ck_;
  std::filesystem::path entry_dir_;  // the entry runbook's directory

  // Source files are recorded relative to the entry file's directory, so the program (and
  // its hash) is the same wherever it was compiled from: `rbk docs check` compares hashes
  // made in another checkout, and `rbk test` finds the file again beside the entry.
  std::string source_name(const std::string& path) const {
    std::filesystem::path p = std::filesystem::path(path).lexically_normal();
    std::filesystem::path rel = p.lexically_relative(entry_dir_);
    return rel.empty() ? p.filename().string() : rel.string();
  }
  Program p_;
  std::map<std::string, uint32_t> types_, constants_;
  std::map<int, uint32_t> functions_, runbooks_;
  std::set<std::string> config_;
  std::deque<std::pair<int, uint32_t>> pending_runbooks_;
  std::deque<std::pair<std::string, uint32_t>> pending_functions_;
  const RunbookModel* rb_ = nullptr;
  std::unordered_map<std::string, uint32_t>* locals_ = nullptr;
  uint32_t lambdas_ = 0;  // how many lambdas became functions so far
  std::unordered_map<std::string, uint32_t> item_alias_;  // a foreach's `as` -> its var slot
  std::vector<ForeachInfo>* foreachs_ = nullptr;          // of the runbook being generated
  uint32_t code_ = 0;
  uint32_t line_ = 0;
};

}  // namespace

Program generate(const CheckedProgram& checked, int entry) {
  return Generator(checked).run(entry);
}

int select_runbook(const CheckedProgram& checked, const std::string& file, const std::string& name,
                   std::string& error) {
  std::vector<int> in_file;
  for (size_t i = 0; i < checked.runbooks.size(); ++i)
    if (checked.runbooks[i].src->path() == file) in_file.push_back(static_cast<int>(i));
  std::string names;
  for (int i : in_file) names += (names.empty() ? "" : ", ") + checked.runbooks[i].name;
  if (!name.empty()) {
    for (int i : in_file)
      if (checked.runbooks[i].name == name) return i;
    error =
        "no runbook '" + name + "' in " + file + (names.empty() ? "" : " (it has: " + names + ")");
    return -1;
  }
  std::string stem = std::filesystem::path(file).stem().string();
  for (int i : in_file)
    if (checked.runbooks[i].name == stem) return i;
  if (in_file.size() == 1) return in_file[0];
  error = in_file.empty()
              ? file + " holds no runbook"
              : file + " holds several runbooks (" + names + "): choose one with --runbook NAME";
  return -1;
}

}  // namespace rbk
