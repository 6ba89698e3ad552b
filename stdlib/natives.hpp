// The native primitives that reach the world (http.*, prometheus.*, mqtt.*, redis.*,
// notify.webhook, exec.run, tcp.connect, dns.resolve, tls.peer_certificate). Every call is checked
// against the policy before any byte leaves: a capability that is not granted, or a host not on its
// list, stops the run with a message naming the call, the capability and the policy.
// A failure of the world (a refused connection, a timeout, a non-2xx status, a body that
// is not JSON) is an Error value naming the URL and the cause, which the runbook can
// follow with `on error`.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "stdlib/capabilities.hpp"
#include "stdlib/credentials.hpp"
#include "vm/host.hpp"

namespace rbk {

// An HTTP(S) request with a JSON body, answered with the parsed JSON (natives_http.cpp).
struct HttpRequest {
  std::string method;  // GET, POST, PUT, DELETE
  std::string url;
  Value body;  // null for none
  std::vector<std::pair<std::string, std::string>> headers;
  int64_t timeout_ms = 10'000;
  int retries = 0;
};
class Natives {
 public:
  // CREDENTIALS: the run's (the `auth` of http.*, prometheus.*, mqtt.* and redis.*); null:
  // none.
  explicit Natives(const Capabilities& allowed, Credentials* credentials = nullptr)
      : allowed_(allowed), credentials_(credentials) {}
  // Whether FN is a native this class implements (RUNS world in lang/natives.def).
  static bool has(const FunctionInfo& fn) {
    return fn.native && native_row(*fn.native).runs == NativeRuns::world;
  }
  // ARGS are in the signature's order, already converted. Throws HostFault on a policy
  // denial; returns an Error value on a failure of the world.
  Value call(const FunctionInfo& fn, const std::vector<Value>& args);

 private:
  // Checks FN's capability (its row of lang/natives.def) for HOST_PORT ("127.0.0.1:8080"),
  // throwing HostFault when denied.
  void allow(const FunctionInfo& fn, const std::string& host_port);
  Value http(const FunctionInfo& fn, const std::string& method, const std::vector<Value>& args);
  Value prometheus(const FunctionInfo& fn, const std::vector<Value>& args, bool scalar);
  Value tcp_connect(const FunctionInfo& fn, const std::vector<Value>& args);
  Value dns_resolve(const FunctionInfo& fn, const std::vector<Value>& args);
  Value tls_certificate(const FunctionInfo& fn, const std::vector<Value>& args);
  Value exec_run(const FunctionInfo& fn, const std::vector<Value>& args);  // natives_exec.cpp
  Value mqtt(const FunctionInfo& fn, const std::vector<Value>& args);      // natives_mqtt.cpp
  Value redis(const FunctionInfo& fn, const std::vector<Value>& args);     // natives_redis.cpp
  // The connection credential for HOST:PORT: AUTH ("" : the automatic one, if any) into OUT;
  // false when there is none. Throws HostFault for a policy problem.
  bool connection_auth(const FunctionInfo& fn, const std::string& auth, const std::string& host,
                       int port, ConnectionAuth& out);
  // Sends REQ, first adding credential AUTH ("" for none); a refused OAuth2 token (401) is
  // fetched again, once.
  Value send(const FunctionInfo& fn, HttpRequest req, const std::string& auth);

  const Capabilities& allowed_;
  Credentials* credentials_;
};

// STATUS (when given) is set to the answer's status (0 for none).
Value http_json(const HttpRequest& req, int* status = nullptr);
// REQ's body as it is sent (JSON text; "" for none): what a signature covers.
std::string http_body_text(const HttpRequest& req);
// POSTs an application/x-www-form-urlencoded FORM (an OAuth2 token request) and returns
// the answer as it is; certificates verified, 10 s timeout.
FormAnswer http_post_form(const std::string& url, const std::string& form,
                          const std::vector<std::pair<std::string, std::string>>& headers);

// The pieces of an http(s) URL; false if it is not one.
struct Url {
  std::string scheme, host, path;
  int port = 0;
  std::string host_port() const { return host + ":" + std::to_string(port); }
};
bool parse_url(const std::string& text, Url& out);
// The same for a URL of one of SCHEMES (scheme -> its default port): mqtt://, redis://, …
bool parse_url(const std::string& text, const std::map<std::string, int>& schemes, Url& out);

}  // namespace rbk
