// The JSON API of `rbk serve` (docs/server.md; described by server/openapi.json, which
// the server serves): its routes and their rules, apart from HTTP itself — http_server.cpp
// turns requests into ApiRequests and ApiResponses back, so this file holds no socket and
// the rules are the same whatever carries them.
//
// Every /api route needs an identity; every error is a JSON object {"error": MESSAGE}
// with a 4xx status naming the field or the rule, and writes nothing.
#pragma once

#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "run/policy.hpp"
#include "run/run_store.hpp"
#include "server/catalogue.hpp"
#include "server/identity.hpp"
#include "server/run_executor.hpp"

namespace rbk::server {

struct ApiRequest {
  std::string method;  // GET, POST
  std::string path;    // /api/runs/r…/approve (decoded, without the query)
  std::map<std::string, std::string> query;
  std::string body;
  std::string authorization;  // the Authorization header ("" when none)
  std::string cookie;         // the Cookie header
  std::string csrf;           // the X-CSRF-Token header
  std::string origin;         // the Origin header
};

struct ApiResponse {
  int status = 200;
  std::string body;
  std::string content_type = "application/json";
  std::string location;  // a Location header ("" for none)
  std::string who;       // the identity's name, for the access log ("" when none)
};

// What the server was started with, shared by every request.
struct ServerSetup {
  RunStore* store = nullptr;
  const Catalogue* catalogue = nullptr;
  Policy policy;
  std::string policy_text;
  // Each runbook's configuration, resolved when the server started; a runbook whose
  // configuration does not resolve is listed with why, and cannot be started.
  std::map<std::string, std::map<std::string, Value>> config;
  std::map<std::string, std::string> config_problems;
  RunExecutor* executor = nullptr;
  // Where people reach the server (its settings' public_url, "" when not set): a browser's
  // changing request must come from a page of this origin.
  std::string public_url;
};

class Api {
 public:
  explicit Api(ServerSetup& setup) : s_(setup) {}

  ApiResponse handle(const ApiRequest& req);

  // The identity behind an Authorization or Cookie header (for routes outside handle():
  // the events stream, sign-out); WHY says what is missing or wrong.
  std::optional<Identity> authenticate(const std::string& authorization, const std::string& cookie,
                                       std::string& why);

  // Empty when REQ, made by WHO, may change something; else why not: a browser session's
  // request must carry its CSRF token and, when it says where it comes from (Origin), come
  // from the server's own origin.
  std::string csrf_problem(const ApiRequest& req, const Identity& who) const;

  // A run as the API shows it (without what only resuming needs: program, scenario,
  // policy, resolved configuration).
  static nlohmann::json run_json(const RunRecord& r);

 private:
  ApiResponse route(const ApiRequest& req, const Identity& who);
  ApiResponse start_run(const ApiRequest& req, const Identity& who);
  ApiResponse list_runs(const ApiRequest& req);
  ApiResponse show_run(const std::string& id, const Identity& who);
  ApiResponse run_audit(const std::string& id);
  ApiResponse run_diagram(const std::string& id, const ApiRequest& req);
  ApiResponse run_trace(const std::string& id);
  ApiResponse decide(const std::string& id, const ApiRequest& req, const Identity& who,
                     GateDecision decision);
  ApiResponse cancel(const std::string& id, const ApiRequest& req, const Identity& who);
  ApiResponse signal(const std::string& id, const std::string& name, const ApiRequest& req,
                     const Identity& who);
  ApiResponse gates(const Identity& who);
  ApiResponse runbooks();
  ApiResponse runbook(const std::string& name, const std::string& part);

  ServerSetup& s_;
  // Diagrams of runs' programs, by program hash and runbook (Graphviz takes milliseconds).
  std::mutex diagrams_mutex_;
  std::map<std::string, std::string> diagrams_;
};

// {"error": MESSAGE} with STATUS.
ApiResponse api_error(int status, const std::string& message);

}  // namespace rbk::server
