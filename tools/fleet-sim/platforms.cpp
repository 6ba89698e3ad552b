#include "platforms.hpp"

#include "rfc3339.hpp"

#include <httplib.h>

#include <ctime>
#include <map>
#include <regex>
#include <set>

#include <nlohmann/json.hpp>

namespace fleetsim {

using nlohmann::json;

namespace {

const std::string kRollout = "fw-2.4.0";  // the one rollout, by the name every platform uses

void reply(httplib::Response& res, const json& j, int status = 200) {
  res.status = status;
  res.set_content(j.dump(), "application/json");
}

// Why BODY is not a JSON object whose fields are all among ALLOWED (and has every one of
// REQUIRED): "" when it is. An empty body is an empty object.
std::string fields_problem(const std::string& body, const std::set<std::string>& allowed,
                           const std::set<std::string>& required = {}) {
  json j = json::parse(body.empty() ? "{}" : body, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return "the body must be a JSON object";
  for (auto it = j.begin(); it != j.end(); ++it)
    if (!allowed.count(it.key())) return "unknown field \"" + it.key() + "\"";
  for (const auto& r : required)
    if (!j.contains(r)) return "missing field \"" + r + "\"";
  return "";
}

std::string iso(std::time_t t) {
  return rfc3339(t);
}

const std::time_t kStarted = std::time(nullptr) - 3 * 3600;  // the rollout began 3 h ago

bool starts_with(const std::string& s, const std::string& prefix) {
  return s.rfind(prefix, 0) == 0;
}

// ---- AWS IoT: IoT Jobs and fleet indexing (AWS IoT API Reference) -------------------

// A request of AWS's control plane carries a Signature Version 4 (else 403, as AWS says).
bool aws_signed(const httplib::Request& req, httplib::Response& res) {
  if (starts_with(req.get_header_value("Authorization"), "AWS4-HMAC-SHA256 Credential=") &&
      req.has_header("X-Amz-Date"))
    return true;
  reply(res, {{"message", "Missing Authentication Token"}}, 403);
  return false;
}

std::string aws_status(const RolloutState& r) {
  return r.state == "cancelled" ? "CANCELED" : r.state == "running" ? "IN_PROGRESS" : "IN_PROGRESS";
}

void serve_aws_iot(httplib::Server& srv, PlatformContext c) {
  const std::string arn = "arn:aws:iot:eu-west-1:123456789012:";
  srv.Get(R"(/jobs/([\w.-]+))", [=](const httplib::Request& req, httplib::Response& res) {
    if (!aws_signed(req, res)) return;
    if (req.matches[1] != kRollout)
      return reply(res, {{"message", "Job " + std::string(req.matches[1]) + " does not exist"}},
                   404);
    std::lock_guard<std::mutex> lock(*c.mu);
    const RolloutState& r = *c.rollout;
    const bool canceled = r.state == "cancelled";
    reply(res, {{"job",
                 {{"jobArn", arn + "job/" + kRollout},
                  {"jobId", kRollout},
                  {"targetSelection", "SNAPSHOT"},
                  {"status", aws_status(r)},
                  {"forceCanceled", false},
                  {"createdAt", static_cast<double>(kStarted)},
                  {"lastUpdatedAt", static_cast<double>(std::time(nullptr))},
                  {"jobProcessDetails",
                   {{"numberOfCanceledThings", canceled ? r.in_progress + r.queued : 0},
                    {"numberOfSucceededThings", r.succeeded},
                    {"numberOfFailedThings", r.failed},
                    {"numberOfRejectedThings", 0},
                    {"numberOfQueuedThings", canceled ? 0 : r.queued},
                    {"numberOfInProgressThings", canceled ? 0 : r.in_progress},
                    {"numberOfRemovedThings", 0},
                    {"numberOfTimedOutThings", 0}}}}}});
  });
  srv.Get(R"(/jobs/([\w.-]+)/things)", [=](const httplib::Request& req, httplib::Response& res) {
    if (!aws_signed(req, res)) return;
    if (req.matches[1] != kRollout)
      return reply(res, {{"message", "Job " + std::string(req.matches[1]) + " does not exist"}},
                   404);
    static const std::set<std::string> statuses{"QUEUED",  "IN_PROGRESS", "SUCCEEDED",
                                                "FAILED",  "TIMED_OUT",   "REJECTED",
                                                "REMOVED", "CANCELED"};
    for (const auto& [key, value] : req.params)
      if (key != "status" && key != "maxResults" && key != "nextToken")
        return reply(res, {{"message", "unknown parameter " + key}}, 400);
    std::string status = req.get_param_value("status");
    if (!status.empty() && !statuses.count(status))
      return reply(res,
                   {{"message", "1 validation error detected: Value '" + status +
                                    "' at 'status' failed to satisfy constraint"}},
                   400);
    int max =
        req.has_param("maxResults") ? std::atoi(req.get_param_value("maxResults").c_str()) : 250;
    if (max < 1 || max > 250)
      return reply(res, {{"message", "maxResults must be between 1 and 250"}}, 400);
    json out = json::array();
    for (const DeviceView& d : c.devices()) {
      std::string s = d.failed_update ? "FAILED" : "SUCCEEDED";
      if (!status.empty() && s != status) continue;
      if (static_cast<int>(out.size()) >= max) break;
      out.push_back({{"thingArn", arn + "thing/" + d.id},
                     {"jobExecutionSummary",
                      {{"status", s},
                       {"queuedAt", static_cast<double>(kStarted)},
                       {"startedAt", static_cast<double>(kStarted + 60)},
                       {"lastUpdatedAt", static_cast<double>(kStarted + 900)},
                       {"executionNumber", 1},
                       {"retryAttempt", 0}}}});
    }
    reply(res, {{"executionSummaries", out}});
  });
  srv.Put(R"(/jobs/([\w.-]+)/cancel)", [=](const httplib::Request& req, httplib::Response& res) {
    if (!aws_signed(req, res)) return;
    if (req.matches[1] != kRollout)
      return reply(res, {{"message", "Job " + std::string(req.matches[1]) + " does not exist"}},
                   404);
    if (std::string why = fields_problem(req.body, {"reasonCode", "comment", "statusDetails"});
        !why.empty())
      return reply(res, {{"message", why}}, 400);
    for (const auto& [key, value] : req.params)
      if (key != "force" || (value != "true" && value != "false"))
        return reply(res, {{"message", "unknown parameter " + key + "=" + value}}, 400);
    {
      std::lock_guard<std::mutex> lock(*c.mu);
      if (c.rollout->state == "cancelled")
        return reply(res, {{"message", "Job " + kRollout + " is already canceled"}}, 409);
      c.rollout->state = "cancelled";
    }
    c.record("aws_iot.cancel_job", kRollout, req.body);
    reply(res, {{"jobArn", arn + "job/" + kRollout}, {"jobId", kRollout}});
  });
  // SearchIndex: a query string of field:value terms joined by AND (a subset of the
  // fleet indexing query syntax: thingName, connectivity.connected, attributes.*).
  srv.Post("/indices/search", [=](const httplib::Request& req, httplib::Response& res) {
    if (!aws_signed(req, res)) return;
    if (std::string why = fields_problem(
            req.body, {"indexName", "queryString", "maxResults", "nextToken", "queryVersion"},
            {"queryString"});
        !why.empty())
      return reply(res, {{"message", why}}, 400);
    json body = json::parse(req.body);
    if (body.value("indexName", "AWS_Things") != "AWS_Things")
      return reply(res, {{"message", "index " + body.value("indexName", "") + " does not exist"}},
                   404);
    std::vector<std::pair<std::string, std::string>> terms;
    std::string q = body["queryString"].get<std::string>();
    static const std::regex term(R"(\s*([\w.]+):([\w.-]+)\s*(AND\s+|$))");
    for (std::sregex_iterator it(q.begin(), q.end(), term), end; it != end; ++it)
      terms.emplace_back((*it)[1], (*it)[2]);
    std::string rebuilt;
    for (const auto& [k, v] : terms) rebuilt += k + v;
    std::string plain;
    for (char ch : q)
      if (ch != ' ' && ch != ':') plain += ch;
    for (size_t p; (p = plain.find("AND")) != std::string::npos;) plain.erase(p, 3);
    if (terms.empty() || rebuilt != plain)
      return reply(res, {{"message", "InvalidQueryException: cannot parse " + q}}, 400);
    int max = body.value("maxResults", 500);
    json things = json::array();
    for (const DeviceView& d : c.devices()) {
      bool match = true;
      for (const auto& [k, v] : terms) {
        std::string have = k == "thingName"                ? d.id
                           : k == "connectivity.connected" ? (d.connected ? "true" : "false")
                           : k == "attributes.region"      ? d.region
                           : k == "attributes.firmware"    ? d.firmware
                           : k == "attributes.hardware"    ? d.hardware
                                                           : "\x01";
        if (have == "\x01")
          return reply(res, {{"message", "InvalidQueryException: unknown field " + k}}, 400);
        match &= have == v;
      }
      if (!match) continue;
      if (static_cast<int>(things.size()) >= max) break;
      json connectivity{{"connected", d.connected},
                        {"timestamp", static_cast<double>(std::time(nullptr)) * 1000}};
      if (!d.connected) connectivity["disconnectReason"] = "CONNECTION_LOST";
      things.push_back(
          {{"thingName", d.id},
           {"thingId", "id-" + d.id},
           {"attributes",
            {{"region", d.region}, {"firmware", d.firmware}, {"hardware", d.hardware}}},
           {"connectivity", connectivity}});
    }
    reply(res, {{"things", things}});
  });
}

// ---- Azure IoT Hub: device twin queries and jobs (IoT Hub REST API, 2021-04-12) -------

bool azure_authorized(const httplib::Request& req, httplib::Response& res) {
  if (!starts_with(req.get_header_value("Authorization"), "SharedAccessSignature sr=")) {
    reply(res, {{"Message", "ErrorCode:IotHubUnauthorizedAccess;Unauthorized"}}, 401);
    return false;
  }
  if (req.get_param_value("api-version") != "2021-04-12") {
    reply(res,
          {{"Message",
            "ErrorCode:InvalidProtocolVersion;the api-version is missing or "
            "not supported (2021-04-12)"}},
          400);
    return false;
  }
  return true;
}

json azure_job(const RolloutState& r) {
  const bool cancelled = r.state == "cancelled";
  json j{{"jobId", kRollout},
         {"type", "scheduleUpdateTwin"},
         {"status", cancelled ? "cancelled" : "running"},
         {"queryCondition", "tags.rollout = '" + kRollout + "'"},
         {"createdTime", iso(kStarted)},
         {"startTime", iso(kStarted)},
         {"maxExecutionTimeInSeconds", 86400},
         {"deviceJobStatistics",
          {{"deviceCount", r.total},
           {"failedCount", r.failed},
           {"succeededCount", r.succeeded},
           {"runningCount", cancelled ? 0 : r.in_progress},
           {"pendingCount", cancelled ? 0 : r.queued}}}};
  if (cancelled) j["endTime"] = iso(std::time(nullptr));
  return j;
}

void serve_azure_iot_hub(httplib::Server& srv, PlatformContext c) {
  // A twin query: SELECT * FROM devices [WHERE path = 'value' [AND …]] over deviceId,
  // connectionState, tags.region, tags.hardware, properties.reported.firmware.
  srv.Post("/devices/query", [=](const httplib::Request& req, httplib::Response& res) {
    if (!azure_authorized(req, res)) return;
    if (std::string why = fields_problem(req.body, {"query"}, {"query"}); !why.empty())
      return reply(res, {{"Message", "ErrorCode:BadRequest;" + why}}, 400);
    std::string q = json::parse(req.body)["query"].get<std::string>();
    static const std::regex whole(R"(^\s*SELECT \* FROM devices(?:\s+WHERE\s+(.+?))?\s*$)",
                                  std::regex::icase);
    std::smatch m;
    if (!std::regex_match(q, m, whole))
      return reply(res, {{"Message", "ErrorCode:BadRequest;cannot parse the query " + q}}, 400);
    std::vector<std::pair<std::string, std::string>> conditions;
    std::string where = m[1];
    static const std::regex cond(R"(\s*([\w.]+)\s*=\s*'([^']*)'\s*(?:AND\s+|$))",
                                 std::regex::icase);
    size_t consumed = 0;
    for (std::sregex_iterator it(where.begin(), where.end(), cond), end; it != end; ++it) {
      if (static_cast<size_t>(it->position()) != consumed) break;
      conditions.emplace_back((*it)[1], (*it)[2]);
      consumed += static_cast<size_t>(it->length());
    }
    if (consumed != where.size())
      return reply(res, {{"Message", "ErrorCode:BadRequest;cannot parse the condition " + where}},
                   400);
    json twins = json::array();
    for (const DeviceView& d : c.devices()) {
      bool match = true;
      for (const auto& [path, value] : conditions) {
        std::string have = path == "deviceId" ? d.id
                           : path == "connectionState"
                               ? (d.connected ? "Connected" : "Disconnected")
                           : path == "tags.region"                  ? d.region
                           : path == "tags.hardware"                ? d.hardware
                           : path == "properties.reported.firmware" ? d.firmware
                                                                    : "\x01";
        if (have == "\x01")
          return reply(res, {{"Message", "ErrorCode:BadRequest;unknown property " + path}}, 400);
        match &= have == value;
      }
      if (!match) continue;
      twins.push_back(
          {{"deviceId", d.id},
           {"etag", "AAAAAAAAAAE="},
           {"status", "enabled"},
           {"connectionState", d.connected ? "Connected" : "Disconnected"},
           {"lastActivityTime", iso(std::time(nullptr) - (d.connected ? 60 : 7200))},
           {"tags", {{"region", d.region}, {"hardware", d.hardware}}},
           {"properties",
            {{"desired", {{"firmware", "2.4.0"}}}, {"reported", {{"firmware", d.firmware}}}}}});
    }
    reply(res, twins);
  });
  srv.Get(R"(/jobs/v2/([\w.-]+))", [=](const httplib::Request& req, httplib::Response& res) {
    if (!azure_authorized(req, res)) return;
    if (req.matches[1] != kRollout)
      return reply(res, {{"Message", "ErrorCode:JobNotFound;" + std::string(req.matches[1])}}, 404);
    std::lock_guard<std::mutex> lock(*c.mu);
    reply(res, azure_job(*c.rollout));
  });
  srv.Post(R"(/jobs/v2/([\w.-]+)/cancel)", [=](const httplib::Request& req,
                                               httplib::Response& res) {
    if (!azure_authorized(req, res)) return;
    if (req.matches[1] != kRollout)
      return reply(res, {{"Message", "ErrorCode:JobNotFound;" + std::string(req.matches[1])}}, 404);
    if (!req.body.empty())
      return reply(res, {{"Message", "ErrorCode:BadRequest;cancel takes no body"}}, 400);
    json job;
    {
      std::lock_guard<std::mutex> lock(*c.mu);
      if (c.rollout->state == "cancelled")
        return reply(res, {{"Message", "ErrorCode:JobCancelled;the job is already cancelled"}},
                     409);
      c.rollout->state = "cancelled";
      job = azure_job(*c.rollout);
    }
    c.record("azure_iot_hub.cancel_job", kRollout, req.body);
    reply(res, job);
  });
}

// ---- Eclipse hawkBit: the Management API's rollouts ---------------------------------

const int kHawkbitId = 7;  // hawkBit numbers its rollouts

bool hawkbit_authorized(const httplib::Request& req, httplib::Response& res) {
  if (starts_with(req.get_header_value("Authorization"), "Basic ")) return true;
  res.set_header("WWW-Authenticate", "Basic realm=\"hawkBit\"");
  reply(res, {{"errorCode", "hawkbit.server.error.unauthorized"}, {"message", "Unauthorized"}},
        401);
  return false;
}

json per_status(int running, int notstarted, int scheduled, int cancelled, int finished,
                int error) {
  return {{"running", running},     {"notstarted", notstarted}, {"scheduled", scheduled},
          {"cancelled", cancelled}, {"finished", finished},     {"error", error}};
}

void serve_hawkbit(httplib::Server& srv, PlatformContext c) {
  auto known = [](const httplib::Request& req, httplib::Response& res) {
    if (req.matches[1] == std::to_string(kHawkbitId)) return true;
    reply(res,
          {{"errorCode", "hawkbit.server.error.repo.entitiyNotFound"},
           {"message",
            "Rollout with given identifier {" + std::string(req.matches[1]) + "} does not exist."}},
          404);
    return false;
  };
  srv.Get(R"(/rest/v1/rollouts/(\d+))", [=](const httplib::Request& req, httplib::Response& res) {
    if (!hawkbit_authorized(req, res) || !known(req, res)) return;
    std::lock_guard<std::mutex> lock(*c.mu);
    const RolloutState& r = *c.rollout;
    const std::string self = "/rest/v1/rollouts/" + std::to_string(kHawkbitId);
    reply(res, {{"id", kHawkbitId},
                {"name", kRollout},
                {"status", r.state},
                {"type", "forced"},
                {"distributionSetId", 12},
                {"targetFilterQuery", "attribute.rollout==" + kRollout},
                {"createdAt", static_cast<int64_t>(kStarted) * 1000},
                {"lastModifiedAt", static_cast<int64_t>(std::time(nullptr)) * 1000},
                {"totalTargets", r.total},
                {"totalTargetsPerStatus",
                 per_status(r.state == "running" ? r.in_progress : 0, 0,
                            r.state == "running" ? r.queued : r.in_progress + r.queued, 0,
                            r.succeeded, r.failed)},
                {"_links",
                 {{"self", {{"href", self}}},
                  {"pause", {{"href", self + "/pause"}}},
                  {"resume", {{"href", self + "/resume"}}},
                  {"groups", {{"href", self + "/deploygroups"}}}}}});
  });
  srv.Get(R"(/rest/v1/rollouts/(\d+)/deploygroups)", [=](const httplib::Request& req,
                                                         httplib::Response& res) {
    if (!hawkbit_authorized(req, res) || !known(req, res)) return;
    std::lock_guard<std::mutex> lock(*c.mu);
    const RolloutState& r = *c.rollout;
    // Three groups: a canary that finished, the group where the failures are, and
    // the rest, waiting.
    const bool running = r.state == "running";
    json content = json::array();
    content.push_back({{"id", 71},
                       {"name", "canary"},
                       {"status", "finished"},
                       {"totalTargets", 40},
                       {"totalTargetsPerStatus", per_status(0, 0, 0, 0, 38, 2)}});
    content.push_back({{"id", 72},
                       {"name", "eu-west"},
                       {"status", running ? "running" : "scheduled"},
                       {"totalTargets", r.total - 40 - r.queued},
                       {"totalTargetsPerStatus",
                        per_status(running ? r.in_progress : 0, 0, running ? 0 : r.in_progress, 0,
                                   r.succeeded - 38, r.failed - 2)}});
    content.push_back({{"id", 73},
                       {"name", "rest"},
                       {"status", "scheduled"},
                       {"totalTargets", r.queued},
                       {"totalTargetsPerStatus", per_status(0, 0, r.queued, 0, 0, 0)}});
    reply(res, {{"content", content}, {"total", 3}, {"size", 3}});
  });
  auto transition = [=](const char* verb, const char* from, const char* to) {
    return [=](const httplib::Request& req, httplib::Response& res) {
      if (!hawkbit_authorized(req, res) || !known(req, res)) return;
      if (!req.body.empty())
        return reply(res,
                     {{"errorCode", "hawkbit.server.error.rest.body.notReadable"},
                      {"message", std::string(verb) + " takes no body"}},
                     400);
      {
        std::lock_guard<std::mutex> lock(*c.mu);
        if (c.rollout->state != from)
          return reply(res,
                       {{"errorCode", "hawkbit.server.error.rollout.illegalstate"},
                        {"message", "Rollout can only be " + std::string(verb) + "d in state " +
                                        from + " but current state is " + c.rollout->state}},
                       400);
        c.rollout->state = to;
      }
      c.record(std::string("hawkbit.") + verb, std::to_string(kHawkbitId), req.body);
      res.status = 200;
    };
  };
  srv.Post(R"(/rest/v1/rollouts/(\d+)/pause)", transition("pause", "running", "paused"));
  srv.Post(R"(/rest/v1/rollouts/(\d+)/resume)", transition("resume", "paused", "running"));
}

// ---- Mender: deployments (Deployments API, management v1) ----------------------------

const std::string kMenderId = "0c13a0e6-6b63-4cbd-9a1b-8d7a2ce1b0f1";

bool mender_authorized(const httplib::Request& req, httplib::Response& res) {
  if (starts_with(req.get_header_value("Authorization"), "Bearer ")) return true;
  reply(res, {{"error", "Unauthorized"}, {"request_id", "rbk-fleet-sim"}}, 401);
  return false;
}

void serve_mender(httplib::Server& srv, PlatformContext c) {
  const std::string base = "/api/management/v1/deployments/deployments/";
  auto known = [](const httplib::Request& req, httplib::Response& res) {
    if (req.matches[1] == kMenderId) return true;
    reply(res, {{"error", "Deployment not found"}, {"request_id", "rbk-fleet-sim"}}, 404);
    return false;
  };
  srv.Get(base + R"(([\w-]+))", [=](const httplib::Request& req, httplib::Response& res) {
    if (!mender_authorized(req, res) || !known(req, res)) return;
    std::lock_guard<std::mutex> lock(*c.mu);
    const RolloutState& r = *c.rollout;
    json d{{"id", kMenderId},
           {"name", kRollout},
           {"artifact_name", "firmware-2.4.0"},
           {"created", iso(kStarted)},
           {"status", r.state == "aborted" ? "finished" : "inprogress"},
           {"device_count", r.total},
           {"type", "software"}};
    if (r.state == "aborted") d["finished"] = iso(std::time(nullptr));
    reply(res, d);
  });
  srv.Get(base + R"(([\w-]+)/statistics)",
          [=](const httplib::Request& req, httplib::Response& res) {
            if (!mender_authorized(req, res) || !known(req, res)) return;
            std::lock_guard<std::mutex> lock(*c.mu);
            const RolloutState& r = *c.rollout;
            const bool aborted = r.state == "aborted";
            reply(res, {{"status",
                         {{"success", r.succeeded},
                          {"pending", aborted ? 0 : r.queued},
                          {"downloading", aborted ? 0 : r.in_progress / 2},
                          {"rebooting", 0},
                          {"installing", aborted ? 0 : r.in_progress - r.in_progress / 2},
                          {"failure", r.failed},
                          {"noartifact", 0},
                          {"already-installed", 0},
                          {"aborted", aborted ? r.in_progress + r.queued : 0},
                          {"pause_before_installing", 0},
                          {"pause_before_rebooting", 0},
                          {"pause_before_committing", 0}}},
                        {"total_size", 0}});
          });
  srv.Get(base + R"(([\w-]+)/devices/list)",
          [=](const httplib::Request& req, httplib::Response& res) {
            if (!mender_authorized(req, res) || !known(req, res)) return;
            for (const auto& [key, value] : req.params)
              if (key != "status" && key != "page" && key != "per_page")
                return reply(res, {{"error", "unknown parameter " + key}}, 400);
            std::string status = req.get_param_value("status");
            int per_page =
                req.has_param("per_page") ? std::atoi(req.get_param_value("per_page").c_str()) : 20;
            if (per_page < 1 || per_page > 500)
              return reply(res, {{"error", "per_page must be between 1 and 500"}}, 400);
            json out = json::array();
            for (const DeviceView& d : c.devices()) {
              std::string s = d.failed_update ? "failure" : "success";
              if (!status.empty() && s != status) continue;
              if (static_cast<int>(out.size()) >= per_page) break;
              out.push_back({{"id", d.id},
                             {"status", s},
                             {"created", iso(kStarted)},
                             {"started", iso(kStarted + 60)},
                             {"finished", iso(kStarted + 900)},
                             {"device_type", d.hardware},
                             {"log", d.failed_update}});
            }
            reply(res, out);
          });
  srv.Put(base + R"(([\w-]+)/status)", [=](const httplib::Request& req, httplib::Response& res) {
    if (!mender_authorized(req, res) || !known(req, res)) return;
    if (std::string why = fields_problem(req.body, {"status"}, {"status"}); !why.empty())
      return reply(res, {{"error", why}, {"request_id", "rbk-fleet-sim"}}, 400);
    if (json::parse(req.body)["status"] != "aborted")
      return reply(res, {{"error", "status: the only status a deployment takes is aborted"}}, 400);
    {
      std::lock_guard<std::mutex> lock(*c.mu);
      if (c.rollout->state == "aborted")
        return reply(res, {{"error", "deployment already finished"}}, 422);
      c.rollout->state = "aborted";
    }
    c.record("mender.abort", kMenderId, req.body);
    res.status = 204;
  });
}

}  // namespace

const std::vector<std::string>& platform_names() {
  static const std::vector<std::string> names{"aws-iot", "azure-iot-hub", "hawkbit", "mender"};
  return names;
}

bool serve_platform(httplib::Server& server, const std::string& name, PlatformContext context) {
  if (name == "aws-iot")
    serve_aws_iot(server, context);
  else if (name == "azure-iot-hub")
    serve_azure_iot_hub(server, context);
  else if (name == "hawkbit")
    serve_hawkbit(server, context);
  else if (name == "mender")
    serve_mender(server, context);
  else
    return false;
  return true;
}

}  // namespace fleetsim
