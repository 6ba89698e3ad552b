// Speed of the VM: a node transition, a guard expression, the verifier, 60,000
// scenario-mode runs of a six-decision runbook answered from memory, and the list
// functions over a 60,000-device list (beside the same count in C++). Figures are in
// docs/performance.md.
#include <benchmark/benchmark.h>

#include <string>
#include <unordered_map>
#include <vector>

#include "compiler/checker.hpp"
#include "compiler/codegen.hpp"
#include "vm/machine.hpp"
#include "vm/verifier.hpp"

namespace {

rbk::Program compile(const std::string& text) {
  rbk::Workspace ws;
  rbk::Diagnostics diags;
  rbk::load_source(ws, "bench.rbk", text, diags);
  auto checked = rbk::check_workspace(ws, diags);
  if (diags.error_count())
    throw std::runtime_error("bench runbook has errors: " + diags.items()[0].message);
  return rbk::generate(checked, 0);
}

// Answers every probe from memory: the probe's own work is nothing, so what is measured
// is the machine. Keeps the trace (counted), as every run does.
class MemoryHost : public rbk::Host {
 public:
  rbk::Value answer = rbk::Value::duration(45 * 60'000);
  size_t events = 0;
  std::optional<rbk::Value> call(const rbk::FunctionInfo&, const std::vector<rbk::Value>&,
                                 const rbk::Site&) override {
    return answer;
  }
  rbk::ActOutcome act(const rbk::PlannedCall&, const rbk::Site&) override {
    return {rbk::ActOutcome::Kind::WouldDo, {}};
  }
  rbk::GateAnswer gate(const rbk::GateRequest&) override { return rbk::GateDecision::Approved; }
  int64_t now() override { return 0; }
  void sleep(int64_t) override {}
  rbk::Value config(const std::string&) override { return {}; }
  void trace(const rbk::TraceEvent&) override { ++events; }
};

std::string chain(int nodes) {
  std::string s = "runbook chain {\n  start -> n0\n";
  for (int i = 0; i < nodes; ++i)
    s += "  decide n" + std::to_string(i) + " \"Step\" {\n    else -> n" + std::to_string(i + 1) +
         "\n  }\n";
  return s + "  end n" + std::to_string(nodes) + " \"Done\" as resolved\n}\n";
}

void BM_NodeTransition(benchmark::State& state) {
  const int nodes = 1000;
  rbk::Program p = compile(chain(nodes));
  MemoryHost host;
  rbk::Budgets b;
  b.trace_events = 1 << 30;
  for (auto _ : state) {
    rbk::Machine vm(p, host, b);
    benchmark::DoNotOptimize(vm.run({}).outcome);
  }
  state.SetItemsProcessed(state.iterations() * nodes);
}
BENCHMARK(BM_NodeTransition);

void BM_GuardExpression(benchmark::State& state) {
  const int guards = 100;
  std::string s =
      "runbook guards {\n  param age: duration = 45m\n  start -> d\n  decide d \"Guards\" {\n";
  for (int i = 0; i < guards; ++i) s += "    when age > " + std::to_string(100 + i) + "m -> done\n";
  s += "    else -> done\n  }\n  end done \"Done\" as resolved\n}\n";
  rbk::Program p = compile(s);
  MemoryHost host;
  for (auto _ : state) {
    rbk::Machine vm(p, host);
    benchmark::DoNotOptimize(vm.run({}).outcome);
  }
  state.SetItemsProcessed(state.iterations() * guards);
}
BENCHMARK(BM_GuardExpression);

void BM_Verify(benchmark::State& state) {
  std::string s = "runbook big {\n  param device: string\n  start -> d0\n";
  const int nodes = 2000;
  for (int i = 0; i < nodes; ++i) {
    std::string n = std::to_string(i), next = std::to_string(i + 1);
    s += "  decide d" + n + " \"Step\" {\n    let a" + n +
         " = time.since(time.parse(\"2026-01-01T00:00:00Z\"))\n";
    s += "    when a" + n + " < 5m and \"x\" in [device, \"y\"] -> d" + next + "\n    else -> d" +
         next + "\n  }\n";
  }
  s += "  end d" + std::to_string(nodes) + " \"Done\" as resolved\n}\n";
  rbk::Program p = compile(s);
  size_t instructions = 0;
  for (const auto& c : p.codes) instructions += c.instrs.size();
  for (auto _ : state) benchmark::DoNotOptimize(rbk::verify(p));
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * instructions));
  state.counters["instructions"] = static_cast<double>(instructions);
}
BENCHMARK(BM_Verify)->Unit(benchmark::kMillisecond);

void BM_SixDecisionRuns(benchmark::State& state) {
  std::string s = "runbook six {\n  param device: string\n  start -> d1\n";
  for (int i = 1; i <= 6; ++i) {
    std::string n = std::to_string(i), next = i == 6 ? "done" : "d" + std::to_string(i + 1);
    s += "  decide d" + n + " \"Check " + n + "\" {\n    let v" + n +
         " = http.get_json(\"http://127.0.0.1/{device}\")\n";
    s += "    when v" + n + ".age > 30m -> " + next + " \"Old\"\n    else -> " + next +
         " \"Recent\"\n  }\n";
  }
  s += "  end done \"Done\" as resolved\n}\n";
  rbk::Program p = compile(s);
  MemoryHost host;
  host.answer = rbk::Value::record({"age"}, {rbk::Value::duration(45 * 60'000)});
  const int runs = 60'000;
  for (auto _ : state) {
    for (int r = 0; r < runs; ++r) {
      rbk::Machine vm(p, host);
      benchmark::DoNotOptimize(vm.run({rbk::Value::string("sensor-0042")}).outcome);
    }
  }
  state.SetItemsProcessed(state.iterations() * runs);
}
BENCHMARK(BM_SixDecisionRuns)->Unit(benchmark::kMillisecond);

// A fleet list of 60,000 device records, as a probe would return it.
rbk::Value fleet_list(int devices) {
  static const char* firmware[] = {"2.3.1", "2.4.0", "2.4.1", "2.5.0"};
  std::vector<rbk::Value> items;
  items.reserve(devices);
  for (int i = 0; i < devices; ++i)
    items.push_back(rbk::Value::record(
        {"id", "online", "firmware", "age"},
        {rbk::Value::string("sensor-" + std::to_string(i)), rbk::Value::boolean(i % 7 != 0),
         rbk::Value::string(firmware[i % 4]), rbk::Value::duration((i % 600) * 60'000)}));
  return rbk::Value::list(std::move(items));
}

// The list functions over a fleet: count_by (keys hashed), filter, sort_by, each lambda
// run once an item. Beside them, the same count written in C++ over the same values:
// what the interpreter costs.
void BM_ListFunctions(benchmark::State& state) {
  const int devices = 60'000;
  const char* what[] = {"count_by(ds, d => d.firmware)", "filter(ds, d => not d.online)",
                        "sort_by(ds, d => -d.age)"};
  std::string s =
      std::string("module f\nprobe devices() -> list<{id: string, online: bool, ") +
      "firmware: string, age: duration}> {\n  return http.get_json(\"http://x/\")\n}\n" +
      "runbook lists {\n  start -> d\n  decide d \"D\" {\n    let ds = f.devices()\n" +
      "    let r = " + what[state.range(0)] + "\n    when len(r) > 0 -> done\n" +
      "    else -> done\n  }\n  end done \"Done\" as resolved\n}\n";
  rbk::Program p = compile(s);
  MemoryHost host;
  host.answer = fleet_list(devices);
  for (auto _ : state) {
    rbk::Machine vm(p, host);
    benchmark::DoNotOptimize(vm.run({}).outcome);
  }
  state.SetItemsProcessed(state.iterations() * devices);
  state.SetLabel(what[state.range(0)]);
}
BENCHMARK(BM_ListFunctions)->DenseRange(0, 2)->Unit(benchmark::kMillisecond);

void BM_CountByInCpp(benchmark::State& state) {
  const int devices = 60'000;
  rbk::Value ds = fleet_list(devices);
  for (auto _ : state) {
    std::unordered_map<std::string, int64_t> counts;
    for (const auto& d : ds.items()) ++counts[d.field("firmware")->str()];
    benchmark::DoNotOptimize(counts.size());
  }
  state.SetItemsProcessed(state.iterations() * devices);
}
BENCHMARK(BM_CountByInCpp)->Unit(benchmark::kMillisecond);

}  // namespace
