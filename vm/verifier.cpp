#include "vm/verifier.hpp"

#include <string>
#include <vector>

#include "vm/rbc.hpp"

namespace rbk {

namespace {

// Why an opcode of placement WHERE may not appear in the code of NODE (null: a function
// body or a parameter default); empty when it may.
std::string misplaced(Placement where, const NodeInfo* node) {
  auto only = [](bool ok, const char* where) -> std::string {
    return ok ? "" : std::string("allowed only ") + where;
  };
  auto in = [&](NodeKind k) { return node && node->kind == k; };
  switch (where) {
    case Placement::any:
      return "";
    case Placement::body:
      return only(!node, "in function bodies and defaults");
    case Placement::node:
      return only(node != nullptr, "in node code");
    case Placement::decide:
      return only(in(NodeKind::Decide), "in decide nodes");
    case Placement::action:
      return only(in(NodeKind::Action), "in action nodes");
    case Placement::wait:
      return only(in(NodeKind::Wait), "in wait nodes");
    case Placement::approve:
      return only(in(NodeKind::Approve), "in approve nodes");
    case Placement::call:
      return only(in(NodeKind::Call), "in call nodes");
    case Placement::nowhere:
      return "belongs to no code (end nodes have none)";
    case Placement::foreach:
      return only(in(NodeKind::Foreach), "in foreach nodes");
  }
  return "";
}

// Who runs a code block: a node, a part of a foreach node (its arguments, columns and
// between-waves checks), a parameter default, or a function body.
struct Owner {
  enum class K { None, Node, Part, Default, Function } k = K::None;
  uint32_t runbook = 0, node = 0, function = 0;
};

class Verifier {
 public:
  explicit Verifier(const Program& p) : p_(p) {}

  std::string run() {
    if (p_.runbooks.empty()) return "the program has no runbook";
    if (p_.entry >= p_.runbooks.size()) return "the entry runbook index is out of range";
    owners_.assign(p_.codes.size(), Owner{});
    for (uint32_t i = 0; i < p_.config.size(); ++i)
      if (p_.config[i].type >= p_.types.size())
        return "config '" + p_.config[i].name + "' has an invalid type";
    for (uint32_t f = 0; f < p_.functions.size(); ++f)
      if (auto e = function(f); !e.empty()) return e;
    for (uint32_t r = 0; r < p_.runbooks.size(); ++r)
      if (auto e = runbook(r); !e.empty()) return e;
    for (uint32_t c = 0; c < p_.codes.size(); ++c) {
      if (owners_[c].k == Owner::K::None)
        return "code block " + std::to_string(c) + " belongs to nothing";
      if (auto e = code(c); !e.empty()) return e;
    }
    if (sha256(encode_payload(p_)) != p_.hash) return "the content hash does not match the program";
    return {};
  }

 private:
  std::string claim(uint32_t c, Owner o, const std::string& who) {
    if (c >= p_.codes.size()) return who + ": code index out of range";
    if (owners_[c].k != Owner::K::None)
      return who + ": code block " + std::to_string(c) + " is shared";
    owners_[c] = o;
    return {};
  }

  std::string function(uint32_t f) {
    const FunctionInfo& fn = p_.functions[f];
    std::string who = "function '" + fn.name + "'";
    if (fn.result >= p_.types.size()) return who + ": invalid result type";
    for (const auto& prm : fn.params)
      if (prm.type >= p_.types.size()) return who + ": invalid parameter type";
    // The VM allocates the locals of every call: a count from a damaged file must not
    // become a 4 GB allocation.
    if (fn.locals > kMaxLocals)
      return who + ": " + std::to_string(fn.locals) + " locals, more than the limit of " +
             std::to_string(kMaxLocals);
    if (fn.code == kNone) {
      // A function without a body is a native, with the native's effect: a program that
      // called http.post_json a probe could run it in a decide node.
      if (!fn.native) return who + ": no body, and no native of that name";
      Effect native = native_row(*fn.native).effect;
      if (fn.effect != native)
        return who + ": declared " + effect_name(fn.effect) + ", but the native is " +
               (native == Effect::Pure ? "pure" : std::string("a ") + effect_name(native));
    }
    if (fn.code != kNone) {
      if (fn.locals < fn.params.size()) return who + ": fewer locals than parameters";
      Owner o;
      o.k = Owner::K::Function;
      o.function = f;
      return claim(fn.code, o, who);
    }
    return {};
  }

  std::string runbook(uint32_t r) {
    const RunbookInfo& rb = p_.runbooks[r];
    std::string who = "runbook '" + rb.name + "'";
    if (rb.nodes.empty()) return who + ": no nodes";
    if (rb.start >= rb.nodes.size()) return who + ": start node out of range";
    for (const auto& prm : rb.params) {
      if (prm.type >= p_.types.size()) return who + ": invalid parameter type";
      if (prm.default_code != kNone) {
        Owner o;
        o.k = Owner::K::Default;
        o.runbook = r;
        if (auto e = claim(prm.default_code, o, who + " parameter '" + prm.name + "'"); !e.empty())
          return e;
      }
    }
    for (uint32_t e = 0; e < rb.edges.size(); ++e)
      if (rb.edges[e].from >= rb.nodes.size() || rb.edges[e].to >= rb.nodes.size())
        return who + ": edge " + std::to_string(e) + " joins nodes out of range";
    for (uint32_t n = 0; n < rb.nodes.size(); ++n) {
      const NodeInfo& node = rb.nodes[n];
      std::string nw = who + " node '" + node.name + "'";
      for (uint32_t e : node.edges)
        if (e >= rb.edges.size() || rb.edges[e].from != n)
          return nw + ": lists an edge that is not its own";
      auto own_edge = [&](uint32_t e, EdgeKind k) {
        if (e == kNone) return true;
        return e < rb.edges.size() && rb.edges[e].from == n && rb.edges[e].kind == k;
      };
      if (!own_edge(node.error_edge, EdgeKind::OnError)) return nw + ": invalid error edge";
      if (node.kind == NodeKind::End) {
        if (node.code != kNone || !node.edges.empty() || node.outcome == Outcome::None)
          return nw + ": an end node has an outcome and neither code nor edges";
        continue;
      }
      if (node.kind == NodeKind::Approve &&
          (node.approved_edge == kNone || node.denied_edge == kNone ||
           !own_edge(node.approved_edge, EdgeKind::Approved) ||
           !own_edge(node.denied_edge, EdgeKind::Denied) ||
           !own_edge(node.timeout_edge, EdgeKind::Timeout)))
        return nw + ": invalid approval edges";
      if ((node.kind == NodeKind::Approve) && node.role.empty())
        return nw + ": an approve node needs a role";
      Owner o;
      o.k = Owner::K::Node;
      o.runbook = r;
      o.node = n;
      if (auto e = claim(node.code, o, nw); !e.empty()) return e;
      if (node.kind == NodeKind::Foreach &&
          (node.foreach >= rb.foreachs.size() || rb.foreachs[node.foreach].node != n))
        return nw + ": a foreach node without its foreach table";
    }
    for (uint32_t i = 0; i < rb.foreachs.size(); ++i)
      if (auto e = foreach (r, rb.foreachs[i], i); !e.empty()) return e;
    return {};
  }

  std::string foreach (uint32_t r, const ForeachInfo& f, uint32_t i) {
    const RunbookInfo& rb = p_.runbooks[r];
    std::string who = "runbook '" + rb.name + "' foreach " + std::to_string(i);
    if (f.node >= rb.nodes.size() || rb.nodes[f.node].kind != NodeKind::Foreach ||
        rb.nodes[f.node].foreach != i)
      return who + ": its node is not a foreach node";
    who = "runbook '" + rb.name + "' node '" + rb.nodes[f.node].name + "'";
    if (f.runbook >= p_.runbooks.size()) return who + ": child runbook out of range";
    if (f.item_var >= rb.vars.size() || f.result_var >= rb.vars.size())
      return who + ": variable index out of range";
    if (f.concurrency < 1) return who + ": a concurrency below 1";
    if (f.abort_after < 1) return who + ": an abort rule checked before any child finished";
    if (f.abort_share && f.abort_value >= 100000) return who + ": an abort share of 100% or more";
    for (size_t w = 0; w < f.waves.size(); ++w) {
      const WaveInfo& wave = f.waves[w];
      bool last = w + 1 == f.waves.size();
      if ((wave.kind == WaveInfo::Kind::All && !last) ||
          (wave.kind == WaveInfo::Kind::Share && (wave.value == 0 || wave.value > 100000)) ||
          (wave.kind == WaveInfo::Kind::Count && wave.value == 0))
        return who + ": an invalid wave";
    }
    if (f.aborted_edge != kNone &&
        (f.aborted_edge >= rb.edges.size() || rb.edges[f.aborted_edge].from != f.node ||
         rb.edges[f.aborted_edge].kind != EdgeKind::Aborted))
      return who + ": invalid aborted edge";
    if ((f.abort || f.between_code != kNone || !f.each_role.empty()) && f.aborted_edge == kNone)
      return who + ": it can abort but has no aborted edge";
    if (f.args_code == kNone) return who + ": no argument code";
    Owner o;
    o.k = Owner::K::Part;
    o.runbook = r;
    o.node = f.node;
    for (uint32_t c : {f.args_code, f.by_code, f.between_code, f.until_code})
      if (c != kNone)
        if (auto e = claim(c, o, who); !e.empty()) return e;
    return {};
  }

  std::string code(uint32_t c) {
    const Code& code = p_.codes[c];
    const Owner& o = owners_[c];
    std::string who;
    const RunbookInfo* rb = o.k == Owner::K::Function ? nullptr : &p_.runbooks[o.runbook];
    const NodeInfo* node = o.k == Owner::K::Node ? &rb->nodes[o.node] : nullptr;
    const FunctionInfo* fn = o.k == Owner::K::Function ? &p_.functions[o.function] : nullptr;
    if (node)
      who = "runbook '" + rb->name + "' node '" + node->name + "'";
    else if (o.k == Owner::K::Part)
      who = "runbook '" + rb->name + "' node '" + rb->nodes[o.node].name + "' (a part)";
    else if (fn)
      who = "function '" + fn->name + "'";
    else
      who = "runbook '" + rb->name + "' parameter default";
    if (code.instrs.empty()) return who + ": empty code";
    if (code.lines.size() != code.instrs.size())
      return who + ": the source map does not cover every instruction";

    const size_t n = code.instrs.size();
    std::vector<int> depth(n, -1);
    depth[0] = 0;
    for (size_t pc = 0; pc < n; ++pc) {
      const Instr& in = code.instrs[pc];
      const OpInfo& info = op_info(in.op);
      // The place, spelled out only when there is a problem to report.
      struct Where {
        const std::string& who;
        size_t pc;
        std::string_view name;
        operator std::string() const {
          return who + ", instruction " + std::to_string(pc) + " (" + std::string(name) + ")";
        }
      } where_{who, pc, info.name};
      auto at_ = [&] { return std::string(where_); };
      int d = depth[pc];
      if (d < 0) return at_() + ": unreachable";

      auto check = [&](Operand kind, uint32_t v) -> std::string {
        switch (kind) {
          case Operand::none:
            return v == 0 ? "" : "unused operand is not zero";
          case Operand::constant:
            return v < p_.constants.size() ? "" : "constant index out of range";
          case Operand::name:  // the machine reads it as a string
            return v < p_.constants.size() && p_.constants[v].kind == ValueKind::String
                       ? ""
                       : "operand is not a string constant";
          case Operand::var:
            return rb && (o.k == Owner::K::Node || o.k == Owner::K::Part) && v < rb->vars.size()
                       ? ""
                       : "variable index out of range";
          case Operand::param:
            return rb && (o.k == Owner::K::Node || o.k == Owner::K::Part) && v < rb->params.size()
                       ? ""
                       : "parameter index out of range";
          case Operand::local:
            return fn && v < fn->locals ? "" : "local index out of range";
          case Operand::func:
            return v < p_.functions.size() ? "" : "function index out of range";
          case Operand::edge: {
            if (!node) return "edge outside a node";
            for (uint32_t e : node->edges)
              if (e == v) return "";
            return "edge is not one of the node's";
          }
          case Operand::shape:
            return v < p_.shapes.size() ? "" : "shape index out of range";
          case Operand::type:
            return v < p_.types.size() ? "" : "type index out of range";
          case Operand::code:
            return v < n ? "" : "jump target out of range";
          case Operand::runbook:
            return v < p_.runbooks.size() ? "" : "runbook index out of range";
          case Operand::count:
            return v <= kMaxStack ? "" : "count too large";
        }
        return "bad operand";
      };
      if (auto e = check(info.a, in.a); !e.empty()) return at_() + ": " + e;
      if (auto e = check(info.b, in.b); !e.empty()) return at_() + ": " + e;

      if (auto e = misplaced(info.where, node); !e.empty()) return at_() + ": " + e;

      int pops = info.pops, pushes = info.pushes;
      if (in.op == Op::CALL || in.op == Op::PLAN) {
        const FunctionInfo& callee = p_.functions[in.a];
        if (in.b != callee.params.size())
          return at_() + ": '" + callee.name + "' takes " + std::to_string(callee.params.size()) +
                 " arguments, not " + std::to_string(in.b);
        if (in.op == Op::PLAN && callee.effect != Effect::Action)
          return at_() + ": plans only actions";
        if (in.op == Op::CALL && callee.effect == Effect::Action &&
            !(fn && fn->effect == Effect::Action))
          return at_() + ": action '" + callee.name + "' called outside an action's body";
        pops = static_cast<int>(in.b);
      } else if (in.op == Op::MAP || in.op == Op::FILTER || in.op == Op::ANY || in.op == Op::ALL ||
                 in.op == Op::SORT_BY || in.op == Op::GROUP_BY || in.op == Op::COUNT_BY) {
        const FunctionInfo& lambda = p_.functions[in.a];
        if (lambda.effect != Effect::Pure || lambda.code == kNone ||
            lambda.params.size() != in.b + 1)
          return at_() + ": '" + lambda.name + "' is not a lambda of " + std::to_string(in.b) +
                 " captured values and an item";
        pops = static_cast<int>(in.b) + 1;
      } else if (in.op == Op::RUN_OUTPUT) {
        if (in.a >= p_.runbooks[in.b].vars.size())
          return at_() + ": runbook '" + p_.runbooks[in.b].name + "' has no variable " +
                 std::to_string(in.a);
      } else if (in.op == Op::RUN) {
        if (in.b != p_.runbooks[in.a].params.size())
          return at_() + ": wrong number of runbook arguments";
        pops = static_cast<int>(in.b);
      } else if (in.op == Op::FOREACH) {
        if (!node || in.a >= rb->foreachs.size() || rb->foreachs[in.a].node != o.node)
          return at_() + ": not this node's foreach";
      } else if (in.op == Op::MAKE_LIST || in.op == Op::CONCAT) {
        pops = static_cast<int>(in.a);
      } else if (in.op == Op::MAKE_RECORD) {
        pops = static_cast<int>(p_.shapes[in.a].size());
      } else if (in.op == Op::ASK) {  // timeout, text and each question's choices
        pushes = static_cast<int>(p_.shapes[in.a].size());
        pops = pushes + 2;
      }
      if (d < pops)
        return at_() + ": pops " + std::to_string(pops) + " values from a stack of " +
               std::to_string(d);
      int after = d - pops + pushes;
      if (after > static_cast<int>(kMaxStack))
        return at_() + ": the stack grows past " + std::to_string(kMaxStack);

      auto flow_to = [&](size_t target, int dd) -> std::string {
        if (target <= pc) {  // backward: the target was reached already
          if (depth[target] != dd) return at_() + ": the stack depth differs along two paths";
          return "";
        }
        if (depth[target] >= 0 && depth[target] != dd)
          return at_() + ": the stack depth differs along two paths";
        depth[target] = dd;
        return "";
      };
      bool terminator = false;
      switch (in.op) {
        case Op::JUMP:
          if (auto e = flow_to(in.a, after); !e.empty()) return e;
          terminator = true;
          break;
        case Op::JUMP_IF_FALSE:
        case Op::JUMP_IF_TRUE:
        case Op::JUMP_IF_NOT_NULL:
        case Op::POLL:
          if (auto e = flow_to(in.a, after); !e.empty()) return e;
          break;
        case Op::TAKE:
        case Op::NO_BRANCH:
        case Op::APPROVE:
        case Op::RETURN:
          if (after != 0)
            return at_() + ": leaves " + std::to_string(after) + " values on the stack";
          terminator = true;
          break;
        default:
          break;
      }
      if (!terminator) {
        if (pc + 1 == n) return at_() + ": the code runs off its end";
        if (auto e = flow_to(pc + 1, after); !e.empty()) return e;
      }
    }
    return {};
  }

  const Program& p_;
  std::vector<Owner> owners_;
};

}  // namespace

std::string verify(const Program& p) {
  return Verifier(p).run();
}

}  // namespace rbk
