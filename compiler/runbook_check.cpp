#include "compiler/runbook_check.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <deque>
#include <functional>

#include "compiler/decision_coverage.hpp"
#include "compiler/graph_check.hpp"
#include "compiler/suggest.hpp"
#include "lang/signal_name.hpp"

namespace rbk {

using ast::ClauseKind;

namespace {

// What each node kind accepts: the clauses allowed, which are required, which may repeat.
struct ClauseRule {
  ClauseKind kind;
  bool required;
  bool repeats;
};

const std::vector<ClauseRule>& rules_for(NodeKind k) {
  // A check that cannot complete (a DNS lookup or TLS handshake that fails, an API that
  // does not answer) is itself an answer in a runbook, so decide and wait nodes may take
  // an `on error` edge too; without one, a failed probe fails the run.
  static const std::vector<ClauseRule> decide = {{ClauseKind::Let, false, true},
                                                 {ClauseKind::When, false, true},
                                                 {ClauseKind::Else, false, false},
                                                 {ClauseKind::OnError, false, false}};
  static const std::vector<ClauseRule> action = {{ClauseKind::ApproveBy, false, false},
                                                 {ClauseKind::Let, false, true},
                                                 {ClauseKind::Do, true, true},
                                                 {ClauseKind::Then, true, false},
                                                 {ClauseKind::OnError, false, false}};
  static const std::vector<ClauseRule> wait = {{ClauseKind::Until, true, false},
                                               {ClauseKind::Then, true, false},
                                               {ClauseKind::Timeout, true, false},
                                               {ClauseKind::OnError, false, false}};
  static const std::vector<ClauseRule> approve = {
      {ClauseKind::By, true, false},     {ClauseKind::Show, false, false},
      {ClauseKind::Ask, false, true},    {ClauseKind::Approved, true, false},
      {ClauseKind::Denied, true, false}, {ClauseKind::Timeout, false, false}};
  static const std::vector<ClauseRule> call = {{ClauseKind::Run, true, false},
                                               {ClauseKind::Then, true, false},
                                               {ClauseKind::OnError, false, false}};
  static const std::vector<ClauseRule> foreach = {
      {ClauseKind::Over, true, false},     {ClauseKind::As, true, false},
      {ClauseKind::Run, true, false},      {ClauseKind::By, false, false},
      {ClauseKind::Waves, false, false},   {ClauseKind::Concurrency, false, false},
      {ClauseKind::Rate, false, false},    {ClauseKind::Abort, false, false},
      {ClauseKind::Between, false, false}, {ClauseKind::ApproveEach, false, false},
      {ClauseKind::Then, true, false},     {ClauseKind::Aborted, false, false},
      {ClauseKind::OnError, false, false}};
  static const std::vector<ClauseRule> none;
  switch (k) {
    case NodeKind::Decide:
      return decide;
    case NodeKind::Action:
      return action;
    case NodeKind::Wait:
      return wait;
    case NodeKind::Approve:
      return approve;
    case NodeKind::Call:
      return call;
    case NodeKind::Foreach:
      return foreach;
    case NodeKind::End:
      return none;
  }
  return none;
}

std::string clause_example(ClauseKind k) {
  switch (k) {
    case ClauseKind::Do:
      return "do module.action(…)";
    case ClauseKind::Then:
      return "then -> next_node";
    case ClauseKind::Until:
      return "until condition within 10m every 1m";
    case ClauseKind::Timeout:
      return "timeout -> next_node";
    case ClauseKind::By:
      return "by \"role\"";
    case ClauseKind::Approved:
      return "approved -> next_node";
    case ClauseKind::Denied:
      return "denied -> next_node";
    case ClauseKind::Run:
      return "run other_runbook(param: value)";
    case ClauseKind::Over:
      return "over module.list_probe(…)";
    case ClauseKind::As:
      return "as d";
    case ClauseKind::Aborted:
      return "aborted -> next_node";
    default:
      return ast::clause_keyword(k);
  }
}

const char* node_context(NodeKind k) {
  switch (k) {
    case NodeKind::Decide:
      return "a decide node";
    case NodeKind::Action:
      return "an action node";
    case NodeKind::Wait:
      return "a wait node";
    case NodeKind::Approve:
      return "an approve node";
    case NodeKind::Call:
      return "the arguments of a call node";
    case NodeKind::Foreach:
      return "a foreach node (its list, cohort columns and arguments)";
    case NodeKind::End:
      return "an end node";
  }
  return "a node";
}

void require_static(const ast::Label& label, const SourcePtr& file, Diagnostics& diags,
                    const char* what) {
  if (label.str->is_static_string()) return;
  diags
      .error("label-interpolation", file, label.range(),
             fmt::format("{} is static text: it cannot interpolate", what))
      .hints.push_back(
          "labels are drawn in diagrams before any run; write \\{ for a literal brace");
}

void require_static(const std::optional<ast::Label>& label, const SourcePtr& file,
                    Diagnostics& diags, const char* what) {
  if (label) require_static(*label, file, diags, what);
}

class RunbookChecker {
 public:
  RunbookChecker(const CheckedProgram& program, RunbookModel& rb, const Visibility& visible,
                 Diagnostics& diags)
      : program_(program),
        rb_(rb),
        diags_(diags),
        exprs_(program, visible, rb.src, diags),
        visible_(visible) {}

  void collect();
  void check(const std::set<std::string>& visible_runbooks);

 private:
  void collect_node(const ast::Node& n, int index);
  void check_node(int index, const std::set<std::string>& visible_runbooks);
  void check_run(const ast::Clause& c, ExprEnv& env, const std::set<std::string>& visible_runbooks);
  void collect_foreach(const ast::Node& n, NodeModel& model,
                       const std::map<ClauseKind, const ast::Clause*>& first);
  void check_foreach(const ast::Node& n, ExprEnv& env,
                     const std::set<std::string>& visible_runbooks);
  void check_waves(const ast::Clause& c);
  void bind_var(const ast::Clause& c, const TypeRef& t);
  void bind_typed(const std::string& name, const TypeRef& t, Range where, const std::string& what,
                  bool exact);
  void narrow_along_edges();
  static void forget(std::set<std::string>& nonnull, const std::string& name);
  // What every edge into each node proves non-null (narrow_along_edges); nullopt: unreached.
  std::vector<std::optional<std::set<std::string>>> entry_nonnull_;
  void check_signal_wait(const ast::Clause& c, ExprEnv& env);
  void check_question(const ast::Node& n, const ast::Clause& c, ExprEnv& env);
  void bind_action_result(const ast::Clause& c, int32_t function, const TypeRef& result);
  void check_result_reads(int index, const ast::Node& n);
  void check_abort(const ast::Clause& c);
  bool has_gates(const RunbookModel& rb, std::set<std::string>& seen) const;
  const ast::Clause* first_clause(const RunbookModel& rb,
                                  const std::function<bool(const ast::Clause&)>& which,
                                  std::set<std::string>& seen) const;
  int declare_var(const std::string& name, const Range& def);
  void collect_output(const ast::Output& o);

  const CheckedProgram& program_;
  RunbookModel& rb_;
  Diagnostics& diags_;
  ExprChecker exprs_;
  const Visibility& visible_;
  std::unordered_map<std::string, Binding> names_;
  std::vector<VarRead> reads_;
};

// output NAME: TYPE — a run variable of this runbook with that type from the start (a
// let binding it another type is a type-mismatch), given to the call node that ran it.
void RunbookChecker::collect_output(const ast::Output& o) {
  for (const ast::Param* p : rb_.params)
    if (p->name.text == o.name.text) {
      diags_.error("shadowed-param", rb_.src, o.name.range,
                   "'" + o.name.text +
                       "' is a parameter of the runbook; an output needs another "
                       "name");
      return;
    }
  if (std::find(rb_.outputs.begin(), rb_.outputs.end(), o.name.text) != rb_.outputs.end()) {
    diags_.error("duplicate-param", rb_.src, o.name.range,
                 "output '" + o.name.text + "' is declared twice");
    return;
  }
  rb_.outputs.push_back(o.name.text);
  int v = declare_var(o.name.text, o.name.range);
  rb_.vars[v].type = exprs_.resolve_type(*o.type);
}

int RunbookChecker::declare_var(const std::string& name, const Range& def) {
  auto it = rb_.var_index.find(name);
  if (it != rb_.var_index.end()) return it->second;
  rb_.vars.push_back(VarDef{name, nullptr, rb_.src, def});
  int id = static_cast<int>(rb_.vars.size()) - 1;
  rb_.var_index[name] = id;
  return id;
}

void RunbookChecker::collect() {
  const ast::Runbook& ast = *rb_.ast;
  rb_.name = ast.name.text;
  require_static(ast.title, rb_.src, diags_, "a runbook title");

  std::vector<const ast::Start*> starts;
  std::vector<const ast::Node*> nodes;
  for (const auto& item : ast.items) {
    if (auto* doc = std::get_if<ast::Doc>(&item)) {
      require_static(doc->text, rb_.src, diags_, "a doc string");
    } else if (auto* p = std::get_if<ast::Param>(&item)) {
      bool dup = false;
      for (const ast::Param* q : rb_.params) {
        if (q->name.text != p->name.text) continue;
        dup = true;
        diags_
            .error("duplicate-param", rb_.src, p->name.range,
                   "parameter '" + p->name.text + "' is declared twice")
            .related.push_back({rb_.src, q->name.range, "first declared here"});
      }
      if (dup) continue;
      rb_.params.push_back(p);
      rb_.param_types.push_back(exprs_.resolve_type(*p->type));
    } else if (auto* o = std::get_if<ast::Output>(&item)) {
      collect_output(*o);
    } else if (auto* s = std::get_if<ast::Start>(&item)) {
      starts.push_back(s);
    } else {
      const auto& n = std::get<ast::Node>(item);
      auto it = rb_.node_index.find(n.name.text);
      if (it != rb_.node_index.end()) {
        diags_
            .error("duplicate-node", rb_.src, n.name.range,
                   "node '" + n.name.text + "' is defined twice")
            .related.push_back({rb_.src, rb_.node(it->second).name.range, "first defined here"});
        continue;
      }
      rb_.node_index[n.name.text] = static_cast<int>(rb_.nodes.size());
      rb_.nodes.push_back(NodeModel{&n, {}, {}});
    }
  }

  if (starts.empty()) {
    diags_
        .error("missing-start", rb_.src, ast.name.range, "runbook '" + rb_.name + "' has no start")
        .hints.push_back("add 'start -> first_node' to say where a run begins");
  }
  for (size_t i = 1; i < starts.size(); ++i)
    diags_
        .error("duplicate-start", rb_.src, starts[i]->range,
               "runbook '" + rb_.name + "' has a second start")
        .related.push_back({rb_.src, starts[0]->range, "the first start is here"});

  for (size_t i = 0; i < rb_.nodes.size(); ++i)
    collect_node(*rb_.nodes[i].ast, static_cast<int>(i));

  // Edge targets, now that every node is known.
  std::vector<std::string> names;
  for (const auto& n : rb_.nodes) names.push_back(n.ast->name.text);
  auto resolve = [&](const ast::Name& target) -> int {
    auto it = rb_.node_index.find(target.text);
    if (it != rb_.node_index.end()) return it->second;
    auto& d =
        diags_.error("unknown-node", rb_.src, target.range, "unknown node '" + target.text + "'");
    if (may_suggest(diags_))
      if (std::string s = closest_name(target.text, names); !s.empty())
        d.hints.push_back("did you mean '" + s + "'?");
    return -1;
  };
  if (!starts.empty()) rb_.start = resolve(starts[0]->target);
  for (auto& e : rb_.edges) e.to = resolve(e.clause->target);
}

void RunbookChecker::collect_node(const ast::Node& n, int index) {
  NodeModel& model = rb_.nodes[index];
  require_static(n.label, rb_.src, diags_, "a node label");
  if (n.kind == NodeKind::End) {
    if (!written_outcome(n.outcome.text)) {
      auto& d = diags_.error("unknown-outcome", rb_.src, n.outcome.range,
                             "unknown outcome '" + n.outcome.text + "'");
      const std::vector<std::string> outcomes = written_outcome_names();
      if (may_suggest(diags_))
        if (std::string s = closest_name(n.outcome.text, outcomes); !s.empty())
          d.hints.push_back("did you mean '" + s + "'?");
      std::string listed;
      for (size_t i = 0; i < outcomes.size(); ++i)
        listed += (i == 0 ? "" : i + 1 == outcomes.size() ? " or " : ", ") + outcomes[i];
      d.hints.push_back("an end node's outcome is " + listed);
    }
    return;
  }

  const auto& rules = rules_for(n.kind);
  std::map<ClauseKind, const ast::Clause*> first;
  bool seen_branch = false;
  for (const auto& c : n.clauses) {
    auto rule = std::find_if(rules.begin(), rules.end(),
                             [&](const ClauseRule& r) { return r.kind == c.kind; });
    if (rule == rules.end()) {
      auto& d = diags_.error("misplaced-clause", rb_.src, c.keyword,
                             fmt::format("'{}' is not allowed in {}", ast::clause_keyword(c.kind),
                                         node_context(n.kind)));
      std::string allowed;
      for (const auto& r : rules)
        allowed += (allowed.empty() ? "" : ", ") + std::string(ast::clause_keyword(r.kind));
      d.hints.push_back(fmt::format("{} node takes: {}", node_kind_name(n.kind), allowed));
      continue;
    }
    if (auto f = first.find(c.kind); f != first.end() && !rule->repeats) {
      diags_
          .error("duplicate-clause", rb_.src, c.keyword,
                 fmt::format("'{}' appears twice in node '{}'", ast::clause_keyword(c.kind),
                             n.name.text))
          .related.push_back({rb_.src, f->second->keyword, "first here"});
      continue;
    }
    first.emplace(c.kind, &c);
    if (n.kind == NodeKind::Decide) {
      if (c.kind == ClauseKind::Let && seen_branch)
        diags_
            .error("misplaced-clause", rb_.src, c.keyword,
                   "'let' must come before the branches of a decide node")
            .hints.push_back("a decide node evaluates its lets, then its conditions in order");
      if (c.kind == ClauseKind::When && first.count(ClauseKind::Else))
        diags_.error("misplaced-clause", rb_.src, c.keyword, "'when' after 'else' is never tried")
            .hints.push_back("put 'else' last");
      seen_branch |= c.kind == ClauseKind::When || c.kind == ClauseKind::Else;
    }
    if (c.kind == ClauseKind::Timeout) {
      if (n.kind == NodeKind::Wait && c.expr)
        diags_.error("misplaced-clause", rb_.src, c.expr->range,
                     "a wait node's timeout is set by 'within'; write 'timeout -> node'");
      if (n.kind == NodeKind::Approve && !c.expr)
        diags_
            .error("missing-clause", rb_.src, c.keyword,
                   "an approve node's timeout needs a duration")
            .hints.push_back("as in timeout 30m -> escalate");
    }
    if (c.kind == ClauseKind::ApproveBy || c.kind == ClauseKind::By) {
      require_static(c.role, rb_.src, diags_, "an approval role");
      if (c.role && c.role->text().empty())
        diags_.error("empty-role", rb_.src, c.role->range(), "the approval role is empty");
    }
    if (c.kind == ClauseKind::Let || (c.kind == ClauseKind::Do && !c.name.text.empty()) ||
        (c.kind == ClauseKind::Until && c.signal && !c.name.text.empty()) ||
        c.kind == ClauseKind::Ask) {
      bool is_param = false;
      for (const ast::Param* p : rb_.params) is_param |= p->name.text == c.name.text;
      if (is_param)
        diags_.error(
            "shadowed-param", rb_.src, c.name.range,
            "'" + c.name.text + "' is a parameter of the runbook; a variable needs another name");
      else
        model.assigns.push_back(declare_var(c.name.text, c.name.range));
    }
    if (ast::is_edge_clause(c.kind)) {
      require_static(c.label, rb_.src, diags_, "an edge label");
      model.out_edges.push_back(static_cast<int>(rb_.edges.size()));
      bool drops = c.kind == ClauseKind::OnError ||
                   (n.kind == NodeKind::Approve && c.kind != ClauseKind::Approved);
      rb_.edges.push_back(GraphEdge{index, -1, c.kind, &c, drops});
    }
  }
  if (n.kind == NodeKind::Decide && !first.count(ClauseKind::When) &&
      !first.count(ClauseKind::Else)) {
    diags_
        .error("missing-clause", rb_.src, n.name.range,
               "decide node '" + n.name.text + "' has no branches")
        .hints.push_back("add 'when condition -> node' clauses and an 'else -> node'");
  }
  for (const auto& r : rules) {
    if (!r.required || first.count(r.kind)) continue;
    diags_
        .error("missing-clause", rb_.src, n.name.range,
               fmt::format("{} node '{}' needs '{}'", node_kind_name(n.kind), n.name.text,
                           ast::clause_keyword(r.kind)))
        .hints.push_back("add: " + clause_example(r.kind));
  }
  if (n.kind == NodeKind::Call) {
    int v = declare_var(n.name.text + ".outcome", n.name.range);
    rb_.call_outcome_var[n.name.text] = v;
    model.assigns.push_back(v);
    // The outputs of the runbook it runs: variables NODE.NAME it assigns, read from the
    // callee's declarations (their types resolved quietly: the callee reports its own).
    if (auto run = first.find(ClauseKind::Run); run != first.end())
      if (auto it = program_.runbook_index.find(run->second->name.text);
          it != program_.runbook_index.end()) {
        const RunbookModel& callee = program_.runbooks[it->second];
        Diagnostics quiet;
        ExprChecker types(program_, visible_, callee.src, quiet);
        auto& outs = rb_.call_outputs[n.name.text];
        for (const auto& item : callee.ast->items)
          if (auto* o = std::get_if<ast::Output>(&item)) {
            int ov = declare_var(n.name.text + "." + o->name.text, n.name.range);
            TypeRef t = types.resolve_type(*o->type);
            t = is_error(t) ? t : Type::optional(t);
            rb_.vars[ov].type = t;
            outs[o->name.text] = {ov, t};
            model.assigns.push_back(ov);
          }
      }
  }
  if (n.kind == NodeKind::Foreach) collect_foreach(n, model, first);
}

// A foreach's results are a run variable named like the node; its item (`as d`) has a
// slot of its own that only the node's clauses see. Its between-waves block holds
// pause, until and approve by, each at most once.
void RunbookChecker::collect_foreach(const ast::Node& n, NodeModel& model,
                                     const std::map<ClauseKind, const ast::Clause*>& first) {
  for (const ast::Param* p : rb_.params)
    if (p->name.text == n.name.text)
      diags_.error("shadowed-param", rb_.src, n.name.range,
                   "'" + n.name.text +
                       "' is a parameter of the runbook; a foreach node's results are a variable "
                       "named like the node, so it needs another name");
  int v = declare_var(n.name.text, n.name.range);
  rb_.foreach_result_var[n.name.text] = v;
  model.assigns.push_back(v);
  if (auto as = first.find(ClauseKind::As); as != first.end())
    rb_.foreach_item_var[n.name.text] =
        declare_var(n.name.text + "/" + as->second->name.text, as->second->name.range);
  bool can_abort = first.count(ClauseKind::Abort) || first.count(ClauseKind::Between) ||
                   first.count(ClauseKind::ApproveEach);
  if (can_abort && !first.count(ClauseKind::Aborted))
    diags_
        .error("missing-clause", rb_.src, n.name.range,
               "foreach node '" + n.name.text +
                   "' can abort (its abort rule, a check or an approval between waves) and needs "
                   "'aborted'")
        .hints.push_back("add: aborted -> next_node");
  if (!can_abort)
    if (auto ab = first.find(ClauseKind::Aborted); ab != first.end())
      diags_
          .warning("never-aborts", rb_.src, ab->second->keyword,
                   "foreach node '" + n.name.text + "' never aborts: this edge is never taken")
          .hints.push_back("add an 'abort when' rule, or remove the edge");
  if (auto b = first.find(ClauseKind::Between); b != first.end()) {
    std::map<ClauseKind, const ast::Clause*> seen;
    for (const auto& c : b->second->block) {
      if (c.kind != ClauseKind::Pause && c.kind != ClauseKind::Until &&
          c.kind != ClauseKind::ApproveBy) {
        diags_
            .error("misplaced-clause", rb_.src, c.keyword,
                   fmt::format("'{}' is not allowed between waves", ast::clause_keyword(c.kind)))
            .hints.push_back("between waves takes: pause, until, approve by");
        continue;
      }
      if (auto f = seen.find(c.kind); f != seen.end()) {
        diags_
            .error("duplicate-clause", rb_.src, c.keyword,
                   fmt::format("'{}' appears twice between waves", ast::clause_keyword(c.kind)))
            .related.push_back({rb_.src, f->second->keyword, "first here"});
        continue;
      }
      seen.emplace(c.kind, &c);
      if (c.kind == ClauseKind::ApproveBy)
        require_static(c.role, rb_.src, diags_, "an approval role");
    }
    if (b->second->block.empty())
      diags_.warning("empty-between", rb_.src, b->second->keyword,
                     "'between waves' is empty: waves follow each other at once");
  }
  if (auto e = first.find(ClauseKind::ApproveEach); e != first.end())
    require_static(e->second->role, rb_.src, diags_, "an approval role");
  if (auto by = first.find(ClauseKind::By); by != first.end() && by->second->role)
    diags_
        .error("type-mismatch", rb_.src, by->second->role->range(),
               "a foreach's 'by' names cohort columns of the item, not a role")
        .hints.push_back("as in by d.region, d.firmware");
}

void RunbookChecker::check(const std::set<std::string>& visible_runbooks) {
  for (size_t i = 0; i < rb_.params.size(); ++i)
    names_[rb_.params[i]->name.text] = Binding{rb_.param_types[i], -1, rb_.params[i]->name.range};
  for (size_t i = 0; i < rb_.vars.size(); ++i)
    if (!rb_.call_outcome_var.count(rb_.vars[i].name))
      names_[rb_.vars[i].name] = Binding{nullptr, static_cast<int>(i), rb_.vars[i].def};

  // Parameter defaults see no variables and run before any node: probes only.
  std::unordered_map<std::string, Binding> none;
  for (size_t i = 0; i < rb_.params.size(); ++i) {
    const ast::Param& p = *rb_.params[i];
    if (!p.default_value) continue;
    ExprEnv env;
    env.names = &none;
    env.where = "a parameter default";
    exprs_.expect(*p.default_value, rb_.param_types[i], env,
                  "the default of '" + p.name.text + "'");
  }

  narrow_along_edges();

  // Nodes in breadth-first order from start: a variable a node reads is assigned on every
  // path to it, so on the shortest one too, whose nodes come first: its type is known.
  std::vector<bool> done(rb_.nodes.size(), false);
  std::deque<int> queue;
  if (rb_.start >= 0) {
    queue.push_back(rb_.start);
    done[rb_.start] = true;
  }
  auto drain = [&] {
    while (!queue.empty()) {
      int n = queue.front();
      queue.pop_front();
      check_node(n, visible_runbooks);
      for (int e : rb_.nodes[n].out_edges) {
        int to = rb_.edges[e].to;
        if (to >= 0 && !done[to]) {
          done[to] = true;
          queue.push_back(to);
        }
      }
    }
  };
  drain();
  for (size_t i = 0; i < rb_.nodes.size(); ++i)
    if (!done[i]) {
      done[i] = true;
      queue.push_back(static_cast<int>(i));
      drain();
    }

  check_graph(rb_, reads_, diags_);
  for (size_t i = 0; i < rb_.nodes.size(); ++i)
    if (rb_.node(static_cast<int>(i)).kind == NodeKind::Decide)
      check_decision_coverage(rb_, static_cast<int>(i), diags_);
}

void RunbookChecker::check_node(int index, const std::set<std::string>& visible_runbooks) {
  const ast::Node& n = rb_.node(index);
  ExprEnv env;
  env.names = &names_;
  env.call_nodes = &rb_.call_outcome_var;
  env.call_outputs = &rb_.call_outputs;
  // In an action node the lets and the arguments of each `do` are evaluated first, to
  // show the plan at the gate; only the calls of the `do` clauses act.
  env.actions_allowed = false;
  env.where = n.kind == NodeKind::Action
                  ? "a let or an argument (only the call of a 'do' clause acts)"
                  : node_context(n.kind);
  std::vector<std::pair<int, Range>> reads;
  env.reads = &reads;
  // What every edge into this node proves non-null (`when x == null -> unknown` before it).
  if (entry_nonnull_[index]) env.nonnull = *entry_nonnull_[index];

  if (n.kind == NodeKind::Foreach) {
    check_foreach(n, env, visible_runbooks);
    for (const auto& [var, range] : reads) reads_.push_back(VarRead{index, 0, var, range});
    return;
  }
  for (size_t k = 0; k < n.clauses.size(); ++k) {
    const ast::Clause& c = n.clauses[k];
    switch (c.kind) {
      case ClauseKind::Let:
        bind_var(c, exprs_.check(*c.expr, env));
        forget(env.nonnull, c.name.text);  // a new value: what was proved of the old is gone
        break;
      case ClauseKind::When: {
        exprs_.expect(*c.expr, Type::boolean(), env, "a 'when' condition");
        // Later conditions are tried only when this one was false.
        ExprChecker::narrowing(*c.expr, false, env.nonnull);
        break;
      }
      case ClauseKind::Do:
        if (c.expr->kind != ast::ExprKind::Call) {
          exprs_.check(*c.expr, env);
          diags_.error("not-a-call", rb_.src, c.expr->range,
                       "'do' needs a call, as in do gateway.restart(gw)");
        } else {
          env.action_call = c.expr.get();
          TypeRef t = exprs_.check(*c.expr, env);
          env.action_call = nullptr;
          int32_t f = c.expr->callee;
          if (f >= 0 && program_.registry.all()[f].effect != Effect::Action)
            diags_
                .error("do-not-action", rb_.src, c.expr->range,
                       "'do' performs an action, but '" + program_.registry.all()[f].name +
                           "' is a " + effect_name(program_.registry.all()[f].effect))
                .hints.push_back("bind a probe's result with let; do is for actions");
          if (!c.name.text.empty()) bind_action_result(c, f, t);
        }
        break;
      case ClauseKind::Until: {
        if (c.signal) {
          check_signal_wait(c, env);
          break;
        }
        exprs_.expect(*c.expr, Type::boolean(), env, "the 'until' condition");
        exprs_.expect(*c.within, Type::duration(), env, "'within'");
        exprs_.expect(*c.every, Type::duration(), env, "'every'");
        if (c.holds) exprs_.expect(*c.holds, Type::duration(), env, "'holds'");
        if (c.every->kind == ast::ExprKind::Duration && c.every->int_value == 0)
          diags_
              .error("spinning-wait", rb_.src, c.every->range,
                     "'every 0s' would poll without pause")
              .hints.push_back("poll at an interval, as in every 30s");
        if (c.within->kind == ast::ExprKind::Duration && c.every->kind == ast::ExprKind::Duration &&
            c.every->int_value > c.within->int_value)
          diags_.warning("wait-interval", rb_.src, c.every->range,
                         "'every' is longer than 'within': the condition is checked only once");
        break;
      }
      case ClauseKind::Timeout:
        if (c.expr) exprs_.expect(*c.expr, Type::duration(), env, "the approval timeout");
        break;
      case ClauseKind::Show:
        exprs_.expect(*c.expr, Type::string(), env, "what 'show' shows");
        break;
      case ClauseKind::Ask:
        check_question(n, c, env);
        break;
      case ClauseKind::Run:
        check_run(c, env, visible_runbooks);
        break;
      default:
        break;
    }
    for (const auto& [var, range] : reads)
      reads_.push_back(VarRead{index, static_cast<int>(k), var, range});
    reads.clear();
  }
  check_result_reads(index, n);
}

// Drops what NONNULL says of NAME and its fields (NAME was bound anew).
void RunbookChecker::forget(std::set<std::string>& nonnull, const std::string& name) {
  nonnull.erase(name);
  for (auto it = nonnull.lower_bound(name + ".");
       it != nonnull.end() && it->rfind(name + ".", 0) == 0;)
    it = nonnull.erase(it);
}

// Null narrowing that follows a value into the node its edge leads to: a decide's `when
// c == null -> unknown` proves c non-null on the edges after it, a wait's `until
// c != null …` on its then edge. A node is entered with what every edge into it proves
// (a must-analysis: the intersection, to a fixpoint), less what a node on the way binds
// anew. Parameters are never rebound; variables are, by lets, do lets, signals, foreach
// results.
void RunbookChecker::narrow_along_edges() {
  using Facts = std::set<std::string>;
  const size_t nn = rb_.nodes.size();
  entry_nonnull_.assign(nn, std::nullopt);  // nullopt: not reached yet (top)
  if (rb_.start < 0) return;
  entry_nonnull_[rb_.start] = Facts{};
  std::deque<int> work{rb_.start};
  std::vector<bool> queued(nn, false);
  queued[rb_.start] = true;
  auto flow = [&](int to, const Facts& facts) {
    if (to < 0) return;
    std::optional<Facts>& in = entry_nonnull_[to];
    bool changed = false;
    if (!in) {
      in = facts;
      changed = true;
    } else {
      for (auto it = in->begin(); it != in->end();)
        if (!facts.count(*it)) {
          it = in->erase(it);
          changed = true;
        } else {
          ++it;
        }
    }
    if (changed && !queued[to]) {
      queued[to] = true;
      work.push_back(to);
    }
  };
  while (!work.empty()) {
    int n = work.front();
    work.pop_front();
    queued[n] = false;
    const NodeModel& node = rb_.nodes[n];
    const Facts in = *entry_nonnull_[n];
    Facts all_killed = in;  // what holds whatever the node did: less all it binds
    for (int v : node.assigns) forget(all_killed, rb_.vars[v].name);
    Facts acc = in;  // a decide's, clause by clause
    for (const auto& c : node.ast->clauses) {
      if (c.kind == ClauseKind::Let) forget(acc, c.name.text);
      const int edge = [&] {
        for (int e : node.out_edges)
          if (rb_.edges[e].clause == &c) return e;
        return -1;
      }();
      if (node.ast->kind == NodeKind::Decide && c.kind == ClauseKind::When) {
        Facts taken = acc;
        ExprChecker::narrowing(*c.expr, true, taken);
        if (edge >= 0) flow(rb_.edges[edge].to, taken);
        ExprChecker::narrowing(*c.expr, false, acc);
        continue;
      }
      if (edge < 0) continue;
      if (node.ast->kind == NodeKind::Decide && c.kind == ClauseKind::Else) {
        flow(rb_.edges[edge].to, acc);
      } else if (node.ast->kind == NodeKind::Wait && c.kind == ClauseKind::Then) {
        Facts held = all_killed;
        for (const auto& u : node.ast->clauses)
          if (u.kind == ClauseKind::Until && !u.signal) ExprChecker::narrowing(*u.expr, true, held);
        flow(rb_.edges[edge].to, held);
      } else {
        flow(rb_.edges[edge].to, all_killed);
      }
    }
  }
}

// LET NAME = … and do let NAME = …: the variable's type is its first binding's.
void RunbookChecker::bind_var(const ast::Clause& c, const TypeRef& t) {
  bind_typed(c.name.text, t, c.expr->range, "this", false);
}

// Run variable NAME bound to a value of type T at WHERE: its type is its first binding's; a
// later one of another type (EXACT: not even one that converts) is a type-mismatch, saying
// "but WHAT is T".
void RunbookChecker::bind_typed(const std::string& name, const TypeRef& t, Range where,
                                const std::string& what, bool exact) {
  auto it = rb_.var_index.find(name);
  if (it == rb_.var_index.end()) return;  // a parameter's name: reported already
  VarDef& v = rb_.vars[it->second];
  if (!v.type) {
    v.type = t;
    names_[v.name].type = t;
  } else if (!is_error(t) && !is_error(v.type) && !same_type(t, v.type) &&
             (exact || !assignable(t, v.type))) {
    diags_
        .error("type-mismatch", rb_.src, where,
               fmt::format("'{}' is {} where it is first bound, but {} is {}", v.name,
                           to_string(v.type), what, to_string(t)))
        .related.push_back({rb_.src, v.def, "first bound here"});
  }
}

// until signal "NAME" [as VAR] within DURATION: NAME a plain static name (rbk signal RUN
// NAME delivers it); VAR, json, the signal's value (null without one, and on timeout).
void RunbookChecker::check_signal_wait(const ast::Clause& c, ExprEnv& env) {
  require_static(c.signal, rb_.src, diags_, "a signal name");
  if (c.signal->str->is_static_string() && !is_signal_name(c.signal->text()))
    diags_
        .error("bad-signal", rb_.src, c.signal->range(),
               "a signal name is 1 to 64 letters, digits, '_', '-' or '.', as in "
               "\"device_connected\"")
        .hints.push_back("it is what rbk signal RUN NAME and the server's API name");
  exprs_.expect(*c.within, Type::duration(), env, "'within'");
  if (!c.name.text.empty())
    bind_typed(c.name.text, Type::json(), c.name.range, "a signal's value", true);
}

// ask NAME: TYPE in CHOICES: the approver picks one of CHOICES (a list evaluated when the
// gate is asked, so it may come from a probe), which the approved edge carries as NAME. A
// choice is named by its text, so TYPE is one a person can read and type back.
void RunbookChecker::check_question(const ast::Node& n, const ast::Clause& c, ExprEnv& env) {
  TypeRef t = exprs_.resolve_type(*c.type);
  bool pickable = false;
  switch (t->kind) {
    case TypeKind::String:
    case TypeKind::Int:
    case TypeKind::Float:
    case TypeKind::Bool:
    case TypeKind::Duration:
    case TypeKind::Percent:
    case TypeKind::Time:
    case TypeKind::Error:
      pickable = true;
      break;
    default:
      break;
  }
  if (!pickable) {
    diags_
        .error("bad-question", rb_.src, c.type->range,
               "an answer is picked by the text of its choice, so it is a string, int, float, "
               "bool, duration, percent or time, not " +
                   to_string(t))
        .hints.push_back("ask for a key (a cohort's name, a device id) and look the rest up");
    t = Type::error();
  }
  for (const auto& other : n.clauses) {
    if (&other == &c) break;
    if (other.kind == ClauseKind::Ask && other.name.text == c.name.text)
      diags_
          .error("bad-question", rb_.src, c.name.range,
                 "approve node '" + n.name.text + "' asks '" + c.name.text + "' twice")
          .related.push_back({rb_.src, other.name.range, "asked first here"});
  }
  exprs_.expect(*c.expr, is_error(t) ? t : Type::list(t), env, "the choices");
  bind_typed(c.name.text, t, c.type->range, "this answer", true);
}

// do let job = ota.start_job(…): JOB is the action's result (of its declared type), bound
// once the node's actions have run; an action that declares no result has none to bind.
void RunbookChecker::bind_action_result(const ast::Clause& c, int32_t function,
                                        const TypeRef& result) {
  if (function >= 0 && program_.registry.all()[function].effect == Effect::Action &&
      program_.registry.all()[function].result->kind == TypeKind::Null) {
    const std::string& name = program_.registry.all()[function].name;
    diags_
        .error("no-result", rb_.src, c.expr->range,
               "action '" + name + "' declares no result, so 'do let " + c.name.text +
                   "' has nothing to bind")
        .hints.push_back("declare one (action " + name.substr(name.find('.') + 1) +
                         "(…) -> json) or write do " + name + "(…)");
    bind_var(c, Type::error());
    return;
  }
  bind_var(c, result);
}

// An action node evaluates its lets and its calls' arguments before any of its actions
// runs (the gate shows them), so a result bound by one of its `do let`s does not exist yet
// anywhere in the node: on a second visit it would silently be the previous visit's.
void RunbookChecker::check_result_reads(int index, const ast::Node& n) {
  std::map<int, const ast::Clause*> bound_here;
  for (const auto& c : n.clauses)
    if (c.kind == ClauseKind::Do && !c.name.text.empty())
      if (auto v = rb_.var_index.find(c.name.text); v != rb_.var_index.end())
        bound_here.try_emplace(v->second, &c);
  if (bound_here.empty()) return;
  for (const VarRead& r : reads_) {
    if (r.node != index) continue;
    auto it = bound_here.find(r.var);
    if (it == bound_here.end()) continue;
    auto& d = diags_.error(
        "result-too-early", rb_.src, r.range,
        "'" + rb_.vars[r.var].name +
            "' is the result of an action of this node, which runs only after the node's lets "
            "and arguments are evaluated (the gate shows them first)");
    d.related.push_back({rb_.src, it->second->name.range, "bound here"});
    d.hints.push_back("read it in the node that 'then' leads to");
  }
}

// The first clause of RB, or of a runbook it calls, that WHICH picks; or null.
const ast::Clause* RunbookChecker::first_clause(
    const RunbookModel& rb, const std::function<bool(const ast::Clause&)>& which,
    std::set<std::string>& seen) const {
  if (!seen.insert(rb.name).second) return nullptr;
  for (const auto& node : rb.nodes)
    for (const auto& c : node.ast->clauses) {
      if (which(c)) return &c;
      if (c.kind == ClauseKind::Run)
        if (auto it = program_.runbook_index.find(c.name.text); it != program_.runbook_index.end())
          if (const ast::Clause* w = first_clause(program_.runbooks[it->second], which, seen))
            return w;
    }
  return nullptr;
}

// Whether RB, or a runbook it calls, holds a gate (an approve node or a gated action).
bool RunbookChecker::has_gates(const RunbookModel& rb, std::set<std::string>& seen) const {
  if (!seen.insert(rb.name).second) return false;
  for (const auto& node : rb.nodes)
    for (const auto& c : node.ast->clauses) {
      if (node.ast->kind == NodeKind::Approve || c.kind == ClauseKind::ApproveBy) return true;
      if (c.kind == ClauseKind::Run)
        if (auto it = program_.runbook_index.find(c.name.text);
            it != program_.runbook_index.end() && has_gates(program_.runbooks[it->second], seen))
          return true;
    }
  return false;
}

// waves 1%, 10%, 50%, 100% (cumulative shares) or 10, 100, all (cumulative counts):
// literals, strictly increasing, ending with the whole list.
void RunbookChecker::check_waves(const ast::Clause& c) {
  bool shares = false, counts = false;
  double last = 0;
  for (size_t i = 0; i < c.exprs.size(); ++i) {
    const ast::Expr& w = *c.exprs[i];
    bool all = w.kind == ast::ExprKind::Ident && w.name.text == "all";
    double v = w.kind == ast::ExprKind::Percent ? w.float_value
               : w.kind == ast::ExprKind::Int   ? double(w.int_value)
                                                : 0;
    if (!all && w.kind != ast::ExprKind::Percent && w.kind != ast::ExprKind::Int) {
      diags_
          .error("bad-waves", rb_.src, w.range,
                 "a wave is a share of the list (10%), a count (100) or all")
          .hints.push_back("as in waves 1%, 10%, 50%, 100%");
      return;
    }
    if (all && i + 1 != c.exprs.size()) {
      diags_.error("bad-waves", rb_.src, w.range, "'all' is the last wave");
      return;
    }
    if (all) break;
    shares |= w.kind == ast::ExprKind::Percent;
    counts |= w.kind == ast::ExprKind::Int;
    if (shares && counts) {
      diags_
          .error("bad-waves", rb_.src, w.range,
                 "waves are all shares (10%, 100%) or all counts (10, 100, all), not both")
          .hints.push_back("a share and a count cannot be ordered before the list is known");
      return;
    }
    if (v <= 0 || (w.kind == ast::ExprKind::Percent && v > 100)) {
      diags_.error("bad-waves", rb_.src, w.range,
                   w.kind == ast::ExprKind::Percent ? "a wave's share is above 0% and at most 100%"
                                                    : "a wave holds at least one item");
      return;
    }
    if (v <= last) {
      diags_
          .error("bad-waves", rb_.src, w.range,
                 "waves are cumulative and strictly increasing: this one adds nothing")
          .hints.push_back("as in waves 1%, 10%, 50%, 100% (each the share done by its end)");
      return;
    }
    last = v;
  }
  const ast::Expr& end = *c.exprs.back();
  bool ends_whole = (end.kind == ast::ExprKind::Ident && end.name.text == "all") ||
                    (end.kind == ast::ExprKind::Percent && end.float_value == 100);
  if (!ends_whole)
    diags_
        .error("bad-waves", rb_.src, end.range,
               "the last wave must take the whole list: end with 100% or all")
        .hints.push_back(end.kind == ast::ExprKind::Int ? "as in waves 10, 100, all"
                                                        : "as in waves 1%, 10%, 100%");
}

// abort when failed [or escalated] > 5% [after 20]
void RunbookChecker::check_abort(const ast::Clause& c) {
  for (const auto& o : c.outcomes)
    if (!written_outcome(o.text)) {
      auto& d =
          diags_.error("unknown-outcome", rb_.src, o.range, "unknown outcome '" + o.text + "'");
      if (may_suggest(diags_))
        if (std::string s = closest_name(o.text, written_outcome_names()); !s.empty())
          d.hints.push_back("did you mean '" + s + "'?");
    }
  const ast::Expr& t = *c.expr;
  if (t.kind == ast::ExprKind::Percent) {
    if (t.float_value < 0 || t.float_value >= 100)
      diags_.error("bad-abort", rb_.src, t.range,
                   "an abort threshold is a share from 0% up to (not including) 100%");
  } else if (t.kind == ast::ExprKind::Int) {
    if (t.int_value < 0) diags_.error("bad-abort", rb_.src, t.range, "a count is at least 0");
  } else {
    diags_
        .error("bad-abort", rb_.src, t.range,
               "an abort threshold is a share (5%) or a count (10) written as a literal")
        .hints.push_back("as in abort when failed > 5% after 20");
  }
  if (c.after && (c.after->kind != ast::ExprKind::Int || c.after->int_value < 1))
    diags_
        .error("bad-abort", rb_.src, c.after->range,
               "'after' is how many children finish before the rule applies: a count of at "
               "least 1")
        .hints.push_back("as in abort when failed > 5% after 20");
  if (t.kind == ast::ExprKind::Percent && !c.after)
    diags_
        .warning("abort-without-sample", rb_.src, t.range,
                 "a share checked from the first child: one failure is 100%")
        .hints.push_back("wait for a sample: abort when … > 5% after 20");
}

void RunbookChecker::check_foreach(const ast::Node& n, ExprEnv& env,
                                   const std::set<std::string>& visible_runbooks) {
  std::map<ClauseKind, const ast::Clause*> c;
  for (const auto& cl : n.clauses) c.emplace(cl.kind, &cl);
  TypeRef item = Type::error();
  if (auto over = c.find(ClauseKind::Over); over != c.end()) {
    TypeRef t = exprs_.check(*over->second->expr, env);
    if (t->kind == TypeKind::List)
      item = t->elem;
    else if (!is_error(t))
      diags_
          .error("foreach-not-list", rb_.src, over->second->expr->range,
                 "'over' needs a list, but this is " + to_string(t))
          .hints.push_back("a probe returning list<…>, or a variable holding one");
  }
  // The item is seen by the node's own clauses only; it is no run variable of the runbook.
  std::optional<std::pair<std::string, std::optional<Binding>>> hidden;
  if (auto as = c.find(ClauseKind::As); as != c.end()) {
    const std::string& name = as->second->name.text;
    for (const ast::Param* p : rb_.params)
      if (p->name.text == name)
        diags_.error("shadowed-param", rb_.src, as->second->name.range,
                     "'" + name + "' is a parameter of the runbook; the item needs another name");
    auto old = names_.find(name);
    hidden.emplace(name, old == names_.end() ? std::nullopt : std::optional<Binding>(old->second));
    names_[name] = Binding{item, -1, as->second->name.range};
  }
  const RunbookModel* child = nullptr;
  if (auto run = c.find(ClauseKind::Run); run != c.end()) {
    check_run(*run->second, env, visible_runbooks);
    if (auto it = program_.runbook_index.find(run->second->name.text);
        it != program_.runbook_index.end() && visible_runbooks.count(run->second->name.text))
      child = &program_.runbooks[it->second];
  }
  if (auto by = c.find(ClauseKind::By); by != c.end())
    for (const auto& col : by->second->exprs) exprs_.check(*col, env);
  if (hidden) {
    if (hidden->second)
      names_[hidden->first] = *hidden->second;
    else
      names_.erase(hidden->first);
  }
  if (auto w = c.find(ClauseKind::Waves); w != c.end()) check_waves(*w->second);
  if (auto k = c.find(ClauseKind::Concurrency); k != c.end()) {
    const ast::Expr& e = *k->second->expr;
    if (e.kind != ast::ExprKind::Int || e.int_value < 1)
      diags_.error("bad-concurrency", rb_.src, e.range,
                   "'concurrency' is how many children run at once: a count of at least 1");
  }
  if (auto r = c.find(ClauseKind::Rate); r != c.end() && r->second->text.rfind("0/", 0) == 0)
    diags_.error("bad-rate", rb_.src, r->second->range, "a rate of 0 starts nothing");
  if (auto a = c.find(ClauseKind::Abort); a != c.end()) check_abort(*a->second);
  const ast::Clause* between_role = nullptr;
  if (auto b = c.find(ClauseKind::Between); b != c.end())
    for (const auto& cl : b->second->block) {
      if (cl.kind == ClauseKind::Pause) exprs_.expect(*cl.expr, Type::duration(), env, "'pause'");
      if (cl.kind == ClauseKind::Until && cl.signal) {
        diags_
            .error("misplaced-clause", rb_.src, cl.keyword,
                   "a check between waves polls a condition; it cannot wait for a signal")
            .hints.push_back("wait for the signal in a wait node before the foreach");
      } else if (cl.kind == ClauseKind::Until) {
        exprs_.expect(*cl.expr, Type::boolean(), env, "the 'until' condition");
        exprs_.expect(*cl.within, Type::duration(), env, "'within'");
        exprs_.expect(*cl.every, Type::duration(), env, "'every'");
        if (cl.holds) exprs_.expect(*cl.holds, Type::duration(), env, "'holds'");
      }
      if (cl.kind == ClauseKind::ApproveBy) between_role = &cl;
    }
  // One approval per device is not a process anyone can follow: a child's gates are
  // covered by an approval of each wave.
  std::set<std::string> seen;
  if (child && has_gates(*child, seen) && !between_role && !c.count(ClauseKind::ApproveEach))
    diags_
        .error("gated-child", rb_.src, c.at(ClauseKind::Run)->name.range,
               "runbook '" + child->name +
                   "' has approval gates, and a foreach would ask them once per item")
        .hints.push_back(
            "approve each wave instead: 'approve each wave by \"role\"', or 'approve by' in "
            "'between waves { … }'");
  // A signal is sent to a run, not to one of its thousands of children.
  std::set<std::string> looked;
  auto is_signal_wait = [](const ast::Clause& cl) {
    return cl.kind == ClauseKind::Until && cl.signal;
  };
  if (const ast::Clause* waits = child ? first_clause(*child, is_signal_wait, looked) : nullptr)
    diags_
        .error("signal-in-fleet", rb_.src, c.at(ClauseKind::Run)->name.range,
               "runbook '" + child->name + "' waits for signal \"" + waits->signal->text() +
                   "\", which is sent to a run, not to each item of a foreach")
        .hints.push_back("wait for it before the foreach, or poll a condition per item");
  // A wave's approval answers for its children's gates, but cannot answer their questions.
  std::set<std::string> asked;
  auto is_question = [](const ast::Clause& cl) { return cl.kind == ClauseKind::Ask; };
  if (const ast::Clause* q = child ? first_clause(*child, is_question, asked) : nullptr)
    diags_
        .error("asking-child", rb_.src, c.at(ClauseKind::Run)->name.range,
               "runbook '" + child->name + "' asks its approver for '" + q->name.text +
                   "', which an approval of a wave of a foreach cannot answer for each item")
        .hints.push_back("ask before the foreach and pass the answer as an argument");
  // The results: counts by outcome and by end node, the items per outcome.
  std::vector<Field> outcomes, items, ends;
  for (const auto& o : written_outcome_names()) {
    outcomes.push_back({o, Type::integer()});
    items.push_back({o, Type::list(item)});
  }
  items.push_back({"not_started", Type::list(item)});
  if (child)
    for (const auto& node : child->nodes)
      if (node.ast->kind == NodeKind::End) ends.push_back({node.ast->name.text, Type::integer()});
  TypeRef result = Type::record({{"count", Type::integer()},
                                 {"started", Type::integer()},
                                 {"aborted", Type::boolean()},
                                 {"outcomes", Type::record(outcomes)},
                                 {"ends", Type::record(ends)},
                                 {"items", Type::record(items)}});
  if (auto it = rb_.foreach_result_var.find(n.name.text); it != rb_.foreach_result_var.end()) {
    rb_.vars[it->second].type = result;
    names_[n.name.text].type = result;
  }
}

void RunbookChecker::check_run(const ast::Clause& c, ExprEnv& env,
                               const std::set<std::string>& visible_runbooks) {
  for (const auto& a : c.args) exprs_.check(*a.value, env);
  auto it = program_.runbook_index.find(c.name.text);
  if (it == program_.runbook_index.end() || !visible_runbooks.count(c.name.text)) {
    auto& d = diags_.error("unknown-runbook", rb_.src, c.name.range,
                           "unknown runbook '" + c.name.text + "'");
    if (it != program_.runbook_index.end()) {
      d.hints.push_back(fmt::format("'{}' is defined in {}: import that file", c.name.text,
                                    program_.runbooks[it->second].src->path()));
    } else if (may_suggest(diags_)) {
      std::vector<std::string> names(visible_runbooks.begin(), visible_runbooks.end());
      if (std::string s = closest_name(c.name.text, names); !s.empty())
        d.hints.push_back("did you mean '" + s + "'?");
    }
    return;
  }
  const RunbookModel& callee = program_.runbooks[it->second];
  std::vector<bool> given(callee.params.size(), false);
  for (const auto& a : c.args) {
    if (!a.name) {
      diags_
          .error("bad-argument", rb_.src, a.value->range,
                 "arguments to a runbook are passed by name")
          .hints.push_back(callee.params.empty() ? "'" + callee.name + "' takes no parameters"
                                                 : "as in run " + callee.name + "(" +
                                                       callee.params[0]->name.text + ": …)");
      continue;
    }
    size_t p = 0;
    while (p < callee.params.size() && callee.params[p]->name.text != a.name->text) ++p;
    if (p == callee.params.size()) {
      auto& d = diags_.error(
          "bad-argument", rb_.src, a.name->range,
          fmt::format("runbook '{}' has no parameter '{}'", callee.name, a.name->text));
      if (may_suggest(diags_)) {
        std::vector<std::string> names;
        for (const ast::Param* q : callee.params) names.push_back(q->name.text);
        if (std::string s = closest_name(a.name->text, names); !s.empty())
          d.hints.push_back("did you mean '" + s + "'?");
      }
      continue;
    }
    if (given[p]) {
      diags_.error("bad-argument", rb_.src, a.name->range,
                   "argument '" + a.name->text + "' is given twice");
      continue;
    }
    given[p] = true;
    TypeRef t = a.value->type ? a.value->type : Type::error();
    if (!assignable(t, callee.param_types[p]))
      diags_.error("type-mismatch", rb_.src, a.value->range,
                   fmt::format("parameter '{}' of runbook '{}' is {}, but this is {}", a.name->text,
                               callee.name, to_string(callee.param_types[p]), to_string(t)));
  }
  for (size_t p = 0; p < callee.params.size(); ++p)
    if (!given[p] && !callee.params[p]->default_value)
      diags_
          .error("bad-argument", rb_.src, c.name.range,
                 fmt::format("missing argument '{}' of runbook '{}'", callee.params[p]->name.text,
                             callee.name))
          .related.push_back({callee.src, callee.params[p]->name.range, "declared here"});
}

}  // namespace

void collect_runbook(const CheckedProgram& program, RunbookModel& rb, const Visibility& visible,
                     Diagnostics& diags) {
  RunbookChecker(program, rb, visible, diags).collect();
}

void check_runbook(const CheckedProgram& program, RunbookModel& rb, const Visibility& visible,
                   Diagnostics& diags) {
  RunbookChecker(program, rb, visible, diags).check(visible.runbooks);
}

std::vector<ast::ClauseKind> clauses_allowed(NodeKind k) {
  std::vector<ast::ClauseKind> out;
  for (const ClauseRule& r : rules_for(k)) out.push_back(r.kind);
  return out;
}

}  // namespace rbk
