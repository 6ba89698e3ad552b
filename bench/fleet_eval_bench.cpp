// Speed of a foreach over a fleet snapshot, in process: bench/fleet/fleet_triage.rbk over
// 60,000 generated device records (shaped like ../shared/peers' fleet, with their
// decisions' branches in about the same shares), answered by the scenario host from the
// snapshot (records, per_item), without a trace store. What bench/fleet_bench.sh calls
// "eval", without the process around it: the figure to profile when a child run gets
// faster. The snapshot is read once, outside the timing.
#include <benchmark/benchmark.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <string>

#include "compiler/checker.hpp"
#include "compiler/codegen.hpp"
#include "compiler/loader.hpp"
#include "run/scenario.hpp"
#include "run/trace_sinks.hpp"
#include "vm/machine.hpp"

namespace {

constexpr int kDevices = 60'000;

// A fleet like the peers' generator's (not byte for byte): every branch taken.
std::string fleet_json(int devices) {
  std::mt19937 rng(42);
  std::uniform_real_distribution<double> u(0, 1);
  const char* regions[] = {"eu-west", "eu-central", "us-east",
                           "us-west", "ap-south",   "ap-northeast"};
  const char* firmwares[] = {"1.8.2", "1.9.0", "2.0.1", "2.1.0", "2.1.3", "3.0.0-rc1"};
  const char* models[] = {"TH-100", "TH-200", "PM-10", "PM-20", "GW-LITE", "VIB-5"};
  std::string out = "[";
  for (int i = 0; i < devices; ++i) {
    double r = u(rng);
    double seen = r < 0.12 ? u(rng) * 5 : r < 0.25 ? 5 + u(rng) * 25 : 30 + u(rng) * 2850;
    std::string connect = u(rng) < 0.2 ? "null" : std::to_string(u(rng) * 4000);
    char id[16];
    std::snprintf(id, sizeof id, "dev-%06d", i);
    out += std::string(i ? "," : "") + "{\"id\":\"" + id +
           "\",\"last_seen_age_min\":" + std::to_string(seen) +
           ",\"last_connect_age_min\":" + connect + ",\"gateway\":{\"id\":\"gw-" +
           std::to_string(i % 2000) + "\",\"online\":" + (u(rng) < 0.88 ? "true" : "false") +
           ",\"oom\":" + (u(rng) < 0.08 ? "true" : "false") +
           "},\"ot_reachable\":" + (u(rng) < 0.85 ? "true" : "false") +
           ",\"cert_expires_in_days\":" + std::to_string(static_cast<int>(u(rng) * 800) - 60) +
           ",\"power\":\"" + (u(rng) < 0.55 ? "confirmed" : "uncertain") + "\",\"region\":\"" +
           regions[i % 6] + "\",\"firmware\":\"" + firmwares[(i / 6) % 6] + "\",\"model\":\"" +
           models[(i / 36) % 6] + "\"}";
  }
  return out + "]";
}

void BM_FleetTriage(benchmark::State& state) {
  const std::filesystem::path dir = std::filesystem::temp_directory_path() / "rbk-fleet-bench";
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "fleet.json") << fleet_json(kDevices);
  const std::string scenario_text = R"({
    "runbook": "fleet_triage",
    "probes": {"registry.offline_devices": {"records": "fleet.json"}},
    "per_item": {
      "registry.last_seen_age":    {"field": "last_seen_age_min", "unit": "m"},
      "registry.last_connect_age": {"field": "last_connect_age_min", "unit": "m"},
      "registry.gateway":          {"field": "gateway"},
      "registry.ot_reachable":     {"field": "ot_reachable"},
      "registry.cert_days_left":   {"field": "cert_expires_in_days"},
      "registry.power":            {"field": "power"}
    }})";
  rbk::Scenario scenario = rbk::parse_scenario(scenario_text, (dir / "s.json").string());

  rbk::Workspace ws;
  ws.stdlib_dir = RBK_SOURCE_DIR "/stdlib";
  rbk::Diagnostics diags;
  std::vector<std::string> unreadable;
  const std::string file = RBK_SOURCE_DIR "/bench/fleet/fleet_triage.rbk";
  rbk::load_workspace(ws, {file}, diags, unreadable);
  rbk::CheckedProgram checked = rbk::check_workspace(ws, diags);
  std::string error;
  int entry = rbk::select_runbook(checked, file, "fleet_triage", error);
  if (diags.error_count() || entry < 0) {
    state.SkipWithError("bench/fleet/fleet_triage.rbk does not compile");
    return;
  }
  rbk::Program program = rbk::generate(checked, entry);

  for (auto _ : state) {
    rbk::NoTrace sink;
    rbk::ScenarioHost host(program, scenario, sink);
    rbk::RunResult r = rbk::Machine(program, host).run({});
    if (r.status != rbk::RunStatus::Ended || !r.fleet || r.fleet->started != kDevices) {
      state.SkipWithError(("the fleet run did not end: " + r.error).c_str());
      return;
    }
  }
  state.SetItemsProcessed(state.iterations() * kDevices);
  std::filesystem::remove_all(dir);
}
BENCHMARK(BM_FleetTriage)->Unit(benchmark::kMillisecond);

}  // namespace
