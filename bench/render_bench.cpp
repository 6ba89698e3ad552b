// Speed of drawing: Mermaid text, DOT text and SVG laid out by Graphviz for the
// device_offline runbook, and the whole documentation site of runbooks/. Figures are in
// docs/performance.md.
#include <benchmark/benchmark.h>

#include <filesystem>

#include "compiler/checker.hpp"
#include "compiler/codegen.hpp"
#include "publish/site.hpp"
#include "render/graphviz.hpp"
#include "render/mermaid.hpp"

namespace {

rbk::Program compile(const std::string& path) {
  rbk::Workspace ws;
  rbk::Diagnostics diags;
  std::vector<std::string> unreadable;
  rbk::load_workspace(ws, {path}, diags, unreadable);
  rbk::CheckedProgram checked = rbk::check_workspace(ws, diags);
  std::string error;
  int entry = rbk::select_runbook(checked, path, "", error);
  if (entry < 0 || diags.error_count() > 0) throw std::runtime_error("cannot compile " + path);
  return rbk::generate(checked, entry);
}

const rbk::Program& device_offline() {
  static rbk::Program p = compile(RBK_SOURCE_DIR "/runbooks/device_offline.rbk");
  return p;
}

void BM_RenderMermaid(benchmark::State& state) {
  const rbk::Program& p = device_offline();
  for (auto _ : state) benchmark::DoNotOptimize(rbk::render_mermaid(p.entry_runbook()));
}
BENCHMARK(BM_RenderMermaid);

void BM_RenderDot(benchmark::State& state) {
  const rbk::Program& p = device_offline();
  for (auto _ : state) benchmark::DoNotOptimize(rbk::render_dot(p.entry_runbook()));
}
BENCHMARK(BM_RenderDot);

void BM_RenderSvg(benchmark::State& state) {
  const rbk::Program& p = device_offline();
  std::string dot = rbk::render_dot(p.entry_runbook());
  for (auto _ : state) benchmark::DoNotOptimize(rbk::render_svg(dot));
}
BENCHMARK(BM_RenderSvg)->Unit(benchmark::kMillisecond);

void BM_BuildSite(benchmark::State& state) {
  std::vector<rbk::SiteRunbook> runbooks;
  for (const auto& entry : std::filesystem::directory_iterator(RBK_SOURCE_DIR "/runbooks"))
    if (entry.path().extension() == ".rbk")
      runbooks.push_back({compile(entry.path().string()), entry.path().filename().string()});
  for (auto _ : state) benchmark::DoNotOptimize(rbk::build_site(runbooks));
  state.counters["runbooks"] = static_cast<double>(runbooks.size());
}
BENCHMARK(BM_BuildSite)->Unit(benchmark::kMillisecond);

}  // namespace
