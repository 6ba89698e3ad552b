// Credentials against real servers on loopback: a bearer token from a file (and the file
// rotated), OAuth2 client credentials from a token endpoint (fetched once, kept, fetched
// again before expiry and after a refusal; its failures named without the secret), AWS
// SigV4 as the server receives it, an Azure SAS the server verifies, hosts a credential
// may not go to, and the policy's "credentials" refused where they are wrong.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "native_calls.hpp"
#include "stdlib/natives.hpp"
#include "stdlib/signing.hpp"
#include "test_support.hpp"

namespace rbk::test {
namespace {

namespace fs = std::filesystem;

Value get_with(Natives& n, const std::string& url, const std::string& auth) {
  return n.call(native("http.get_json"), {Value::string(url), Value::null(), Value::duration(2000),
                                          Value::integer(0), Value::string(auth)});
}

CredentialSpec spec(const std::string& json_text) {
  auto all = parse_credentials(nlohmann::json::parse(json_text));
  return all.begin()->second;
}

// A file holding a secret, removed at the end of the test.
struct SecretFile {
  explicit SecretFile(const std::string& content) {
    path = fs::temp_directory_path() /
           ("rbk-secret-" + std::to_string(::getpid()) + "-" + std::to_string(++counter));
    write(content);
  }
  ~SecretFile() { fs::remove(path); }
  void write(const std::string& content) { std::ofstream(path) << content; }
  fs::path path;
  static inline int counter = 0;
};

// The credentials of a run, with a clock the test moves.
struct RunCredentials {
  RunCredentials(std::map<std::string, CredentialSpec> specs, int64_t start = 1'700'000'000'000)
      : now(start),
        credentials(
            std::move(specs), [this] { return now; }, http_post_form),
        natives(policy, &credentials) {}
  Capabilities policy = allow_loopback();
  int64_t now;
  Credentials credentials;
  Natives natives;
};

TEST(Credentials, BearerTokenFromAFileReadAgainWhenRotated) {
  LoopbackServer s;
  s.server.Get("/devices/d1", [](const httplib::Request& req, httplib::Response& res) {
    res.set_content(nlohmann::json{{"auth", req.get_header_value("Authorization")}}.dump(),
                    "application/json");
  });
  s.start();
  SecretFile token("fleet-token-1\n");
  RunCredentials run(
      {{"fleet", spec(R"({"fleet": {"type": "bearer", "hosts": ["127.0.0.1"], "token_file": ")" +
                      token.path.string() + R"("}})")}});
  Value v = get_with(run.natives, s.url("/devices/d1"), "fleet");
  ASSERT_FALSE(v.is_error()) << v.str();
  EXPECT_EQ(v.field("auth")->str(), "Bearer fleet-token-1");
  // Rotated (a Kubernetes secret, a renewed token): the next request reads it again.
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  token.write("fleet-token-2");
  v = get_with(run.natives, s.url("/devices/d1"), "fleet");
  EXPECT_EQ(v.field("auth")->str(), "Bearer fleet-token-2");
  // Both are secrets the traces redact.
  auto secrets = run.credentials.secrets();
  EXPECT_NE(std::find(secrets.begin(), secrets.end(), "fleet-token-2"), secrets.end());
}

TEST(Credentials, APasswordGoesAsHttpBasicAndAClientCertificateNever) {
  LoopbackServer s;
  s.server.Get("/rest/v1/rollouts/7", [](const httplib::Request& req, httplib::Response& res) {
    res.set_content(nlohmann::json{{"auth", req.get_header_value("Authorization")}}.dump(),
                    "application/json");
  });
  s.start();
  SecretFile password("hawkbit-pw\n");
  RunCredentials run(parse_credentials(nlohmann::json::parse(
      R"({"hawkbit": {"type": "password", "hosts": ["127.0.0.1"], "username": "rbk-runner",
                      "password_file": ")" +
      password.path.string() + R"("},
          "nameless": {"type": "password", "hosts": ["127.0.0.1"], "password_file": ")" +
      password.path.string() + R"("},
          "mtls": {"type": "client_certificate", "hosts": ["127.0.0.1"],
                   "certificate_file": "/etc/rbk/runner.pem", "key_file": ")" +
      password.path.string() + R"("}})")));
  Value v = get_with(run.natives, s.url("/rest/v1/rollouts/7"), "hawkbit");
  ASSERT_FALSE(v.is_error()) << v.str();
  // RFC 7617: base64 of "rbk-runner:hawkbit-pw".
  EXPECT_EQ(v.field("auth")->str(), "Basic cmJrLXJ1bm5lcjpoYXdrYml0LXB3");
  auto secrets = run.credentials.secrets();
  EXPECT_NE(std::find(secrets.begin(), secrets.end(), "cmJrLXJ1bm5lcjpoYXdrYml0LXB3"),
            secrets.end())
      << "the encoded pair is redacted too";
  for (const char* refused : {"nameless", "mtls"}) {
    try {
      get_with(run.natives, s.url("/rest/v1/rollouts/7"), refused);
      ADD_FAILURE() << refused << " went with an HTTP request";
    } catch (const HostFault& f) {
      EXPECT_NE(std::string(f.what()).find(std::string("credential \"") + refused),
                std::string::npos)
          << f.what();
    }
  }
}

TEST(Credentials, AnApiKeyInAHeaderOfItsOwn) {
  LoopbackServer s;
  s.server.Get("/q", [](const httplib::Request& req, httplib::Response& res) {
    res.set_content(nlohmann::json{{"key", req.get_header_value("X-Api-Key")},
                                   {"auth", req.get_header_value("Authorization")}}
                        .dump(),
                    "application/json");
  });
  s.start();
  ::setenv("RBK_TEST_API_KEY", "k-123456", 1);
  RunCredentials run({{"grafana", spec(R"({"grafana": {"type": "bearer", "hosts": ["127.0.0.1"],
                                "header": "X-Api-Key", "token_env": "RBK_TEST_API_KEY"}})")}});
  Value v = get_with(run.natives, s.url("/q"), "grafana");
  ASSERT_FALSE(v.is_error()) << v.str();
  EXPECT_EQ(v.field("key")->str(), "k-123456");
  EXPECT_EQ(v.field("auth")->str(), "");
}

TEST(Credentials, NeverSentToAHostTheyDoNotName) {
  LoopbackServer s;
  s.server.Get("/x", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("{}", "application/json");
  });
  s.start();
  ::setenv("RBK_TEST_TOKEN", "t-abcdef", 1);
  RunCredentials run({{"fleet", spec(R"({"fleet": {"type": "bearer", "hosts": ["fleet.example.net"],
                              "token_env": "RBK_TEST_TOKEN"}})")}});
  try {
    get_with(run.natives, s.url("/x"), "fleet");
    FAIL() << "a credential went to a host it does not name";
  } catch (const HostFault& e) {
    EXPECT_EQ(std::string(e.what()),
              "http.get_json: credential \"fleet\" may not be sent to 127.0.0.1:" +
                  std::to_string(s.port) + " (its hosts: fleet.example.net) in test-policy.json");
  }
  EXPECT_THROW(get_with(run.natives, s.url("/x"), "nope"), HostFault);
  EXPECT_EQ(s.requests.load(), 0);
  Natives without(run.policy);  // a run whose policy names no credentials
  EXPECT_THROW(get_with(without, s.url("/x"), "fleet"), HostFault);
}

TEST(Credentials, AnAutomaticOneGoesWithEveryRequestToItsHosts) {
  LoopbackServer s;
  s.server.Get("/devices/d1", [](const httplib::Request& req, httplib::Response& res) {
    res.set_content(nlohmann::json{{"auth", req.get_header_value("Authorization")}}.dump(),
                    "application/json");
  });
  s.start();
  ::setenv("RBK_TEST_TOKEN", "t-abcdef", 1);
  // The stdlib's domain modules name no credential: an automatic one reaches their services.
  RunCredentials run({{"fleet", spec(R"({"fleet": {"type": "bearer", "hosts": ["127.0.0.1"],
                                         "automatic": true, "token_env": "RBK_TEST_TOKEN"}})")}});
  Value v = get_with(run.natives, s.url("/devices/d1"), "");
  ASSERT_FALSE(v.is_error()) << v.str();
  EXPECT_EQ(v.field("auth")->str(), "Bearer t-abcdef");
  auto two = parse_credentials(nlohmann::json::parse(
      R"({"a": {"type": "bearer", "hosts": ["127.0.0.1"], "automatic": true, "token_env": "RBK_TEST_TOKEN"},
          "b": {"type": "bearer", "hosts": ["*.0.0.1"], "automatic": true, "token_env": "RBK_TEST_TOKEN"}})"));
  RunCredentials ambiguous(two);
  EXPECT_THROW(get_with(ambiguous.natives, s.url("/devices/d1"), ""), HostFault);
  EXPECT_FALSE(get_with(ambiguous.natives, s.url("/devices/d1"), "b").is_error());
}

TEST(Credentials, SecretsAreNeverWrittenInThePolicy) {
  auto refused = [](const std::string& text) {
    try {
      parse_credentials(nlohmann::json::parse(text));
    } catch (const CredentialError& e) {
      return std::string(e.what());
    }
    return std::string("accepted");
  };
  EXPECT_EQ(refused(R"({"f": {"type": "bearer", "hosts": ["h"], "token": "abc"}})"),
            "credential \"f\": a secret is never written in the policy, which is stored with "
            "every run: give token_file (a file holding it) or token_env (an environment "
            "variable)");
  EXPECT_EQ(refused(R"({"f": {"type": "basic", "hosts": ["h"]}})"),
            "credential \"f\": \"type\" is one of bearer, oauth2_client_credentials, aws_sigv4, "
            "azure_sas, password, client_certificate, not \"basic\"");
  EXPECT_EQ(refused(R"({"f": {"type": "bearer", "token_env": "T"}})"),
            "credential \"f\": \"hosts\" lists the hosts it may be sent to (host, host:port or "
            "*.domain)");
  EXPECT_EQ(refused(R"({"f": {"type": "bearer", "hosts": ["*"], "token_env": "T"}})")
                .rfind("credential \"f\": each of \"hosts\" is a host", 0),
            0u);
  EXPECT_EQ(refused(R"({"f": {"type": "oauth2_client_credentials", "hosts": ["h"], "client_id": "c",
                     "client_secret_env": "S", "token_url": "http://login.example/token"}})"),
            "credential \"f\": \"token_url\" is an https URL (http only to this machine, for "
            "tests)");
  EXPECT_EQ(refused(R"({"f": {"type": "aws_sigv4", "hosts": ["h"], "region": "eu-west-1",
                     "access_key_id_env": "A", "secret_access_key_env": "S"}})"),
            "credential \"f\": aws_sigv4 needs \"service\"");
  EXPECT_NE(
      refused(R"({"f": {"type": "azure_sas", "hosts": ["h"], "resource": "r", "key_name": "k",
                     "key_file": "/k", "tll": "1h"}})")
          .find("unknown key \"tll\" for azure_sas (it takes type, hosts, automatic, resource, "
                "key_name, ttl, key_encoding, key_file, key_env)"),
      std::string::npos);
  // A secret that cannot be read stops the run before it starts, naming where it looked.
  try {
    Credentials c(
        parse_credentials(nlohmann::json::parse(
            R"({"f": {"type": "bearer", "hosts": ["h"], "token_file": "/nonexistent/t"},
                          "g": {"type": "bearer", "hosts": ["h"], "token_env": "RBK_TEST_UNSET"}})")),
        [] { return int64_t(0); }, http_post_form);
    FAIL() << "unreadable secrets accepted";
  } catch (const CredentialError& e) {
    EXPECT_EQ(std::string(e.what()),
              "credential \"f\": its token: cannot read the file /nonexistent/t; credential \"g\": "
              "its token: the environment variable RBK_TEST_UNSET is not set");
  }
}

// A token endpoint (RFC 6749, 4.4) and a service that takes only its current token.
struct OAuthWorld {
  OAuthWorld() {
    server.server.Post("/token", [this](const httplib::Request& req, httplib::Response& res) {
      ++fetches;
      basic = req.get_header_value("Authorization");
      form = req.body;
      if (basic != "Basic " + base64_encode("rbk-runner:s3cret%2Bvalue")) {
        res.status = 401;
        res.set_content(R"({"error": "invalid_client", "error_description": "bad secret"})",
                        "application/json");
        return;
      }
      current = "access-" + std::to_string(fetches.load());
      res.set_content(
          nlohmann::json{{"access_token", current}, {"token_type", "Bearer"}, {"expires_in", 3600}}
              .dump(),
          "application/json");
    });
    server.server.Get("/devices", [this](const httplib::Request& req, httplib::Response& res) {
      if (req.get_header_value("Authorization") != "Bearer " + current) {
        res.status = 401;
        return;
      }
      res.set_content(R"({"ok": true})", "application/json");
    });
    server.start();
    ::setenv("RBK_TEST_CLIENT_SECRET", "s3cret+value", 1);
  }
  std::map<std::string, CredentialSpec> specs(const std::string& extra = "") {
    return parse_credentials(nlohmann::json::parse(
        R"({"idp": {"type": "oauth2_client_credentials", "hosts": ["127.0.0.1"], "token_url": ")" +
        server.url("/token") +
        R"(", "client_id": "rbk-runner", "client_secret_env": "RBK_TEST_CLIENT_SECRET",
           "scope": "fleet.read fleet.write")" +
        extra + "}}"));
  }
  LoopbackServer server;
  std::atomic<int> fetches{0};
  std::string basic, form, current;
};

TEST(Credentials, OAuth2TokenFetchedOnceKeptAndRefreshedBeforeExpiry) {
  OAuthWorld w;
  RunCredentials run(w.specs());
  for (int i = 0; i < 5; ++i) {
    Value v = get_with(run.natives, w.server.url("/devices"), "idp");
    ASSERT_FALSE(v.is_error()) << v.str();
  }
  EXPECT_EQ(w.fetches.load(), 1) << "the token is kept between requests";
  EXPECT_EQ(w.form, "grant_type=client_credentials&scope=fleet.read%20fleet.write");
  run.now += 3'000'000;  // 50 minutes: 10 left, more than a tenth of its hour
  get_with(run.natives, w.server.url("/devices"), "idp");
  EXPECT_EQ(w.fetches.load(), 1);
  run.now += 360'000;  // 4 minutes left: fetched again before it expires
  Value v = get_with(run.natives, w.server.url("/devices"), "idp");
  ASSERT_FALSE(v.is_error()) << v.str();
  EXPECT_EQ(w.fetches.load(), 2);
  auto secrets = run.credentials.secrets();
  EXPECT_NE(std::find(secrets.begin(), secrets.end(), "access-2"), secrets.end());
  EXPECT_NE(std::find(secrets.begin(), secrets.end(), "s3cret+value"), secrets.end());
}

TEST(Credentials, OAuth2TokenRefusedIsFetchedAgainOnce) {
  OAuthWorld w;
  RunCredentials run(w.specs());
  ASSERT_FALSE(get_with(run.natives, w.server.url("/devices"), "idp").is_error());
  w.current = "revoked-elsewhere";  // the service no longer takes the kept token
  Value v = get_with(run.natives, w.server.url("/devices"), "idp");
  ASSERT_FALSE(v.is_error()) << v.str();
  EXPECT_EQ(w.fetches.load(), 2);
}

TEST(Credentials, OAuth2FailuresNameTheEndpointNeverTheSecret) {
  OAuthWorld w;
  ::setenv("RBK_TEST_CLIENT_SECRET", "wrong-secret", 1);
  RunCredentials run(w.specs());
  Value v = get_with(run.natives, w.server.url("/devices"), "idp");
  ASSERT_TRUE(v.is_error());
  EXPECT_EQ(v.str(), "GET " + w.server.url("/devices") +
                         ": credential \"idp\": its token endpoint " + w.server.url("/token") +
                         " answered status 401 (invalid_client: bad secret)");
  EXPECT_EQ(v.str().find("wrong-secret"), std::string::npos);
  EXPECT_EQ(w.server.requests.load(), 1) << "the service was not called without a token";
  // The client's id and secret in the form instead of HTTP Basic.
  ::setenv("RBK_TEST_CLIENT_SECRET", "s3cret+value", 1);
  RunCredentials body(w.specs(R"(, "client_auth": "body")"));
  get_with(body.natives, w.server.url("/devices"), "idp");
  EXPECT_EQ(w.basic, "");
  EXPECT_EQ(w.form,
            "grant_type=client_credentials&scope=fleet.read%20fleet.write&client_id=rbk-runner&"
            "client_secret=s3cret%2Bvalue");
}

TEST(Credentials, AwsSigV4AsTheServerReceivesIt) {
  LoopbackServer s;
  std::string verdict;
  s.server.Post("/things/sensor-1/shadow", [&](const httplib::Request& req,
                                               httplib::Response& res) {
    // Sign again what arrived (with the same key) and compare: the host, the date, the path,
    // the query and the body the signature covers are the ones sent.
    SigV4Request got{req.method, req.path, "", {}, req.body};
    std::string query;
    for (const auto& [k, v] : req.params) query += (query.empty() ? "" : "&") + k + "=" + v;
    got.query = query;
    std::string authz = req.get_header_value("Authorization");
    std::string signed_headers = authz.substr(authz.find("SignedHeaders=") + 14);
    signed_headers = signed_headers.substr(0, signed_headers.find(','));
    size_t at = 0;
    while (at <= signed_headers.size()) {
      size_t semi = signed_headers.find(';', at);
      std::string h = signed_headers.substr(at, semi - at);
      got.headers.emplace_back(h, req.get_header_value(h));
      if (semi == std::string::npos) break;
      at = semi + 1;
    }
    SigV4Signature again = sigv4_sign(got, {"AKIDTEST", "secret/key+value", "eu-west-1", "iot"},
                                      req.get_header_value("X-Amz-Date"));
    verdict = again.authorization == authz ? "valid"
                                           : "expected " + again.authorization + ", got " + authz;
    res.set_content(R"({"ok": true})", "application/json");
  });
  s.start();
  ::setenv("RBK_TEST_AWS_KEY_ID", "AKIDTEST", 1);
  ::setenv("RBK_TEST_AWS_SECRET", "secret/key+value", 1);
  ::setenv("RBK_TEST_AWS_SESSION", "session-token-xyz", 1);
  RunCredentials run(
      {{"aws", spec(R"({"aws": {"type": "aws_sigv4", "hosts": ["127.0.0.1"], "region": "eu-west-1",
                            "service": "iot", "access_key_id_env": "RBK_TEST_AWS_KEY_ID",
                            "secret_access_key_env": "RBK_TEST_AWS_SECRET",
                            "session_token_env": "RBK_TEST_AWS_SESSION"}})")}},
      1'440'938'160'000);
  Value v = run.natives.call(
      native("http.post_json"),
      {Value::string(s.url("/things/sensor-1/shadow?name=main")),
       Value::record({"desired"}, {Value::record({"reboot"}, {Value::boolean(true)})}),
       Value::null(), Value::duration(2000), Value::integer(0), Value::string("aws")});
  ASSERT_FALSE(v.is_error()) << v.str();
  EXPECT_EQ(verdict, "valid");
}

TEST(Credentials, AzureSasTheServerVerifies) {
  LoopbackServer s;
  std::string verdict;
  const std::string key_b64 = base64_encode("a shared access key of IoT Hub!!");
  s.server.Get("/devices/sensor-1", [&](const httplib::Request& req, httplib::Response& res) {
    std::string sas = req.get_header_value("Authorization");
    std::string expected =
        azure_sas_token("myhub.azure-devices.net/devices/sensor-1", "iothubowner",
                        "a shared access key of IoT Hub!!", 1'700'000'000 + 3600);
    // (cpp-httplib's server percent-decodes header values as it reads them)
    std::string decoded;
    for (size_t i = 0; i < expected.size(); ++i)
      if (expected[i] == '%' && i + 2 < expected.size()) {
        decoded += static_cast<char>(std::stoi(expected.substr(i + 1, 2), nullptr, 16));
        i += 2;
      } else {
        decoded += expected[i];
      }
    verdict = sas == decoded ? "valid" : "expected " + decoded + ", got " + sas;
    res.set_content("{}", "application/json");
  });
  s.start();
  SecretFile key(key_b64);
  RunCredentials run({{"hub", spec(R"({"hub": {"type": "azure_sas", "hosts": ["127.0.0.1"],
                            "resource": "myhub.azure-devices.net/devices/sensor-1",
                            "key_name": "iothubowner", "key_file": ")" +
                                   key.path.string() + R"("}})")}});
  ASSERT_FALSE(get_with(run.natives, s.url("/devices/sensor-1"), "hub").is_error());
  EXPECT_EQ(verdict, "valid");
}

TEST(Credentials, AuthAndAnAuthorizationHeaderAreNotBoth) {
  LoopbackServer s;
  s.start();
  ::setenv("RBK_TEST_TOKEN", "t-abcdef", 1);
  RunCredentials run({{"fleet", spec(R"({"fleet": {"type": "bearer", "hosts": ["127.0.0.1"],
                              "token_env": "RBK_TEST_TOKEN"}})")}});
  Value v = run.natives.call(native("http.get_json"),
                             {Value::string(s.url("/x")),
                              Value::record({"authorization"}, {Value::string("Bearer other")}),
                              Value::duration(2000), Value::integer(0), Value::string("fleet")});
  ASSERT_TRUE(v.is_error());
  EXPECT_NE(v.str().find("both an Authorization header and auth \"fleet\""), std::string::npos);
  EXPECT_EQ(s.requests.load(), 0);
}

}  // namespace
}  // namespace rbk::test
