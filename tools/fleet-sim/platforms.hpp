// The rollout services' own REST APIs, in the shapes their documentation gives (cited in
// docs/stdlib.md, "Rollout services"), each behind `--platform NAME`: aws-iot (IoT Jobs and
// fleet indexing), azure-iot-hub (twin queries and jobs), hawkbit (the Management API's
// rollouts) and mender (deployments). They all show the fleet's one OTA rollout (firmware
// 2.4.0 to 400 devices, 36 of them failed) in their own words, and refuse what the real
// service refuses: a request without its kind of authentication (401/403), a body with a
// field the endpoint does not take (400), a transition the rollout's state does not allow.
#pragma once

#include <functional>
#include <mutex>
#include <string>
#include <vector>

namespace httplib {
class Server;
}

namespace fleetsim {

// A device as the platforms' device queries see it.
struct DeviceView {
  std::string id, region, firmware, hardware;
  bool connected = true;
  bool failed_update = false;  // its installation of the rollout's firmware failed
};

// The rollout every platform shows, and what its actions did to it.
struct RolloutState {
  int total = 400, succeeded = 290, failed = 36, in_progress = 50, queued = 24;
  std::string state = "running";  // running, paused, cancelled, aborted
};

struct PlatformContext {
  std::mutex* mu = nullptr;  // guards ROLLOUT
  RolloutState* rollout = nullptr;
  std::function<std::vector<DeviceView>()> devices;  // locks what it reads itself
  // Records an action as GET /actions lists it (name, target, body).
  std::function<void(const std::string&, const std::string&, const std::string&)> record;
};

// The platform names --platform takes.
const std::vector<std::string>& platform_names();

// Adds platform NAME's routes to SERVER; false for an unknown name.
bool serve_platform(httplib::Server& server, const std::string& name, PlatformContext context);

}  // namespace fleetsim
