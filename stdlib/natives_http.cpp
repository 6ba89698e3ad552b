// HTTP with JSON bodies, through cpp-httplib (TLS through OpenSSL). The only translation
// unit that includes httplib.h.
#include <httplib.h>

#include <chrono>
#include <map>
#include <memory>
#include <random>
#include <thread>

#include "stdlib/action_keys.hpp"
#include "stdlib/natives.hpp"
#include "vm/json_read.hpp"
#include "vm/value_json.hpp"

namespace rbk {

bool parse_url(const std::string& text, Url& out) {
  static const std::map<std::string, int> web{{"http", 80}, {"https", 443}};
  return parse_url(text, web, out);
}

bool parse_url(const std::string& text, const std::map<std::string, int>& schemes, Url& out) {
  auto colon = text.find("://");
  if (colon == std::string::npos) return false;
  out.scheme = text.substr(0, colon);
  auto known = schemes.find(out.scheme);
  if (known == schemes.end()) return false;
  std::string rest = text.substr(colon + 3);
  auto slash = rest.find('/');
  std::string authority = rest.substr(0, slash);
  out.path = slash == std::string::npos ? "/" : rest.substr(slash);
  if (authority.empty() || authority.find('@') != std::string::npos) return false;
  auto port_colon = authority.rfind(':');
  if (port_colon != std::string::npos && authority.find(']') == std::string::npos) {
    out.host = authority.substr(0, port_colon);
    try {
      out.port = std::stoi(authority.substr(port_colon + 1));
    } catch (...) {
      return false;
    }
    if (out.port <= 0 || out.port > 65535) return false;
  } else {
    out.host = authority;
    out.port = known->second;
  }
  return !out.host.empty();
}

namespace {

std::string describe_error(httplib::Error e) {
  switch (e) {
    case httplib::Error::Connection:
      return "connection refused or unreachable";
    case httplib::Error::Read:
      return "timed out or failed reading the answer";
    case httplib::Error::Write:
      return "failed sending the request";
    case httplib::Error::ConnectionTimeout:
      return "connection timed out";
    case httplib::Error::SSLConnection:
      return "TLS handshake failed";
    case httplib::Error::SSLServerVerification:
      return "the server's certificate did not verify";
    default:
      return httplib::to_string(e);
  }
}

// A client per server and thread, kept between requests: its connection stays open
// (keep-alive), so the children of a fleet, each on a pool thread, do not connect anew for
// every probe. A thread keeps a few servers' clients at most.
httplib::Client& connection(const std::string& origin) {
  thread_local std::map<std::string, std::unique_ptr<httplib::Client>> clients;
  auto it = clients.find(origin);
  if (it == clients.end()) {
    if (clients.size() >= 16) clients.clear();
    auto client = std::make_unique<httplib::Client>(origin);
    client->set_keep_alive(true);
    client->set_tcp_nodelay(true);  // (small requests on a kept connection: no 40 ms delayed ACK)
    it = clients.emplace(origin, std::move(client)).first;
  }
  return *it->second;
}

}  // namespace

std::string http_body_text(const HttpRequest& req) {
  return req.body.is_null() ? "" : to_plain_json(req.body).dump();
}

FormAnswer http_post_form(const std::string& url_text, const std::string& form,
                          const std::vector<std::pair<std::string, std::string>>& headers) {
  Url url;
  if (!parse_url(url_text, url)) return FormAnswer{0, "", "not an http or https URL"};
  httplib::Client& client = connection(url.scheme + "://" + url.host_port());
  client.set_connection_timeout(std::chrono::seconds(10));
  client.set_read_timeout(std::chrono::seconds(10));
  client.set_write_timeout(std::chrono::seconds(10));
  client.enable_server_certificate_verification(true);
  httplib::Headers h;
  for (const auto& [k, v] : headers) h.emplace(k, v);
  httplib::Result res = client.Post(url.path, h, form, "application/x-www-form-urlencoded");
  if (!res) return FormAnswer{0, "", describe_error(res.error())};
  return FormAnswer{res->status, res->body, ""};
}

Value http_json(const HttpRequest& req, int* status) {
  if (status) *status = 0;
  Url url;
  std::string what = req.method + " " + req.url;
  if (!parse_url(req.url, url)) return Value::error(what + ": not an http or https URL");
  httplib::Client& client = connection(url.scheme + "://" + url.host_port());
  auto secs = std::chrono::milliseconds(req.timeout_ms);
  client.set_connection_timeout(std::chrono::duration_cast<std::chrono::microseconds>(secs));
  client.set_read_timeout(std::chrono::duration_cast<std::chrono::microseconds>(secs));
  client.set_write_timeout(std::chrono::duration_cast<std::chrono::microseconds>(secs));
  client.enable_server_certificate_verification(true);
  httplib::Headers headers;
  for (const auto& [k, v] : req.headers) headers.emplace(k, v);
  if (const std::string& key = action_key(); !key.empty()) headers.emplace("Idempotency-Key", key);
  std::string body = http_body_text(req);

  std::mt19937 rng(std::random_device{}());
  std::string last_error;
  bool resent_dropped = false;
  for (int attempt = 0; attempt <= req.retries; ++attempt) {
    if (attempt > 0) {
      // Exponential backoff with jitter: 100 ms, 200 ms, 400 ms, … each +0-50 %.
      int64_t base = 100LL << std::min(attempt - 1, 10);
      int64_t wait = base + static_cast<int64_t>(rng() % static_cast<uint32_t>(base / 2 + 1));
      std::this_thread::sleep_for(std::chrono::milliseconds(wait));
    }
    auto sent = std::chrono::steady_clock::now();
    httplib::Result res =
        req.method == "GET"    ? client.Get(url.path, headers)
        : req.method == "POST" ? client.Post(url.path, headers, body, "application/json")
        : req.method == "PUT"  ? client.Put(url.path, headers, body, "application/json")
                               : client.Delete(url.path, headers, body, "application/json");
    if (!res) {
      last_error = what + ": " + describe_error(res.error());
      // A kept connection the server closed as the request went out fails at once: sent
      // again on a new one, when that cannot do anything twice (a GET, or a request with
      // its action's idempotency key), whatever the retries.
      bool dropped =
          (res.error() == httplib::Error::Read || res.error() == httplib::Error::Write) &&
          std::chrono::steady_clock::now() - sent < std::chrono::seconds(1);
      if (dropped && !resent_dropped && (req.method == "GET" || !action_key().empty())) {
        resent_dropped = true;
        --attempt;
      }
      continue;  // a network failure may pass
    }
    if (status) *status = res->status;
    if (res->status >= 500) {
      last_error = what + ": status " + std::to_string(res->status);
      continue;
    }
    if (res->status < 200 || res->status >= 300)
      return Value::error(what + ": status " + std::to_string(res->status));
    if (res->body.empty()) return Value::null();
    try {
      return from_plain_json(read_json(res->body));
    } catch (const JsonReadError& e) {
      std::string start = res->body.substr(0, 40);
      return Value::error(what + ": the answer is not JSON (it begins \"" + start +
                          "\"): " + e.what());
    }
  }
  if (req.retries > 0) last_error += " (after " + std::to_string(req.retries + 1) + " attempts)";
  return Value::error(last_error);
}

}  // namespace rbk
