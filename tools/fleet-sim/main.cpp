// fleet-sim: a small HTTP server that serves a generated IoT fleet in the REST shapes of
// docs/stdlib.md (fleet registry, broker, gateways, certificates and provisioning, OTA
// rollouts, the ingestion pipeline, the cloud platform's quotas, notifications, field
// service) on 127.0.0.1, exports it as Prometheus metrics, and records every action it
// receives, so that anyone can try a live dry-run and a live run locally. The tests use it
// too.
//
//   fleet-sim [--port 8085] [--devices 200] [--seed 7] [--fail SELECTOR:EFFECT]...
//             [--platform aws-iot|azure-iot-hub|hawkbit|mender]...
//   GET /actions        what it was asked to do, in order, with when (ms since the epoch)
//                       and how it answered (for tests and curious people)
//   GET /requests       how many requests it served (and Idempotency-Keys kept, replayed)
//   GET /metrics        the broker's traffic, the registry's devices and the consumers' lag
//                       as Prometheus scrapes them (docs/stdlib.md, "Signals from Prometheus")
// A POST with an Idempotency-Key header is performed once: asked again with the key, it
// answers as it did the first time.
// --fail injects faults by cohort (faults.hpp); 60,000 devices serve comfortably.
// --platform NAME also serves a rollout service's own API (platforms.hpp).
#include <httplib.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <ctime>
#include <iostream>
#include <map>
#include <mutex>
#include <random>
#include <string>
#include <string_view>
#include <thread>
#include <tuple>
#include <vector>

#include <nlohmann/json.hpp>

#include "certificates.hpp"
#include "faults.hpp"
#include "platforms.hpp"
#include "rfc3339.hpp"

using nlohmann::json;

namespace {

std::string iso(std::time_t t) {
  return fleetsim::rfc3339(t);
}

struct Device {
  std::string id, gateway, region, firmware;
  long offline_s = 0;  // seconds since last seen
  bool powered = true;
  long cert_days = 200;  // days until the certificate expires (negative: expired)
  bool provisioning_reachable = true;
  long last_connect_s = -1;  // -1: never
  std::string hardware = "rev-A", model = "TH-100";
  // Firmware 2.4.0 fails signature verification on rev-B (the device stays offline, even
  // after a reboot) and reconnects too eagerly on rev-C (it republishes its buffer).
  bool bricked = false, noisy = false;
  bool quarantined = false;  // a restrictive policy: it may connect, not publish
  long backlog = 0;          // buffered messages not yet drained
};

struct Gateway {
  bool online = true, oom = false, ot = true, publishing = true;
};

// A cohort of the OTA rollout: its devices on one firmware, hardware revision and region.
struct Cohort {
  std::string firmware, hardware, region;
  int devices = 0, failed = 0;
  bool rolled_back = false;  // back on the previous firmware (and healthy again)
  bool quarantined = false;
  int failed_now() const { return rolled_back ? 0 : failed; }
  double healthy_percent() const {
    // every device of a rolled-back cohort but the odd one out is healthy
    return rolled_back ? 99.0 : 100.0 * double(devices - failed) / double(devices);
  }
  json identity() const {
    return {{"firmware", firmware}, {"hardware", hardware}, {"region", region}};
  }
};

struct Fleet {
  std::map<std::string, Device> devices;
  std::map<std::string, Gateway> gateways;
  // The rollout of firmware 2.4.0 that bricks hardware rev B in eu-west.
  std::vector<Cohort> cohorts = {{"2.4.0", "rev-B", "eu-west", 40, 34},
                                 {"2.4.0", "rev-A", "eu-west", 360, 2}};
  bool cohort_limited = false;  // the noisy cohort has a broker rate limit
  bool cohort_backoff = false;  // ... and backoff configuration
  std::mutex mu;
  json actions = json::array();
  // Answers by Idempotency-Key: (status, body); status 0 while the first is in progress.
  std::map<std::string, std::pair<int, std::string>> answered;
  long replayed = 0;  // requests answered again from it
  std::atomic<long> requests{0};
  std::vector<fleetsim::Fault> faults;
  // The broker's counters as Prometheus scrapes them (GET /metrics): messages received by
  // cohort ("region|firmware|hardware"), rejected by region, advanced at each scrape.
  std::map<std::string, double> received_total, rejected_total, reconnects_total;
  std::chrono::steady_clock::time_point counted_until = std::chrono::steady_clock::now();
  fleetsim::RolloutState platform_rollout;  // the rollout as --platform services show it
};

bool selected(const fleetsim::Fault& f, const Device& d) {
  for (const auto& [field, value] : f.selector) {
    const std::string& have = field == "region"     ? d.region
                              : field == "firmware" ? d.firmware
                              : field == "hardware" ? d.hardware
                              : field == "model"    ? d.model
                                                    : d.gateway;
    if (have != value) return false;
  }
  return true;
}

// Whether ACTION fails for device D under the injected faults.
bool action_fails(const Fleet& f, const Device& d, const std::string& action) {
  for (const auto& fault : f.faults)
    if (fault.effect == action && selected(fault, d) &&
        fleetsim::stable_percentile(d.id) < fault.percent)
      return true;
  return false;
}

void generate(Fleet& f, int count, unsigned seed) {
  std::mt19937 rng(seed);
  const char* regions[] = {"eu-west", "eu-central", "us-east"};
  for (int g = 0; g < std::max(1, count / 25); ++g)
    f.gateways["gw-" + std::to_string(g)] = Gateway{};
  for (int i = 0; i < count; ++i) {
    char id[32];
    std::snprintf(id, sizeof id, "sensor-%04d", i);
    Device d;
    d.id = id;
    d.gateway = "gw-" + std::to_string(i % std::max(1, count / 25));
    d.region = regions[rng() % 3];
    d.firmware = (rng() % 10 == 0) ? "2.4.0" : "2.3.1";
    d.offline_s = static_cast<long>(rng() % 120);
    d.cert_days = 30 + static_cast<long>(rng() % 300);
    d.last_connect_s = d.offline_s;
    f.devices[d.id] = d;
  }
  // Cohorts beyond region and firmware, from a generator of their own (the fields above
  // stay what they were for every seed).
  std::mt19937 more(seed ^ 0x9e3779b9u);
  const char* models[] = {"TH-100", "TH-200", "PM-10", "GW-LITE"};
  for (auto& [id, d] : f.devices) {
    unsigned r = more() % 100;
    d.hardware = r < 60 ? "rev-A" : r < 85 ? "rev-B" : "rev-C";
    d.model = models[more() % 4];
    if (d.firmware == "2.4.0" && d.hardware == "rev-B") {
      d.bricked = true;
      d.offline_s = 3 * 3600 + static_cast<long>(more() % 3600);
      d.last_connect_s = d.offline_s;
    } else if (d.firmware == "2.4.0" && d.hardware == "rev-C") {
      d.noisy = true;
      d.backlog = 500 + static_cast<long>(more() % 5000);
    }
  }
  // The incidents the bundled runbooks walk through.
  auto& s42 = f.devices["sensor-0042"];
  s42 = Device{"sensor-0042", "gw-7", "eu-west", "2.3.1", 45 * 60, true, -2, true, -1};
  f.gateways["gw-7"] = Gateway{true, false, true, true};
  auto& s7 = f.devices["sensor-0007"];
  s7 = Device{"sensor-0007", "gw-3", "eu-west", "2.3.1", 60 * 60, true, 120, true, -1};
  f.gateways["gw-3"] = Gateway{true, true, true, false};
  // In a large fleet a few gateways are down, and their devices offline with them: one
  // restart each, not a field visit per device.
  if (count >= 1000)
    for (auto& [name, g] : f.gateways)
      if (std::stoi(name.substr(3)) % 400 == 5) {
        g.online = false;
        for (auto& [id, d] : f.devices)
          if (d.gateway == name) d.offline_s = 2 * 3600, d.last_connect_s = 2 * 3600;
      }
}

void record(Fleet& f, const std::string& what, const std::string& target, const std::string& body,
            int status = 200) {
  std::lock_guard<std::mutex> lock(f.mu);
  json a{{"action", what},
         {"target", target},
         {"at", std::chrono::duration_cast<std::chrono::milliseconds>(
                    std::chrono::system_clock::now().time_since_epoch())
                    .count()},
         {"status", status}};
  try {
    a["body"] = body.empty() ? json() : json::parse(body);
  } catch (...) {
    a["body"] = body;
  }
  f.actions.push_back(a);
  std::cout << "action " << what << " " << target << std::endl;
}

// "1h", "45m", "1h30m", "2d" (numbers with units, as rbk writes durations): seconds, or
// -1 when the text is not such a duration.
long seconds_of(const std::string& text) {
  long total = 0, n = -1;
  for (char c : text) {
    if (c >= '0' && c <= '9') {
      if (n > 100000000) return -1;
      n = (n < 0 ? 0 : n * 10) + (c - '0');
      continue;
    }
    long unit = c == 's' ? 1 : c == 'm' ? 60 : c == 'h' ? 3600 : c == 'd' ? 86400 : 0;
    if (unit == 0 || n < 0) return -1;
    total += n * unit;
    n = -1;
  }
  return n < 0 && total > 0 ? total : -1;
}

void reply(httplib::Response& res, const json& j, int status = 200) {
  res.status = status;
  res.set_content(j.dump(), "application/json");
}

// Why BODY is not an object with exactly the fields FIELDS ("" when it is): a request
// with a field the endpoint does not know is refused, so that a client never believes it
// asked for something the server ignored (rolling back one cohort, say, when the endpoint
// moves the whole rollout).
std::string body_problem(const std::string& body, const std::vector<std::string>& fields) {
  json j = json::parse(body.empty() ? "{}" : body, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return "the body must be a JSON object";
  std::string known;
  for (const auto& f : fields) known += (known.empty() ? "" : ", ") + ("\"" + f + "\"");
  if (known.empty()) known = "none";
  for (auto it = j.begin(); it != j.end(); ++it)
    if (std::find(fields.begin(), fields.end(), it.key()) == fields.end())
      return "unknown field \"" + it.key() + "\" (this endpoint takes " + known + ")";
  for (const auto& f : fields)
    if (!j.contains(f)) return "missing field \"" + f + "\" (this endpoint takes " + known + ")";
  return "";
}

// Whether cohort C is in the selector FW/HW/REGION ("*" matches any).
bool selects(const httplib::Request& req, size_t first, const Cohort& c) {
  auto field = [&](size_t i, const std::string& v) {
    return req.matches[first + i] == "*" || req.matches[first + i] == v;
  };
  return field(0, c.firmware) && field(1, c.hardware) && field(2, c.region);
}

}  // namespace

// The broker's traffic in a region, in messages per second: a usual 1,050/s; in eu-west,
// until the noisy cohort (firmware 2.4.0 on rev-C) gets its backoff configuration, a spike
// of 9,400/s of which that cohort sends 78% and the broker rejects 2,300/s. The rest is
// shared by the region's cohorts in proportion to their devices.
constexpr double kUsualRate = 1050, kBaselineRate = 1100;
struct RegionTraffic {
  double total = 0, rejected = 0, reconnects = 0;
  std::map<std::pair<std::string, std::string>, double> by_cohort;  // (firmware, hardware)
};
// Devices by cohort (region, firmware, hardware): (registered, connected). One pass over
// the fleet under its lock, without copying a string per device: a scrape of 60,000
// devices every second must not hold the simulator up.
using CohortKey = std::tuple<std::string_view, std::string_view, std::string_view>;
std::map<CohortKey, std::pair<long, long>> devices_by_cohort(const Fleet& f) {
  std::map<CohortKey, std::pair<long, long>> out;
  for (const auto& [id, d] : f.devices) {
    auto& n = out[{d.region, d.firmware, d.hardware}];
    ++n.first;
    n.second += d.offline_s < 300;
  }
  return out;
}

std::map<std::string, RegionTraffic> traffic_of(
    const Fleet& f, const std::map<CohortKey, std::pair<long, long>>& devices) {
  std::map<std::string, std::map<std::pair<std::string, std::string>, long>> by_region;
  for (const auto& [key, n] : devices)
    by_region[std::string(std::get<0>(key))]
             [{std::string(std::get<1>(key)), std::string(std::get<2>(key))}] += n.first;
  std::map<std::string, RegionTraffic> out;
  const std::pair<std::string, std::string> noisy{"2.4.0", "rev-C"};
  for (const auto& [region, cohorts] : by_region) {
    RegionTraffic& t = out[region];
    const bool spike = region == "eu-west" && !f.cohort_backoff;
    t.total = spike ? 9400 : kUsualRate;
    t.rejected = spike ? 2300 : 0;
    t.reconnects = spike ? 140 : 2;  // rev-C on 2.4.0 reconnects too eagerly
    double shared = t.total;
    if (spike) {
      t.by_cohort[noisy] = 0.78 * t.total;
      shared -= t.by_cohort[noisy];
    }
    long others = 0;
    for (const auto& [cohort, n] : cohorts)
      if (!(spike && cohort == noisy)) others += n;
    for (const auto& [cohort, n] : cohorts)
      if (!(spike && cohort == noisy)) t.by_cohort[cohort] = shared * double(n) / double(others);
  }
  return out;
}

// A label value in the text exposition format: \, " and newlines escaped.
std::string label(const std::string& v) {
  std::string out;
  for (char c : v)
    out += c == '\\' ? "\\\\" : c == '"' ? "\\\"" : c == '\n' ? "\\n" : std::string(1, c);
  return "\"" + out + "\"";
}

// GET /metrics: the fleet as Prometheus scrapes a broker, a registry and a Kafka exporter
// (text exposition format 0.0.4). Counters advance by the traffic since the last scrape.
std::string metrics_text(Fleet& f) {
  std::lock_guard<std::mutex> lock(f.mu);
  auto now = std::chrono::steady_clock::now();
  double dt = std::chrono::duration<double>(now - f.counted_until).count();
  f.counted_until = now;
  const auto devices = devices_by_cohort(f);
  auto traffic = traffic_of(f, devices);
  for (const auto& [region, t] : traffic) {
    for (const auto& [cohort, rate] : t.by_cohort)
      f.received_total[region + "|" + cohort.first + "|" + cohort.second] += rate * dt;
    f.rejected_total[region] += t.rejected * dt;
    f.reconnects_total[region] += t.reconnects * dt;
  }
  auto labels = [](std::string_view region, std::string_view firmware, std::string_view hardware) {
    return "region=" + label(std::string(region)) + ",firmware=" + label(std::string(firmware)) +
           ",hardware=" + label(std::string(hardware));
  };
  auto cohort_labels = [&](const std::string& key) {  // "region|firmware|hardware"
    size_t a = key.find('|'), b = key.find('|', a + 1);
    return labels(std::string_view(key).substr(0, a),
                  std::string_view(key).substr(a + 1, b - a - 1),
                  std::string_view(key).substr(b + 1));
  };
  std::string out;
  // One metric family: its HELP and TYPE lines, then a sample per label set.
  auto family = [&](const char* name, const char* type, const char* help) {
    out += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " " + type + "\n";
  };
  auto sample = [&](const char* name, const std::string& labels, double v) {
    char num[64];
    std::snprintf(num, sizeof num, "%.17g", v);
    out += std::string(name) + "{" + labels + "} " + num + "\n";
  };
  family("fleet_devices", "gauge", "Devices registered, by cohort.");
  for (const auto& [key, n] : devices)
    sample("fleet_devices", std::apply(labels, key), double(n.first));
  family("fleet_devices_connected", "gauge", "Devices seen within 5 minutes, by cohort.");
  for (const auto& [key, n] : devices)
    sample("fleet_devices_connected", std::apply(labels, key), double(n.second));
  family("mqtt_messages_received_total", "counter",
         "PUBLISH packets the broker received, by cohort.");
  for (const auto& [key, v] : f.received_total)
    sample("mqtt_messages_received_total", cohort_labels(key), v);
  family("mqtt_publish_rejected_total", "counter",
         "PUBLISH packets the broker refused (rate limits, quotas), by region.");
  for (const auto& [region, v] : f.rejected_total)
    sample("mqtt_publish_rejected_total", "region=" + label(region), v);
  family("mqtt_client_reconnects_total", "counter",
         "CONNECTs from clients that had a session before, by region.");
  for (const auto& [region, v] : f.reconnects_total)
    sample("mqtt_client_reconnects_total", "region=" + label(region), v);
  family("fleet_publish_rate_baseline", "gauge",
         "The region's usual publish rate (messages per second) from capacity planning.");
  for (const auto& [region, t] : traffic)
    sample("fleet_publish_rate_baseline", "region=" + label(region), kBaselineRate);
  // The ingestion consumers' lag as kafka_exporter names it: 12 messages over 3 partitions.
  family("kafka_consumergroup_lag", "gauge",
         "Messages the consumer group is behind, by partition.");
  for (int p = 0; p < 3; ++p)
    sample(
        "kafka_consumergroup_lag",
        "consumergroup=\"ingestion\",topic=\"telemetry\",partition=\"" + std::to_string(p) + "\"",
        4);
  return out;
}

int main(int argc, char** argv) {
  int port = 8085, count = 200;
  unsigned seed = 7;
  Fleet fleet;
  const char* usage =
      "usage: fleet-sim [--port 8085] [--devices 200] [--seed 7] [--fail SELECTOR:EFFECT]...\n"
      "                 [--platform aws-iot|azure-iot-hub|hawkbit|mender]...\n";
  std::vector<std::string> platforms;
  if (argc % 2 == 0) {
    std::cerr << usage;
    return 2;
  }
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string a = argv[i];
    if (a == "--port") {
      port = std::atoi(argv[i + 1]);
    } else if (a == "--devices") {
      count = std::atoi(argv[i + 1]);
      if (count < 1 || count > 1000000) {
        std::cerr << "fleet-sim: --devices takes 1 to 1,000,000\n";
        return 2;
      }
    } else if (a == "--seed") {
      seed = static_cast<unsigned>(std::atoi(argv[i + 1]));
    } else if (a == "--fail") {
      std::string why;
      auto f = fleetsim::parse_fault(argv[i + 1], why);
      if (!f) {
        std::cerr << "fleet-sim: --fail '" << argv[i + 1] << "': " << why << "\n";
        return 2;
      }
      fleet.faults.push_back(*f);
    } else if (a == "--platform") {
      const auto& known = fleetsim::platform_names();
      if (std::find(known.begin(), known.end(), argv[i + 1]) == known.end()) {
        std::cerr << "fleet-sim: --platform takes aws-iot, azure-iot-hub, hawkbit or mender, not '"
                  << argv[i + 1] << "'\n";
        return 2;
      }
      platforms.push_back(argv[i + 1]);
    } else {
      std::cerr << usage;
      return 2;
    }
  }
  generate(fleet, std::max(count, 50), seed);
  httplib::Server srv;
  // A fleet's children keep their connections open: a thread for each, and many requests
  // on one connection. (Several rbk serve replicas, each with its --child-workers threads
  // keeping one open, as a real fleet API behind a load balancer would take.)
  srv.new_task_queue = [] { return new httplib::ThreadPool(320); };
  srv.set_keep_alive_max_count(100000);
  srv.set_keep_alive_timeout(2);
  srv.set_tcp_nodelay(true);
  // Requests about a device the faults slow down or fail (not under the fleet's lock).
  srv.set_pre_routing_handler([&](const httplib::Request& req, httplib::Response& res) {
    ++fleet.requests;
    if (fleet.faults.empty() || req.path.rfind("/devices/", 0) != 0)
      return httplib::Server::HandlerResponse::Unhandled;
    std::string id = req.path.substr(9, req.path.find('/', 9) - 9);
    int slow = 0, errors = 0;
    {
      std::lock_guard<std::mutex> lock(fleet.mu);
      auto d = fleet.devices.find(id);
      if (d == fleet.devices.end()) return httplib::Server::HandlerResponse::Unhandled;
      for (const auto& f : fleet.faults)
        if (selected(f, d->second)) {
          if (f.effect == "slow") slow = std::max(slow, f.slow_ms);
          if (f.effect == "5xx") errors = std::max(errors, f.percent);
        }
    }
    if (slow > 0) std::this_thread::sleep_for(std::chrono::milliseconds(slow));
    thread_local std::mt19937 draw(std::random_device{}());
    if (errors > 0 && static_cast<int>(draw() % 100) < errors) {
      reply(res, {{"error", "injected: service unavailable"}}, 503);
      return httplib::Server::HandlerResponse::Handled;
    }
    return httplib::Server::HandlerResponse::Unhandled;
  });
  auto now = [] { return std::time(nullptr); };
  auto device = [&](const httplib::Request& req, httplib::Response& res) -> Device* {
    auto it = fleet.devices.find(req.matches[1]);
    if (it == fleet.devices.end()) {
      reply(res, {{"error", "no such device"}}, 404);
      return nullptr;
    }
    return &it->second;
  };

  srv.Get(R"(/devices/([\w-]+))", [&](const httplib::Request& req, httplib::Response& res) {
    std::lock_guard<std::mutex> lock(fleet.mu);
    if (Device* d = device(req, res))
      reply(res, {{"id", d->id},
                  {"last_seen", iso(now() - d->offline_s)},
                  {"connected", d->offline_s < 60},
                  {"gateway", d->gateway},
                  {"region", d->region},
                  {"firmware", d->firmware},
                  {"hardware", d->hardware},
                  {"model", d->model},
                  {"quarantined", d->quarantined}});
  });
  // The registry's list, filtered by cohort and state (offline: not seen for 5 minutes).
  srv.Get("/devices", [&](const httplib::Request& req, httplib::Response& res) {
    static const std::vector<std::string> filters = {"state",    "region", "firmware",
                                                     "hardware", "model",  "gateway"};
    for (const auto& [k, v] : req.params)
      if (std::find(filters.begin(), filters.end(), k) == filters.end())
        return reply(res,
                     {{"error", "unknown filter \"" + k +
                                    "\" (the list takes state, region, "
                                    "firmware, hardware, model, gateway)"}},
                     400);
    std::string state = req.has_param("state") ? req.get_param_value("state") : "any";
    if (state != "any" && state != "offline" && state != "online")
      return reply(res, {{"error", "state is offline, online or any"}}, 400);
    auto want = [&](const char* k, const std::string& v) {
      return !req.has_param(k) || req.get_param_value(k) == v;
    };
    std::lock_guard<std::mutex> lock(fleet.mu);
    json all = json::array();
    for (const auto& [id, d] : fleet.devices) {
      bool offline = d.offline_s >= 300;
      if ((state == "offline" && !offline) || (state == "online" && offline)) continue;
      if (!want("region", d.region) || !want("firmware", d.firmware) ||
          !want("hardware", d.hardware) || !want("model", d.model) || !want("gateway", d.gateway))
        continue;
      all.push_back({{"id", d.id},
                     {"region", d.region},
                     {"firmware", d.firmware},
                     {"hardware", d.hardware},
                     {"model", d.model},
                     {"gateway", d.gateway}});
    }
    reply(res, all);
  });
  // Telemetry quality: a noisy device republishes its buffer (duplicates, a backlog).
  srv.Get(R"(/devices/([\w-]+)/telemetry)",
          [&](const httplib::Request& req, httplib::Response& res) {
            std::lock_guard<std::mutex> lock(fleet.mu);
            if (Device* d = device(req, res))
              reply(res, {{"connected", d->offline_s < 60},
                          {"duplicates_percent", d->noisy ? 35.0 : 0.2},
                          {"backlog", d->backlog}});
          });
  srv.Get(R"(/devices/([\w-]+)/power)", [&](const httplib::Request& req, httplib::Response& res) {
    std::lock_guard<std::mutex> lock(fleet.mu);
    if (Device* d = device(req, res)) reply(res, {{"state", d->powered ? "on" : "unknown"}});
  });
  srv.Get(R"(/devices/([\w-]+)/certificate)",
          [&](const httplib::Request& req, httplib::Response& res) {
            std::lock_guard<std::mutex> lock(fleet.mu);
            if (Device* d = device(req, res))
              reply(res, {{"not_after", iso(now() + d->cert_days * 86400)}});
          });
  srv.Get(R"(/devices/([\w-]+)/reachable)",
          [&](const httplib::Request& req, httplib::Response& res) {
            std::lock_guard<std::mutex> lock(fleet.mu);
            if (Device* d = device(req, res))
              reply(res, {{"reachable", d->provisioning_reachable}});
          });
  srv.Get(R"(/clients/([\w-]+))", [&](const httplib::Request& req, httplib::Response& res) {
    std::lock_guard<std::mutex> lock(fleet.mu);
    std::string id = req.matches[1];
    if (auto g = fleet.gateways.find(id); g != fleet.gateways.end()) {
      reply(res, {{"last_connect", iso(now() - 5)}, {"publishing", g->second.publishing}});
    } else if (Device* d = device(req, res)) {
      reply(res, {{"last_connect",
                   d->last_connect_s < 0 ? json() : json(iso(now() - d->last_connect_s))},
                  {"publishing", d->offline_s < 60}});
    }
  });
  srv.Get(R"(/gateways/([\w-]+))", [&](const httplib::Request& req, httplib::Response& res) {
    std::lock_guard<std::mutex> lock(fleet.mu);
    auto g = fleet.gateways.find(req.matches[1]);
    if (g == fleet.gateways.end()) return reply(res, {{"error", "no such gateway"}}, 404);
    reply(res, {{"online", g->second.online},
                {"oom", g->second.oom},
                {"ot_network_reachable", g->second.ot}});
  });

  // Actions: recorded, and they change the fleet the way the real thing would. Each takes
  // exactly the body FIELDS (400 naming the field otherwise, and nothing recorded). The
  // target is the path's captures, joined by "/"; EFFECT returns false when the target
  // does not exist (404).
  // Idempotency keys (Stripe's convention), for the actions: a POST with an Idempotency-Key
  // it has answered gets the same answer again, and nothing is done or recorded twice; one
  // still in progress gets 409. Checked in the handler, once the whole request was read:
  // a request cut off mid-way (its client killed) is not answered, so not remembered.
  auto keyed = [&](auto handler) {
    return [&, handler](const httplib::Request& req, httplib::Response& res) {
      std::string key = req.get_header_value("Idempotency-Key");
      if (!key.empty()) {
        std::lock_guard<std::mutex> lock(fleet.mu);
        auto [known, first] = fleet.answered.try_emplace(key, 0, "");
        if (!first && known->second.first == 0)
          return reply(res, {{"error", "a request with this Idempotency-Key is in progress"}}, 409);
        if (!first) {
          res.status = known->second.first;
          res.set_content(known->second.second, "application/json");
          res.set_header("Idempotency-Status", "replayed");
          ++fleet.replayed;
          return;
        }
      }
      handler(req, res);
      if (key.empty()) return;
      std::lock_guard<std::mutex> lock(fleet.mu);
      fleet.answered[key] = {res.status, res.body};
    };
  };
  auto action = [&](const char* pattern, const char* name, std::vector<std::string> fields,
                    auto effect) {
    srv.Post(pattern,
             keyed([&, name, fields, effect](const httplib::Request& req, httplib::Response& res) {
               if (std::string why = body_problem(req.body, fields); !why.empty())
                 return reply(res, {{"error", why}}, 400);
               std::string target;
               for (size_t i = 1; i < req.matches.size(); ++i)
                 target += (i > 1 ? "/" : "") + std::string(req.matches[i]);
               {
                 std::lock_guard<std::mutex> lock(fleet.mu);
                 if (!effect(req)) return reply(res, {{"error", "no such " + target}}, 404);
               }
               record(fleet, name, target, req.body);
               reply(res, {{"ok", true}});
             }));
  };
  auto nothing = [](const httplib::Request&) { return true; };
  // The device or gateway of the request's first capture, or null.
  auto device_of = [&](const httplib::Request& req) {
    auto d = fleet.devices.find(req.matches[1]);
    return d == fleet.devices.end() ? nullptr : &d->second;
  };
  action(R"(/gateways/([\w-]+)/restart)", "gateway.restart", {}, [&](const httplib::Request& req) {
    auto g = fleet.gateways.find(req.matches[1]);
    if (g == fleet.gateways.end()) return false;
    g->second.oom = false;
    g->second.online = true;
    for (auto& [id, d] : fleet.devices)
      if (d.gateway == g->first && !d.bricked) d.offline_s = 0, d.last_connect_s = 0;
    return true;
  });
  // The gateways of a region (serving at least one of its devices) that are down or out of
  // memory, with how many of the region's devices each serves.
  srv.Get("/gateways", [&](const httplib::Request& req, httplib::Response& res) {
    for (const auto& [k, v] : req.params)
      if (k != "region" && k != "state")
        return reply(
            res, {{"error", "unknown filter \"" + k + "\" (the list takes region, state)"}}, 400);
    if (!req.has_param("region") || req.get_param_value("state") != "unhealthy")
      return reply(res, {{"error", "the list takes region=R&state=unhealthy"}}, 400);
    std::string region = req.get_param_value("region");
    std::lock_guard<std::mutex> lock(fleet.mu);
    std::map<std::string, int> served;
    for (const auto& [id, d] : fleet.devices)
      if (d.region == region) served[d.gateway]++;
    json all = json::array();
    for (const auto& [id, n] : served) {
      const Gateway& g = fleet.gateways[id];
      if (!g.online || g.oom) all.push_back({{"id", id}, {"devices", n}});
    }
    reply(res, all);
  });
  action(R"(/devices/([\w-]+)/quarantine)", "fleet.quarantine", {"reason"},
         [&](const httplib::Request& req) {
           Device* d = device_of(req);
           if (d) d->quarantined = true;
           return d != nullptr;
         });
  action(R"(/devices/([\w-]+)/power-cycle)", "fleet.power_cycle", {},
         [&](const httplib::Request& req) {
           Device* d = device_of(req);
           if (d) d->offline_s = 0;
           return d != nullptr;
         });
  // Renewal (seed 16.3): the provisioning service issues a new certificate, which the
  // runbook publishes on the device's config channel over MQTT; the device reports there.
  srv.Post(R"(/devices/([\w-]+)/certificates)",
           [&](const httplib::Request& req, httplib::Response& res) {
             if (std::string why = body_problem(req.body, {}); !why.empty())
               return reply(res, {{"error", why}}, 400);
             {
               std::lock_guard<std::mutex> lock(fleet.mu);
               if (!device_of(req)) return reply(res, {{"error", "no such device"}}, 404);
             }
             fleetsim::IssuedCertificate c = fleetsim::issue_certificate(req.matches[1], 365);
             if (!c.error.empty()) return reply(res, {{"error", c.error}}, 500);
             record(fleet, "certs.issue", req.matches[1], req.body);
             reply(res, {{"serial", c.serial}, {"certificate", c.pem}, {"not_after", c.not_after}});
           });
  action(R"(/devices/([\w-]+)/reprovision)", "certs.reprovision", {},
         [&](const httplib::Request& req) {
           Device* d = device_of(req);
           if (d) d->cert_days = 365, d->offline_s = 0;
           return d != nullptr;
         });
  // A device's own rollback and reboot: the faults may fail them (500, recorded too).
  auto device_action = [&](const char* pattern, const char* name, const char* fault,
                           std::vector<std::string> fields, auto effect) {
    srv.Post(pattern, keyed([&, name, fault, fields, effect](const httplib::Request& req,
                                                             httplib::Response& res) {
               if (std::string why = body_problem(req.body, fields); !why.empty())
                 return reply(res, {{"error", why}}, 400);
               int status = 200;
               {
                 std::lock_guard<std::mutex> lock(fleet.mu);
                 Device* d = device_of(req);
                 if (!d) return reply(res, {{"error", "no such device"}}, 404);
                 if (action_fails(fleet, *d, fault))
                   status = 500;
                 else
                   effect(*d, json::parse(req.body.empty() ? "{}" : req.body));
               }
               record(fleet, name, req.matches[1], req.body, status);
               if (status != 200)
                 return reply(res, {{"error", std::string(fault) + " failed"}}, status);
               reply(res, {{"ok", true}});
             }));
  };
  device_action(R"(/devices/([\w-]+)/rollback)", "ota.rollback_device", "rollback", {"firmware"},
                [](Device& d, const json& body) {
                  if (!body["firmware"].is_string()) return;
                  d.firmware = body["firmware"].get<std::string>();
                  d.bricked = d.noisy = false;
                  d.offline_s = 0, d.last_connect_s = 0, d.backlog = 0;
                });
  device_action(R"(/devices/([\w-]+)/reboot)", "fleet.reboot", "reboot", {},
                [](Device& d, const json&) {
                  if (!d.bricked) d.offline_s = 0, d.last_connect_s = 0;  // bricked: stays off
                });
  device_action(R"(/devices/([\w-]+)/backoff)", "fleet.device_backoff", "backoff",
                {"initial", "max"}, [](Device& d, const json&) {
                  d.noisy = false;
                  d.backlog = d.backlog / 10;  // it drains, calmly
                });
  action(R"(/hooks/ops)", "ops.alert", {"text", "severity"}, nothing);
  action(R"(/tickets)", "ops.dispatch_technician", {"device", "reason"}, nothing);

  // OTA: one rollout, fw-2.4.0, of firmware 2.4.0 over the cohorts of fleet.cohorts.
  const std::string cohort_path = R"(/([\w.*-]+)/([\w.*-]+)/([\w.*-]+))";
  auto rollout_known = [](const httplib::Request& req) { return req.matches[1] == "fw-2.4.0"; };
  srv.Get(R"(/rollouts/([\w.-]+))", [&](const httplib::Request& req, httplib::Response& res) {
    if (!rollout_known(req)) return reply(res, {{"error", "no such rollout"}}, 404);
    std::lock_guard<std::mutex> lock(fleet.mu);
    int devices = 0, failed = 0;
    for (const auto& c : fleet.cohorts) devices += c.devices, failed += c.failed_now();
    reply(res, {{"state", "running"},
                {"firmware", "2.4.0"},
                {"previous_firmware", "2.3.1"},
                {"devices", devices},
                {"failed", failed},
                {"failed_percent", 100.0 * failed / devices}});
  });
  srv.Get(R"(/rollouts/([\w.-]+)/cohorts)", [&](const httplib::Request& req,
                                                httplib::Response& res) {
    if (!rollout_known(req)) return reply(res, {{"error", "no such rollout"}}, 404);
    std::lock_guard<std::mutex> lock(fleet.mu);
    json all = json::array();
    for (const auto& c : fleet.cohorts)
      all.push_back({{"cohort", c.identity()}, {"devices", c.devices}, {"failed", c.failed_now()}});
    reply(res, all);
  });
  srv.Get("/rollouts/([\\w.-]+)/cohorts" + cohort_path, [&](const httplib::Request& req,
                                                            httplib::Response& res) {
    if (!rollout_known(req)) return reply(res, {{"error", "no such rollout"}}, 404);
    std::lock_guard<std::mutex> lock(fleet.mu);
    int devices = 0, failed = 0;
    double healthy = 0;
    for (const auto& c : fleet.cohorts)
      if (selects(req, 2, c))
        devices += c.devices, failed += c.failed_now(), healthy += c.healthy_percent() * c.devices;
    if (devices == 0) return reply(res, {{"error", "no such cohort"}}, 404);
    reply(res, {{"devices", devices},
                {"failed", failed},
                {"failed_percent", 100.0 * failed / devices},
                {"healthy_percent", healthy / devices}});
  });
  action(R"(/rollouts/([\w.-]+)/pause)", "ota.pause", {"reason"}, rollout_known);
  action(R"(/rollouts/([\w.-]+)/rollback)", "ota.rollback", {"firmware", "wave"},
         [&](const httplib::Request& req) {
           if (!rollout_known(req)) return false;
           for (auto& c : fleet.cohorts) c.rolled_back = true;
           return true;
         });
  // A cohort's own rollback and quarantine touch only the cohorts the selector holds.
  auto for_cohorts = [&](auto change) {
    return [&, change](const httplib::Request& req) {
      if (!rollout_known(req)) return false;
      bool any = false;
      for (auto& c : fleet.cohorts)
        if (selects(req, 2, c)) change(c), any = true;
      return any;
    };
  };
  action(("/rollouts/([\\w.-]+)/cohorts" + cohort_path + "/rollback").c_str(),
         "ota.rollback_cohort", {"firmware", "wave"},
         for_cohorts([](Cohort& c) { c.rolled_back = true; }));
  action(("/rollouts/([\\w.-]+)/cohorts" + cohort_path + "/quarantine").c_str(), "ota.quarantine",
         {}, for_cohorts([](Cohort& c) { c.quarantined = true; }));

  // Ingestion: a device whose messages reach the broker but are rejected by the schema.
  srv.Get(R"(/devices/([\w-]+)/messages)", [&](const httplib::Request&, httplib::Response& res) {
    reply(res, {{"at_broker", 120}, {"stored", 0}});
  });
  srv.Get(R"(/gateways/([\w-]+)/buffer)", [&](const httplib::Request&, httplib::Response& res) {
    reply(res, {{"state", "ok"}, {"unsent", 0}, {"dropped", 0}});
  });
  // Firmware 2.4.0 changed the telemetry schema without the backend's schema following.
  srv.Get(R"(/devices/([\w-]+)/rejections)",
          [&](const httplib::Request& req, httplib::Response& res) {
            std::lock_guard<std::mutex> lock(fleet.mu);
            if (Device* d = device(req, res))
              reply(res, {{"schema", d->firmware == "2.4.0" ? 118 : 0}});
          });
  srv.Get(R"(/devices/([\w-]+)/deadband)", [&](const httplib::Request&, httplib::Response& res) {
    reply(res, {{"width", 0.5}, {"suppressed", 0}});
  });
  action(R"(/consumers/([\w-]+)/scale)", "ingest.scale_consumers", {"instances"}, nothing);

  // Presence and regions, computed from the devices. A region counts a device as connected
  // when it was seen within 5 minutes (telemetry comes every couple of minutes).
  srv.Get(R"(/devices/([\w-]+)/presence)",
          [&](const httplib::Request& req, httplib::Response& res) {
            std::lock_guard<std::mutex> lock(fleet.mu);
            Device* d = device(req, res);
            if (!d) return;
            long since = seconds_of(req.has_param("since") ? req.get_param_value("since") : "1h");
            if (since <= 0)
              return reply(res, {{"error", "since must be a duration like 1h or 45m"}}, 400);
            double online =
                since > d->offline_s ? 100.0 * double(since - d->offline_s) / double(since) : 0.0;
            reply(res, {{"online_percent", online}});
          });
  srv.Get(R"(/regions/([\w-]+))", [&](const httplib::Request& req, httplib::Response& res) {
    std::lock_guard<std::mutex> lock(fleet.mu);
    long all = 0, connected = 0;
    for (const auto& [id, d] : fleet.devices)
      if (d.region == req.matches[1].str()) ++all, connected += d.offline_s < 300;
    if (all == 0) return reply(res, {{"error", "no such region"}}, 404);
    reply(res, {{"connected", connected},
                {"baseline", all},
                {"drop_percent", 100.0 * double(all - connected) / double(all)}});
  });
  action(R"(/quarantine)", "fleet.quarantine_devices", {"devices", "reason"}, nothing);
  // The noisy cohort of the broker's spike: firmware 2.4.0 on rev-C in eu-west (rev-C
  // devices reconnect too eagerly on it; rev-B ones fail signature verification).
  auto noisy = [](const httplib::Request& req) {
    return req.matches[1] == "2.4.0" && req.matches[2] == "rev-C" && req.matches[3] == "eu-west";
  };
  action(("/cohorts" + cohort_path + "/config").c_str(), "fleet.push_backoff",
         {"max_publish_rate", "backoff_initial", "backoff_max"}, [&](const httplib::Request& req) {
           if (noisy(req)) fleet.cohort_backoff = true;
           return true;
         });

  // The rollout services' own APIs, each when asked for (platforms.hpp).
  for (const auto& name : platforms)
    fleetsim::serve_platform(
        srv, name,
        {&fleet.mu, &fleet.platform_rollout,
         [&] {
           std::lock_guard<std::mutex> lock(fleet.mu);
           std::vector<fleetsim::DeviceView> out;
           out.reserve(fleet.devices.size());
           for (const auto& [id, d] : fleet.devices)
             out.push_back({id, d.region, d.firmware, d.hardware, d.offline_s < 300, d.bricked});
           return out;
         },
         [&](const std::string& what, const std::string& target, const std::string& body) {
           record(fleet, what, target, body);
         }});
  // What Prometheus scrapes: the broker's traffic (a telemetry spike in eu-west from
  // firmware 2.4.0 on rev-C), the registry's devices, the ingestion consumers' lag.
  srv.Get("/metrics", [&](const httplib::Request&, httplib::Response& res) {
    res.set_content(metrics_text(fleet), "text/plain; version=0.0.4");
  });
  // The broker: healthy.
  srv.Get("/health", [&](const httplib::Request&, httplib::Response& res) {
    reply(res, {{"healthy", true}, {"nodes_down", 0}});
  });
  srv.Get("/cohorts" + cohort_path + "/over-limit",
          [&](const httplib::Request& req, httplib::Response& res) {
            std::lock_guard<std::mutex> lock(fleet.mu);
            bool limited = noisy(req) && fleet.cohort_limited;
            reply(res, {{"clients", limited ? json::array({"sensor-0013"}) : json::array()}});
          });
  action(("/cohorts" + cohort_path + "/rate-limit").c_str(), "broker.set_rate_limit",
         {"messages_per_second"}, [&](const httplib::Request& req) {
           if (noisy(req)) fleet.cohort_limited = true;
           return true;
         });
  action(R"(/regions/([\w-]+)/failover)", "broker.failover", {}, nothing);

  // OTA scope: the narrowest cohort selector holding every failing cohort (5% or more of
  // its devices failed); "*" where the failing cohorts differ.
  srv.Get(R"(/rollouts/([\w.-]+)/scope)", [&](const httplib::Request& req, httplib::Response& res) {
    if (!rollout_known(req)) return reply(res, {{"error", "no such rollout"}}, 404);
    std::lock_guard<std::mutex> lock(fleet.mu);
    json scope;
    int devices = 0, failed = 0, failing = 0;
    for (const auto& c : fleet.cohorts) {
      if (c.failed_now() * 20 < c.devices) continue;
      ++failing, devices += c.devices, failed += c.failed_now();
      json id = c.identity();
      if (scope.is_null()) scope = id;
      for (const char* f : {"firmware", "hardware", "region"})
        if (scope[f] != id[f]) scope[f] = "*";
    }
    if (scope.is_null()) scope = {{"firmware", "2.4.0"}, {"hardware", "*"}, {"region", "*"}};
    reply(res, {{"cohort", scope},
                {"devices", devices},
                {"failed", failed},
                {"cohorts_failing", failing}});
  });
  srv.Get(R"(/rollouts/([\w.-]+)/health)",
          [&](const httplib::Request& req, httplib::Response& res) {
            if (!rollout_known(req)) return reply(res, {{"error", "no such rollout"}}, 404);
            std::lock_guard<std::mutex> lock(fleet.mu);
            double healthy = 0;
            int devices = 0;
            for (const auto& c : fleet.cohorts)
              healthy += c.healthy_percent() * c.devices, devices += c.devices;
            reply(res, {{"connected_percent", 99.0}, {"healthy_percent", healthy / devices}});
          });

  // The cloud platform: no throttling.
  srv.Get(R"(/regions/([\w-]+)/throttling)", [&](const httplib::Request&, httplib::Response& res) {
    reply(res, {{"throttled", 0}, {"quota_used_percent", 35.0}});
  });
  action(R"(/regions/([\w-]+)/quota-requests)", "cloud.request_quota", {"reason"}, nothing);

  srv.Get("/actions", [&](const httplib::Request&, httplib::Response& res) {
    std::lock_guard<std::mutex> lock(fleet.mu);
    reply(res, fleet.actions);
  });
  srv.Get("/requests", [&](const httplib::Request&, httplib::Response& res) {
    std::lock_guard<std::mutex> lock(fleet.mu);
    reply(res, {{"requests", fleet.requests.load()},
                {"idempotency_keys", fleet.answered.size()},
                {"replayed", fleet.replayed}});
  });

  std::signal(SIGTERM, [](int) { std::_Exit(0); });
  std::cout << "fleet-sim: " << fleet.devices.size() << " devices, " << fleet.gateways.size()
            << " gateways on http://127.0.0.1:" << port << std::endl;
  if (!srv.listen("127.0.0.1", port)) {
    std::cerr << "fleet-sim: cannot listen on 127.0.0.1:" << port << "\n";
    return 1;
  }
}
