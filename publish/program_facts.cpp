#include "publish/program_facts.hpp"

#include <algorithm>
#include <map>
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
  return {names.begin(), names.end()};
}

std::string param_default(const Program& p, const ParamInfo& param) {
  if (param.default_code == kNone) return "";
  const auto& instrs = p.codes[param.default_code].instrs;
  if (instrs.size() == 2 && instrs[0].op == Op::CONST && instrs[1].op == Op::RETURN) {
    const Value& v = p.constants[instrs[0].a];
    return v.kind == ValueKind::String ? quoted(v.str()) : to_display(v);
  }
  if (instrs.size() == 2 && instrs[0].op == Op::NULL_ && instrs[1].op == Op::RETURN) return "null";
  return "(computed)";
}

}  // namespace rbk
