#include "lsp/completion.hpp"

#include <set>

#include "compiler/runbook_check.hpp"

namespace rbk::lsp {

namespace {

bool is_word(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
}

bool contains(const Range& r, uint32_t offset) {
  return r.begin.offset <= offset && offset <= r.end.offset;
}

// Where the cursor stands in the tree: its runbook, and the node it is in.
struct Place {
  const ast::Runbook* runbook = nullptr;
  const ast::Node* node = nullptr;
  const ast::FuncDecl* function = nullptr;
};

Place place_in(const ast::File& f, uint32_t offset) {
  Place p;
  for (const auto& item : f.items) {
    if (auto* rb = std::get_if<ast::Runbook>(&item); rb && contains(rb->range, offset)) {
      p.runbook = rb;
      for (const auto& ri : rb->items)
        if (auto* n = std::get_if<ast::Node>(&ri);
            n && contains(n->range, offset) && offset > n->name.range.end.offset)
          p.node = n;
    }
    if (auto* fn = std::get_if<ast::FuncDecl>(&item); fn && contains(fn->range, offset))
      p.function = fn;
  }
  return p;
}

const RunbookModel* model_of(const Analysis* checked, const std::string& runbook) {
  if (!checked || !checked->checked) return nullptr;
  for (const auto& m : checked->program.runbooks)
    if (m.name == runbook && m.file == 0) return &m;
  return nullptr;
}

class Completer {
 public:
  Completer(const Analysis& current, const Analysis* checked, uint32_t offset)
      : current_(current), checked_(checked), offset_(offset) {
    const std::string& text = current.source().text();
    size_t line_start = text.rfind('\n', offset_ == 0 ? 0 : offset_ - 1);
    line_start = line_start == std::string::npos ? 0 : line_start + 1;
    if (offset_ < line_start) line_start = offset_;
    std::string_view before = std::string_view(text).substr(line_start, offset_ - line_start);
    size_t w = before.size();
    while (w > 0 && is_word(before[w - 1])) --w;
    lead_ = before.substr(0, w);
    place_ = place_in(current.file(), offset_);
    if (!place_.runbook && checked && checked != &current)
      place_ = place_in(checked->file(), offset_);
  }

  std::vector<CompletionItem> run() {
    std::string_view lead = trimmed_right(lead_);
    if (ends_with(lead, "->")) return nodes();
    if (!lead_.empty() && lead_.back() == '.') return members(word_before_dot());
    if (ends_with(lead, "run") && ends_with_word(lead, "run")) return runbooks();
    if (trimmed(lead_).empty()) return statement_start();
    return expression_names();
  }

 private:
  static std::string_view trimmed_right(std::string_view s) {
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
  }
  static std::string_view trimmed(std::string_view s) {
    s = trimmed_right(s);
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    return s;
  }
  static bool ends_with(std::string_view s, std::string_view end) {
    return s.size() >= end.size() && s.substr(s.size() - end.size()) == end;
  }
  static bool ends_with_word(std::string_view s, std::string_view word) {
    return ends_with(s, word) &&
           (s.size() == word.size() || !is_word(s[s.size() - word.size() - 1]));
  }
  std::string word_before_dot() const {
    std::string_view s = lead_.substr(0, lead_.size() - 1);
    size_t w = s.size();
    while (w > 0 && is_word(s[w - 1])) --w;
    return std::string(s.substr(w));
  }

  void add(std::string label, ItemKind kind, std::string detail = {}, std::string doc = {}) {
    if (!seen_.insert(label).second) return;
    out_.push_back(CompletionItem{std::move(label), kind, std::move(detail), std::move(doc), {}});
  }
  // A function: its name, and a call with its required parameters to fill in.
  void add_function(const std::string& label, const FunctionSig& f) {
    if (seen_.count(label)) return;
    add(label, f.effect == Effect::Action ? ItemKind::Method : ItemKind::Function,
        (f.effect == Effect::Pure ? std::string() : std::string(effect_name(f.effect)) + " ") +
            f.signature(),
        f.doc);
    std::string call = label + "(";
    int n = 0;
    for (const auto& p : f.params) {
      if (p.has_default()) continue;
      if (n > 0) call += ", ";
      call += "${" + std::to_string(++n) + ":" + p.name + "}";
    }
    out_.back().snippet = call + ")$0";
  }

  const Registry* registry() const {
    if (checked_ && checked_->checked) return &checked_->program.registry;
    return &Registry::natives();
  }

  // ------------------------------------------------------------ contexts

  std::vector<CompletionItem> nodes() {
    auto from = [this](const ast::Runbook* rb) {
      if (!rb) return;
      for (const auto& item : rb->items)
        if (auto* n = std::get_if<ast::Node>(&item))
          add(n->name.text, ItemKind::Event,
              std::string(node_kind_name(n->kind)) +
                  (n->label ? " \"" + n->label->text() + "\"" : ""));
    };
    from(place_.runbook);
    // Nodes of the last checked text too: the one being edited may not parse now.
    if (checked_ && place_.runbook)
      for (const auto& item : checked_->file().items)
        if (auto* rb = std::get_if<ast::Runbook>(&item);
            rb && rb->name.text == place_.runbook->name.text)
          from(rb);
    return std::move(out_);
  }

  std::vector<CompletionItem> members(const std::string& base) {
    if (base == "config") {
      if (checked_ && checked_->checked)
        for (const auto& [name, def] : checked_->program.config)
          add(name, ItemKind::Constant, to_string(def.type));
      return std::move(out_);
    }
    const Registry* reg = registry();
    if (reg->has_module(base)) {
      for (const auto& f : reg->all())
        if (f.module() == base) add_function(f.name.substr(base.size() + 1), f);
      return std::move(out_);
    }
    // A call node: its outcome and the outputs of the runbook it runs; a record: its fields.
    if (const RunbookModel* m =
            place_.runbook ? model_of(checked_, place_.runbook->name.text) : nullptr) {
      if (auto it = m->call_outputs.find(base);
          it != m->call_outputs.end() || m->call_outcome_var.count(base)) {
        add("outcome", ItemKind::Field, "string", "How the run of the called runbook ended");
        if (it != m->call_outputs.end())
          for (const auto& [name, v] : it->second) add(name, ItemKind::Field, to_string(v.second));
        return std::move(out_);
      }
      TypeRef t = type_of(*m, base);
      if (t && t->kind == TypeKind::Optional) t = t->elem;
      if (t && t->kind == TypeKind::Record)
        for (const auto& f : t->fields) add(f.name, ItemKind::Field, to_string(f.type));
    }
    return std::move(out_);
  }

  TypeRef type_of(const RunbookModel& m, const std::string& name) const {
    for (size_t i = 0; i < m.params.size(); ++i)
      if (m.params[i]->name.text == name) return m.param_types[i];
    if (place_.node)
      if (auto it = m.var_index.find(place_.node->name.text + "/" + name); it != m.var_index.end())
        return m.vars[it->second].type;
    if (auto it = m.var_index.find(name); it != m.var_index.end()) return m.vars[it->second].type;
    return nullptr;
  }

  std::vector<CompletionItem> runbooks() {
    if (checked_ && checked_->checked)
      for (const auto& rb : checked_->program.runbooks) {
        std::string params;
        for (size_t i = 0; i < rb.params.size(); ++i)
          params += (i ? ", " : "") + rb.params[i]->name.text + ": " + to_string(rb.param_types[i]);
        add(rb.name, ItemKind::Module, "runbook " + rb.name + "(" + params + ")",
            rb.ast->title ? rb.ast->title->text() : "");
      }
    return std::move(out_);
  }

  std::vector<CompletionItem> statement_start() {
    if (place_.node) {
      for (ast::ClauseKind k : clauses_allowed(place_.node->kind))
        add(ast::clause_keyword(k), ItemKind::Keyword,
            "clause of " + std::string(node_kind_name(place_.node->kind)));
      return std::move(out_);
    }
    if (place_.function) {
      add("let", ItemKind::Keyword);
      add("return", ItemKind::Keyword);
      expression_names();
      return std::move(out_);
    }
    if (place_.runbook) {
      for (const char* k : {"doc", "param", "output", "start ->"})
        add(k, ItemKind::Keyword, "runbook item");
      for (size_t i = 0; i < kNodeKinds; ++i)
        add(node_kind_name(static_cast<NodeKind>(i)), ItemKind::Keyword, "node");
      return std::move(out_);
    }
    for (const char* k : {"import", "module", "config", "probe", "action", "runbook"})
      add(k, ItemKind::Keyword, "declaration");
    return std::move(out_);
  }

  std::vector<CompletionItem> expression_names() {
    if (const RunbookModel* m =
            place_.runbook ? model_of(checked_, place_.runbook->name.text) : nullptr) {
      for (size_t i = 0; i < m->params.size(); ++i)
        add(m->params[i]->name.text, ItemKind::Variable, "param: " + to_string(m->param_types[i]));
      for (const auto& v : m->vars) {
        std::string name = v.name;
        if (size_t slash = name.find('/'); slash != std::string::npos) {
          if (!place_.node || name.substr(0, slash) != place_.node->name.text) continue;
          name = name.substr(slash + 1);  // the item of the foreach the cursor is in
        }
        if (name.find('.') != std::string::npos) continue;  // node.outcome: offered after `node.`
        add(name, ItemKind::Variable, v.type ? to_string(v.type) : "");
      }
      for (const auto& [call, _] : m->call_outcome_var) add(call, ItemKind::Event, "call node");
    }
    const Registry* reg = registry();
    for (const auto& mod : reg->modules()) add(mod, ItemKind::Module, "module");
    for (const auto& f : reg->all())
      if (f.module().empty()) add_function(f.name, f);
    add("config", ItemKind::Keyword, "configuration values: config.NAME");
    for (const char* k : {"true", "false", "null", "not", "and", "or", "in", "if", "then", "else"})
      add(k, ItemKind::Keyword);
    return std::move(out_);
  }

  const Analysis& current_;
  const Analysis* checked_;
  uint32_t offset_;
  std::string_view lead_;  // the line before the word under the cursor
  Place place_;
  std::vector<CompletionItem> out_;
  std::set<std::string> seen_;
};

}  // namespace

std::vector<CompletionItem> complete(const Analysis& current, const Analysis* checked,
                                     uint32_t offset) {
  return Completer(current, checked, offset).run();
}

}  // namespace rbk::lsp
