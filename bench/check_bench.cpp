// Speed of the front end: `rbk check` (parse, resolve, type-check, graph checks,
// coverage) on generated runbooks of 1,000 lines and of 5 MB, and the parts on their own.
// Figures are in docs/performance.md.
#include <benchmark/benchmark.h>

#include <string>

#include "compiler/checker.hpp"
#include "grammar/formatter.hpp"
#include "grammar/parser.hpp"

namespace {

// A runbook shaped like the real ones: decide nodes that bind a probe result and branch
// on it (interval coverage is computed for each), actions behind a gate, waits.
std::string generate(size_t min_bytes, size_t* lines_out = nullptr) {
  std::string s =
      "// generated\n"
      "runbook generated \"Generated\" {\n"
      "  param device: string\n"
      "  param api: string = \"http://127.0.0.1:8080\"\n"
      "  start -> d0\n";
  size_t n = 0;
  while (s.size() < min_bytes) {
    std::string i = std::to_string(n), next = std::to_string(n + 1);
    s += "\n  decide d" + i + " \"Check step " + i + "\" {\n";
    s += "    let age" + i +
         " = time.since(time.parse(http.get_json(\"{api}/devices/{device}\").last_seen))\n";
    s += "    when age" + i + " < 5m  -> a" + i + " \"Recent\"\n";
    s += "    when age" + i + " >= 5m and age" + i + " <= 30m -> w" + i + " \"Middle\"\n";
    s += "    when age" + i + " > 30m -> d" + next + " \"Old\"\n";
    s += "  }\n";
    s += "  action a" + i + " \"Act " + i + "\" {\n";
    s += "    approve by \"ops\"\n";
    s += "    do http.post_json(\"{api}/devices/{device}/restart\", {step: " + i + "})\n";
    s += "    then -> d" + next + "\n";
    s += "    on error -> failed\n";
    s += "  }\n";
    s += "  wait w" + i + " \"Wait " + i + "\" {\n";
    s += "    until http.get_json(\"{api}/devices/{device}\").online within 10m every 1m\n";
    s += "    then    -> d" + next + "\n";
    s += "    timeout -> failed\n";
    s += "  }\n";
    ++n;
  }
  s += "\n  decide d" + std::to_string(n) + " \"Last\" {\n    else -> done\n  }\n";
  s += "  end done \"Done\" as resolved\n  end failed \"Failed\" as failed\n}\n";
  if (lines_out) *lines_out = static_cast<size_t>(std::count(s.begin(), s.end(), '\n'));
  return s;
}

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
