// Speed of the front end: `rbk check` (parse, resolve, type-check, graph checks,
// coverage) on generated runbooks of 1,000 lines and of 5 MB, and the parts on their own.
// Figures are in docs/performance.md.
#include <benchmark/benchmark.h>

#include <string>

#include "compiler/checker.hpp"
#include "generated_runbook.hpp"
#include "grammar/formatter.hpp"
#include "grammar/parser.hpp"

namespace {

using rbk::bench::generate;

void check_once(benchmark::State& state, const std::string& text) {
  for (auto _ : state) {
    rbk::Workspace ws;
    rbk::Diagnostics diags;
    rbk::load_source(ws, "generated.rbk", text, diags);
    auto program = rbk::check_workspace(ws, diags);
    if (diags.error_count() != 0) state.SkipWithError("generated runbook has errors");
    benchmark::DoNotOptimize(program.runbooks.size());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * text.size()));
}

void BM_Check1000Lines(benchmark::State& state) {
  size_t lines = 0;
  std::string text = generate(0, &lines);
  while (lines < 1000) text = generate(text.size() + 2000, &lines);
  state.counters["lines"] = static_cast<double>(lines);
  check_once(state, text);
}
BENCHMARK(BM_Check1000Lines)->Unit(benchmark::kMillisecond);

// Growth: the same shape at 64 KB to 5 MB should cost time in proportion to size.
void BM_CheckBytes(benchmark::State& state) {
  std::string text = generate(static_cast<size_t>(state.range(0)));
  check_once(state, text);
}
BENCHMARK(BM_CheckBytes)
    ->Arg(64 << 10)
    ->Arg(512 << 10)
    ->Arg(5 << 20)
    ->Unit(benchmark::kMillisecond);

void BM_Parse5MB(benchmark::State& state) {
  auto src = std::make_shared<rbk::SourceFile>("generated.rbk", generate(5 << 20));
  for (auto _ : state) {
    rbk::Diagnostics diags;
    auto r = rbk::parse_source(src, diags);
    benchmark::DoNotOptimize(r.file.items.size());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * src->text().size()));
}
BENCHMARK(BM_Parse5MB)->Unit(benchmark::kMillisecond);

void BM_Format5MB(benchmark::State& state) {
  auto src = std::make_shared<rbk::SourceFile>("generated.rbk", generate(5 << 20));
  rbk::Diagnostics diags;
  auto r = rbk::parse_source(src, diags);
  for (auto _ : state) benchmark::DoNotOptimize(rbk::format_file(r.file).size());
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * src->text().size()));
}
BENCHMARK(BM_Format5MB)->Unit(benchmark::kMillisecond);

}  // namespace
