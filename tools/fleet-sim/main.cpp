// fleet-sim: a small HTTP server that serves a generated IoT fleet in the REST shapes of
// docs/stdlib.md (fleet registry, broker, gateways, certificates and provisioning, OTA
// rollouts, the ingestion pipeline, the cloud platform's quotas, notifications, field service) on
// 127.0.0.1, and records every
// action it receives, so that anyone can try a live dry-run and a live run locally. The tests use
// it too.
//
//   fleet-sim [--port 8085] [--devices 200] [--seed 7]
//   GET /actions        what it was asked to do, in order (for tests and curious people)
//   GET /requests       how many requests it served
#include <httplib.h>

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

#include <nlohmann/json.hpp>

using nlohmann::json;

namespace {

std::string iso(std::time_t t) {
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

struct Device {
  std::string id, gateway, region, firmware;
  long offline_s = 0;  // seconds since last seen
  bool powered = true;
  long cert_days = 200;  // days until the certificate expires (negative: expired)
  bool renewal_acknowledged = true;
  bool provisioning_reachable = true;
  long last_connect_s = -1;  // -1: never
};

struct Gateway {
  bool online = true, oom = false, ot = true, publishing = true;
};

struct Fleet {
  std::map<std::string, Device> devices;
  std::map<std::string, Gateway> gateways;
  bool rolled_back = false;     // the bad rollout's devices are back on 2.3.1
  bool cohort_limited = false;  // the noisy cohort has a broker rate limit
  bool cohort_backoff = false;  // ... and backoff configuration
  std::mutex mu;
  json actions = json::array();
  std::atomic<long> requests{0};
};

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
  // The incidents the bundled runbooks walk through.
  auto& s42 = f.devices["sensor-0042"];
  s42 = Device{"sensor-0042", "gw-7", "eu-west", "2.3.1", 45 * 60, true, -2, false, true, -1};
  f.gateways["gw-7"] = Gateway{true, false, true, true};
  auto& s7 = f.devices["sensor-0007"];
  s7 = Device{"sensor-0007", "gw-3", "eu-west", "2.3.1", 60 * 60, true, 120, true, true, -1};
  f.gateways["gw-3"] = Gateway{true, true, true, false};
}

void record(Fleet& f, const std::string& what, const std::string& target, const std::string& body) {
  std::lock_guard<std::mutex> lock(f.mu);
  json a{{"action", what}, {"target", target}};
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

}  // namespace

int main(int argc, char** argv) {
  int port = 8085, count = 200;
  unsigned seed = 7;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string a = argv[i];
    if (a == "--port")
      port = std::atoi(argv[i + 1]);
    else if (a == "--devices")
      count = std::atoi(argv[i + 1]);
    else if (a == "--seed")
      seed = static_cast<unsigned>(std::atoi(argv[i + 1]));
    else {
      std::cerr << "usage: fleet-sim [--port 8085] [--devices 200] [--seed 7]\n";
      return 2;
    }
  }
  Fleet fleet;
  generate(fleet, std::max(count, 50), seed);
  httplib::Server srv;
  srv.set_pre_routing_handler([&](const httplib::Request&, httplib::Response&) {
    ++fleet.requests;
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
                  {"firmware", d->firmware}});
  });
  srv.Get(R"(/devices/([\w-]+)/power)", [&](const httplib::Request& req, httplib::Response& res) {
    std::lock_guard<std::mutex> lock(fleet.mu);
    if (Device* d = device(req, res)) reply(res, {{"state", d->powered ? "on" : "unknown"}});
  });
  srv.Get(R"(/devices/([\w-]+)/certificate)",
          [&](const httplib::Request& req, httplib::Response& res) {
            std::lock_guard<std::mutex> lock(fleet.mu);
            if (Device* d = device(req, res))
              reply(res, {{"not_after", iso(now() + d->cert_days * 86400)},
                          {"renewal_acknowledged", d->renewal_acknowledged}});
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

  // Actions: recorded, and they change the fleet the way the real thing would.
  auto action = [&](const char* pattern, const char* name, auto effect) {
    srv.Post(pattern, [&, name, effect](const httplib::Request& req, httplib::Response& res) {
      std::string target = req.matches.size() > 1 ? std::string(req.matches[1]) : "";
      record(fleet, name, target, req.body);
      std::lock_guard<std::mutex> lock(fleet.mu);
      effect(target);
      reply(res, {{"ok", true}});
    });
  };
  action(R"(/gateways/([\w-]+)/restart)", "gateway.restart", [&](const std::string& gw) {
    fleet.gateways[gw].oom = false;
    for (auto& [id, d] : fleet.devices)
      if (d.gateway == gw) d.offline_s = 0, d.last_connect_s = 0;
  });
  action(R"(/devices/([\w-]+)/quarantine)", "fleet.quarantine", [](const std::string&) {});
  action(R"(/devices/([\w-]+)/power-cycle)", "fleet.power_cycle",
         [&](const std::string& id) { fleet.devices[id].offline_s = 0; });
  action(R"(/devices/([\w-]+)/renew)", "certs.start_renewal",
         [&](const std::string& id) { fleet.devices[id].renewal_acknowledged = true; });
  action(R"(/devices/([\w-]+)/reprovision)", "certs.reprovision", [&](const std::string& id) {
    fleet.devices[id].cert_days = 365;
    fleet.devices[id].offline_s = 0;
  });
  action(R"(/hooks/ops)", "ops.alert", [](const std::string&) {});
  action(R"(/tickets)", "ops.dispatch_technician", [](const std::string&) {});

  // OTA: one rollout of firmware 2.4.0 that bricks hardware rev B in eu-west.
  srv.Get(R"(/rollouts/([\w.-]+))", [&](const httplib::Request& req, httplib::Response& res) {
    if (req.matches[1] != "fw-2.4.0") return reply(res, {{"error", "no such rollout"}}, 404);
    reply(res, {{"state", "running"},
                {"firmware", "2.4.0"},
                {"previous_firmware", "2.3.1"},
                {"devices", 400},
                {"failed", 36},
                {"failed_percent", 9.0}});
  });
  srv.Get(R"(/rollouts/([\w.-]+)/cohorts)", [&](const httplib::Request&, httplib::Response& res) {
    reply(res, json::array({{{"firmware", "2.4.0"},
                             {"hardware", "rev-B"},
                             {"region", "eu-west"},
                             {"devices", 40},
                             {"failed", 34}},
                            {{"firmware", "2.4.0"},
                             {"hardware", "rev-A"},
                             {"region", "eu-west"},
                             {"devices", 360},
                             {"failed", 2}}}));
  });
  action(R"(/rollouts/([\w.-]+)/pause)", "ota.pause", [](const std::string&) {});
  action(R"(/rollouts/([\w.-]+)/rollback)", "ota.rollback",
         [&](const std::string&) { fleet.rolled_back = true; });

  // Ingestion: a device whose messages reach the broker but are rejected by the schema.
  srv.Get(R"(/devices/([\w-]+)/messages)", [&](const httplib::Request&, httplib::Response& res) {
    reply(res, {{"at_broker", 120}, {"stored", 0}});
  });
  srv.Get(R"(/gateways/([\w-]+)/buffer)", [&](const httplib::Request&, httplib::Response& res) {
    reply(res, {{"state", "ok"}, {"unsent", 0}, {"dropped", 0}});
  });
  srv.Get(R"(/consumers/([\w-]+))", [&](const httplib::Request&, httplib::Response& res) {
    reply(res, {{"lag", 12}, {"instances", 3}});
  });
  srv.Get(R"(/devices/([\w-]+)/rejections)", [&](const httplib::Request&, httplib::Response& res) {
    reply(res, {{"schema", 118}, {"dedup", 0}});
  });
  srv.Get(R"(/devices/([\w-]+)/deadband)", [&](const httplib::Request&, httplib::Response& res) {
    reply(res, {{"width", 0.5}, {"suppressed", 0}});
  });
  action(R"(/consumers/([\w-]+)/scale)", "ingest.scale_consumers", [](const std::string&) {});

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
  action(R"(/quarantine)", "fleet.quarantine_devices", [](const std::string&) {});
  action(R"(/cohorts/([\w.-]+)/config)", "fleet.push_backoff",
         [&](const std::string&) { fleet.cohort_backoff = true; });

  // The broker: healthy, with a telemetry spike in eu-west from firmware 2.4.0 on rev-B.
  srv.Get("/health", [&](const httplib::Request&, httplib::Response& res) {
    reply(res, {{"healthy", true}, {"nodes_down", 0}});
  });
  srv.Get(R"(/regions/([\w-]+)/traffic)", [&](const httplib::Request& req, httplib::Response& res) {
    std::lock_guard<std::mutex> lock(fleet.mu);
    bool spike = req.matches[1] == "eu-west" && !fleet.cohort_backoff;
    reply(res, {{"publish_rate", spike ? 9400 : 1050},
                {"baseline_rate", 1100},
                {"rejected", spike ? 2300 : 0},
                {"top_cohort", "fw-2.4.0-rev-B"},
                {"top_share", spike ? 78 : 12}});
  });
  srv.Get(R"(/cohorts/([\w.-]+)/over-limit)", [&](const httplib::Request&, httplib::Response& res) {
    std::lock_guard<std::mutex> lock(fleet.mu);
    reply(res, {{"clients", fleet.cohort_limited ? json::array({"sensor-0013"}) : json::array()}});
  });
  action(R"(/cohorts/([\w.-]+)/rate-limit)", "broker.set_rate_limit",
         [&](const std::string&) { fleet.cohort_limited = true; });
  action(R"(/regions/([\w-]+)/failover)", "broker.failover", [](const std::string&) {});

  // OTA scope and health: rev-B in eu-west is the only cohort failing (at least 5%).
  srv.Get(R"(/rollouts/([\w.-]+)/scope)", [&](const httplib::Request&, httplib::Response& res) {
    reply(res, {{"firmware", "2.4.0"},
                {"hardware", "rev-B"},
                {"region", "eu-west"},
                {"devices", 40},
                {"failed", 34},
                {"cohorts_failing", 1}});
  });
  srv.Get(R"(/rollouts/([\w.-]+)/health)", [&](const httplib::Request&, httplib::Response& res) {
    std::lock_guard<std::mutex> lock(fleet.mu);
    reply(res, {{"connected_percent", 99.0}, {"healthy_percent", fleet.rolled_back ? 99.0 : 91.0}});
  });
  action(R"(/rollouts/([\w.-]+)/quarantine)", "ota.quarantine", [](const std::string&) {});

  // The cloud platform: no throttling.
  srv.Get(R"(/regions/([\w-]+)/throttling)", [&](const httplib::Request&, httplib::Response& res) {
    reply(res, {{"throttled", 0}, {"quota_used_percent", 35.0}});
  });
  action(R"(/regions/([\w-]+)/quota-requests)", "cloud.request_quota", [](const std::string&) {});

  srv.Get("/actions", [&](const httplib::Request&, httplib::Response& res) {
    std::lock_guard<std::mutex> lock(fleet.mu);
    reply(res, fleet.actions);
  });
  srv.Get("/requests", [&](const httplib::Request&, httplib::Response& res) {
    reply(res, {{"requests", fleet.requests.load()}});
  });

  std::signal(SIGTERM, [](int) { std::_Exit(0); });
  std::cout << "fleet-sim: " << fleet.devices.size() << " devices, " << fleet.gateways.size()
            << " gateways on http://127.0.0.1:" << port << std::endl;
  if (!srv.listen("127.0.0.1", port)) {
    std::cerr << "fleet-sim: cannot listen on 127.0.0.1:" << port << "\n";
    return 1;
  }
}
