// What a probe of the platforms costs, each call a session of its own against Debian's
// Mosquitto and redis-server on loopback (tests/broker_servers.hpp starts them): the TCP
// connection every call opens is the floor, beside MQTT (publish at QoS 1, a retained
// read with and without a message: the fence subscription returns at once, where a read
// that waited for a quiet moment would spend its whole timeout) and Redis (AUTH + PTTL),
// plain and over TLS (docs/performance.md, "Platforms"). Skipped when the servers are not
// installed.
#include <benchmark/benchmark.h>

#include <nlohmann/json.hpp>

#include "broker_servers.hpp"
#include "stdlib/capabilities.hpp"
#include "stdlib/credentials.hpp"
#include "stdlib/natives.hpp"
#include "stdlib/registry.hpp"
#include "vm/program.hpp"

namespace {

using rbk::Value;

rbk::FunctionInfo native(const std::string& name) {
  const rbk::FunctionSig& sig = *rbk::Registry::natives().find(name).front();
  rbk::FunctionInfo f;
  f.name = sig.name;
  f.capabilities = sig.capabilities;
  f.effect = sig.effect;
  f.native = rbk::native_named(name)->id;
  return f;
}

// The servers, a policy allowing loopback and the credentials the calls name.
struct Platforms {
  rbk::test::Servers servers;
  rbk::Capabilities allowed;
  std::unique_ptr<rbk::Credentials> credentials;
  std::unique_ptr<rbk::Natives> natives;
  Platforms() {
    if (!servers.problem.empty()) return;
    const std::string d = servers.tmp.path.string();
    allowed.source = "bench-policy.json";
    for (const char* c : {"net.mqtt", "net.redis", "net.tcp"})
      allowed.hosts[c] = {"127.0.0.1", "localhost"};
    std::ofstream(d + "/redis.pw") << "r3dis-pw\n";
    credentials = std::make_unique<rbk::Credentials>(
        rbk::parse_credentials(nlohmann::json::parse(
            R"({"cache": {"type": "password", "hosts": ["127.0.0.1", "localhost"], "ca_file": ")" +
            d + R"(/ca.pem", "password_file": ")" + d + R"(/redis.pw"},
                "device": {"type": "client_certificate", "hosts": ["localhost"], "ca_file": ")" +
            d + R"(/ca.pem", "certificate_file": ")" + d + R"(/client.pem", "key_file": ")" + d +
            R"(/client.key"}})")),
        [] { return rbk::system_now_ms(); }, nullptr);
    natives = std::make_unique<rbk::Natives>(allowed, credentials.get());
  }
  Value call(const char* name, std::vector<Value> args) {
    return natives->call(native(name), args);
  }
};

Platforms& platforms() {
  static Platforms p;
  return p;
}

bool ready(benchmark::State& state) {
  if (platforms().servers.problem.empty()) return true;
  state.SkipWithError(platforms().servers.problem.c_str());
  return false;
}

void check(benchmark::State& state, const Value& v) {
  if (v.is_error()) state.SkipWithError(v.str().c_str());
}

void BM_TcpConnectFloor(benchmark::State& state) {
  if (!ready(state)) return;
  for (auto _ : state)
    benchmark::DoNotOptimize(platforms().call(
        "tcp.connect", {Value::string("127.0.0.1"), Value::integer(platforms().servers.redis_plain),
                        Value::duration(2000)}));
}
BENCHMARK(BM_TcpConnectFloor)->Unit(benchmark::kMicrosecond);

void BM_MqttPublishQos1(benchmark::State& state) {
  if (!ready(state)) return;
  const std::string b = platforms().servers.mqtt(platforms().servers.mqtt_open);
  for (auto _ : state)
    check(state,
          platforms().call("mqtt.publish",
                           {Value::string(b), Value::string("bench/config/desired"),
                            Value::string("{\"serial\": \"5E2A\"}"), Value::integer(1),
                            Value::boolean(false), Value::duration(2000), Value::string("")}));
}
BENCHMARK(BM_MqttPublishQos1)->Unit(benchmark::kMicrosecond);

void retained(benchmark::State& state, const std::string& broker, const std::string& topic,
              const std::string& auth) {
  for (auto _ : state)
    check(state, platforms().call("mqtt.retained", {Value::string(broker), Value::string(topic),
                                                    Value::duration(2000), Value::string(auth)}));
}

void BM_MqttRetainedNone(benchmark::State& state) {
  if (!ready(state)) return;
  retained(state, platforms().servers.mqtt(platforms().servers.mqtt_open), "bench/none/reported",
           "");
}
BENCHMARK(BM_MqttRetainedNone)->Unit(benchmark::kMicrosecond);

void BM_MqttRetainedOne(benchmark::State& state) {
  if (!ready(state)) return;
  const std::string b = platforms().servers.mqtt(platforms().servers.mqtt_open);
  platforms().call(
      "mqtt.publish",
      {Value::string(b), Value::string("bench/one/reported"),
       Value::string("{\"certificate_serial\": \"5E2A\", \"certificate_status\": \"ok\"}"),
       Value::integer(1), Value::boolean(true), Value::duration(2000), Value::string("")});
  retained(state, b, "bench/one/reported", "");
}
BENCHMARK(BM_MqttRetainedOne)->Unit(benchmark::kMicrosecond);

void BM_MqttRetainedOneMutualTls(benchmark::State& state) {
  if (!ready(state)) return;
  retained(state, platforms().servers.mqtt(platforms().servers.mqtt_tls, true),
           "device-7/config/reported", "device");
}
BENCHMARK(BM_MqttRetainedOneMutualTls)->Unit(benchmark::kMicrosecond);

void redis_ttl(benchmark::State& state, bool tls) {
  if (!ready(state)) return;
  const std::string server = platforms().servers.redis_url(tls);
  for (auto _ : state)
    check(state,
          platforms().call("redis.ttl", {Value::string(server), Value::string("dedup:seen:x"),
                                         Value::duration(2000), Value::string("cache")}));
}
void BM_RedisTtl(benchmark::State& state) {
  redis_ttl(state, false);
}
BENCHMARK(BM_RedisTtl)->Unit(benchmark::kMicrosecond);
void BM_RedisTtlTls(benchmark::State& state) {
  redis_ttl(state, true);
}
BENCHMARK(BM_RedisTtlTls)->Unit(benchmark::kMicrosecond);

}  // namespace
