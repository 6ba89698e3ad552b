#include "server/settings.hpp"

#include <nlohmann/json.hpp>

#include <cstdlib>

#include "vm/json_read.hpp"
#include "vm/value.hpp"

namespace rbk::server {

using nlohmann::json;

namespace {

template <typename Fail>
OidcSettings parse_oidc(const json& v, Fail fail) {
  if (!v.is_object()) throw fail("\"oidc\" takes an object {\"issuer\", \"client_id\", …}");
  OidcSettings o;
  std::string secret_env = "RBK_OIDC_CLIENT_SECRET";
  auto text = [&](const std::string& key, const json& x) {
    if (!x.is_string() || x.get<std::string>().empty())
      throw fail("\"oidc." + key + "\" must be a non-empty string");
    return x.get<std::string>();
  };
  for (auto f = v.begin(); f != v.end(); ++f) {
    const std::string& k = f.key();
    if (k == "issuer")
      o.issuer = text(k, f.value());
    else if (k == "client_id")
      o.client_id = text(k, f.value());
    else if (k == "client_secret_env")
      secret_env = text(k, f.value());
    else if (k == "scopes")
      o.scopes = text(k, f.value());
    else if (k == "name_claim")
      o.name_claim = text(k, f.value());
    else if (k == "groups_claim")
      o.groups_claim = text(k, f.value());
    else if (k == "session_ttl") {
      if (!f.value().is_string() ||
          !parse_duration(f.value().get<std::string>(), o.session_ttl_ms) || o.session_ttl_ms <= 0)
        throw fail("\"oidc.session_ttl\" takes a duration such as \"8h\"");
    } else if (k == "group_roles") {
      if (!f.value().is_object())
        throw fail("\"oidc.group_roles\" maps each group to a list of roles");
      for (auto g = f.value().begin(); g != f.value().end(); ++g) {
        if (!g.value().is_array()) throw fail("group \"" + g.key() + "\" takes a list of roles");
        for (const auto& r : g.value())
          o.group_roles[g.key()].push_back(text("group_roles." + g.key(), r));
      }
    } else {
      throw fail("unknown key \"oidc." + k +
                 "\" (known: issuer, client_id, client_secret_env, scopes, name_claim, "
                 "groups_claim, group_roles, session_ttl)");
    }
  }
  if (o.issuer.empty() || o.client_id.empty())
    throw fail("\"oidc\" needs \"issuer\" and \"client_id\"");
  while (!o.issuer.empty() && o.issuer.back() == '/') o.issuer.pop_back();
  const char* secret = std::getenv(secret_env.c_str());
  if (!secret || !*secret)
    throw fail("the OpenID client's secret is read from $" + secret_env + ", which is not set");
  o.client_secret = secret;
  return o;
}

}  // namespace

Settings parse_settings(const std::string& text, const std::string& source) {
  auto fail = [&](const std::string& why) { return SettingsError(source + ": " + why); };
  json j;
  try {
    j = read_json(text);
  } catch (const JsonReadError& e) {
    throw fail(e.what());
  }
  if (!j.is_object()) throw fail("the settings are a JSON object");
  Settings s;
  for (auto it = j.begin(); it != j.end(); ++it) {
    const json& v = it.value();
    if (it.key() == "public_url") {
      if (!v.is_string()) throw fail("\"public_url\" must be a string (https://rbk.example.com)");
      s.public_url = v.get<std::string>();
      while (!s.public_url.empty() && s.public_url.back() == '/') s.public_url.pop_back();
      if (s.public_url.rfind("http://", 0) != 0 && s.public_url.rfind("https://", 0) != 0)
        throw fail("\"public_url\" must start with http:// or https://");
    } else if (it.key() == "webhooks") {
      if (!v.is_array()) throw fail("\"webhooks\" takes a list of {\"url\", \"format\"}");
      for (size_t i = 0; i < v.size(); ++i) {
        const json& h = v[i];
        std::string where = "webhook " + std::to_string(i + 1);
        if (!h.is_object()) throw fail(where + " must be an object {\"url\", \"format\"}");
        Webhook w;
        for (auto f = h.begin(); f != h.end(); ++f) {
          if (f.key() == "url" && f.value().is_string()) {
            w.url = f.value().get<std::string>();
          } else if (f.key() == "format" && f.value().is_string()) {
            std::string fmt = f.value().get<std::string>();
            if (fmt == "slack")
              w.format = Webhook::Format::Slack;
            else if (fmt == "json")
              w.format = Webhook::Format::Json;
            else
              throw fail(where + ": \"format\" is \"slack\" or \"json\", not \"" + fmt + "\"");
          } else if (f.key() == "url" || f.key() == "format") {
            throw fail(where + ": \"" + f.key() + "\" must be a string");
          } else {
            throw fail(where + ": unknown key \"" + f.key() + "\" (known: url, format)");
          }
        }
        if (w.url.rfind("http://", 0) != 0 && w.url.rfind("https://", 0) != 0)
          throw fail(where + ": \"url\" must be an http:// or https:// address");
        s.webhooks.push_back(std::move(w));
      }
    } else if (it.key() == "retry") {
      if (!v.is_object()) throw fail("\"retry\" takes {\"attempts\", \"first_delay\"}");
      for (auto f = v.begin(); f != v.end(); ++f) {
        if (f.key() == "attempts") {
          if (!f.value().is_number_integer() || f.value().get<int64_t>() < 1 ||
              f.value().get<int64_t>() > 20)
            throw fail("\"retry.attempts\" takes a whole number from 1 to 20");
          s.attempts = f.value().get<int>();
        } else if (f.key() == "first_delay") {
          int64_t ms = 0;
          if (!f.value().is_string() || !parse_duration(f.value().get<std::string>(), ms) ||
              ms <= 0)
            throw fail("\"retry.first_delay\" takes a duration such as \"1s\"");
          s.first_delay_ms = ms;
        } else {
          throw fail("unknown key \"retry." + f.key() + "\" (known: attempts, first_delay)");
        }
      }
    } else if (it.key() == "oidc") {
      s.oidc = parse_oidc(v, fail);
    } else {
      throw fail("unknown key \"" + it.key() + "\" (known: public_url, webhooks, retry, oidc)");
    }
  }
  if (s.oidc && s.public_url.empty())
    throw fail(
        "\"oidc\" needs \"public_url\": the provider sends people back to "
        "PUBLIC_URL/auth/callback");
  return s;
}

}  // namespace rbk::server
