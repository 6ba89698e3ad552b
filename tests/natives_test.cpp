// The natives against real servers on loopback, started by the tests: an HTTP server
// (status codes, slow answers, bad JSON, retries), TLS servers whose certificates the
// test generates with known expiry dates, a listening and a closed port, DNS, and the
// policy: a host it does not allow receives no connection at all.
#include <gtest/gtest.h>
#include <httplib.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <mutex>
#include <thread>

#include "native_calls.hpp"
#include "stdlib/action_keys.hpp"
#include "stdlib/natives.hpp"
#include "stdlib/registry.hpp"
#include "test_support.hpp"
#include "vm/value_json.hpp"

namespace rbk::test {
namespace {

Value get(Natives& n, const std::string& url, int64_t timeout_ms = 2000, int64_t retries = 0) {
  return n.call(native("http.get_json"),
                {Value::string(url), Value::null(), Value::duration(timeout_ms),
                 Value::integer(retries), Value::string("")});
}

TEST(HttpNatives, GetsJson) {
  LoopbackServer s;
  s.server.Get("/devices/d1", [](const httplib::Request& req, httplib::Response& res) {
    res.set_content(
        R"({"id": "d1", "online": true, "auth": ")" + req.get_header_value("Authorization") + "\"}",
        "application/json");
  });
  s.start();
  Capabilities p = allow_loopback();
  Natives n(p);
  Value v = n.call(native("http.get_json"),
                   {Value::string(s.url("/devices/d1")),
                    Value::record({"Authorization"}, {Value::string("Bearer abc")}),
                    Value::duration(2000), Value::integer(0), Value::string("")});
  ASSERT_EQ(v.kind, ValueKind::Record) << to_display(v);
  EXPECT_EQ(v.field("id")->str(), "d1");
  EXPECT_TRUE(v.field("online")->b);
  EXPECT_EQ(v.field("auth")->str(), "Bearer abc");
}

TEST(HttpNatives, StatusCodesAreErrorsNamingTheUrl) {
  LoopbackServer s;
  s.server.Get("/missing",
               [](const httplib::Request&, httplib::Response& res) { res.status = 404; });
  s.start();
  Capabilities p = allow_loopback();
  Natives n(p);
  Value v = get(n, s.url("/missing"));
  ASSERT_TRUE(v.is_error());
  EXPECT_EQ(v.str(), "GET " + s.url("/missing") + ": status 404");
}

TEST(HttpNatives, RetriesServerErrorsWithBackoff) {
  LoopbackServer s;
  std::atomic<int> calls{0};
  s.server.Get("/flaky", [&](const httplib::Request&, httplib::Response& res) {
    if (++calls < 3)
      res.status = 503;
    else
      res.set_content(R"({"ok": true})", "application/json");
  });
  s.start();
  Capabilities p = allow_loopback();
  Natives n(p);
  auto t0 = std::chrono::steady_clock::now();
  Value v = get(n, s.url("/flaky"), 2000, 3);
  auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0)
          .count();
  ASSERT_EQ(v.kind, ValueKind::Record) << to_display(v);
  EXPECT_EQ(calls.load(), 3);
  EXPECT_GE(ms, 100 + 200);  // two backoffs: 100 ms and 200 ms, plus jitter
  calls = -100;              // now it always fails
  Value e = get(n, s.url("/flaky"), 2000, 1);
  ASSERT_TRUE(e.is_error());
  EXPECT_NE(e.str().find("status 503 (after 2 attempts)"), std::string::npos) << e.str();
}

TEST(HttpNatives, AnActionsRequestsCarryItsIdempotencyKeyOnEveryAttempt) {
  LoopbackServer s;
  std::vector<std::string> keys;
  std::mutex mu;
  s.server.Get("/flaky", [&](const httplib::Request& req, httplib::Response& res) {
    std::lock_guard lock(mu);
    keys.push_back(req.has_header("Idempotency-Key") ? req.get_header_value("Idempotency-Key")
                                                     : "(none)");
    if (keys.size() == 1)
      res.status = 503;
    else
      res.set_content(R"({"ok": true})", "application/json");
  });
  s.start();
  Capabilities p = allow_loopback();
  Natives n(p);
  set_action_key("r-1/fan/1/0/1");  // as the journaling host sets it around an action
  Value v = get(n, s.url("/flaky"), 2000, 1);
  set_action_key("");
  ASSERT_EQ(v.kind, ValueKind::Record) << to_display(v);
  get(n, s.url("/flaky"));  // no action: no key
  EXPECT_EQ(keys, (std::vector<std::string>{"r-1/fan/1/0/1", "r-1/fan/1/0/1", "(none)"}));
}

TEST(HttpNatives, SlowAnswerTimesOut) {
  LoopbackServer s;
  s.server.Get("/slow", [](const httplib::Request&, httplib::Response& res) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));
    res.set_content("{}", "application/json");
  });
  s.start();
  Capabilities p = allow_loopback();
  Natives n(p);
  Value v = get(n, s.url("/slow"), 300);
  ASSERT_TRUE(v.is_error());
  EXPECT_NE(v.str().find("GET " + s.url("/slow") + ": timed out"), std::string::npos) << v.str();
}

TEST(HttpNatives, BodyThatIsNotJson) {
  LoopbackServer s;
  s.server.Get("/html", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("<html>oops</html>", "text/html");
  });
  s.start();
  Capabilities p = allow_loopback();
  Natives n(p);
  Value v = get(n, s.url("/html"));
  ASSERT_TRUE(v.is_error());
  EXPECT_NE(v.str().find("the answer is not JSON (it begins \"<html>oops</html>\")"),
            std::string::npos)
      << v.str();
}

TEST(HttpNatives, PostSendsJsonAndConnectionRefusedIsAnError) {
  LoopbackServer s;
  std::string received;
  s.server.Post("/hooks", [&](const httplib::Request& req, httplib::Response& res) {
    received = req.body;
    res.status = 204;
  });
  s.start();
  Capabilities p = allow_loopback();
  Natives n(p);
  Value v = n.call(
      native("notify.webhook"),
      {Value::string(s.url("/hooks")), Value::record({"text"}, {Value::string("device down")})});
  EXPECT_TRUE(v.is_null()) << to_display(v);
  EXPECT_EQ(received, R"({"text":"device down"})");
  Value refused = get(n, "http://127.0.0.1:1/nothing");
  ASSERT_TRUE(refused.is_error());
  EXPECT_NE(refused.str().find("connection"), std::string::npos) << refused.str();
}

TEST(HttpNatives, PolicyDenialSendsNothing) {
  LoopbackServer s;
  s.server.Get("/x", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("{}", "application/json");
  });
  s.start();
  Capabilities p;
  p.source = "narrow.json";
  p.hosts["net.http"] = {"127.0.0.1:1"};  // another port only
  Natives n(p);
  try {
    get(n, s.url("/x"));
    FAIL() << "the policy should refuse";
  } catch (const HostFault& e) {
    EXPECT_EQ(std::string(e.what()),
              "http.get_json: narrow.json does not allow net.http to 127.0.0.1:" +
                  std::to_string(s.port));
  }
  Capabilities none;
  Natives n2(none);
  EXPECT_THROW(get(n2, s.url("/x")), HostFault);
  EXPECT_EQ(s.requests.load(), 0);  // no connection at all
}

TEST(Prometheus, InstantVectorAndScalar) {
  LoopbackServer s;
  s.server.Get("/api/v1/query", [](const httplib::Request& req, httplib::Response& res) {
    if (req.get_param_value("query") == "up")
      res.set_content(R"({"status":"success","data":{"resultType":"vector","result":[
        {"metric":{"job":"broker"},"value":[1700000000,"1"]},{"metric":{"job":"ingest"},"value":[1700000000,"0"]}]}})",
                      "application/json");
    else
      res.set_content(
          R"({"status":"success","data":{"resultType":"scalar","result":[1700000000,"42.5"]}})",
          "application/json");
  });
  s.start();
  Capabilities p = allow_loopback();
  Natives n(p);
  Value v = n.call(native("prometheus.query"), {Value::string(s.url("")), Value::string("up"),
                                                Value::duration(2000), Value::string("")});
  ASSERT_EQ(v.kind, ValueKind::List) << to_display(v);
  ASSERT_EQ(v.items().size(), 2u);
  EXPECT_EQ(v.items()[0].field("labels")->field("job")->str(), "broker");
  EXPECT_DOUBLE_EQ(v.items()[1].field("value")->f, 0.0);
  Value sc =
      n.call(native("prometheus.scalar"), {Value::string(s.url("")), Value::string("scalar(42.5)"),
                                           Value::duration(2000), Value::string("")});
  EXPECT_DOUBLE_EQ(sc.f, 42.5);
  Value many = n.call(native("prometheus.scalar"), {Value::string(s.url("")), Value::string("up"),
                                                    Value::duration(2000), Value::string("")});
  EXPECT_TRUE(many.is_error());
}

TEST(NetNatives, TcpConnectToListeningAndClosedPorts) {
  LoopbackServer s;
  s.start();
  Capabilities p = allow_loopback();
  Natives n(p);
  Value open = n.call(native("tcp.connect"),
                      {Value::string("127.0.0.1"), Value::integer(s.port), Value::duration(1000)});
  EXPECT_TRUE(open.field("reachable")->b);
  EXPECT_EQ(open.field("latency")->kind, ValueKind::Duration);
  Value closed = n.call(native("tcp.connect"),
                        {Value::string("127.0.0.1"), Value::integer(1), Value::duration(1000)});
  EXPECT_FALSE(closed.field("reachable")->b);
}

TEST(NetNatives, DnsResolvesLocalhost) {
  Capabilities p = allow_loopback();
  Natives n(p);
  Value v = n.call(native("dns.resolve"), {Value::string("localhost")});
  ASSERT_EQ(v.kind, ValueKind::List) << to_display(v);
  bool loopback = false;
  for (const auto& a : v.items()) loopback |= a.str() == "127.0.0.1" || a.str() == "::1";
  EXPECT_TRUE(loopback);
}

// ------------------------------------------------------------ TLS

struct TempCert {
  std::string cert_path, key_path;
};

// A self-signed certificate for localhost that expires DAYS from now (negative: expired).
TempCert make_cert(const std::string& dir, const std::string& name, long days) {
  EVP_PKEY* key = EVP_RSA_gen(2048);
  X509* x = X509_new();
  X509_set_version(x, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
  X509_gmtime_adj(X509_getm_notBefore(x), (days - 400) * 86400L);
  X509_gmtime_adj(X509_getm_notAfter(x), days * 86400L);
  X509_set_pubkey(x, key);
  X509_NAME* subject = X509_get_subject_name(x);
  X509_NAME_add_entry_by_txt(subject, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("device-7.test"), -1, -1, 0);
  X509_set_issuer_name(x, subject);
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, x, x, nullptr, nullptr, 0);
  X509_EXTENSION* san =
      X509V3_EXT_conf_nid(nullptr, &ctx, NID_subject_alt_name, "DNS:localhost,DNS:device-7.test");
  X509_add_ext(x, san, -1);
  X509_EXTENSION_free(san);
  X509_sign(x, key, EVP_sha256());
  TempCert out{dir + "/" + name + ".crt", dir + "/" + name + ".key"};
  FILE* f = fopen(out.cert_path.c_str(), "w");
  PEM_write_X509(f, x);
  fclose(f);
  f = fopen(out.key_path.c_str(), "w");
  PEM_write_PrivateKey(f, key, nullptr, nullptr, 0, nullptr, nullptr);
  fclose(f);
  X509_free(x);
  EVP_PKEY_free(key);
  return out;
}

class TlsServer {
 public:
  explicit TlsServer(const TempCert& c) : server(c.cert_path.c_str(), c.key_path.c_str()) {
    server.Get("/", [](const httplib::Request&, httplib::Response& res) {
      res.set_content("{}", "application/json");
    });
    port = server.bind_to_any_port("127.0.0.1");
    thread = std::thread([this] { server.listen_after_bind(); });
    // The socket listens once bound; wait (bounded) for the accept loop as well.
    for (int i = 0; i < 200 && !server.is_running(); ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  ~TlsServer() {
    server.stop();
    thread.join();
  }
  httplib::SSLServer server;
  std::thread thread;
  int port = 0;
};

TEST(TlsNatives, PeerCertificateExpiryFromARealHandshake) {
  std::string dir =
      std::filesystem::temp_directory_path() / ("rbk-tls-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  Capabilities p = allow_loopback();
  Natives n(p);
  for (long days : {-5L, 10L, 100L}) {
    TempCert c = make_cert(dir, "d" + std::to_string(days + 10), days);
    TlsServer server(c);
    Value v =
        n.call(native("tls.peer_certificate"),
               {Value::string("localhost"), Value::integer(server.port), Value::duration(3000)});
    ASSERT_EQ(v.kind, ValueKind::Record) << to_display(v);
    // days_left rounds down: a certificate made to expire in 10 days has 9 full days and change.
    int64_t left = v.field("days_left")->i;
    EXPECT_TRUE(left == days || left == days - 1) << days << " -> " << left;
    EXPECT_EQ(v.field("subject")->str(), "CN=device-7.test");
    EXPECT_EQ(v.field("issuer")->str(), "CN=device-7.test");
    ASSERT_EQ(v.field("dns_names")->items().size(), 2u);
    EXPECT_EQ(v.field("dns_names")->items()[1].str(), "device-7.test");
  }
  {
    // HTTPS verifies the server's certificate: a self-signed one is refused, after a real
    // handshake.
    TempCert c = make_cert(dir, "https", 100);
    TlsServer server(c);
    Value v = get(n, "https://localhost:" + std::to_string(server.port) + "/", 3000);
    ASSERT_TRUE(v.is_error());
    EXPECT_NE(v.str().find("certificate did not verify"), std::string::npos) << v.str();
  }
  Value refused = n.call(native("tls.peer_certificate"),
                         {Value::string("localhost"), Value::integer(1), Value::duration(1000)});
  EXPECT_TRUE(refused.is_error());
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace rbk::test

#include "stdlib/config.hpp"
#include "stdlib/live_host.hpp"

namespace rbk::test {
namespace {

struct Keep : TraceSink {
  std::vector<TraceEvent> events;
  void event(const TraceEvent& e, int64_t) override { events.push_back(e); }
};

TEST(LiveHost, SecretsNeverReachTraces) {
  Keep sink;
  Capabilities p;
  LiveHost host(
      p, {{"fleet_token", Value::string("s3cr3t-value")}, {"fleet_api", Value::string("http://x")}},
      sink);
  host.trace(TraceEvent{
      TraceKind::Probe,
      {},
      {{"args",
        Value::list({Value::record({"Authorization"}, {Value::string("Bearer s3cr3t-value")})})}}});
  ASSERT_EQ(sink.events.size(), 1u);
  EXPECT_EQ(to_display(sink.events[0].fields[0].value), "[{Authorization: Bearer [redacted]}]");
  EXPECT_TRUE(is_secret_name("ops_webhook_key"));
  EXPECT_FALSE(is_secret_name("fleet_api"));
}

TEST(LiveHost, DryRunRecordsActionsAndNeverPerformsThem) {
  Keep sink;
  Capabilities p;
  DryRunHost host(p, {}, sink);
  FunctionInfo restart = native("http.post_json");
  PlannedCall call{&restart,
                   {Value::string("http://127.0.0.1:1/x"), Value::null(), Value::null(),
                    Value::duration(1000), Value::integer(0)}};
  ActOutcome out = host.act(call, Site{});
  EXPECT_EQ(out.kind,
            ActOutcome::Kind::WouldDo);  // no policy grants net.http: performing would have thrown
  EXPECT_EQ(host.gate(GateRequest{}).decision, GateDecision::Pending);
}

TEST(Config, ResolvedBeforeTheRunWithEnvironmentOverrides) {
  Program prog;
  prog.types = {Type::string(), Type::duration(), Type::optional(Type::integer())};
  prog.config = {{"fleet_api", 0}, {"poll", 1}, {"retries", 2}};
  ConfigResult missing = resolve_config(prog, "", "");
  ASSERT_EQ(missing.errors.size(), 2u);
  EXPECT_EQ(missing.errors[0],
            "configuration value 'fleet_api' (string) is not set: add it to a --config file or set "
            "RBK_CONFIG_FLEET_API");
  ConfigResult bad = resolve_config(prog, R"({"fleet_api": "http://a", "poll": "soon"})", "c.json");
  ASSERT_EQ(bad.errors.size(), 1u);
  EXPECT_EQ(bad.errors[0], "config.poll: expected duration, got \"soon\" (from c.json)");
  setenv("RBK_CONFIG_POLL", "90s", 1);
  ConfigResult ok = resolve_config(prog, R"({"fleet_api": "http://a", "poll": "soon"})", "c.json");
  unsetenv("RBK_CONFIG_POLL");
  EXPECT_TRUE(ok.errors.empty());
  EXPECT_EQ(ok.values["poll"].i, 90'000);
  EXPECT_TRUE(ok.values["retries"].is_null());
}

}  // namespace
}  // namespace rbk::test

namespace rbk::test {
namespace {

// A query API read with POST: sent, with its body, where the policy lists the endpoint as
// read-only; refused, with nothing sent, anywhere else (a longer path included).
TEST(HttpNatives, QueryJsonPostsOnlyToReadOnlyEndpoints) {
  LoopbackServer s;
  std::string received;
  s.server.Post("/api/graphql", [&](const httplib::Request& req, httplib::Response& res) {
    received = req.body;
    res.set_content(R"({"data": {"devices": [{"id": "gw-7", "online": false}]}})",
                    "application/json");
  });
  s.start();
  Capabilities p = allow_loopback();
  p.read_only_posts = {s.url("/api/graphql")};
  Natives n(p);
  auto query = [&](const std::string& url) {
    return n.call(native("http.query_json"),
                  {Value::string(url), Value::record({"query"}, {Value::string("{ devices }")}),
                   Value::null(), Value::duration(2000), Value::integer(0), Value::string("")});
  };
  Value v = query(s.url("/api/graphql?region=eu"));
  ASSERT_FALSE(v.is_error()) << v.str();
  EXPECT_EQ(to_source(v), R"({data: {devices: [{id: "gw-7", online: false}]}})");
  EXPECT_EQ(received, R"({"query":"{ devices }"})");
  int before = s.requests.load();
  try {
    query(s.url("/api/graphql-admin"));
    FAIL() << "the policy should refuse";
  } catch (const HostFault& e) {
    EXPECT_EQ(std::string(e.what()),
              "http.query_json: test-policy.json does not list " + s.url("/api/graphql-admin") +
                  " among its read-only POST endpoints (\"read_only_posts\")");
  }
  EXPECT_EQ(s.requests.load(), before);                        // nothing sent
  EXPECT_EQ(native("http.query_json").effect, Effect::Probe);  // so a dry-run performs it
}

TEST(Capabilities, ReadOnlyPostPrefixes) {
  Capabilities p;
  p.read_only_posts = {"https://prom.example/api/v1/query", "https://graph.example/"};
  EXPECT_TRUE(p.read_only_post("https://prom.example/api/v1/query"));
  EXPECT_TRUE(p.read_only_post("https://prom.example/api/v1/query?x=1"));
  EXPECT_FALSE(p.read_only_post("https://prom.example/api/v1/query_range_admin"));
  EXPECT_TRUE(p.read_only_post("https://graph.example/anything"));
  EXPECT_FALSE(p.read_only_post("https://graph.example.evil/"));
  EXPECT_FALSE(p.read_only_post("http://prom.example/api/v1/query"));
}

}  // namespace
}  // namespace rbk::test

namespace rbk::test {
namespace {

Capabilities allow_programs(std::vector<std::string> programs) {
  Capabilities p;
  p.source = "test-policy.json";
  p.hosts["exec"] = std::move(programs);
  return p;
}

Value run(Natives& n, std::vector<std::string> argv, int64_t timeout_ms = 5000,
          Value env = Value::null()) {
  std::vector<Value> items;
  for (auto& a : argv) items.push_back(Value::string(a));
  return n.call(native("exec.run"),
                {Value::list(std::move(items)), Value::duration(timeout_ms), std::move(env)});
}

// A program on the policy's list runs with its arguments as given (no shell: the ';' is an
// argument), its output and exit code are values; the environment is exactly the one given.
TEST(ExecNatives, RunsAListedProgramWithArgvOnly) {
  Capabilities p = allow_programs({"/bin/echo", "/bin/sh", "/usr/bin/env"});
  Natives n(p);
  Value v = run(n, {"/bin/echo", "hello", "; rm -rf /"});
  ASSERT_FALSE(v.is_error()) << v.str();
  EXPECT_EQ(to_source(v),
            R"({exit_code: 0, stdout: "hello ; rm -rf /\n", stderr: "", truncated: false})");
  Value failed = run(n, {"/bin/sh", "-c", "echo broken >&2; exit 3"});
  EXPECT_EQ(failed.field("exit_code")->i, 3);
  EXPECT_EQ(failed.field("stderr")->str(), "broken\n");
  Value env = run(n, {"/usr/bin/env"}, 5000, Value::record({"LANG"}, {Value::string("C")}));
  EXPECT_EQ(env.field("stdout")->str(), "LANG=C\n");  // nothing of rbk's environment
}

// Not on the list: refused before anything runs; a relative program, a bad environment and
// a missing program are error values naming the problem.
TEST(ExecNatives, OnlyWhatThePolicyListsRuns) {
  std::string marker = ::testing::TempDir() + "rbk-exec-marker";
  std::remove(marker.c_str());
  Capabilities p = allow_programs({"/bin/echo", "/nonexistent/tool"});
  Natives n(p);
  try {
    run(n, {"/usr/bin/touch", marker});
    FAIL() << "the policy should refuse";
  } catch (const HostFault& e) {
    EXPECT_EQ(std::string(e.what()),
              "exec.run: test-policy.json does not allow exec of /usr/bin/touch");
  }
  EXPECT_FALSE(std::filesystem::exists(marker));
  EXPECT_NE(run(n, {"echo", "x"}).str().find("must be an absolute path"), std::string::npos);
  EXPECT_NE(run(n, {"/bin/echo"}, 5000, Value::record({"A=B"}, {Value::string("x")}))
                .str()
                .find("is not an environment variable name"),
            std::string::npos);
  EXPECT_NE(run(n, {"/nonexistent/tool"}).str().find("cannot run /nonexistent/tool"),
            std::string::npos);
  Capabilities none;
  Natives n2(none);
  EXPECT_THROW(run(n2, {"/bin/echo"}), HostFault);
}

// A program that does not finish is killed at its timeout (an error value, quickly); one
// that writes for ever is cut at 64 KiB and stops on the closed pipe.
TEST(ExecNatives, TimeoutsAndEndlessOutputAreBounded) {
  Capabilities p = allow_programs({"/bin/sleep", "/usr/bin/yes"});
  Natives n(p);
  auto t0 = std::chrono::steady_clock::now();
  Value slow = run(n, {"/bin/sleep", "10"}, 200);
  auto took = std::chrono::steady_clock::now() - t0;
  ASSERT_TRUE(slow.is_error());
  EXPECT_EQ(slow.str(), "exec.run: /bin/sleep did not finish within 200 ms (killed)");
  EXPECT_LT(took, std::chrono::seconds(3));
  Value endless = run(n, {"/usr/bin/yes"}, 10'000);
  ASSERT_FALSE(endless.is_error()) << endless.str();
  EXPECT_TRUE(endless.field("truncated")->b);
  EXPECT_EQ(endless.field("stdout")->str().size(), 64u * 1024);
  EXPECT_EQ(endless.field("exit_code")->i, 128 + SIGPIPE);
}

}  // namespace
}  // namespace rbk::test
