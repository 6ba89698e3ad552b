// The HTTP side of `rbk serve`: cpp-httplib (this file on the server side, http_client.cpp
// on the client side are the only ones that include it), TLS, the limits a hostile client
// meets, the access log, the events stream, sign-in, and the signals that stop the server.
// What each /api route does is api.cpp's.
#include <httplib.h>

#include <fmt/format.h>
#include <signal.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <functional>
#include <iostream>
#include <mutex>
#include <thread>

#include "compiler/loader.hpp"
#include "run/owner.hpp"
#include "server/api.hpp"
#include "server/gate_watch.hpp"
#include "server/metrics.hpp"
#include "server/notifier.hpp"
#include "server/oidc.hpp"
#include "server/openapi.hpp"
#include "server/serve.hpp"
#include "server/settings.hpp"
#include "server/web_pages.hpp"
#include "stdlib/config.hpp"
#include "vm/json_read.hpp"
#include "vm/rbc.hpp"

namespace rbk::server {

namespace {

using Clock = std::chrono::steady_clock;

// Set by the signal thread; streams and the server stop on it.
std::atomic<bool> stopping{false};

// Connections served at once, and how many of them may be event streams.
constexpr int kConnectionThreads = 64;
// Connections to a shared store for the fan-out children a replica executes.
constexpr size_t kChildConnections = 4;
constexpr int kMaxStreams = kConnectionThreads / 2;
std::atomic<int> open_streams{0};

void send(httplib::Response& res, const ApiResponse& a) {
  res.status = a.status;
  res.set_content(a.body, a.content_type.c_str());
  if (!a.location.empty()) res.set_header("Location", a.location);
  res.set_header("Cache-Control", "no-store");
}

Metrics* metrics = nullptr;  // the server's, while it serves

// TEXT as one line of the log: control characters (a path may hold a decoded newline, to
// forge a line of its own) shown as '?', and at most 200 bytes.
std::string loggable(const std::string& text) {
  std::string out = text.substr(0, 200);
  for (char& c : out)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = '?';
  return out.size() < text.size() ? out + "…" : out;
}

// An access log line: never a header, a query or a body (they may carry secrets).
void log_request(const httplib::Request& req, int status, Clock::time_point t0,
                 const std::string& who) {
  double seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  if (metrics) metrics->request(req.method, route_of(req.path), status, seconds);
  std::cerr << fmt::format("rbk serve: {} {} {} {:.1f} ms{}\n", status, loggable(req.method),
                           loggable(req.path), seconds * 1000,
                           who.empty() ? "" : " " + loggable(who));
}

ApiRequest to_api(const httplib::Request& req) {
  ApiRequest a;
  a.method = req.method;
  a.path = req.path;
  for (const auto& [k, v] : req.params) a.query[k] = v;
  a.body = req.body;
  a.authorization = req.get_header_value("Authorization");
  a.cookie = req.get_header_value("Cookie");
  a.csrf = req.get_header_value("X-CSRF-Token");
  a.origin = req.get_header_value("Origin");
  return a;
}

// Each runbook's configuration, resolved once. A problem with a value whose name marks a
// secret is told without the value's text (the error could quote it).
void resolve_configs(ServerSetup& s, const std::string& text, const std::string& source) {
  for (const auto& e : s.catalogue->entries()) {
    const Program& p = *e.program;
    ConfigResult cfg = resolve_config(p, text, source);
    if (cfg.errors.empty()) {
      s.config[p.entry_runbook().name] = std::move(cfg.values);
      continue;
    }
    std::string why;
    for (std::string err : cfg.errors) {
      for (const auto& c : p.config)
        if (is_secret_name(c.name) && err.find(c.name) != std::string::npos)
          err =
              "configuration value '" + c.name + "' is missing or malformed (a secret: not shown)";
      why += (why.empty() ? "" : "; ") + err;
    }
    s.config_problems[p.entry_runbook().name] = why;
  }
}

// The run's events as Server-Sent Events: each stored trace event (its index as the event
// id, so a client that reconnects with Last-Event-ID misses none and sees none twice),
// then a "status" event whenever the run's state changes; the stream ends when the run
// has finished. The store is polled: a run executed by another process (rbk run, rbk
// approve) streams the same way.
bool stream_events(RunStore& store, const std::string& id, size_t next, httplib::DataSink& sink) {
  std::string last_status;
  auto last_write = Clock::now();
  auto write = [&](const std::string& s) {
    last_write = Clock::now();
    return sink.write(s.data(), s.size());
  };
  while (!stopping) {
    std::optional<RunRecord> rec = store.get(id);
    if (!rec) break;
    // The events first, then the state: a client that sees "ended" has seen every event.
    for (const auto& e : store.trace(id, next))
      if (!write(fmt::format("id: {}\nevent: trace\ndata: {}\n\n", next++, e))) return false;
    std::string status = run_state_name(current_state(*rec));
    if (status != last_status) {
      if (!write("event: status\ndata: " + Api::run_json(*rec).dump() + "\n\n")) return false;
      last_status = status;
    }
    if (rec->status == RunState::Ended || rec->status == RunState::Failed ||
        rec->status == RunState::Cancelled) {
      // Events written just before the status changed are in the store now.
      for (const auto& e : store.trace(id, next))
        if (!write(fmt::format("id: {}\nevent: trace\ndata: {}\n\n", next++, e))) return false;
      break;
    }
    // A comment each idle second: a client that went away is noticed by the write that
    // fails (within two), and its connection is free again.
    if (Clock::now() - last_write > std::chrono::seconds(1) && !write(":\n\n")) return false;
    if (!sink.is_writable()) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  sink.done();
  return true;
}

// Answers RES with an event stream that BODY writes, if a stream may open: each holds one
// of the 64 threads that serve connections, and at most half of them stream, so streams
// cannot starve the API (a 503 with Retry-After otherwise).
void open_stream(httplib::Response& res, std::function<bool(httplib::DataSink&)> body) {
  if (open_streams.fetch_add(1) >= kMaxStreams) {
    open_streams--;
    send(res, api_error(503, fmt::format("{} event streams are open, as many as this server "
                                         "keeps: try again later",
                                         kMaxStreams)));
    res.set_header("Retry-After", "5");
    return;
  }
  res.set_header("Cache-Control", "no-store");
  res.set_chunked_content_provider(
      "text/event-stream", [body](size_t, httplib::DataSink& sink) { return body(sink); },
      [](bool) { open_streams--; });
}

// The gates waiting, as Server-Sent Events: a "gates" event with the list (run id and plan
// hash of each, newest first) now, and again whenever it changes — a run pauses, a gate is
// decided, a plan changes. The store is polled, as for a run's events; the stream ends
// only when the client goes or the server stops.
bool stream_gates(RunStore& store, httplib::DataSink& sink) {
  std::string last;
  auto last_write = Clock::now();
  auto write = [&](const std::string& s) {
    last_write = Clock::now();
    return sink.write(s.data(), s.size());
  };
  while (!stopping) {
    RunFilter filter;
    filter.status = RunState::Paused;
    nlohmann::json gates = nlohmann::json::array();
    for (const auto& r : find_runs(store, filter, 1000))
      gates.push_back({{"id", r.id}, {"plan_hash", r.plan_hash}});
    std::string now = gates.dump();
    if (now != last) {
      if (!write("event: gates\ndata: {\"gates\":" + now + "}\n\n")) return false;
      last = now;
    }
    if (Clock::now() - last_write > std::chrono::seconds(1) && !write(":\n\n")) return false;
    if (!sink.is_writable()) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  sink.done();
  return true;
}

// A relative path of this server to go to after signing in ("/" for anything else, so a
// link cannot send a person elsewhere: "//evil.example", "https://…", "/\\evil").
std::string local_path(const std::string& p) {
  if (p.empty() || p[0] != '/' || (p.size() > 1 && (p[1] == '/' || p[1] == '\\')) ||
      p.find_first_of("\r\n") != std::string::npos)
    return "/";
  return p;
}

// A browser session for WHO, kept in the store by the hash of its cookie, which RES sets;
// the sign-in is audited with HOW (the provider, or the token).
void begin_browser_session(RunStore& store, const Identity& who, int64_t ttl_ms,
                           const std::string& how, bool secure, httplib::Response& res) {
  std::string session = base64url(random_bytes(32));
  BrowserSession b;
  b.hash = hex(sha256(session));
  b.name = who.name;
  b.roles = who.roles;
  b.csrf = base64url(random_bytes(24));
  b.created_at = system_now_ms();
  b.expires_at = b.created_at + ttl_ms;
  store.create_browser_session(b);
  std::string roles;
  for (const auto& r : b.roles) roles += (roles.empty() ? "" : ",") + r;
  store.append_audit({0, b.created_at, b.name, "sign-in", "", "", how + " (" + roles + ")"});
  res.set_header("Set-Cookie",
                 fmt::format("{}={}; Path=/; HttpOnly; SameSite=Lax; Max-Age={}{}", kSessionCookie,
                             session, ttl_ms / 1000, secure ? "; Secure" : ""));
}

// How long a browser signed in with an API token stays signed in (the token itself may
// live longer; signing in again takes it again).
constexpr int64_t kTokenSessionMs = 12LL * 3600 * 1000;

// /auth/login, /auth/callback, /auth/logout: single sign-on (oidc.hpp) and the browser
// session it makes; /auth/token: a browser signs in with an API token instead.
void add_sign_in_routes(httplib::Server& svr, OidcClient* oidc, RunStore& store, Api& api,
                        const std::string& public_url) {
  const bool secure = public_url.rfind("https://", 0) == 0;
  auto not_configured = [](httplib::Response& res) {
    send(res, api_error(404, "single sign-on is not configured (the settings' \"oidc\")"));
  };
  svr.Get("/auth/login", [=](const httplib::Request& req, httplib::Response& res) {
    auto t0 = Clock::now();
    if (!oidc) return not_configured(res);
    try {
      static std::mutex discovering;  // the provider is read once, when first needed
      static bool discovered = false;
      {
        std::lock_guard lock(discovering);
        if (!discovered) oidc->discover();
        discovered = true;
      }
      std::string url =
          oidc->begin(local_path(req.get_param_value("return")), req.get_param_value("login_hint"));
      res.set_redirect(url);
    } catch (const OidcError& e) {
      std::cerr << "rbk serve: sign-in: " << e.what() << "\n";
      send(res,
           api_error(503, std::string("the identity provider cannot be reached: ") + e.what()));
    }
    log_request(req, res.status, t0, "");
  });
  svr.Get("/auth/callback", [=, &store](const httplib::Request& req, httplib::Response& res) {
    auto t0 = Clock::now();
    if (!oidc) return not_configured(res);
    if (req.has_param("error")) {
      send(res, api_error(401, "the identity provider refused the sign-in: " +
                                   req.get_param_value("error")));
      log_request(req, res.status, t0, "");
      return;
    }
    try {
      OidcClient::SignedIn in =
          oidc->finish(req.get_param_value("code"), req.get_param_value("state"));
      begin_browser_session(store, in.identity, oidc->settings().session_ttl_ms,
                            oidc->settings().issuer, secure, res);
      res.set_redirect(in.return_to);
      log_request(req, res.status, t0, in.identity.name);
    } catch (const OidcError& e) {
      std::cerr << "rbk serve: sign-in refused: " << e.what() << "\n";
      send(res, api_error(401, std::string("sign-in failed: ") + e.what()));
      log_request(req, res.status, t0, "");
    }
  });
  // The token comes in a JSON body, which a page of another site cannot send without
  // asking first (CORS), so no one can sign a visitor in as themselves.
  svr.Post("/auth/token", [&store, public_url, secure](const httplib::Request& req,
                                                       httplib::Response& res) {
    auto t0 = Clock::now();
    std::string name;
    std::string origin = req.get_header_value("Origin");
    size_t host_end = public_url.find('/', public_url.find("://") + 3);
    if (req.get_header_value("Content-Type").rfind("application/json", 0) != 0) {
      send(res, api_error(415, "sign in with {\"token\": \"…\"} as application/json"));
    } else if (!origin.empty() && !public_url.empty() && origin != public_url.substr(0, host_end)) {
      send(res, api_error(403, "the request comes from another site (" + origin + ")"));
    } else {
      std::string token;
      try {
        nlohmann::json body = read_json(req.body);  // depth-limited, as every body
        if (body.is_object() && body.size() == 1 && body.contains("token") &&
            body["token"].is_string())
          token = body["token"];
      } catch (const std::exception&) {  // JsonReadError: not JSON
      }
      if (token.empty()) {
        send(res, api_error(400, "sign in with {\"token\": \"…\"} (rbk token create)"));
      } else {
        std::string why;
        std::optional<Identity> who = identify(store, "Bearer " + token, "", why);
        if (!who) {
          send(res, api_error(401, why));
        } else {
          begin_browser_session(store, *who, kTokenSessionMs, who->via, secure, res);
          name = who->name;
          ApiResponse out;
          out.body = nlohmann::json{{"name", who->name}, {"roles", who->roles}}.dump();
          send(res, out);
        }
      }
    }
    log_request(req, res.status, t0, name);
  });
  svr.Post("/auth/logout", [&api, &store](const httplib::Request& req, httplib::Response& res) {
    auto t0 = Clock::now();
    ApiRequest a = to_api(req);
    std::string why;
    std::optional<Identity> who = api.authenticate("", a.cookie, why);
    if (!who) {
      send(res, api_error(401, why));
    } else if (std::string problem = api.csrf_problem(a, *who); !problem.empty()) {
      send(res, api_error(403, problem));
    } else {
      store.end_browser_session(who->session_hash);
      res.set_header("Set-Cookie", std::string(kSessionCookie) + "=; Path=/; HttpOnly; Max-Age=0");
      ApiResponse out;
      out.body = R"({"signed_out":true})";
      send(res, out);
    }
    log_request(req, res.status, t0, who ? who->name : "");
  });
}

// Headers every page and asset carries: its content security policy, and no sniffing,
// framing or referrer (a run's address names its id).
void protect(httplib::Response& res) {
  res.set_header("Content-Security-Policy", kContentSecurityPolicy);
  res.set_header("X-Content-Type-Options", "nosniff");
  res.set_header("X-Frame-Options", "DENY");
  res.set_header("Referrer-Policy", "no-referrer");
}

// The web pages (web_pages.hpp): the page for every page path, the assets by their hashed
// names, and /auth/session, which tells a page who is signed in without an error status
// when no one is (the page asks it first, before it knows).
void add_web_routes(httplib::Server& svr, Api& api, bool sso) {
  const std::string page = web_page(sso);
  svr.Get(R"(/assets/[0-9a-f]+/[A-Za-z0-9._-]+)",
          [](const httplib::Request& req, httplib::Response& res) {
            const WebAsset* a = web_asset(req.path);
            if (!a) {
              send(res, api_error(404, "no asset " + req.path));
              return;
            }
            protect(res);
            res.set_header("Cache-Control", "public, max-age=31536000, immutable");
            res.set_content(a->body, a->content_type.c_str());
          });
  auto page_route = [page](const httplib::Request& req, httplib::Response& res) {
    auto t0 = Clock::now();
    if (!is_web_page(req.path)) {
      send(res, api_error(404, "no such page: " + req.path));
    } else {
      protect(res);
      res.set_header("Cache-Control", "no-cache");
      res.set_content(page, "text/html; charset=utf-8");
    }
    log_request(req, res.status, t0, "");
  };
  for (const char* pattern : {R"(/)", R"(/signin)", R"(/(runbooks|runs|gates)(/.*)?)"})
    svr.Get(pattern, page_route);
  svr.Get("/auth/session", [&api, sso](const httplib::Request& req, httplib::Response& res) {
    auto t0 = Clock::now();
    ApiRequest a = to_api(req);
    a.method = "GET";
    a.path = "/api/whoami";
    a.query.clear();
    ApiResponse who = api.handle(a);
    nlohmann::json out = {{"sso", sso}};
    if (who.status == 200) {
      out.update(nlohmann::json::parse(who.body));
      out["signed_in"] = true;
    } else if (who.status == 401) {
      out["signed_in"] = false;
      out["why"] = nlohmann::json::parse(who.body)["error"];
    } else {
      send(res, who);
      log_request(req, res.status, t0, "");
      return;
    }
    ApiResponse answer;
    answer.body = out.dump();
    send(res, answer);
    log_request(req, res.status, t0, who.who);
  });
}

// Splits HOST:PORT (the host may be a bracketed IPv6 address).
bool parse_listen(const std::string& listen, std::string& host, int& port) {
  size_t colon = listen.rfind(':');
  if (colon == std::string::npos || colon == 0) return false;
  host = listen.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  try {
    size_t used = 0;
    port = std::stoi(listen.substr(colon + 1), &used);
    return used == listen.size() - colon - 1 && port >= 0 && port <= 65535;
  } catch (const std::exception&) {
    return false;
  }
}

}  // namespace

int serve(const ServeOptions& o) {
  auto fail = [](const std::string& why) {
    std::cerr << "rbk serve: " << why << "\n";
    return 2;
  };
  std::string host;
  int port = 0;
  if (!parse_listen(o.listen, host, port))
    return fail("--listen takes HOST:PORT (127.0.0.1:8080), not '" + o.listen + "'");
  if (o.tls_cert.empty() != o.tls_key.empty())
    return fail("HTTPS needs both --tls-cert and --tls-key");
  int64_t lease_ms = 0;
  if (!parse_duration(o.lease, lease_ms) || lease_ms < 1000)
    return fail("--lease takes a duration of a second or more (15s), not '" + o.lease + "'");
  set_process_label("serve");  // before any run is owned: see RunExecutor::resume_interrupted
  // SIGINT and SIGTERM stop the server from a thread of its own (httplib's stop() is not
  // safe in a signal handler); every thread started from here on
  // (the executor's, httplib's) inherits them blocked.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  ServerSetup setup;
  std::string config_text, error;
  if (!o.policy.empty()) {
    if (!read_file(o.policy, setup.policy_text, error))
      return fail("cannot read " + o.policy + ": " + error);
    try {
      setup.policy = parse_policy(setup.policy_text, o.policy);
    } catch (const PolicyError& e) {
      return fail(e.what());
    }
  }
  if (!o.config.empty() && !read_file(o.config, config_text, error))
    return fail("cannot read " + o.config + ": " + error);
  Settings settings;
  if (!o.settings.empty()) {
    std::string text;
    if (!read_file(o.settings, text, error))
      return fail("cannot read " + o.settings + ": " + error);
    try {
      settings = parse_settings(text, o.settings);
    } catch (const SettingsError& e) {
      return fail(e.what());
    }
  }
  std::optional<Catalogue> catalogue;
  try {
    catalogue = Catalogue::load(o.runbooks);
  } catch (const std::exception& e) {  // CatalogueError, Graphviz
    return fail(e.what());
  }
  std::unique_ptr<RunStore> store;
  try {
    store = RunStore::open(o.store);
  } catch (const StoreError& e) {
    return fail(e.what());
  }
  setup.store = store.get();
  setup.catalogue = &*catalogue;
  setup.public_url = settings.public_url;
  std::optional<OidcClient> oidc;
  if (settings.oidc) oidc.emplace(*settings.oidc, settings.public_url + "/auth/callback");
  resolve_configs(setup, config_text, o.config.empty() ? "the environment" : o.config);
  for (const auto& [name, why] : setup.config_problems)
    std::cerr << "rbk serve: runbook '" << name << "' cannot start: " << why << "\n";

  std::unique_ptr<httplib::Server> svr;
  if (!o.tls_cert.empty()) {
    for (const auto& f : {o.tls_cert, o.tls_key})
      if (!std::filesystem::is_regular_file(f)) return fail("cannot read " + f);
    auto ssl = std::make_unique<httplib::SSLServer>(o.tls_cert.c_str(), o.tls_key.c_str());
    if (!ssl->is_valid())
      return fail("cannot use " + o.tls_cert + " and " + o.tls_key +
                  " as a TLS certificate and key (PEM, matching)");
    svr = std::move(ssl);
  } else {
    svr = std::make_unique<httplib::Server>();
  }

  Metrics server_metrics;
  metrics = &server_metrics;
  Notifier notifier(settings);
  // Every gate that starts waiting in the store is told, whichever process paused the run.
  std::optional<GateWatch> gate_watch;
  if (!settings.webhooks.empty())
    gate_watch.emplace(*store, [&](const RunRecord& rec) { notifier.gate_waiting(rec); });
  // A store the replicas share shares the runs' children too, through connections of
  // their own (a fan-out's thousands of children do not queue behind the API's reads, nor
  // all behind one statement at a time).
  std::vector<std::unique_ptr<RunStore>> children_stores;
  if (store->shares_children()) try {
      for (size_t i = 0; i < std::min<size_t>(kChildConnections, o.child_workers); ++i)
        children_stores.push_back(RunStore::open(o.store));
    } catch (const StoreError& e) {
      return fail(e.what());
    }
  RunExecutor executor(
      *store, o.workers,
      [&](const RunSession& session, const RunResult& r) {
        server_metrics.run_executed(session.record(), r, session.journal_stats());
      },
      &server_metrics, std::chrono::milliseconds(lease_ms), std::move(children_stores),
      o.child_workers);
  setup.executor = &executor;
  Api api(setup);

  // Limits a hostile client meets: bodies, slow senders, idle connections, and a thread
  // pool that bounds how many connections are served at once (the rest wait in the queue).
  svr->set_payload_max_length(o.max_body);
  svr->set_read_timeout(10, 0);
  svr->set_write_timeout(10, 0);
  svr->set_keep_alive_timeout(5);
  svr->set_keep_alive_max_count(1000);
  svr->new_task_queue = [] { return new httplib::ThreadPool(kConnectionThreads); };
  // An answer's headers and body are separate writes: without TCP_NODELAY the body waits
  // for the client's delayed ACK (40 ms a request on Linux).
  svr->set_tcp_nodelay(true);

  // Errors httplib answers itself (413, 400 for a malformed request, 404) get a JSON body.
  svr->set_error_handler([](const httplib::Request& req, httplib::Response& res) {
    if (!res.body.empty()) return;
    std::string why = res.status == 413 ? "the request body is larger than this server takes"
                      : res.status == 404
                          ? "no such route: " + req.method + " " + req.path + " (see /openapi.json)"
                          : "the request is malformed";
    res.set_content(nlohmann::json{{"error", why}}.dump(), "application/json");
  });
  svr->set_exception_handler(
      [](const httplib::Request& req, httplib::Response& res, std::exception_ptr ep) {
        std::string what = "unknown";
        try {
          std::rethrow_exception(ep);
        } catch (const std::exception& e) {
          what = e.what();
        } catch (...) {
        }
        std::cerr << "rbk serve: internal error on " << req.method << " " << req.path << ": "
                  << what << "\n";
        res.status = 500;
        res.set_content(nlohmann::json{{"error", "internal error (see the server's log)"}}.dump(),
                        "application/json");
      });

  svr->Get("/healthz", [](const httplib::Request& req, httplib::Response& res) {
    auto t0 = Clock::now();
    res.set_content(R"({"status":"ok"})", "application/json");
    log_request(req, 200, t0, "");
  });
  svr->Get("/readyz", [&](const httplib::Request& req, httplib::Response& res) {
    auto t0 = Clock::now();
    try {
      store->list({}, 1);
      res.set_content(nlohmann::json{{"status", "ready"},
                                     {"runbooks", catalogue->entries().size()},
                                     {"executing", executor.executing()},
                                     {"queued", executor.queued()},
                                     {"streams", open_streams.load()}}
                          .dump(),
                      "application/json");
    } catch (const StoreError& e) {
      res.status = 503;
      res.set_content(
          nlohmann::json{{"error", std::string("the run store fails: ") + e.what()}}.dump(),
          "application/json");
    }
    log_request(req, res.status, t0, "");
  });
  svr->Get("/openapi.json", [](const httplib::Request&, httplib::Response& res) {
    res.set_content(kOpenApi, "application/json");
  });
  // Counts and latencies only (no parameter, no secret): readable without an identity, as
  // Prometheus scrapes; a proxy can restrict it (docs/server.md).
  svr->Get("/metrics", [&](const httplib::Request& req, httplib::Response& res) {
    auto t0 = Clock::now();
    try {
      res.set_content(server_metrics.render(*store, executor.figures()),
                      "text/plain; version=0.0.4; charset=utf-8");
    } catch (const StoreError& e) {
      send(res, api_error(503, std::string("the run store fails: ") + e.what()));
    }
    log_request(req, res.status, t0, "");
  });
  svr->Get(R"(/api/runs/([^/]+)/events)", [&](const httplib::Request& req, httplib::Response& res) {
    auto t0 = Clock::now();
    std::string why;
    std::optional<Identity> who = api.authenticate(req.get_header_value("Authorization"),
                                                   req.get_header_value("Cookie"), why);
    const std::string id = req.matches[1];
    if (!who) {
      send(res, api_error(401, why));
    } else if (!store->get(id)) {
      send(res, api_error(404, "no run " + id));
    } else {
      size_t from = 0;
      std::string last = req.get_header_value("Last-Event-ID");
      if (!last.empty()) {
        try {
          from = std::stoul(last) + 1;
        } catch (const std::exception&) {
          send(res, api_error(400, "Last-Event-ID takes the id of an event, not '" + last + "'"));
          log_request(req, res.status, t0, who->name);
          return;
        }
      }
      open_stream(res, [&store = *store, id, from](httplib::DataSink& sink) {
        return stream_events(store, id, from, sink);
      });
    }
    log_request(req, res.status, t0, who ? who->name : "");
  });
  svr->Get("/api/gates/events", [&](const httplib::Request& req, httplib::Response& res) {
    auto t0 = Clock::now();
    std::string why;
    std::optional<Identity> who = api.authenticate(req.get_header_value("Authorization"),
                                                   req.get_header_value("Cookie"), why);
    if (!who)
      send(res, api_error(401, why));
    else
      open_stream(res,
                  [&store = *store](httplib::DataSink& sink) { return stream_gates(store, sink); });
    log_request(req, res.status, t0, who ? who->name : "");
  });
  add_sign_in_routes(*svr, oidc ? &*oidc : nullptr, *store, api, settings.public_url);
  add_web_routes(*svr, api, oidc.has_value());
  auto api_route = [&](const httplib::Request& req, httplib::Response& res) {
    auto t0 = Clock::now();
    ApiResponse a = api.handle(to_api(req));
    send(res, a);
    log_request(req, a.status, t0, a.who);
  };
  for (const char* pattern : {R"(/api/.*)"}) {
    svr->Get(pattern, api_route);
    svr->Post(pattern, api_route);
    svr->Put(pattern, api_route);
    svr->Patch(pattern, api_route);
    svr->Delete(pattern, api_route);
  }

  int bound = port == 0 ? svr->bind_to_any_port(host) : (svr->bind_to_port(host, port) ? port : -1);
  if (bound < 0) return fail("cannot listen on " + o.listen + " (in use, or not an address here)");

  std::thread signal_thread([&] {
    int sig = 0;
    sigwait(&signals, &sig);
    if (stopping.exchange(true)) return;
    std::cerr << "rbk serve: stopping (" << (sig == SIGTERM ? "SIGTERM" : "SIGINT")
              << "); runs in flight stop where they can resume\n";
    svr->stop();
  });

  size_t resumed = executor.resume_interrupted();
  std::cout << fmt::format("rbk serve: listening on {}://{}:{} ({} runbook{}, store {}{})",
                           o.tls_cert.empty() ? "http" : "https",
                           host.find(':') != std::string::npos ? "[" + host + "]" : host, bound,
                           catalogue->entries().size(), catalogue->entries().size() == 1 ? "" : "s",
                           store->path(),
                           resumed
                               ? fmt::format(", {} run{} resumed", resumed, resumed == 1 ? "" : "s")
                               : "")
            << std::endl;
  svr->listen_after_bind();
  if (!stopping.exchange(true)) {  // listening failed: the signal thread still waits
    pthread_kill(signal_thread.native_handle(), SIGTERM);
  }
  signal_thread.join();
  executor.shutdown();
  metrics = nullptr;
  std::cerr << "rbk serve: stopped\n";
  return 0;
}

}  // namespace rbk::server
