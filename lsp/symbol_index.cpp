#include "lsp/symbol_index.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <map>

namespace rbk::lsp {

namespace {

using ast::ClauseKind;
using ast::Expr;
using ast::ExprKind;

std::string text_of(const SourceFile& src, const Range& r) {
  return src.text().substr(r.begin.offset, r.end.offset - r.begin.offset);
}

bool declares_variable(const ast::Clause& c) {
  return c.kind == ClauseKind::Let || (c.kind == ClauseKind::Do && !c.name.text.empty()) ||
         (c.kind == ClauseKind::Until && c.signal && !c.name.text.empty()) ||
         c.kind == ClauseKind::Ask;
}

class Indexer {
 public:
  Indexer(const Workspace& ws, size_t file, const CheckedProgram* program, SymbolIndex& out)
      : ws_(ws), file_(file), program_(program), out_(out), src_(*ws.files[file].src) {
    path_ = canonical(ws.files[file].src);
  }

  void run() {
    const ast::File& f = *ws_.files[file_].ast;
    for (const auto& item : f.items)
      if (auto* m = std::get_if<ast::ModuleDecl>(&item)) module_ = m->name.text;
    for (const auto& item : f.items) std::visit([this](const auto& x) { visit(x); }, item);
    std::stable_sort(out_.occurrences.begin(), out_.occurrences.end(),
                     [](const Occurrence& a, const Occurrence& b) {
                       return a.range.begin.offset < b.range.begin.offset;
                     });
  }

 private:
  // ------------------------------------------------------------ keys and symbols

  std::string canonical(const SourcePtr& src) {
    auto it = paths_.find(src.get());
    if (it != paths_.end()) return it->second;
    return paths_[src.get()] = canonical_path(src->path());
  }
  static std::string key(const std::string& file, const Range& r) {
    return file + "#" + std::to_string(r.begin.offset);
  }
  std::string local_key(const Range& r) const { return key(path_, r); }

  Symbol& symbol(const std::string& k, SymbolKind kind, const std::string& name,
                 const std::string& file, const Range& def) {
    auto [it, fresh] = out_.symbols.try_emplace(k);
    if (fresh) {
      it->second.kind = kind;
      it->second.name = name;
      it->second.file = file;
      it->second.def = def;
    }
    return it->second;
  }
  void occur(const Range& r, const std::string& k, bool def, std::string type = {}) {
    out_.occurrences.push_back(Occurrence{r, k, def, std::move(type)});
  }
  // A definition in this file: its symbol, and the occurrence of its name.
  Symbol& define(SymbolKind kind, const ast::Name& n, std::string container) {
    std::string k = local_key(n.range);
    Symbol& s = symbol(k, kind, n.text, path_, n.range);
    s.container = std::move(container);
    occur(n.range, k, true);
    return s;
  }

  std::string type_text(const ast::TypeExprPtr& t) const {
    return t ? text_of(src_, t->range) : std::string("?");
  }

  // ------------------------------------------------------------ top-level items

  void visit(const ast::Import& imp) {
    for (const auto& edge : ws_.files[file_].imports) {
      if (edge.range.begin.offset != imp.path.range().begin.offset) continue;
      const SourcePtr& target = ws_.files[edge.file].src;
      std::string file = canonical(target);
      Symbol& s = symbol(file + "#file", SymbolKind::File,
                         std::filesystem::path(file).filename().string(), file, Range{});
      s.detail = "import \"" + imp.path.text() + "\"";
      s.doc = "`" + file + "`";
      occur(imp.path.range(), file + "#file", false);
    }
  }

  void visit(const ast::ModuleDecl&) {}

  void visit(const ast::ConfigDecl& c) {
    Symbol& s = define(SymbolKind::Config, c.name, module_);
    s.detail = "config " + c.name.text + ": " + type_text(c.type);
    s.doc = ast::doc_comment_before(*ws_.files[file_].ast, src_, c.range.begin);
  }

  void visit(const ast::FuncDecl& fn) {
    std::string name = module_.empty() ? fn.name.text : module_ + "." + fn.name.text;
    Symbol& s = define(SymbolKind::Function, fn.name, module_);
    s.name = name;
    describe_function(s, find_sig(name), fn);
    scope_ = nullptr;
    for (const auto& p : fn.params) {
      Symbol& ps = define(SymbolKind::Local, p.name, name);
      ps.detail = "param " + p.name.text + ": " + type_text(p.type);
      if (p.default_value) expr(*p.default_value);
    }
    for (const auto& c : fn.body) {
      if (c.kind == ClauseKind::Let) {
        Symbol& ls = define(SymbolKind::Local, c.name, name);
        ls.detail =
            "let " + c.name.text + (c.expr && c.expr->type ? ": " + to_string(c.expr->type) : "");
      }
      clause_exprs(c);
    }
  }

  void visit(const ast::Runbook& rb) {
    const RunbookModel* model = nullptr;
    if (program_)
      for (const auto& m : program_->runbooks)
        if (m.ast == &rb) model = &m;
    scope_ = &rb;
    model_ = model;
    nodes_.clear();
    first_binding_.clear();
    for (const auto& item : rb.items)
      if (auto* n = std::get_if<ast::Node>(&item)) nodes_.try_emplace(n->name.text, n);

    Symbol& s = define(SymbolKind::Runbook, rb.name, module_);
    describe_runbook(s, rb, src_);
    for (const auto& item : rb.items) std::visit([this](const auto& x) { item_(x); }, item);
    scope_ = nullptr;
    model_ = nullptr;
  }

  // ------------------------------------------------------------ runbook items

  void item_(const ast::Doc&) {}

  void item_(const ast::Param& p) {
    Symbol& s = define(SymbolKind::Param, p.name, scope_->name.text);
    s.detail = "param " + p.name.text + ": " + type_text(p.type) +
               (p.default_value ? " = " + text_of(src_, p.default_value->range) : "");
    if (p.default_value) expr(*p.default_value);
  }

  void item_(const ast::Output& o) {
    Symbol& s = define(SymbolKind::Variable, o.name, scope_->name.text);
    s.detail = "output " + o.name.text + ": " + type_text(o.type);
    first_binding_.try_emplace(o.name.text, o.name.range);
  }

  void item_(const ast::Start& st) { node_ref(st.target); }

  void item_(const ast::Node& n) {
    Symbol& s = define(SymbolKind::Node, n.name, scope_->name.text);
    s.detail = std::string(node_kind_name(n.kind)) + " " + n.name.text +
               (n.label ? " \"" + n.label->text() + "\"" : "");
    std::string edges;
    for (const auto& c : n.clauses)
      if (ast::is_edge_clause(c.kind) && !c.target.text.empty())
        edges += fmt::format("- `{}` → `{}`{}\n", ast::clause_keyword(c.kind), c.target.text,
                             c.label ? " — " + c.label->text() : "");
    if (n.kind == NodeKind::End && !n.outcome.text.empty())
      edges += "ends the run as `" + n.outcome.text + "`\n";
    s.doc = edges;
    for (const auto& c : n.clauses) node_clause(c);
  }

  void node_clause(const ast::Clause& c) {
    if (declares_variable(c)) variable_name(c.name);
    if (c.kind == ClauseKind::As) {
      Symbol& s = define(SymbolKind::Local, c.name, scope_->name.text);
      s.detail = "as " + c.name.text;
    }
    if (ast::is_edge_clause(c.kind)) node_ref(c.target);
    if (c.kind == ClauseKind::Run) run_ref(c);
    clause_exprs(c);
    for (const auto& b : c.block) node_clause(b);
  }

  // A name a clause binds: a run variable of the runbook, defined by its first binding.
  void variable_name(const ast::Name& n) {
    Range def = n.range;
    std::string type;
    if (model_) {
      auto it = model_->var_index.find(n.text);
      if (it == model_->var_index.end()) return;  // not a variable (reported by the checker)
      const VarDef& v = model_->vars[it->second];
      def = v.def;
      if (v.type) type = to_string(v.type);
    } else {
      def = first_binding_.try_emplace(n.text, n.range).first->second;
    }
    std::string k = local_key(def);
    Symbol& s = symbol(k, SymbolKind::Variable, n.text, path_, def);
    s.container = scope_->name.text;
    if (s.detail.empty() || s.detail.rfind("output ", 0) != 0)
      s.detail = "let " + n.text + (type.empty() ? "" : ": " + type);
    occur(n.range, k, def.begin.offset == n.range.begin.offset);
  }

  void node_ref(const ast::Name& target) {
    if (!scope_ || target.text.empty()) return;
    auto it = nodes_.find(target.text);
    if (it == nodes_.end()) return;
    occur(target.range, local_key(it->second->name.range), false);
  }

  // `run NAME(args)`: the runbook, and its parameters by the arguments' names.
  void run_ref(const ast::Clause& c) {
    const ast::Runbook* target = nullptr;
    SourcePtr target_src;
    if (program_) {
      if (auto it = program_->runbook_index.find(c.name.text);
          it != program_->runbook_index.end()) {
        target = program_->runbooks[it->second].ast;
        target_src = program_->runbooks[it->second].src;
      }
    } else {
      for (const auto& item : ws_.files[file_].ast->items)
        if (auto* rb = std::get_if<ast::Runbook>(&item); rb && rb->name.text == c.name.text) {
          target = rb;
          target_src = ws_.files[file_].src;
        }
    }
    if (!target) return;
    std::string file = canonical(target_src);
    std::string k = key(file, target->name.range);
    Symbol& s = symbol(k, SymbolKind::Runbook, target->name.text, file, target->name.range);
    if (s.detail.empty()) describe_runbook(s, *target, *target_src);
    occur(c.name.range, k, false);
    for (const auto& a : c.args) {
      if (!a.name) continue;
      for (const auto& item : target->items)
        if (auto* p = std::get_if<ast::Param>(&item); p && p->name.text == a.name->text) {
          std::string pk = key(file, p->name.range);
          Symbol& ps = symbol(pk, SymbolKind::Param, p->name.text, file, p->name.range);
          ps.container = target->name.text;
          if (ps.detail.empty())
            ps.detail = "param " + p->name.text + ": " + text_of(*target_src, p->type->range);
          occur(a.name->range, pk, false);
        }
    }
  }

  // ------------------------------------------------------------ expressions

  void clause_exprs(const ast::Clause& c) {
    for (const ast::ExprPtr* e : {&c.expr, &c.within, &c.every, &c.holds, &c.after})
      if (*e) expr(**e);
    for (const auto& e : c.exprs)
      if (e) expr(*e);
    for (const auto& a : c.args)
      if (a.value) expr(*a.value);
  }

  void expr(const Expr& e) {
    switch (e.kind) {
      case ExprKind::Ident:
        ident(e);
        return;
      case ExprKind::ConfigRef:
        config_ref(e);
        return;
      case ExprKind::Call:
        call(e);
        return;
      case ExprKind::Lambda: {
        Symbol& s = define(SymbolKind::Local, e.name, scope_ ? scope_->name.text : module_);
        s.detail = e.name.text + (e.type ? ": " + to_string(e.type) : "");
        if (e.lhs) expr(*e.lhs);
        return;
      }
      case ExprKind::String:
        for (const auto& p : e.parts)
          if (p.is_expr && p.expr) expr(*p.expr);
        return;
      default:
        break;
    }
    for (const ast::ExprPtr* sub : {&e.lhs, &e.rhs, &e.alt})
      if (*sub) expr(**sub);
    for (const auto& i : e.items)
      if (i) expr(*i);
    for (const auto& r : e.entries)
      if (r.value) expr(*r.value);
    for (const auto& a : e.args)
      if (a.value) expr(*a.value);
  }

  void ident(const Expr& e) {
    std::string type = e.type ? to_string(e.type) : "";
    if (e.has_binding()) {
      occur(e.name.range, local_key(e.binding), false, type);
      return;
    }
    // A call node read as `node.outcome` names the node.
    if (scope_)
      if (auto it = nodes_.find(e.name.text); it != nodes_.end())
        occur(e.name.range, local_key(it->second->name.range), false);
  }

  void config_ref(const Expr& e) {
    if (!program_) return;
    auto it = program_->config.find(e.name.text);
    if (it == program_->config.end()) return;
    std::string file = canonical(it->second.file);
    std::string k = key(file, it->second.range);
    Symbol& s = symbol(k, SymbolKind::Config, e.name.text, file, it->second.range);
    if (s.detail.empty()) s.detail = "config " + e.name.text + ": " + to_string(it->second.type);
    occur(e.name.range, k, false, e.type ? to_string(e.type) : "");
  }

  void call(const Expr& e) {
    const Expr& callee = *e.lhs;
    const Range& at = callee.kind == ExprKind::Field ? callee.name.range : callee.range;
    const ast::FuncDecl* decl = nullptr;
    std::string decl_file;
    if (program_ && e.callee >= 0 &&
        static_cast<size_t>(e.callee) < program_->registry.all().size()) {
      const FunctionSig& sig = program_->registry.all()[e.callee];
      std::string k;
      if (!sig.native) {
        if (auto d = program_->declared.find(sig.name); d != program_->declared.end()) {
          decl = d->second;
          decl_file = file_of(decl);
          k = key(decl_file, decl->name.range);
          Symbol& s = symbol(k, SymbolKind::Function, sig.name, decl_file, decl->name.range);
          if (s.detail.empty()) describe_function(s, &sig, *decl);
        }
      } else {
        k = "native:" + sig.name + "#" + std::to_string(e.callee);
        Symbol& s = symbol(k, SymbolKind::Function, sig.name, "", Range{});
        if (s.detail.empty()) describe_function(s, &sig, std::nullopt);
      }
      if (!k.empty()) occur(at, k, false, e.type ? to_string(e.type) : "");
    }
    // The callee's module is no value; anything else before the name is.
    if (callee.kind == ExprKind::Field && callee.lhs && callee.lhs->kind != ExprKind::Ident)
      expr(*callee.lhs);
    for (const auto& a : e.args) {
      if (a.name && decl)
        for (const auto& p : decl->params)
          if (p.name.text == a.name->text)
            occur(a.name->range, key(decl_file, p.name.range), false);
      if (a.value) expr(*a.value);
    }
  }

  // ------------------------------------------------------------ descriptions

  const FunctionSig* find_sig(const std::string& name) const {
    if (!program_) return nullptr;
    const auto& found = program_->registry.find(name);
    return found.empty() ? nullptr : found.front();
  }

  std::string file_of(const ast::FuncDecl* decl) {
    if (decl_files_.empty())
      for (const auto& f : ws_.files)
        for (const auto& item : f.ast->items)
          if (auto* fn = std::get_if<ast::FuncDecl>(&item)) decl_files_[fn] = canonical(f.src);
    auto it = decl_files_.find(decl);
    return it == decl_files_.end() ? std::string() : it->second;
  }

  void describe_function(Symbol& s, const FunctionSig* sig,
                         std::optional<std::reference_wrapper<const ast::FuncDecl>> decl) {
    std::string effect =
        sig ? effect_name(sig->effect) : (decl && decl->get().is_action ? "action" : "probe");
    if (sig) {
      s.detail = (sig->effect == Effect::Pure ? std::string() : effect + " ") + sig->signature();
    } else if (decl) {
      s.detail = effect + " " + s.name + "(…)";
    }
    std::string doc = sig ? sig->doc : "";
    if (!sig && decl)
      doc = ast::doc_comment_before(*ws_.files[file_].ast, src_, decl->get().range.begin);
    std::string caps;
    if (sig)
      for (const auto& c : sig->capabilities) caps += (caps.empty() ? "" : ", ") + ("`" + c + "`");
    s.doc = doc;
    if (sig && sig->effect != Effect::Pure)
      s.doc +=
          (doc.empty() ? "" : "\n\n") + std::string("*") + effect +
          (sig->effect == Effect::Action ? ": a side effect (recorded, not performed, in a dry-run)"
                                         : ": read-only") +
          (caps.empty() ? "" : "; needs " + caps) + "*";
  }

  static void describe_runbook(Symbol& s, const ast::Runbook& rb, const SourceFile& src) {
    std::string params;
    for (const auto& item : rb.items)
      if (auto* p = std::get_if<ast::Param>(&item))
        params += (params.empty() ? "" : ", ") + p->name.text + ": " +
                  text_of(src, p->type->range) +
                  (p->default_value ? " = " + text_of(src, p->default_value->range) : "");
    s.detail = "runbook " + rb.name.text + "(" + params + ")";
    std::string doc = rb.title ? "**" + rb.title->text() + "**" : "";
    for (const auto& item : rb.items)
      if (auto* d = std::get_if<ast::Doc>(&item))
        doc += (doc.empty() ? "" : "\n\n") + d->text.text();
    s.doc = doc;
  }

  const Workspace& ws_;
  size_t file_;
  const CheckedProgram* program_;
  SymbolIndex& out_;
  const SourceFile& src_;
  std::string path_;
  std::string module_;
  const ast::Runbook* scope_ = nullptr;
  const RunbookModel* model_ = nullptr;
  std::map<std::string, const ast::Node*> nodes_;
  std::map<std::string, Range> first_binding_;
  std::unordered_map<const SourceFile*, std::string> paths_;
  std::unordered_map<const ast::FuncDecl*, std::string> decl_files_;
};

}  // namespace

const Occurrence* SymbolIndex::at(uint32_t offset) const {
  const Occurrence* touching = nullptr;
  for (const auto& o : occurrences) {
    if (o.range.begin.offset > offset) break;
    if (offset < o.range.end.offset) return &o;
    if (offset == o.range.end.offset) touching = &o;
  }
  return touching;
}

const Symbol* SymbolIndex::symbol(const std::string& key) const {
  auto it = symbols.find(key);
  return it == symbols.end() ? nullptr : &it->second;
}

SymbolIndex index_file(const Workspace& ws, size_t file, const CheckedProgram* program) {
  SymbolIndex out;
  Indexer(ws, file, program, out).run();
  return out;
}

}  // namespace rbk::lsp
