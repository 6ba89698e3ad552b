#include "compiler/checker.hpp"

#include <fmt/format.h>

#include "compiler/expr_check.hpp"
#include "compiler/graph_check.hpp"
#include "compiler/runbook_check.hpp"

namespace rbk {

namespace {

struct DeclaredFunction {
  const ast::FuncDecl* ast;
  size_t file;
  std::string name;
};

class Checker {
 public:
  Checker(const Workspace& ws, Diagnostics& diags)
      : ws_(ws), diags_(diags), visible_(ws.files.size()) {}

  CheckedProgram run() {
    program_.registry = Registry::natives();
    if (!ws_.all_parsed()) return std::move(program_);
    declare_modules();
    std::vector<std::set<std::string>> runbooks_of(ws_.files.size());
    for (size_t f = 0; f < ws_.files.size(); ++f) runbooks_of[f] = runbooks_in_(f);
    for (size_t f = 0; f < ws_.files.size(); ++f) {
      visible_[f].modules.insert(module_of_[f].begin(), module_of_[f].end());
      visible_[f].runbooks = runbooks_of[f];
      for (const auto& imp : ws_.files[f].imports) {
        visible_[f].modules.insert(module_of_[imp.file].begin(), module_of_[imp.file].end());
        visible_[f].runbooks.insert(runbooks_of[imp.file].begin(), runbooks_of[imp.file].end());
      }
    }
    declare_configs();
    declare_functions();
    check_function_bodies();
    declare_runbooks();
    for (auto& rb : program_.runbooks) collect_runbook(program_, rb, visible_[rb.file], diags_);
    for (auto& rb : program_.runbooks) check_runbook(program_, rb, visible_[rb.file], diags_);
    check_call_cycles(program_, diags_);
    return std::move(program_);
  }

 private:
  const SourcePtr& src(size_t f) const { return ws_.files[f].src; }
  ExprChecker exprs(size_t f) { return ExprChecker(program_, visible_[f], src(f), diags_); }

  std::set<std::string> runbooks_in_(size_t f) const {
    std::set<std::string> out;
    for (const auto& item : ws_.files[f].ast->items)
      if (auto* rb = std::get_if<ast::Runbook>(&item)) out.insert(rb->name.text);
    return out;
  }

  void declare_modules() {
    module_of_.resize(ws_.files.size());
    for (size_t f = 0; f < ws_.files.size(); ++f) {
      const ast::ModuleDecl* first = nullptr;
      for (const auto& item : ws_.files[f].ast->items) {
        auto* m = std::get_if<ast::ModuleDecl>(&item);
        if (!m) continue;
        if (first) {
          diags_
              .error("duplicate-module", src(f), m->range,
                     "a file declares one module; this one declares a second")
              .related.push_back({src(f), first->range, "first declared here"});
          continue;
        }
        first = m;
        if (Registry::natives().has_module(m->name.text))
          diags_.error(
              "reserved-module", src(f), m->name.range,
              "'" + m->name.text + "' is a native module of the stdlib; choose another name");
        module_of_[f].push_back(m->name.text);
      }
    }
  }

  void declare_configs() {
    for (size_t f = 0; f < ws_.files.size(); ++f)
      for (const auto& item : ws_.files[f].ast->items) {
        auto* c = std::get_if<ast::ConfigDecl>(&item);
        if (!c) continue;
        TypeRef t = exprs(f).resolve_type(*c->type);
        auto it = program_.config.find(c->name.text);
        if (it == program_.config.end()) {
          program_.config[c->name.text] = ConfigDef{t, src(f), c->name.range};
        } else if (!same_type(it->second.type, t)) {
          diags_
              .error("config-conflict", src(f), c->type->range,
                     fmt::format("configuration value '{}' is {} here but {} elsewhere",
                                 c->name.text, to_string(t), to_string(it->second.type)))
              .related.push_back({it->second.file, it->second.range, "declared here"});
        }
      }
  }

  void declare_functions() {
    std::map<std::string, std::pair<SourcePtr, Range>> seen;
    for (size_t f = 0; f < ws_.files.size(); ++f)
      for (const auto& item : ws_.files[f].ast->items) {
        auto* fn = std::get_if<ast::FuncDecl>(&item);
        if (!fn) continue;
        const char* kind = fn->is_action ? "action" : "probe";
        if (module_of_[f].empty()) {
          diags_
              .error("no-module", src(f), fn->name.range,
                     fmt::format("{} '{}' is declared outside a module", kind, fn->name.text))
              .hints.push_back("declare the module this file provides first: module NAME");
          continue;
        }
        std::string name = module_of_[f][0] + "." + fn->name.text;
        if (auto it = seen.find(name); it != seen.end()) {
          diags_
              .error("duplicate-function", src(f), fn->name.range,
                     "'" + name + "' is declared twice")
              .related.push_back({it->second.first, it->second.second, "first declared here"});
          continue;
        }
        seen[name] = {src(f), fn->name.range};
        FunctionSig sig;
        sig.name = name;
        sig.native = false;
        sig.effect = fn->is_action ? Effect::Action : Effect::Probe;
        sig.doc = ast::doc_comment_before(*ws_.files[f].ast, *src(f), fn->range.begin);
        ExprChecker ec = exprs(f);
        for (const auto& p : fn->params) {
          ParamSig ps{p.name.text, ec.resolve_type(*p.type), {}};
          if (p.default_value) {
            Range r = p.default_value->range;
            ps.default_text = src(f)->text().substr(r.begin.offset, r.end.offset - r.begin.offset);
          }
          sig.params.push_back(std::move(ps));
        }
        sig.result = fn->result ? ec.resolve_type(*fn->result) : Type::null();
        functions_.push_back(DeclaredFunction{fn, f, name});
        program_.declared[name] = fn;
        program_.registry.add(std::move(sig));
      }
  }

  void check_function_bodies() {
    std::map<std::string, std::vector<std::string>> callees;
    for (const auto& df : functions_) {
      const ast::FuncDecl& fn = *df.ast;
      const FunctionSig& sig = *program_.registry.find(df.name).front();
      ExprChecker ec = exprs(df.file);
      std::unordered_map<std::string, Binding> names;
      std::unordered_map<std::string, Binding> none;
      for (size_t i = 0; i < fn.params.size(); ++i) {
        const auto& p = fn.params[i];
        if (names.count(p.name.text))
          diags_.error("duplicate-param", src(df.file), p.name.range,
                       "parameter '" + p.name.text + "' is declared twice");
        names[p.name.text] = Binding{sig.params[i].type, -1, p.name.range};
        if (p.default_value) {
          ExprEnv env;
          env.names = &none;
          env.where = "a parameter default";
          ec.expect(*p.default_value, sig.params[i].type, env,
                    "the default of '" + p.name.text + "'");
        }
      }
      std::vector<const FunctionSig*> called;
      ExprEnv env;
      env.names = &names;
      env.actions_allowed = fn.is_action;
      env.where = fn.is_action ? "an action declaration"
                               : "a probe declaration (probes may call only probes)";
      env.called = &called;
      bool returns = false;
      for (const auto& c : fn.body) {
        switch (c.kind) {
          case ast::ClauseKind::Let: {
            TypeRef t = ec.check(*c.expr, env);
            names[c.name.text] = Binding{t, -1, c.name.range};
            break;
          }
          case ast::ClauseKind::Return:
            returns = true;
            if (!fn.result) {
              ec.check(*c.expr, env);
              diags_
                  .error("type-mismatch", src(df.file), c.expr->range,
                         "action '" + df.name + "' declares no result, so it cannot return a value")
                  .hints.push_back("declare one: action " + fn.name.text + "(…) -> json");
            } else {
              ec.expect(*c.expr, sig.result, env, "the returned value");
            }
            break;
          default:
            ec.check(*c.expr, env);
            if (c.expr->kind != ast::ExprKind::Call)
              diags_.error("not-a-call", src(df.file), c.expr->range,
                           "a statement must be a call (or let, or return); this value is unused");
            break;
        }
      }
      if (fn.result && !returns)
        diags_
            .error("missing-return", src(df.file), fn.name.range,
                   fmt::format("{} '{}' declares a result but never returns one",
                               fn.is_action ? "action" : "probe", df.name))
            .hints.push_back("end the body with: return …");
      for (const FunctionSig* c : called) callees[df.name].push_back(c->name);
    }

    // Capabilities: a declared function needs whatever its callees need (a fixpoint, for
    // functions calling declared functions).
    std::map<std::string, std::set<std::string>> caps;
    for (const auto& f : program_.registry.all())
      caps[f.name].insert(f.capabilities.begin(), f.capabilities.end());
    for (bool changed = true; changed;) {
      changed = false;
      for (const auto& [fn, list] : callees)
        for (const auto& c : list)
          for (const auto& cap : std::set<std::string>(caps[c]))
            changed |= caps[fn].insert(cap).second;
    }
    Registry updated;
    for (FunctionSig f : program_.registry.all()) {
      if (!f.native) f.capabilities.assign(caps[f.name].begin(), caps[f.name].end());
      updated.add(std::move(f));
    }
    program_.registry = updated;

    // Recursion among declared functions would never end.
    std::vector<std::vector<int>> succ(functions_.size());
    std::map<std::string, int> index;
    for (size_t i = 0; i < functions_.size(); ++i) index[functions_[i].name] = static_cast<int>(i);
    for (size_t i = 0; i < functions_.size(); ++i)
      for (const auto& c : callees[functions_[i].name])
        if (auto it = index.find(c); it != index.end()) succ[i].push_back(it->second);
    for (const auto& cycle : find_cycles(succ)) {
      std::string text;
      for (int v : cycle) text += functions_[v].name + " -> ";
      text += functions_[cycle.front()].name;
      const auto& df = functions_[cycle.front()];
      diags_
          .error("recursive-function", src(df.file), df.ast->name.range, "recursive calls: " + text)
          .hints.push_back("probes and actions cannot call themselves, directly or through others");
    }
  }

  void declare_runbooks() {
    for (size_t f = 0; f < ws_.files.size(); ++f)
      for (const auto& item : ws_.files[f].ast->items) {
        auto* rb = std::get_if<ast::Runbook>(&item);
        if (!rb) continue;
        if (auto it = program_.runbook_index.find(rb->name.text);
            it != program_.runbook_index.end()) {
          const RunbookModel& other = program_.runbooks[it->second];
          diags_
              .error("duplicate-runbook", src(f), rb->name.range,
                     "runbook '" + rb->name.text + "' is defined twice")
              .related.push_back({other.src, other.ast->name.range, "first defined here"});
          continue;
        }
        RunbookModel m;
        m.ast = rb;
        m.file = f;
        m.src = src(f);
        m.name = rb->name.text;
        program_.runbook_index[m.name] = static_cast<int>(program_.runbooks.size());
        program_.runbooks.push_back(std::move(m));
      }
  }

  const Workspace& ws_;
  Diagnostics& diags_;
  CheckedProgram program_;
  std::vector<Visibility> visible_;
  std::vector<std::vector<std::string>> module_of_;
  std::vector<DeclaredFunction> functions_;
};

}  // namespace

CheckedProgram check_workspace(const Workspace& ws, Diagnostics& diags) {
  return Checker(ws, diags).run();
}

}  // namespace rbk
