// What a request's credential costs: a SigV4 signature (canonical request, three hashes and
// five HMACs) and an Azure SAS, each per request — beside the JSON probe they sign
// (docs/performance.md, "Parts").
#include <benchmark/benchmark.h>

#include "stdlib/signing.hpp"

namespace {

void BM_SigV4Sign(benchmark::State& state) {
  rbk::SigV4Request r{"POST",
                      "/things/sensor-0042/shadow",
                      "name=main",
                      {{"Host", "data-ats.iot.eu-west-1.amazonaws.com"},
                       {"X-Amz-Date", "20261129T201659Z"},
                       {"X-Amz-Security-Token", std::string(400, 'T')}},
                      R"({"state":{"desired":{"reboot":true}}})"};
  rbk::SigV4Key key{"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "eu-west-1",
                    "iotdata"};
  for (auto _ : state) benchmark::DoNotOptimize(rbk::sigv4_sign(r, key, "20261129T201659Z"));
}
BENCHMARK(BM_SigV4Sign);

void BM_AzureSasToken(benchmark::State& state) {
  std::string key(32, 'k');
  for (auto _ : state)
    benchmark::DoNotOptimize(rbk::azure_sas_token("myhub.azure-devices.net/devices/sensor-0042",
                                                  "iothubowner", key, 1767225600));
}
BENCHMARK(BM_AzureSasToken);

}  // namespace
