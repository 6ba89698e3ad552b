#include "compiler/graph_check.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <deque>
#include <functional>
#include <unordered_map>

namespace rbk {

namespace {

// A set of run variables.
class VarSet {
 public:
  VarSet() = default;
  VarSet(size_t n, bool full) : bits_((n + 63) / 64, full ? ~0ull : 0ull) {}
  bool has(int v) const { return bits_[v / 64] >> (v % 64) & 1; }
  void add(int v) { bits_[v / 64] |= 1ull << (v % 64); }
  // this &= other; returns whether anything changed
  bool intersect(const VarSet& o) {
    bool changed = false;
    for (size_t i = 0; i < bits_.size(); ++i) {
      uint64_t b = bits_[i] & o.bits_[i];
      changed |= b != bits_[i];
      bits_[i] = b;
    }
    return changed;
  }

 private:
  std::vector<uint64_t> bits_;
};

std::string path_text(const RunbookModel& rb, const std::vector<int>& nodes, bool close) {
  std::string s;
  for (int n : nodes) s += (s.empty() ? "" : " -> ") + rb.node(n).name.text;
  if (close && !nodes.empty()) s += " -> " + rb.node(nodes.front()).name.text;
  return s;
}

std::vector<bool> reachable_from(const RunbookModel& rb, int start) {
  std::vector<bool> seen(rb.nodes.size(), false);
  if (start < 0) return seen;
  std::deque<int> q{start};
  seen[start] = true;
  while (!q.empty()) {
    int n = q.front();
    q.pop_front();
    for (int e : rb.nodes[n].out_edges) {
      int to = rb.edges[e].to;
      if (to >= 0 && !seen[to]) {
        seen[to] = true;
        q.push_back(to);
      }
    }
  }
  return seen;
}

void check_reachability_and_ends(const RunbookModel& rb, Diagnostics& diags) {
  if (rb.start < 0) return;
  std::vector<bool> reach = reachable_from(rb, rb.start);
  for (size_t i = 0; i < rb.nodes.size(); ++i)
    if (!reach[i])
      diags
          .warning(
              "unreachable-node", rb.src, rb.node(static_cast<int>(i)).name.range,
              "node '" + rb.node(static_cast<int>(i)).name.text + "' is unreachable from start")
          .hints.push_back(
              "no edge leads here from the start node; remove it or add an edge to it");

  // Which nodes can reach an end: backwards from every end node.
  std::vector<std::vector<int>> preds(rb.nodes.size());
  for (const auto& e : rb.edges)
    if (e.to >= 0) preds[e.to].push_back(e.from);
  std::vector<bool> ends(rb.nodes.size(), false);
  std::deque<int> q;
  for (size_t i = 0; i < rb.nodes.size(); ++i)
    if (rb.node(static_cast<int>(i)).kind == NodeKind::End) {
      ends[i] = true;
      q.push_back(static_cast<int>(i));
    }
  while (!q.empty()) {
    int n = q.front();
    q.pop_front();
    for (int p : preds[n])
      if (!ends[p]) {
        ends[p] = true;
        q.push_back(p);
      }
  }
  // Report where a path enters the trapped region, not every node in it.
  for (size_t i = 0; i < rb.nodes.size(); ++i) {
    if (!reach[i] || ends[i]) continue;
    bool entry = static_cast<int>(i) == rb.start;
    for (int p : preds[i]) entry |= reach[p] && ends[p];
    if (!entry) continue;
    const ast::Node& n = rb.node(static_cast<int>(i));
    diags
        .warning("no-end", rb.src, n.name.range,
                 "no path from node '" + n.name.text + "' reaches an end node")
        .hints.push_back(
            "a run that gets here never finishes with an outcome; add an edge towards an end node");
  }
}

void check_spinning_loops(const RunbookModel& rb, Diagnostics& diags) {
  std::vector<std::vector<int>> succ(rb.nodes.size());
  auto pauses = [&](int n) {
    return rb.node(n).kind == NodeKind::Wait || rb.node(n).kind == NodeKind::Approve;
  };
  for (const auto& e : rb.edges)
    if (e.to >= 0 && !pauses(e.from) && !pauses(e.to)) succ[e.from].push_back(e.to);
  for (const auto& cycle : find_cycles(succ)) {
    // Report at the edge that closes the cycle.
    int last = cycle.back(), first = cycle.front();
    const GraphEdge* closing = nullptr;
    for (int e : rb.nodes[last].out_edges)
      if (rb.edges[e].to == first && !closing) closing = &rb.edges[e];
    Range r = closing ? closing->clause->target.range : rb.node(first).name.range;
    diags
        .error("spinning-loop", rb.src, r,
               "loop " + path_text(rb, cycle, true) + " passes through no wait or approve node")
        .hints.push_back(
            "a run could go round it forever without pause: put a wait node "
            "(until … within … every …) or an approve gate in the loop");
  }
}

void check_definite_assignment(const RunbookModel& rb, const std::vector<VarRead>& reads,
                               Diagnostics& diags) {
  if (rb.start < 0 || reads.empty()) return;
  size_t nn = rb.nodes.size();
  std::vector<bool> reach = reachable_from(rb, rb.start);

  // Only variables that are read matter. They are solved in chunks, so that memory stays
  // (nodes x chunk) bits however many variables a large runbook has.
  constexpr size_t kChunk = 1024;
  std::vector<int> read_vars;
  for (const VarRead& r : reads) read_vars.push_back(r.var);
  std::sort(read_vars.begin(), read_vars.end());
  read_vars.erase(std::unique(read_vars.begin(), read_vars.end()), read_vars.end());
  std::vector<bool> assigned_at_read(reads.size(), true);

  for (size_t base = 0; base < read_vars.size(); base += kChunk) {
    size_t width = std::min(kChunk, read_vars.size() - base);
    std::unordered_map<int, int> slot;
    for (size_t k = 0; k < width; ++k) slot[read_vars[base + k]] = static_cast<int>(k);
    std::vector<std::vector<int>> gen(nn);  // each node's assignments, as slots
    for (size_t n = 0; n < nn; ++n)
      for (int v : rb.nodes[n].assigns)
        if (auto it = slot.find(v); it != slot.end()) gen[n].push_back(it->second);

    std::vector<VarSet> in(nn, VarSet(width, true));
    in[rb.start] = VarSet(width, false);  // also when an edge leads back to start
    std::deque<int> work;
    std::vector<bool> queued(nn, false);
    for (size_t i = 0; i < nn; ++i)
      if (reach[i]) {
        work.push_back(static_cast<int>(i));
        queued[i] = true;
      }
    VarSet out;
    while (!work.empty()) {
      int n = work.front();
      work.pop_front();
      queued[n] = false;
      for (int ei : rb.nodes[n].out_edges) {
        const GraphEdge& e = rb.edges[ei];
        if (e.to < 0 || e.to == rb.start) continue;
        out = in[n];
        if (!e.drops_assigns || rb.node(n).kind == NodeKind::Call)
          for (int k : gen[n]) out.add(k);
        if (in[e.to].intersect(out) && !queued[e.to]) {
          queued[e.to] = true;
          work.push_back(e.to);
        }
      }
    }
    for (size_t i = 0; i < reads.size(); ++i)
      if (auto it = slot.find(reads[i].var); it != slot.end() && reach[reads[i].node])
        assigned_at_read[i] = in[reads[i].node].has(it->second);
  }

  // Where each variable is first bound in a node (var -> clause), for the nodes that read
  // a variable not assigned on entry: built once per node, since a node may have 40,000
  // lets that each read the one before.
  std::unordered_map<int, std::unordered_map<int, int>> first_let;
  auto bound_earlier = [&](const VarRead& r) {
    auto [lets, fresh] = first_let.try_emplace(r.node);
    if (fresh) {
      const ast::Node& node = rb.node(r.node);
      for (size_t k = 0; k < node.clauses.size(); ++k)
        if (node.clauses[k].kind == ast::ClauseKind::Let) {
          if (auto v = rb.var_index.find(node.clauses[k].name.text); v != rb.var_index.end())
            lets->second.try_emplace(v->second, static_cast<int>(k));
        } else if (node.clauses[k].kind == ast::ClauseKind::Do) {
          // A `do let` result read anywhere in its own node is result-too-early, which the
          // checker reports instead.
          if (auto v = rb.var_index.find(node.clauses[k].name.text); v != rb.var_index.end())
            lets->second[v->second] = -1;
        }
    }
    auto at = lets->second.find(r.var);
    return at != lets->second.end() && at->second < r.clause;
  };
  std::set<std::pair<int, int>> reported;  // (node, var)
  for (size_t i = 0; i < reads.size(); ++i) {
    const VarRead& r = reads[i];
    if (assigned_at_read[i]) continue;
    if (bound_earlier(r) || !reported.insert({r.node, r.var}).second) continue;

    // A witness: the shortest path from start to this node on which the variable is
    // never assigned.
    std::vector<int> parent(nn, -2);
    std::deque<int> q{rb.start};
    parent[rb.start] = -1;
    while (!q.empty() && parent[r.node] == -2) {
      int n = q.front();
      q.pop_front();
      bool assigns = std::count(rb.nodes[n].assigns.begin(), rb.nodes[n].assigns.end(), r.var) > 0;
      for (int ei : rb.nodes[n].out_edges) {
        const GraphEdge& e = rb.edges[ei];
        bool carries = assigns && (!e.drops_assigns || rb.node(n).kind == NodeKind::Call);
        if (e.to < 0 || carries || parent[e.to] != -2) continue;
        parent[e.to] = n;
        q.push_back(e.to);
      }
    }
    const VarDef& v = rb.vars[r.var];
    std::string what =
        v.name.find('.') == std::string::npos ? "variable '" + v.name + "'" : "'" + v.name + "'";
    auto& d = diags.error("unassigned-variable", rb.src, r.range,
                          fmt::format("{} may be unassigned here", what));
    if (parent[r.node] != -2) {
      std::vector<int> path;
      for (int n = r.node; n >= 0; n = parent[n]) path.push_back(n);
      std::reverse(path.begin(), path.end());
      d.hints.push_back("the path start -> " + path_text(rb, path, false) + " does not assign it");
    }
    d.related.push_back({rb.src, v.def, "assigned here"});
  }
}

}  // namespace

std::vector<std::vector<int>> find_cycles(const std::vector<std::vector<int>>& succ) {
  // Tarjan's strongly connected components, iteratively (graphs can be large).
  int n = static_cast<int>(succ.size()), counter = 0;
  std::vector<int> index(n, -1), low(n, 0), comp(n, -1);
  std::vector<bool> on_stack(n, false);
  std::vector<int> stack;
  std::vector<std::vector<int>> comps;
  for (int root = 0; root < n; ++root) {
    if (index[root] >= 0) continue;
    std::vector<std::pair<int, size_t>> call{{root, 0}};
    index[root] = low[root] = counter++;
    stack.push_back(root);
    on_stack[root] = true;
    while (!call.empty()) {
      auto& [v, i] = call.back();
      if (i < succ[v].size()) {
        int w = succ[v][i++];
        if (index[w] < 0) {
          index[w] = low[w] = counter++;
          stack.push_back(w);
          on_stack[w] = true;
          call.emplace_back(w, 0);
        } else if (on_stack[w]) {
          low[v] = std::min(low[v], index[w]);
        }
        continue;
      }
      if (low[v] == index[v]) {
        std::vector<int> c;
        int w;
        do {
          w = stack.back();
          stack.pop_back();
          on_stack[w] = false;
          comp[w] = static_cast<int>(comps.size());
          c.push_back(w);
        } while (w != v);
        comps.push_back(std::move(c));
      }
      int done = v;
      call.pop_back();
      if (!call.empty()) low[call.back().first] = std::min(low[call.back().first], low[done]);
    }
  }
  // One concrete cycle per component that has one: from its smallest vertex, a shortest
  // path back to it inside the component.
  std::vector<std::vector<int>> cycles;
  for (size_t ci = 0; ci < comps.size(); ++ci) {
    const auto& c = comps[ci];
    int s = *std::min_element(c.begin(), c.end());
    bool self = std::count(succ[s].begin(), succ[s].end(), s) > 0;
    if (c.size() == 1 && !self) continue;
    if (self) {
      cycles.push_back({s});
      continue;
    }
    std::vector<int> parent(n, -2);
    std::deque<int> q{s};
    parent[s] = -1;
    int last = -1;
    while (!q.empty() && last < 0) {
      int v = q.front();
      q.pop_front();
      for (int w : succ[v]) {
        if (comp[w] != static_cast<int>(ci)) continue;
        if (w == s) {
          last = v;
          break;
        }
        if (parent[w] == -2) {
          parent[w] = v;
          q.push_back(w);
        }
      }
    }
    std::vector<int> cycle;
    for (int v = last; v >= 0; v = parent[v]) cycle.push_back(v);
    std::reverse(cycle.begin(), cycle.end());
    cycles.push_back(std::move(cycle));
  }
  std::sort(cycles.begin(), cycles.end());
  return cycles;
}

void check_graph(const RunbookModel& rb, const std::vector<VarRead>& reads, Diagnostics& diags) {
  check_reachability_and_ends(rb, diags);
  check_spinning_loops(rb, diags);
  check_definite_assignment(rb, reads, diags);
}

void check_call_cycles(const CheckedProgram& program, Diagnostics& diags) {
  size_t n = program.runbooks.size();
  std::vector<std::vector<int>> succ(n);
  // The run clause behind each call edge, to report at.
  std::map<std::pair<int, int>, const ast::Clause*> clause_of;
  for (size_t i = 0; i < n; ++i)
    for (const auto& node : program.runbooks[i].nodes)
      for (const auto& c : node.ast->clauses) {
        if (c.kind != ast::ClauseKind::Run) continue;
        auto it = program.runbook_index.find(c.name.text);
        if (it == program.runbook_index.end()) continue;
        succ[i].push_back(it->second);
        clause_of.emplace(std::pair{static_cast<int>(i), it->second}, &c);
      }
  for (const auto& cycle : find_cycles(succ)) {
    std::string text;
    for (int r : cycle) text += program.runbooks[r].name + " -> ";
    text += program.runbooks[cycle.front()].name;
    const RunbookModel& from = program.runbooks[cycle.back()];
    const ast::Clause* c = clause_of.at({cycle.back(), cycle.front()});
    diags.error("call-cycle", from.src, c->name.range, "call cycle: " + text)
        .hints.push_back("a runbook cannot run itself, directly or through others");
  }
}

}  // namespace rbk
