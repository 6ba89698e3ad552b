#include "publish/program_facts.hpp"

#include <algorithm>
#include <map>
#include <optional>
#include <set>

#include "vm/value.hpp"

namespace rbk {

namespace {

// Walks code blocks, following declared functions' bodies and the runbooks RUN starts;
// collects every function called or planned.
struct Walker {
  const Program& p;
  std::set<uint32_t> functions, seen_codes, seen_runbooks;

  void code(uint32_t index) {
    if (index == kNone || !seen_codes.insert(index).second) return;
    for (const Instr& in : p.codes[index].instrs) {
      if (in.op == Op::CALL || in.op == Op::PLAN) {
        functions.insert(in.a);
        code(p.functions[in.a].code);
      } else if (in.op == Op::RUN) {
        runbook(in.a);
      }
    }
  }
  void runbook(uint32_t index) {
    if (!seen_runbooks.insert(index).second) return;
    const RunbookInfo& rb = p.runbooks[index];
    for (const auto& n : rb.nodes) code(n.code);
    for (const auto& prm : rb.params) code(prm.default_code);
  }
};

}  // namespace

NodeCalls node_calls(const Program& p, const NodeInfo& node) {
  NodeCalls calls;
  if (node.code == kNone) return calls;
  std::set<std::string> probes, actions;
  for (const Instr& in : p.codes[node.code].instrs) {
    if (in.op != Op::CALL && in.op != Op::PLAN) continue;
    const FunctionInfo& f = p.functions[in.a];
    if (f.effect == Effect::Probe) probes.insert(f.name);
    if (f.effect == Effect::Action) actions.insert(f.name);
  }
  calls.probes.assign(probes.begin(), probes.end());
  calls.actions.assign(actions.begin(), actions.end());
  return calls;
}

std::vector<Reachable> reachable_effects(const Program& p, const RunbookInfo& rb) {
  Walker w{p, {}, {}, {}};
  w.runbook(static_cast<uint32_t>(&rb - p.runbooks.data()));
  std::map<std::string, Reachable> by_name;
  for (uint32_t f : w.functions) {
    const FunctionInfo& fn = p.functions[f];
    if (fn.effect == Effect::Pure) continue;
    by_name[fn.name] = {fn.name, fn.effect, fn.capabilities};
  }
  std::vector<Reachable> out;
  for (auto& [name, r] : by_name) out.push_back(std::move(r));
  return out;
}

std::vector<std::string> called_runbooks(const Program& p, const RunbookInfo& rb) {
  std::set<std::string> names;
  for (const auto& n : rb.nodes) {
    if (n.code == kNone) continue;
    for (const Instr& in : p.codes[n.code].instrs)
      if (in.op == Op::RUN) names.insert(p.runbooks[in.a].name);
  }
  for (const auto& f : rb.foreachs) names.insert(p.runbooks[f.runbook].name);
  return {names.begin(), names.end()};
}

namespace {

// The value CODE leaves when it builds a constant from literals only (CONST, NULL_,
// MAKE_LIST, MAKE_RECORD, NEG); std::nullopt when it computes anything else.
std::optional<Value> literal_of(const Program& p, const Code& code) {
  std::vector<Value> stack;
  auto take = [&](size_t n) {
    std::vector<Value> out(stack.end() - static_cast<long>(n), stack.end());
    stack.resize(stack.size() - n);
    return out;
  };
  for (const Instr& in : code.instrs) {
    switch (in.op) {
      case Op::CONST:
        stack.push_back(p.constants[in.a]);
        break;
      case Op::NULL_:
        stack.emplace_back();
        break;
      case Op::MAKE_LIST:
        if (stack.size() < in.a) return std::nullopt;
        stack.push_back(Value::list(take(in.a)));
        break;
      case Op::MAKE_RECORD: {
        const auto& keys = p.shapes[in.a];
        if (stack.size() < keys.size()) return std::nullopt;
        stack.push_back(Value::record(keys, take(keys.size())));
        break;
      }
      case Op::NEG:
        if (stack.empty()) return std::nullopt;
        if (stack.back().kind == ValueKind::Int)
          stack.back() = Value::integer(-stack.back().i);
        else if (stack.back().kind == ValueKind::Float)
          stack.back() = Value::floating(-stack.back().f);
        else
          return std::nullopt;
        break;
      case Op::RETURN:
        return stack.size() == 1 ? std::optional<Value>(stack.back()) : std::nullopt;
      default:
        return std::nullopt;
    }
  }
  return std::nullopt;
}

}  // namespace

std::string param_default(const Program& p, const ParamInfo& param) {
  if (param.default_code == kNone) return "";
  std::optional<Value> v = literal_of(p, p.codes[param.default_code]);
  return v ? to_source(*v) : "(computed)";
}

}  // namespace rbk
