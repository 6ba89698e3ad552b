// Check time of adversarial source files of about 1 MB each (docs/robustness.md): shapes
// that once made a pass quadratic (40,000 constants in one decide node, 10,000 runbooks,
// 40,000 lets reading each other, thousands of unknown names), and the densest input the
// parser meets (expressions at the nesting limit, long operator chains). Figures are in
// docs/performance.md.
#include <benchmark/benchmark.h>

#include <functional>
#include <string>

#include "compiler/checker.hpp"

namespace {

constexpr size_t kMegabyte = 1 << 20;

// Lines from LINE(i), i = 0, 1, …, until the text reaches about a megabyte.
std::string lines(const std::function<std::string(size_t)>& line) {
  std::string s;
  for (size_t i = 0; s.size() < kMegabyte; ++i) s += line(i);
  return s;
}

std::string in_decide(const std::string& body) {
  return "runbook r {\n  param a: int\n  start -> d\n  decide d \"D\" {\n" + body +
         "    when a > 0 -> done\n    else -> done\n  }\n  end done \"Done\" as resolved\n}\n";
}

std::string many_whens() {
  return "runbook r {\n  param a: int\n  start -> d\n  decide d \"D\" {\n" +
         lines([](size_t i) { return "    when a == " + std::to_string(i) + " -> done\n"; }) +
         "    else -> done\n  }\n  end done \"Done\" as resolved\n}\n";
}

std::string many_runbooks() {
  return lines([](size_t i) {
    return "runbook r" + std::to_string(i) +
           " {\n  start -> done\n  end done \"D\" as resolved\n}\n";
  });
}

std::string chained_lets() {
  return in_decide("    let v0 = 1\n" + lines([](size_t i) {
                     return "    let v" + std::to_string(i + 1) + " = v" + std::to_string(i) +
                            " + 1\n";
                   }));
}

std::string unknown_targets() {
  return "runbook r {\n  param a: int\n  start -> w0\n" + lines([](size_t i) {
           std::string k = std::to_string(i);
           return "  wait w" + k + " \"W\" {\n    until a > 0 within 5m every 1m\n    then -> w" +
                  std::to_string(i + 1) + "\n    timeout -> missing" + k + "\n  }\n";
         }) +
         "}\n";
}

std::string nested_parentheses() {
  std::string e = std::string(49, '(') + "1" + std::string(49, ')');
  return in_decide(
      lines([&](size_t i) { return "    let v" + std::to_string(i) + " = " + e + "\n"; }));
}

std::string operator_chains() {
  std::string e = "1";
  for (int k = 0; k < 190; ++k) e += "+1";
  return in_decide(
      lines([&](size_t i) { return "    let v" + std::to_string(i) + " = " + e + "\n"; }));
}

std::string syntax_errors() {
  return lines([](size_t i) { return "runbook r" + std::to_string(i) + " { start -> ( ]\n"; });
}

void check(benchmark::State& state, const std::string& text) {
  for (auto _ : state) {
    rbk::Workspace ws;
    rbk::Diagnostics diags;
    rbk::load_source(ws, "hostile.rbk", text, diags);
    auto program = rbk::check_workspace(ws, diags);
    benchmark::DoNotOptimize(program.runbooks.size());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * text.size()));
}

#define RBK_HOSTILE(name)                           \
  void BM_Hostile_##name(benchmark::State& state) { \
    check(state, name());                           \
  }                                                 \
  BENCHMARK(BM_Hostile_##name)->Unit(benchmark::kMillisecond)->Iterations(3)

RBK_HOSTILE(many_whens);
RBK_HOSTILE(many_runbooks);
RBK_HOSTILE(chained_lets);
RBK_HOSTILE(unknown_targets);
RBK_HOSTILE(nested_parentheses);
RBK_HOSTILE(operator_chains);
RBK_HOSTILE(syntax_errors);

}  // namespace
