#include "fuzz_support.hpp"

#include <cstdio>
#include <cstdlib>

#include "compiler/checker.hpp"
#include "compiler/codegen.hpp"
#include "render/graphviz.hpp"
#include "render/mermaid.hpp"
#include "vm/disasm.hpp"
#include "vm/rbc.hpp"
#include "vm/verifier.hpp"

#ifndef RBK_FUZZ_STDLIB_DIR
#define RBK_FUZZ_STDLIB_DIR "stdlib"
#endif

namespace rbk::fuzz {

namespace {

// A value of type T (for answers and parameters): what a dry-run binds for an action's
// result, at time 0.
Value zero_of(const TypeRef& t) {
  return placeholder_value(t, 0);
}

class MemoryHost : public Host {
 public:
  explicit MemoryHost(const Program& p) : p_(p) {}

  std::optional<Value> call(const FunctionInfo& fn, const std::vector<Value>&,
                            const Site&) override {
    switch (turn_++ % 3) {
      case 0:
        if (fn.code != kNone) return std::nullopt;  // a declared probe: run its body
        [[fallthrough]];
      case 1:
        return zero_of(p_.types.at(fn.result));
      default:
        return Value::error("no answer in memory");
    }
  }
  ActOutcome act(const PlannedCall&, const Site&) override {
    return {turn_++ % 2 ? ActOutcome::Kind::WouldDo : ActOutcome::Kind::Performed,
            turn_ % 3 ? Value::null() : Value::error("refused in memory")};
  }
  GateAnswer gate(const GateRequest& r) override {
    static constexpr GateDecision kTurns[] = {GateDecision::Approved, GateDecision::Denied,
                                              GateDecision::Timeout, GateDecision::Pending};
    GateAnswer a{kTurns[gates_++ % 4]};
    if (a.decision == GateDecision::Approved)  // the first choice of each question, if any
      for (const auto& q : r.questions)
        if (!q.choices.empty()) a.picks[q.name] = choice_text(q.choices.front());
    return a;
  }
  int64_t now() override { return clock_; }
  void sleep(int64_t ms) override { clock_ += ms; }
  Value config(const std::string& name) override {
    return turn_++ % 2 ? Value::string("memory") : Value::error(name + " is not set");
  }
  void trace(const TraceEvent& e) override { events_ += e.fields.size() + 1; }

 private:
  const Program& p_;
  uint64_t turn_ = 0, gates_ = 0, events_ = 0;
  int64_t clock_ = 1767225600000LL;
};

}  // namespace

void broken(const std::string& what) {
  std::fprintf(stderr, "fuzz: property broken: %s\n", what.c_str());
  std::fflush(stderr);
  std::abort();
}

const char* stdlib_dir() {
  return RBK_FUZZ_STDLIB_DIR;
}

Budgets small_budgets() {
  Budgets b;
  b.instructions = 20'000;
  b.wall_time_ms = 2'000;
  b.waiting_ms = 24LL * 60 * 60 * 1000;
  b.max_string = 4096;
  b.max_list = 256;
  b.call_depth = 6;
  b.trace_events = 2'000;
  return b;
}

RunResult run_in_memory(const Program& program) {
  MemoryHost host(program);
  std::vector<std::optional<Value>> params;
  for (const auto& prm : program.entry_runbook().params)
    params.push_back(prm.default_code != kNone
                         ? std::nullopt
                         : std::optional(zero_of(program.types.at(prm.type))));
  return Machine(program, host, small_budgets()).run(params);
}

std::string encoding_without_positions(Program p) {
  for (auto& c : p.codes) std::fill(c.lines.begin(), c.lines.end(), 0);
  for (auto& rb : p.runbooks) {
    for (auto& n : rb.nodes) n.line = n.col = 0;
    for (auto& e : rb.edges) e.line = 0;
  }
  return encode_payload(p);
}

void compile_and_run(const std::string& name, std::string_view text) {
  Workspace ws;
  ws.stdlib_dir = stdlib_dir();
  Diagnostics diags;
  load_source(ws, name, std::string(text), diags);
  CheckedProgram checked = check_workspace(ws, diags);
  if (diags.error_count() > 0) return;
  for (size_t r = 0; r < checked.runbooks.size() && r < 4; ++r) {
    Program p = generate(checked, static_cast<int>(r));
    if (std::string why = verify(p); !why.empty())
      broken("the compiler's output fails the verifier: " + why);
    std::string rbc = encode_rbc(p);
    if (encode_rbc(decode_rbc(rbc)) != rbc) broken("the .rbc encoding does not read back");
    disassemble(p);
    render_dot(p.entry_runbook());
    render_mermaid(p.entry_runbook());
    run_in_memory(p);
  }
}

}  // namespace rbk::fuzz
