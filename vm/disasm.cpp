#include "vm/disasm.hpp"

#include <fmt/format.h>

namespace rbk {

namespace {

std::string constant_text(const Value& v) {
  return to_source(v);
}

class Disassembler {
 public:
  explicit Disassembler(const Program& p) : p_(p) {}

  std::string run() {
    out_ += fmt::format("program {}\nentry {}\n", p_.hash_hex(), p_.runbooks[p_.entry].name);
    if (!p_.config.empty()) {
      out_ += "config";
      for (const auto& c : p_.config)
        out_ += fmt::format(" {}: {}", c.name, to_string(p_.types[c.type]));
      out_ += "\n";
    }
    for (const auto& rb : p_.runbooks) runbook(rb);
    if (!p_.functions.empty()) out_ += "\nfunctions\n";
    for (size_t f = 0; f < p_.functions.size(); ++f) function(f);
    return out_;
  }

 private:
  std::string params(const std::vector<ParamInfo>& ps) {
    std::string s;
    for (size_t i = 0; i < ps.size(); ++i) {
      s += (i ? ", " : "") + ps[i].name + ": " + to_string(p_.types[ps[i].type]);
      if (ps[i].default_code != kNone) s += fmt::format(" = <code {}>", ps[i].default_code);
    }
    return s;
  }

  void runbook(const RunbookInfo& rb) {
    rb_ = &rb;
    out_ += fmt::format("\nrunbook {} {}  ({})\n", rb.name, quoted(rb.title), rb.file);
    if (!rb.params.empty()) out_ += "  params " + params(rb.params) + "\n";
    for (const auto& prm : rb.params)
      if (prm.default_code != kNone) {
        out_ += fmt::format("  default of {}:\n", prm.name);
        code(prm.default_code, nullptr);
      }
    if (!rb.vars.empty()) {
      out_ += "  vars";
      for (size_t v = 0; v < rb.vars.size(); ++v) out_ += fmt::format(" {}={}", v, rb.vars[v]);
      out_ += "\n";
    }
    if (!rb.capabilities.empty()) {
      out_ += "  capabilities";
      for (const auto& c : rb.capabilities) out_ += " " + c;
      out_ += "\n";
    }
    out_ += fmt::format("  start -> {}\n", rb.nodes[rb.start].name);
    for (size_t n = 0; n < rb.nodes.size(); ++n) {
      const NodeInfo& node = rb.nodes[n];
      out_ += fmt::format("\n  node {} {} {} {}  line {}", n, node_kind_name(node.kind), node.name,
                          quoted(node.label), node.line);
      if (!node.role.empty()) out_ += "  gate " + quoted(node.role);
      if (node.kind == NodeKind::End)
        out_ += std::string("  outcome ") + outcome_name(node.outcome);
      out_ += "\n";
      for (uint32_t e : node.edges) {
        const EdgeInfo& edge = rb.edges[e];
        out_ +=
            fmt::format("    e{} {} -> {}", e, edge_kind_name(edge.kind), rb.nodes[edge.to].name);
        if (!edge.label.empty()) out_ += " " + quoted(edge.label);
        out_ += "\n";
      }
      if (node.code != kNone) code(node.code, &node);
      if (node.foreach != kNone)
        foreach (rb.foreachs[node.foreach])
          ;
    }
    rb_ = nullptr;
  }

  void foreach (const ForeachInfo& f) {
    auto per_mille = [](uint32_t v) {  // thousandths of a percent, as written
      return v % 1000 == 0 ? fmt::format("{}%", v / 1000) : fmt::format("{:.3f}%", v / 1000.0);
    };
    out_ += fmt::format("    foreach {} as {} -> {}", rb_->vars[f.result_var],
                        rb_->vars[f.item_var], p_.runbooks[f.runbook].name);
    if (!f.by_names.empty()) {
      out_ += "  by";
      for (const auto& b : f.by_names) out_ += " " + b;
    }
    out_ += "\n      waves";
    if (f.waves.empty()) out_ += " all";
    for (const auto& w : f.waves)
      out_ += " " + (w.kind == WaveInfo::Kind::All     ? std::string("all")
                     : w.kind == WaveInfo::Kind::Share ? per_mille(w.value)
                                                       : std::to_string(w.value));
    out_ += fmt::format("  concurrency {}", f.concurrency);
    if (f.start_interval_ms) out_ += fmt::format("  start every {}ms", f.start_interval_ms);
    if (f.abort) {
      out_ += "  abort when";
      std::string sep = " ";
      for (Outcome o : {Outcome::Resolved, Outcome::Mitigated, Outcome::Escalated, Outcome::Failed})
        if (f.abort_outcomes & (1u << static_cast<unsigned>(o))) {
          out_ += sep + outcome_name(o);
          sep = " or ";
        }
      out_ += " > " + (f.abort_share ? per_mille(f.abort_value) : std::to_string(f.abort_value)) +
              fmt::format(" after {}", f.abort_after);
    }
    if (!f.each_role.empty()) out_ += "  each wave by " + quoted(f.each_role);
    if (!f.between_role.empty()) out_ += "  between waves by " + quoted(f.between_role);
    out_ += "\n";
    auto part = [&](const char* what, uint32_t c) {
      if (c == kNone) return;
      out_ += fmt::format("      {}:\n", what);
      code(c, nullptr);
    };
    part("arguments", f.args_code);
    part("by", f.by_code);
    part("between waves (pause, within, every)", f.between_code);
    part("until", f.until_code);
  }

  void function(size_t f) {
    const FunctionInfo& fn = p_.functions[f];
    out_ += fmt::format("  f{} {} {}", f, effect_name(fn.effect), fn.name);
    out_ += "(" + params(fn.params) + ") -> " + to_string(p_.types[fn.result]);
    for (const auto& c : fn.capabilities) out_ += " [" + c + "]";
    if (fn.code == kNone) {
      out_ += "  native\n";
      return;
    }
    out_ += fmt::format("  locals {}\n", fn.locals);
    code(fn.code, nullptr);
  }

  std::string operand(Operand kind, uint32_t v, const NodeInfo* node) {
    switch (kind) {
      case Operand::none:
        return "";
      case Operand::constant:
      case Operand::name:
        return constant_text(p_.constants[v]);
      case Operand::var:
        return rb_ ? rb_->vars[v] : fmt::format("var{}", v);
      case Operand::param:
        return rb_ ? rb_->params[v].name : fmt::format("param{}", v);
      case Operand::local:
        return fmt::format("local{}", v);
      case Operand::func:
        return p_.functions[v].name;
      case Operand::edge:
        return rb_ ? fmt::format("e{} -> {}", v, rb_->nodes[rb_->edges[v].to].name)
                   : fmt::format("e{}", v);
      case Operand::shape: {
        std::string s = "{";
        for (size_t i = 0; i < p_.shapes[v].size(); ++i) s += (i ? ", " : "") + p_.shapes[v][i];
        return s + "}";
      }
      case Operand::type:
        return to_string(p_.types[v]);
      case Operand::code:
        return fmt::format("@{:04}", v);
      case Operand::runbook:
        return p_.runbooks[v].name;
      case Operand::count:
        return std::to_string(v);
    }
    (void)node;
    return "?";
  }

  void code(uint32_t c, const NodeInfo* node) {
    const Code& code = p_.codes[c];
    uint32_t last_line = 0;
    for (size_t pc = 0; pc < code.instrs.size(); ++pc) {
      const Instr& in = code.instrs[pc];
      const OpInfo& info = op_info(in.op);
      std::string line = code.lines[pc] != last_line ? fmt::format("L{}", code.lines[pc]) : "";
      last_line = code.lines[pc];
      std::string ops = operand(info.a, in.a, node);
      std::string b = operand(info.b, in.b, node);
      if (!b.empty()) ops += (ops.empty() ? "" : ", ") + b;
      std::string text = fmt::format("    {:04} {:>5}  {:<16} {}", pc, line, info.name, ops);
      while (text.back() == ' ') text.pop_back();
      out_ += text + "\n";
    }
  }

  const Program& p_;
  const RunbookInfo* rb_ = nullptr;
  std::string out_;
};

}  // namespace

std::string disassemble(const Program& p) {
  return Disassembler(p).run();
}

}  // namespace rbk
