#include "stdlib/credentials.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "lang/name_table.hpp"
#include "stdlib/signing.hpp"
#include "vm/json_read.hpp"
#include "vm/value.hpp"

namespace rbk {

namespace {

#define RBK_NAME_ITEM(e, name) name,
constexpr auto kKinds = name_table<CredentialKind>({RBK_CREDENTIAL_KINDS(RBK_NAME_ITEM)});
#undef RBK_NAME_ITEM

// What each kind takes: settings and secrets, required or not.
struct KindRules {
  std::vector<std::string> settings, optional_settings, secrets, optional_secrets;
};
const KindRules& rules(CredentialKind k) {
  static const KindRules bearer{{}, {"header"}, {"token"}, {}};
  static const KindRules oauth2{
      {"token_url", "client_id"}, {"scope", "audience", "client_auth"}, {"client_secret"}, {}};
  static const KindRules aws{
      {"region", "service"}, {}, {"access_key_id", "secret_access_key"}, {"session_token"}};
  static const KindRules sas{{"resource", "key_name"}, {"ttl", "key_encoding"}, {"key"}, {}};
  static const KindRules password{{}, {"username", "ca_file"}, {"password"}, {}};
  static const KindRules client_certificate{
      {"certificate_file"}, {"username", "ca_file"}, {"key"}, {"password"}};
  switch (k) {
    case CredentialKind::Bearer:
      return bearer;
    case CredentialKind::OAuth2ClientCredentials:
      return oauth2;
    case CredentialKind::AwsSigV4:
      return aws;
    case CredentialKind::AzureSas:
      return sas;
    case CredentialKind::Password:
      return password;
    case CredentialKind::ClientCertificate:
      return client_certificate;
  }
  return bearer;
}

// Kinds that authenticate a connection (MQTT, Redis), not an HTTP request.
bool connection_kind(CredentialKind k) {
  return k == CredentialKind::Password || k == CredentialKind::ClientCertificate;
}
// Kinds an HTTP request may carry (a password as HTTP Basic).
bool http_kind(CredentialKind k) {
  return k != CredentialKind::ClientCertificate;
}

bool contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

bool loopback(const std::string& host) {
  return host == "127.0.0.1" || host == "localhost" || host == "[::1]";
}

// "https://login.example/oauth2/token" -> host; "" when not an http(s) URL.
std::string url_host(const std::string& url, std::string& scheme) {
  auto colon = url.find("://");
  if (colon == std::string::npos) return "";
  scheme = url.substr(0, colon);
  std::string rest = url.substr(colon + 3);
  std::string authority = rest.substr(0, rest.find_first_of("/?#"));
  if (authority.find('@') != std::string::npos) return "";
  if (authority.rfind('[', 0) == 0) return authority.substr(0, authority.find(']') + 1);
  return authority.substr(0, authority.rfind(':'));
}

bool host_matches(const std::string& pattern, const std::string& host, int port) {
  if (pattern == host || pattern == host + ":" + std::to_string(port)) return true;
  if (pattern.rfind("*.", 0) == 0) {
    std::string suffix = pattern.substr(1);  // ".example.net"
    return host.size() > suffix.size() &&
           host.compare(host.size() - suffix.size(), suffix.size(), suffix) == 0;
  }
  return false;
}

std::string trimmed_end(std::string s) {
  while (!s.empty() &&
         (s.back() == '\n' || s.back() == '\r' || s.back() == ' ' || s.back() == '\t'))
    s.pop_back();
  return s;
}

std::string form_encode(const std::string& s) {
  return uri_encode(s);
}

}  // namespace

std::string SecretSource::describe() const {
  return file.empty() ? "$" + env : "file " + file;
}

std::map<std::string, CredentialSpec> parse_credentials(const nlohmann::json& j) {
  std::map<std::string, CredentialSpec> out;
  if (!j.is_object())
    throw CredentialError("\"credentials\" must be an object of named credentials");
  for (auto it = j.begin(); it != j.end(); ++it) {
    const std::string& name = it.key();
    auto fail = [&](const std::string& why) {
      return CredentialError("credential \"" + name + "\": " + why);
    };
    const nlohmann::json& c = it.value();
    if (!c.is_object()) throw fail("must be an object with \"type\" and \"hosts\"");
    CredentialSpec spec;
    spec.name = name;
    std::string type = string_member(c, "type");
    std::optional<CredentialKind> kind = kKinds.find(type);
    if (!kind)
      throw fail(
          "\"type\" is one of bearer, oauth2_client_credentials, aws_sigv4, azure_sas, "
          "password, client_certificate" +
          (type.empty() ? std::string() : ", not \"" + type + "\""));
    spec.kind = *kind;
    const KindRules& r = rules(spec.kind);
    auto hosts = c.find("hosts");
    if (hosts == c.end() || !hosts->is_array() || hosts->empty())
      throw fail("\"hosts\" lists the hosts it may be sent to (host, host:port or *.domain)");
    for (const auto& h : *hosts) {
      if (!h.is_string() || h.get<std::string>().empty() || h.get<std::string>() == "*")
        throw fail(
            "each of \"hosts\" is a host, host:port or *.domain (not \"*\": a credential "
            "names where it goes)");
      spec.hosts.push_back(h.get<std::string>());
    }
    for (auto f = c.begin(); f != c.end(); ++f) {
      const std::string& key = f.key();
      if (key == "type" || key == "hosts") continue;
      if (key == "automatic") {
        if (!f.value().is_boolean()) throw fail("\"automatic\" is true or false");
        spec.automatic = f.value().get<bool>();
        continue;
      }
      auto suffix = [&](const char* s) {
        std::string sfx = s;
        return key.size() > sfx.size() && key.compare(key.size() - sfx.size(), sfx.size(), sfx) == 0
                   ? key.substr(0, key.size() - sfx.size())
                   : std::string();
      };
      std::string from_file = suffix("_file"), from_env = suffix("_env");
      std::string secret = !from_file.empty() ? from_file : from_env;
      if (!secret.empty() &&
          (contains(r.secrets, secret) || contains(r.optional_secrets, secret))) {
        if (!f.value().is_string() || f.value().get<std::string>().empty())
          throw fail("\"" + key + "\" names " +
                     (from_file.empty() ? "an environment variable" : "a file"));
        SecretSource& src = spec.secrets[secret];
        if (!src.file.empty() || !src.env.empty())
          throw fail("give " + secret + "_file or " + secret + "_env, not both");
        (from_file.empty() ? src.env : src.file) = f.value().get<std::string>();
        continue;
      }
      if (contains(r.secrets, key) || contains(r.optional_secrets, key))
        throw fail(
            "a secret is never written in the policy, which is stored with every run: "
            "give " +
            key + "_file (a file holding it) or " + key +
            "_env (an environment "
            "variable)");
      if (!contains(r.settings, key) && !contains(r.optional_settings, key)) {
        std::string known;
        for (const auto* list : {&r.settings, &r.optional_settings})
          for (const auto& k : *list) known += ", " + k;
        for (const auto* list : {&r.secrets, &r.optional_secrets})
          for (const auto& k : *list) known += ", " + k + "_file, " + k + "_env";
        throw fail("unknown key \"" + key + "\" for " + type + " (it takes type, hosts, automatic" +
                   known + ")");
      }
      if (!f.value().is_string() || f.value().get<std::string>().empty())
        throw fail("\"" + key + "\" must be a non-empty string");
      spec.settings[key] = f.value().get<std::string>();
    }
    for (const auto& s : r.settings)
      if (!spec.settings.count(s)) throw fail(type + " needs \"" + s + "\"");
    for (const auto& s : r.secrets)
      if (!spec.secrets.count(s))
        throw fail(type + " needs " + s + "_file or " + s + "_env (where its " + s + " is)");
    if (auto u = spec.settings.find("token_url"); u != spec.settings.end()) {
      std::string scheme, host = url_host(u->second, scheme);
      if (host.empty() || (scheme != "https" && !(scheme == "http" && loopback(host))))
        throw fail("\"token_url\" is an https URL (http only to this machine, for tests)");
    }
    if (auto a = spec.settings.find("client_auth");
        a != spec.settings.end() && a->second != "basic" && a->second != "body")
      throw fail(
          "\"client_auth\" is \"basic\" (HTTP Basic, the default) or \"body\" (in the form)");
    if (auto t = spec.settings.find("ttl"); t != spec.settings.end()) {
      int64_t ms = 0;
      if (!parse_duration(t->second, ms) || ms < 1000)
        throw fail("\"ttl\" is a duration of at least 1s, such as \"1h\"");
    }
    if (auto e = spec.settings.find("key_encoding");
        e != spec.settings.end() && e->second != "base64" && e->second != "text")
      throw fail(
          "\"key_encoding\" is \"base64\" (IoT Hub, the default) or \"text\" (Event Hubs, "
          "Service Bus)");
    out.emplace(name, std::move(spec));
  }
  return out;
}

struct Credentials::State {
  std::mutex fetching;  // one token request at a time per credential
  std::string token;
  int64_t fetched_at = 0, expires_at = 0;
  std::map<std::string, int64_t> file_mtimes;  // secrets read from files, by key
};

namespace {

int64_t mtime_of(const std::string& path) {
  struct stat st {};
  if (stat(path.c_str(), &st) != 0) return -1;
  return static_cast<int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec;
}

// SRC's secret, or why it cannot be read (never the secret).
std::string read_secret(const SecretSource& src, std::string& value) {
  if (!src.env.empty()) {
    const char* v = std::getenv(src.env.c_str());
    value = v ? trimmed_end(v) : "";
    return value.empty() ? "the environment variable " + src.env + " is not set" : "";
  }
  std::ifstream in(src.file, std::ios::binary);
  if (!in) return "cannot read the file " + src.file;
  std::stringstream ss;
  ss << in.rdbuf();
  value = trimmed_end(ss.str());
  return value.empty() ? "the file " + src.file + " is empty" : "";
}

}  // namespace

Credentials::Credentials(std::map<std::string, CredentialSpec> specs,
                         std::function<int64_t()> clock, FormPoster post)
    : specs_(std::move(specs)), clock_(std::move(clock)), post_(std::move(post)) {
  std::string problems;
  for (const auto& [name, spec] : specs_) {
    state_[name] = std::make_unique<State>();
    for (const auto& [key, src] : spec.secrets) {
      std::string value;
      if (std::string why = read_secret(src, value); !why.empty()) {
        problems += (problems.empty() ? "" : "; ") +
                    ("credential \"" + name + "\": its " + key + ": " + why);
        continue;
      }
      values_[name][key] = value;
      if (!src.file.empty()) state_[name]->file_mtimes[key] = mtime_of(src.file);
    }
  }
  if (!problems.empty()) throw CredentialError(problems);
}

Credentials::~Credentials() = default;

std::vector<std::string> Credentials::secrets() const {
  std::lock_guard<std::mutex> lock(mutex_);
  std::vector<std::string> out = derived_;
  for (const auto& [name, values] : values_)
    for (const auto& [key, v] : values)
      if (v.size() >= 4) out.push_back(v);
  return out;
}

void Credentials::remember(const std::string& derived) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (derived.size() < 4 || contains(derived_, derived)) return;
  if (derived_.size() >= 64) derived_.erase(derived_.begin());  // the oldest are long expired
  derived_.push_back(derived);
}

// SPEC's secret KEY; a file read again when it changed (a rotated token).
std::string Credentials::secret(const CredentialSpec& spec, const std::string& key) {
  std::lock_guard<std::mutex> lock(mutex_);
  std::string& value = values_[spec.name][key];
  auto src = spec.secrets.find(key);
  if (src != spec.secrets.end() && !src->second.file.empty()) {
    int64_t& seen = state_[spec.name]->file_mtimes[key];
    if (int64_t now = mtime_of(src->second.file); now != seen && now >= 0) {
      std::string fresh;
      if (read_secret(src->second, fresh).empty()) value = fresh;
      seen = now;
    }
  }
  return value;
}

std::string Credentials::automatic_for(const std::string& host, int port, std::string& name,
                                       bool connection) const {
  name.clear();
  for (const auto& [n, spec] : specs_) {
    if (!spec.automatic || (connection ? !connection_kind(spec.kind) : !http_kind(spec.kind)))
      continue;
    bool matches = false;
    for (const auto& h : spec.hosts) matches |= host_matches(h, host, port);
    if (!matches) continue;
    if (!name.empty())
      return "policy: credentials \"" + name + "\" and \"" + n + "\" both apply to " + host + ":" +
             std::to_string(port) + " automatically: name one with auth";
    name = n;
  }
  return "";
}

bool Credentials::refresh_after_refusal(const std::string& name) {
  auto spec = specs_.find(name);
  if (spec == specs_.end() || spec->second.kind != CredentialKind::OAuth2ClientCredentials)
    return false;
  State& s = *state_.at(name);
  std::lock_guard<std::mutex> lock(s.fetching);
  s.token.clear();
  return true;
}

// A token of the OAuth2 client credentials grant (RFC 6749, 4.4): the one kept while it
// has more than a margin left (a tenth of its life, at most 5 minutes), else a new one.
std::string Credentials::oauth2_token(const CredentialSpec& spec, State& s, std::string& token) {
  std::lock_guard<std::mutex> lock(s.fetching);
  const int64_t now = clock_();
  if (!s.token.empty()) {
    int64_t margin = std::min<int64_t>(300'000, (s.expires_at - s.fetched_at) / 10);
    if (now < s.expires_at - margin) {
      token = s.token;
      return "";
    }
  }
  const auto& set = spec.settings;
  const std::string& client_id = set.at("client_id");
  const std::string client_secret = secret(spec, "client_secret");
  const std::string& url = set.at("token_url");
  std::string form = "grant_type=client_credentials";
  if (auto sc = set.find("scope"); sc != set.end()) form += "&scope=" + form_encode(sc->second);
  if (auto a = set.find("audience"); a != set.end()) form += "&audience=" + form_encode(a->second);
  std::vector<std::pair<std::string, std::string>> headers{{"Accept", "application/json"}};
  auto auth = set.find("client_auth");
  if (auth != set.end() && auth->second == "body")
    form += "&client_id=" + form_encode(client_id) + "&client_secret=" + form_encode(client_secret);
  else  // RFC 6749, 2.3.1: the id and secret form-encoded, then HTTP Basic
    headers.emplace_back("Authorization", "Basic " + base64_encode(form_encode(client_id) + ":" +
                                                                   form_encode(client_secret)));
  FormAnswer a = post_(url, form, headers);
  const std::string from = "its token endpoint " + url;
  if (a.status == 0) return from + ": " + a.error;
  nlohmann::json j;
  try {
    j = read_json(a.body);
  } catch (const JsonReadError&) {
    return from + " answered status " + std::to_string(a.status) + " with a body that is not JSON";
  }
  if (a.status != 200) {
    std::string why = string_member(j, "error"), detail = string_member(j, "error_description");
    return from + " answered status " + std::to_string(a.status) +
           (why.empty() ? "" : " (" + why + (detail.empty() ? "" : ": " + detail) + ")");
  }
  std::string fresh = string_member(j, "access_token");
  if (fresh.empty()) return from + " answered without an access_token";
  std::string type = string_member(j, "token_type");
  std::transform(type.begin(), type.end(), type.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (!type.empty() && type != "bearer")
    return from + " gave a token of type \"" + type + "\" (rbk sends bearer tokens)";
  int64_t life_s = 300;  // without expires_in (RECOMMENDED only): kept five minutes
  if (auto e = j.find("expires_in"); e != j.end() && e->is_number() && e->get<double>() > 0)
    life_s = static_cast<int64_t>(e->get<double>());
  remember(fresh);
  s.token = fresh;
  s.fetched_at = now;
  s.expires_at = now + life_s * 1000;
  token = fresh;
  return "";
}

namespace {

// Credential NAME of SPECS when it may go to HOST:PORT; else null with WHY set (a policy
// problem).
const CredentialSpec* usable(const std::map<std::string, CredentialSpec>& specs,
                             const std::string& name, const std::string& host, int port,
                             std::string& why) {
  auto it = specs.find(name);
  if (it == specs.end()) {
    std::string known;
    for (const auto& [n, spec] : specs) known += (known.empty() ? "" : ", ") + n;
    why = "policy: no credential \"" + name + "\"" +
          (known.empty() ? " (the policy names none)" : " (it names " + known + ")");
    return nullptr;
  }
  const CredentialSpec& spec = it->second;
  bool allowed = false;
  for (const auto& h : spec.hosts) allowed |= host_matches(h, host, port);
  if (!allowed) {
    std::string hosts;
    for (const auto& h : spec.hosts) hosts += (hosts.empty() ? "" : ", ") + h;
    why = "policy: credential \"" + name + "\" may not be sent to " + host + ":" +
          std::to_string(port) + " (its hosts: " + hosts + ")";
    return nullptr;
  }
  return &spec;
}

}  // namespace

std::string Credentials::connect_with(const std::string& name, const std::string& host, int port,
                                      ConnectionAuth& out) {
  std::string why;
  const CredentialSpec* spec = usable(specs_, name, host, port, why);
  if (!spec) return why;
  if (!connection_kind(spec->kind))
    return "policy: credential \"" + name + "\" is " + std::string(kKinds.name(spec->kind)) +
           ", for HTTP requests; an MQTT or Redis connection takes a password or a "
           "client_certificate";
  const auto& set = spec->settings;
  out = ConnectionAuth{};
  if (auto u = set.find("username"); u != set.end()) out.username = u->second;
  if (auto c = set.find("ca_file"); c != set.end()) out.ca_file = c->second;
  if (spec->secrets.count("password")) out.password = secret(*spec, "password");
  if (spec->kind == CredentialKind::ClientCertificate) {
    out.certificate_file = set.at("certificate_file");
    out.key_pem = secret(*spec, "key");
  }
  return "";
}

std::string Credentials::authorize(const std::string& name, OutgoingRequest& req) {
  std::string why;
  const CredentialSpec* found = usable(specs_, name, req.host, req.port, why);
  if (!found) return why;
  const CredentialSpec& spec = *found;
  const auto& set = spec.settings;
  switch (spec.kind) {
    case CredentialKind::Bearer: {
      auto header = set.find("header");
      const std::string token = secret(spec, "token");
      if (header == set.end() || header->second == "Authorization")
        req.headers.emplace_back("Authorization", "Bearer " + token);
      else
        req.headers.emplace_back(header->second, token);
      return "";
    }
    case CredentialKind::OAuth2ClientCredentials: {
      std::string token;
      if (std::string why = oauth2_token(spec, *state_.at(name), token); !why.empty())
        return "credential \"" + name + "\": " + why;
      req.headers.emplace_back("Authorization", "Bearer " + token);
      return "";
    }
    case CredentialKind::AwsSigV4: {
      const bool default_port =
          (req.scheme == "https" && req.port == 443) || (req.scheme == "http" && req.port == 80);
      const std::string host = default_port ? req.host : req.host + ":" + std::to_string(req.port);
      const std::string date = amz_date(clock_());
      SigV4Key key{secret(spec, "access_key_id"), secret(spec, "secret_access_key"),
                   set.at("region"), set.at("service")};
      req.headers.emplace_back("Host", host);
      req.headers.emplace_back("X-Amz-Date", date);
      if (key.service == "s3")
        req.headers.emplace_back("X-Amz-Content-Sha256", sha256_hex(req.body));
      if (spec.secrets.count("session_token"))
        req.headers.emplace_back("X-Amz-Security-Token", secret(spec, "session_token"));
      SigV4Signature s = sigv4_sign(
          SigV4Request{req.method, req.path, req.query, req.headers, req.body}, key, date);
      remember(s.signature);
      req.headers.emplace_back("Authorization", s.authorization);
      return "";
    }
    case CredentialKind::AzureSas: {
      std::string key = secret(spec, "key");
      auto enc = set.find("key_encoding");
      if (enc == set.end() || enc->second == "base64") {
        std::string bytes;
        if (!base64_decode(key, bytes))
          return "credential \"" + name +
                 "\": its key is not base64 (IoT Hub's keys are; set "
                 "\"key_encoding\": \"text\" for Event Hubs and Service Bus)";
        key = bytes;
      }
      int64_t ttl_ms = 3'600'000;
      if (auto t = set.find("ttl"); t != set.end()) parse_duration(t->second, ttl_ms);
      std::string token =
          azure_sas_token(set.at("resource"), set.at("key_name"), key, (clock_() + ttl_ms) / 1000);
      remember(token.substr(token.find("&sig=") + 5, token.find("&se=") - token.find("&sig=") - 5));
      req.headers.emplace_back("Authorization", token);
      return "";
    }
    case CredentialKind::Password: {
      // HTTP Basic (RFC 7617), as hawkBit's Management API and many appliances take it.
      auto user = set.find("username");
      if (user == set.end())
        return "policy: credential \"" + name +
               "\" has no \"username\", which HTTP Basic authentication needs";
      std::string basic = base64_encode(user->second + ":" + secret(spec, "password"));
      remember(basic);
      req.headers.emplace_back("Authorization", "Basic " + basic);
      return "";
    }
    case CredentialKind::ClientCertificate:
      return "policy: credential \"" + name +
             "\" is a client_certificate, for MQTT and Redis connections, not for HTTP requests";
  }
  return "";
}

}  // namespace rbk
