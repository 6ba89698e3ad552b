// Dispatch of the world-reaching natives, the policy check before each, and the socket-
// level ones: tcp.connect, dns.resolve, tls.peer_certificate (OpenSSL).
#include "stdlib/natives.hpp"

#include <strings.h>

#include <arpa/inet.h>
#include <netdb.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <ctime>
#include <set>

#include "stdlib/net_stream.hpp"
#include "vm/value_json.hpp"

namespace rbk {

namespace {

std::vector<std::pair<std::string, std::string>> header_list(const Value& v) {
  std::vector<std::pair<std::string, std::string>> out;
  if (v.kind != ValueKind::Record) return out;
  for (size_t i = 0; i < v.keys().size(); ++i)
    out.emplace_back(v.keys()[i], to_display(v.items()[i]));
  return out;
}

std::string name_text(X509_NAME* name) {
  BIO* bio = BIO_new(BIO_s_mem());
  X509_NAME_print_ex(bio, name, 0, XN_FLAG_RFC2253);
  char* data = nullptr;
  long n = BIO_get_mem_data(bio, &data);
  std::string s(data, static_cast<size_t>(n));
  BIO_free(bio);
  return s;
}

}  // namespace

void Natives::allow(const FunctionInfo& fn, const std::string& host_port) {
  const std::string capability(native_row(*fn.native).capability);
  std::string policy =
      allowed_.source.empty() ? "no policy file (give one with --policy)" : allowed_.source;
  if (!allowed_.grants(capability))
    throw HostFault(fn.name + ": capability '" + capability + "' is not granted by " + policy);
  if (!allowed_.host_allowed(capability, host_port))
    throw HostFault(fn.name + ": " + policy + " does not allow " + capability + " to " + host_port);
}

Value Natives::call(const FunctionInfo& fn, const std::vector<Value>& args) {
  if (!fn.native) return Value::error("no native " + fn.name);
  switch (*fn.native) {
    case NativeId::HttpGetJson:
      return http(fn, "GET", args);
    case NativeId::HttpPostJson:
      return http(fn, "POST", args);
    case NativeId::HttpPutJson:
      return http(fn, "PUT", args);
    case NativeId::HttpQueryJson:
      // A probe that POSTs: only where the policy says a POST only reads, or a dry-run's
      // probes could change the world.
      if (!allowed_.read_only_post(args.at(0).str()))
        throw HostFault(
            fn.name + ": " +
            (allowed_.source.empty() ? std::string("no policy file") : allowed_.source) +
            " does not list " + args.at(0).str() +
            " among its read-only POST endpoints (\"read_only_posts\")");
      return http(fn, "POST", args);
    case NativeId::HttpDelete:
      return http(fn, "DELETE", args);
    case NativeId::PrometheusQuery:
      return prometheus(fn, args, false);
    case NativeId::PrometheusScalar:
      return prometheus(fn, args, true);
    case NativeId::NotifyWebhook: {
      Url url;
      if (!parse_url(args.at(0).str(), url))
        return Value::error("POST " + args.at(0).str() + ": not an http or https URL");
      allow(fn, url.host_port());
      Value v = http_json(HttpRequest{"POST", args[0].str(), args.at(1), {}, 10'000, 2});
      return v.is_error() ? v : Value::null();
    }
    case NativeId::ExecRun:
      return exec_run(fn, args);
    case NativeId::MqttPublish:
    case NativeId::MqttRetained:
    case NativeId::MqttReceive:
      return mqtt(fn, args);
    case NativeId::RedisTtl:
    case NativeId::RedisSetSize:
    case NativeId::RedisRead:
      return redis(fn, args);
    case NativeId::TcpConnect:
      return tcp_connect(fn, args);
    case NativeId::DnsResolve:
      return dns_resolve(fn, args);
    case NativeId::TlsPeerCertificate:
      return tls_certificate(fn, args);
    // Computed by the VM (the pure ones and the clock); listed so that a new row of
    // lang/natives.def without a case here does not compile (-Werror=switch).
    case NativeId::TimeNow:
    case NativeId::TimeSince:
    case NativeId::TimeParse:
    case NativeId::TimeFormat:
    case NativeId::LenString:
    case NativeId::LenList:
    case NativeId::ContainsString:
    case NativeId::ContainsList:
    case NativeId::Lower:
    case NativeId::Upper:
    case NativeId::Trim:
    case NativeId::StartsWith:
    case NativeId::EndsWith:
    case NativeId::Split:
    case NativeId::Join:
    case NativeId::Any:
    case NativeId::All:
    case NativeId::Count:
    case NativeId::AbsInt:
    case NativeId::AbsFloat:
    case NativeId::AbsDuration:
    case NativeId::Round:
    case NativeId::Floor:
    case NativeId::Ceil:
    case NativeId::SumInt:
    case NativeId::SumFloat:
    case NativeId::SumDuration:
    case NativeId::MinInt:
    case NativeId::MinFloat:
    case NativeId::MinDuration:
    case NativeId::MinTime:
    case NativeId::MinPercent:
    case NativeId::MaxInt:
    case NativeId::MaxFloat:
    case NativeId::MaxDuration:
    case NativeId::MaxTime:
    case NativeId::MaxPercent:
    case NativeId::PercentOf:
    case NativeId::UrlEncode:
    case NativeId::UrlQuery:
    case NativeId::ReMatches:
    case NativeId::ReFind:
    case NativeId::ReFindAll:
    case NativeId::ReReplace:
      break;
  }
  return Value::error("no world-reaching native " + fn.name);
}

Value Natives::http(const FunctionInfo& fn, const std::string& method,
                    const std::vector<Value>& args) {
  // get_json(url, headers, timeout, retries); the others (url, body, headers, timeout, retries);
  // delete(url, headers, timeout, retries).
  HttpRequest req;
  req.method = method;
  req.url = args.at(0).str();
  size_t k = 1;
  if (method == "POST" || method == "PUT") req.body = args.at(k++);  // (query_json's too)
  req.headers = header_list(args.at(k++));
  req.timeout_ms = args.at(k++).i;
  req.retries = static_cast<int>(std::clamp<int64_t>(args.at(k++).i, 0, 10));
  Url url;
  if (!parse_url(req.url, url))
    return Value::error(method + " " + req.url + ": not an http or https URL");
  allow(fn, url.host_port());
  return send(fn, std::move(req), args.at(k).str());
}

Value Natives::send(const FunctionInfo& fn, HttpRequest req, const std::string& named) {
  const std::string policy =
      allowed_.source.empty() ? "no policy file (give one with --policy)" : allowed_.source;
  Url url;
  parse_url(req.url, url);
  std::string auth = named;
  if (auth.empty() && credentials_)
    if (std::string why = credentials_->automatic_for(url.host, url.port, auth); !why.empty())
      throw HostFault(fn.name + ": " + why.substr(8) + " in " + policy);
  if (auth.empty()) return http_json(req);
  if (!credentials_)
    throw HostFault(fn.name + ": auth \"" + auth + "\": the run has no credentials (" + policy +
                    " names none)");
  for (const auto& [name, value] : req.headers)
    if (strcasecmp(name.c_str(), "Authorization") == 0)
      return Value::error(req.method + " " + req.url +
                          ": both an Authorization header and auth \"" + auth + "\": give one");
  const std::string plain = http_body_text(req);
  const std::vector<std::pair<std::string, std::string>> given = req.headers;
  for (int attempt = 0;; ++attempt) {
    size_t q = url.path.find('?');
    OutgoingRequest out{req.method,
                        url.scheme,
                        url.host,
                        url.path.substr(0, q),
                        q == std::string::npos ? "" : url.path.substr(q + 1),
                        url.port,
                        plain,
                        given};
    if (std::string why = credentials_->authorize(auth, out); !why.empty()) {
      if (why.rfind("policy: ", 0) == 0)
        throw HostFault(fn.name + ": " + why.substr(8) + " in " + policy);
      return Value::error(req.method + " " + req.url + ": " + why);
    }
    req.headers = out.headers;
    int status = 0;
    Value answer = http_json(req, &status);
    if (status != 401 || attempt > 0 || !credentials_->refresh_after_refusal(auth)) return answer;
  }
}

bool Natives::connection_auth(const FunctionInfo& fn, const std::string& auth,
                              const std::string& host, int port, ConnectionAuth& out) {
  const std::string policy =
      allowed_.source.empty() ? "no policy file (give one with --policy)" : allowed_.source;
  std::string name = auth;
  if (name.empty() && credentials_)
    if (std::string why = credentials_->automatic_for(host, port, name, true); !why.empty())
      throw HostFault(fn.name + ": " + why.substr(8) + " in " + policy);
  if (name.empty()) return false;
  if (!credentials_)
    throw HostFault(fn.name + ": auth \"" + name + "\": the run has no credentials (" + policy +
                    " names none)");
  if (std::string why = credentials_->connect_with(name, host, port, out); !why.empty())
    throw HostFault(fn.name + ": " + why.substr(8) + " in " + policy);
  return true;
}

Value Natives::prometheus(const FunctionInfo& fn, const std::vector<Value>& args, bool scalar) {
  std::string base = args.at(0).str();
  Url url;
  if (!parse_url(base, url))
    return Value::error("prometheus: " + base + " is not an http or https URL");
  allow(fn, url.host_port());
  std::string q;
  for (unsigned char c : args.at(1).str()) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~')
      q += static_cast<char>(c);
    else {
      char buf[4];
      std::snprintf(buf, sizeof buf, "%%%02X", c);
      q += buf;
    }
  }
  while (!base.empty() && base.back() == '/') base.pop_back();
  Value answer =
      send(fn, HttpRequest{"GET", base + "/api/v1/query?query=" + q, {}, {}, args.at(2).i, 0},
           args.at(3).str());
  if (answer.is_error()) return answer;
  const Value* data = answer.field("data");
  const Value* type = data ? data->field("resultType") : nullptr;
  const Value* result = data ? data->field("result") : nullptr;
  if (!type || !result || type->kind != ValueKind::String)
    return Value::error("prometheus: the answer has no data.resultType and data.result");
  auto number = [](const Value& pair) -> std::optional<double> {
    if (pair.kind != ValueKind::List || pair.items().size() != 2 ||
        pair.items()[1].kind != ValueKind::String)
      return std::nullopt;
    try {
      return std::stod(pair.items()[1].str());
    } catch (...) {
      return std::nullopt;
    }
  };
  std::vector<Value> series;
  if (type->str() == "scalar") {
    auto v = number(*result);
    if (!v) return Value::error("prometheus: malformed scalar");
    if (scalar) return Value::floating(*v);
    series.push_back(
        Value::record({"labels", "value"}, {Value::record({}, {}), Value::floating(*v)}));
  } else if (type->str() == "vector" && result->kind == ValueKind::List) {
    for (const auto& s : result->items()) {
      const Value* metric = s.field("metric");
      const Value* value = s.field("value");
      auto v = value ? number(*value) : std::nullopt;
      if (!v) return Value::error("prometheus: malformed sample");
      series.push_back(Value::record(
          {"labels", "value"}, {metric ? *metric : Value::record({}, {}), Value::floating(*v)}));
    }
    if (scalar) {
      if (series.empty()) return Value::null();
      if (series.size() > 1)
        return Value::error("prometheus.scalar: the query returned " +
                            std::to_string(series.size()) + " series, not one");
      return *series[0].field("value");
    }
  } else {
    return Value::error("prometheus: result type " + type->str() +
                        " is not supported (instant vector or scalar)");
  }
  return Value::list(std::move(series));
}

Value Natives::tcp_connect(const FunctionInfo& fn, const std::vector<Value>& args) {
  std::string host = args.at(0).str();
  int64_t port = args.at(1).i;
  if (port <= 0 || port > 65535)
    return Value::error("tcp.connect: port " + std::to_string(port) + " is out of range");
  allow(fn, host + ":" + std::to_string(port));
  auto t0 = std::chrono::steady_clock::now();
  std::string why;
  int fd = connect_with_timeout(host, static_cast<int>(port), args.at(2).i, why);
  auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0)
          .count();
  if (fd >= 0) close(fd);
  // Unreachable is an answer, not a failure: the runbook branches on it.
  return Value::record({"reachable", "latency"}, {Value::boolean(fd >= 0), Value::duration(ms)});
}

Value Natives::dns_resolve(const FunctionInfo& fn, const std::vector<Value>& args) {
  std::string name = args.at(0).str();
  allow(fn, name + ":53");
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  int rc = getaddrinfo(name.c_str(), nullptr, &hints, &res);
  if (rc != 0) return Value::error("dns.resolve " + name + ": " + gai_strerror(rc));
  std::vector<Value> out;
  std::set<std::string> seen;
  for (addrinfo* a = res; a; a = a->ai_next) {
    char buf[INET6_ADDRSTRLEN] = {};
    void* addr = a->ai_family == AF_INET
                     ? static_cast<void*>(&reinterpret_cast<sockaddr_in*>(a->ai_addr)->sin_addr)
                     : static_cast<void*>(&reinterpret_cast<sockaddr_in6*>(a->ai_addr)->sin6_addr);
    inet_ntop(a->ai_family, addr, buf, sizeof buf);
    if (seen.insert(buf).second) out.push_back(Value::string(buf));
  }
  freeaddrinfo(res);
  return Value::list(std::move(out));
}

Value Natives::tls_certificate(const FunctionInfo& fn, const std::vector<Value>& args) {
  std::string host = args.at(0).str();
  int64_t port = args.at(1).i;
  std::string where = host + ":" + std::to_string(port);
  allow(fn, where);
  std::string why;
  int fd = connect_with_timeout(host, static_cast<int>(port), args.at(2).i, why);
  if (fd < 0) return Value::error("tls.peer_certificate " + where + ": " + why);
  timeval tv{static_cast<time_t>(args.at(2).i / 1000),
             static_cast<suseconds_t>((args.at(2).i % 1000) * 1000)};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);

  // We inspect the certificate, expired or not: no verification here.
  SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
  SSL* ssl = SSL_new(ctx);
  SSL_set_fd(ssl, fd);
  SSL_set_tlsext_host_name(ssl, host.c_str());
  Value result;
  if (SSL_connect(ssl) != 1) {
    unsigned long e = ERR_get_error();
    char buf[256];
    ERR_error_string_n(e, buf, sizeof buf);
    result = Value::error("tls.peer_certificate " + where +
                          ": TLS handshake failed: " + (e ? buf : "no answer"));
  } else if (X509* cert = SSL_get1_peer_certificate(ssl); !cert) {
    result = Value::error("tls.peer_certificate " + where + ": the peer sent no certificate");
  } else {
    std::tm tm{};
    ASN1_TIME_to_tm(X509_get0_notAfter(cert), &tm);
    int64_t not_after = static_cast<int64_t>(timegm(&tm)) * 1000;
    int64_t days_left =
        static_cast<int64_t>(std::floor(double(not_after - system_now_ms()) / 86'400'000.0));
    std::vector<Value> names;
    if (auto* sans = static_cast<GENERAL_NAMES*>(
            X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr))) {
      for (int i = 0; i < sk_GENERAL_NAME_num(sans); ++i) {
        const GENERAL_NAME* g = sk_GENERAL_NAME_value(sans, i);
        if (g->type == GEN_DNS)
          names.push_back(Value::string(
              std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(g->d.dNSName)),
                          static_cast<size_t>(ASN1_STRING_length(g->d.dNSName)))));
      }
      GENERAL_NAMES_free(sans);
    }
    result = Value::record(
        {"not_after", "days_left", "subject", "issuer", "dns_names"},
        {Value::time(not_after), Value::integer(days_left),
         Value::string(name_text(X509_get_subject_name(cert))),
         Value::string(name_text(X509_get_issuer_name(cert))), Value::list(std::move(names))});
    X509_free(cert);
  }
  SSL_shutdown(ssl);
  SSL_free(ssl);
  SSL_CTX_free(ctx);
  close(fd);
  return result;
}

}  // namespace rbk
