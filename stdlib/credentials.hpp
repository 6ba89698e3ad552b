// How a run authenticates to the services it calls (docs/running.md, "Credentials"): a
// policy names credentials — a bearer token, OAuth2 client credentials, AWS Signature
// Version 4, an Azure shared access signature for HTTP; a user name and password (HTTP
// Basic too) or a TLS client certificate for MQTT and Redis connections — each with the
// hosts it may go to and where its secrets are (a file, an environment variable; never
// the policy itself, which is stored with every run). A runbook names one (`http.get_json(url,
// auth: "fleet")`); the natives add it to the request. No secret, and nothing derived from one (an
// access token, a signature), becomes a runbook value: traces, plans and errors show the
// credential's name only, and the hosts redact any that a service echoes back.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace rbk {

#define RBK_CREDENTIAL_KINDS(X)                           \
  X(Bearer, "bearer")                                     \
  X(OAuth2ClientCredentials, "oauth2_client_credentials") \
  X(AwsSigV4, "aws_sigv4")                                \
  X(AzureSas, "azure_sas")                                \
  X(Password, "password")                                 \
  X(ClientCertificate, "client_certificate")
enum class CredentialKind : uint8_t {
#define RBK_ENUM_ITEM(e, name) e,
  RBK_CREDENTIAL_KINDS(RBK_ENUM_ITEM)
#undef RBK_ENUM_ITEM
};

// Where a secret is read from: a file (its content, trailing white space dropped) or an
// environment variable.
struct SecretSource {
  std::string file, env;
  std::string describe() const;  // "file /run/secrets/fleet" or "$FLEET_TOKEN"
};

struct CredentialSpec {
  std::string name;
  CredentialKind kind = CredentialKind::Bearer;
  std::vector<std::string> hosts;  // host, host:port or *.domain it may go to
  // Added to every request to its hosts that names no credential (the stdlib's domain
  // modules, which name none), not only to those that say auth: "NAME".
  bool automatic = false;
  std::map<std::string, std::string> settings;  // token_url, client_id, region, resource, …
  std::map<std::string, SecretSource> secrets;  // token, client_secret, secret_access_key, key, …
};

struct CredentialError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// The "credentials" object of a policy; throws CredentialError naming the credential and
// the problem (an unknown type or key, a missing setting, a secret written inline).
std::map<std::string, CredentialSpec> parse_credentials(const nlohmann::json& j);

// A request about to be sent, as the credentials see it.
struct OutgoingRequest {
  std::string method, scheme, host, path, query;  // path without the query
  int port = 0;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // to send; credentials add theirs
};

// What a connection-level credential (password, client_certificate) gives an MQTT or Redis
// client: what its login and its TLS handshake need.
struct ConnectionAuth {
  std::string username, password;  // empty: none
  std::string ca_file;             // the CA bundle that verifies the server ("" : the system's)
  std::string certificate_file;    // the client certificate (PEM), "" for none
  std::string key_pem;             // its private key (PEM text)
};

// The answer of a token endpoint, or why there is none (natives_http.cpp posts the form).
struct FormAnswer {
  int status = 0;  // 0: no answer (ERROR says why)
  std::string body, error;
};
using FormPoster =
    std::function<FormAnswer(const std::string& url, const std::string& form,
                             const std::vector<std::pair<std::string, std::string>>& headers)>;

// The credentials of one run, shared by its hosts and its fleet's children (thread-safe):
// secrets read once when the run starts, OAuth2 tokens fetched when first needed, kept,
// and fetched again before they expire.
class Credentials {
 public:
  // Reads every secret now; CredentialError lists each that cannot be read. CLOCK gives
  // milliseconds since the epoch; POST reaches token endpoints.
  Credentials(std::map<std::string, CredentialSpec> specs, std::function<int64_t()> clock,
              FormPoster post);
  ~Credentials();

  bool empty() const { return specs_.empty(); }
  // The automatic credential for HOST:PORT ("" for none) among those an HTTP request may
  // carry or, when CONNECTION, those for MQTT and Redis connections; "policy: …" when two
  // are.
  std::string automatic_for(const std::string& host, int port, std::string& name,
                            bool connection = false) const;
  // Adds credential NAME to REQ. Returns "" or why it cannot: a policy problem (no such
  // credential, a host it may not go to) starts with "policy: ", which the caller reports
  // as a denial, not as a failure of the world.
  std::string authorize(const std::string& name, OutgoingRequest& req);
  // Fills OUT from connection credential NAME for a connection to HOST:PORT. Returns "" or
  // why not, a policy problem starting with "policy: " as for authorize.
  std::string connect_with(const std::string& name, const std::string& host, int port,
                           ConnectionAuth& out);
  // The service refused the token NAME gave (401): the next request fetches a new one.
  // Whether NAME's token can be fetched again (OAuth2).
  bool refresh_after_refusal(const std::string& name);
  // Every secret read and every token or signature made so far: what traces redact.
  std::vector<std::string> secrets() const;

 private:
  struct State;
  std::string oauth2_token(const CredentialSpec& spec, State& s, std::string& token);
  std::string secret(const CredentialSpec& spec, const std::string& key);
  void remember(const std::string& derived);

  std::map<std::string, CredentialSpec> specs_;
  std::function<int64_t()> clock_;
  FormPoster post_;
  mutable std::mutex mutex_;
  std::map<std::string, std::map<std::string, std::string>> values_;  // credential -> secrets
  std::map<std::string, std::unique_ptr<State>> state_;
  std::vector<std::string> derived_;  // tokens and signatures made (bounded)
};

}  // namespace rbk
