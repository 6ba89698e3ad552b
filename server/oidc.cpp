#include "server/oidc.hpp"

#include <openssl/rand.h>
#include <openssl/sha.h>

#include <nlohmann/json.hpp>

#include "server/http_client.hpp"
#include "vm/json_read.hpp"
#include "vm/url_encoding.hpp"
#include "vm/value.hpp"

namespace rbk::server {

using nlohmann::json;

namespace {

// Logins begun and not finished are forgotten after ten minutes; at most this many wait.
constexpr auto kPendingFor = std::chrono::minutes(10);
constexpr size_t kMaxPending = 10'000;

json fetch_json(const std::string& url, const char* what) {
  HttpReply r = http_call("GET", url);
  if (r.status != 200)
    throw OidcError(std::string("the provider's ") + what + " (" + url + ") " +
                    (r.status ? "answered HTTP " + std::to_string(r.status) : r.error));
  try {
    return read_json(r.body);
  } catch (const JsonReadError& e) {
    throw OidcError(std::string("the provider's ") + what + " is not JSON: " + e.what());
  }
}

std::string sha256(const std::string& s) {
  unsigned char md[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(s.data()), s.size(), md);
  return std::string(reinterpret_cast<char*>(md), sizeof md);
}

}  // namespace

std::string random_bytes(size_t n) {
  std::string out(n, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(n)) != 1)
    throw OidcError("the system's random generator failed");
  return out;
}

OidcClient::OidcClient(OidcSettings settings, std::string redirect_uri)
    : s_(std::move(settings)), redirect_uri_(std::move(redirect_uri)) {}

void OidcClient::discover() {
  json d = fetch_json(s_.issuer + "/.well-known/openid-configuration", "discovery document");
  if (!d.is_object() || string_member(d, "issuer") != s_.issuer)
    throw OidcError("the provider's discovery document names another issuer than " + s_.issuer);
  for (auto [key, out] :
       {std::pair{"authorization_endpoint", &authorization_endpoint_},
        std::pair{"token_endpoint", &token_endpoint_}, std::pair{"jwks_uri", &jwks_uri_}}) {
    if (!d.contains(key) || !d[key].is_string())
      throw OidcError(std::string("the provider's discovery document has no ") + key);
    *out = d[key].get<std::string>();
  }
  json jwks = fetch_json(jwks_uri_, "key set");
  try {
    KeySet keys = KeySet::parse(jwks.dump());
    std::lock_guard lock(mu_);
    keys_ = keys;
  } catch (const IdTokenError& e) {
    throw OidcError(e.what());
  }
}

std::string OidcClient::begin(const std::string& return_to, const std::string& login_hint) {
  Pending p;
  p.verifier = base64url(random_bytes(32));
  p.nonce = base64url(random_bytes(16));
  p.return_to = return_to;
  p.expires = std::chrono::steady_clock::now() + kPendingFor;
  std::string state = base64url(random_bytes(16));
  std::string url = authorization_endpoint_ +
                    (authorization_endpoint_.find('?') == std::string::npos ? "?" : "&") +
                    "response_type=code&client_id=" + url_encoded(s_.client_id) +
                    "&redirect_uri=" + url_encoded(redirect_uri_) +
                    "&scope=" + url_encoded(s_.scopes) + "&state=" + state + "&nonce=" + p.nonce +
                    "&code_challenge=" + base64url(sha256(p.verifier)) +
                    "&code_challenge_method=S256";
  if (!login_hint.empty()) url += "&login_hint=" + url_encoded(login_hint);
  std::lock_guard lock(mu_);
  auto now = std::chrono::steady_clock::now();
  std::erase_if(pending_, [&](const auto& kv) { return kv.second.expires < now; });
  if (pending_.size() >= kMaxPending) pending_.erase(pending_.begin());
  pending_[state] = std::move(p);
  return url;
}

KeySet OidcClient::keys_for(const std::string& kid) {
  {
    std::lock_guard lock(mu_);
    if (keys_.has(kid) || (kid.empty() && keys_.size() == 1)) return keys_;
  }
  // A key not seen yet: the provider may have rotated its keys since discovery.
  json jwks = fetch_json(jwks_uri_, "key set");
  try {
    KeySet keys = KeySet::parse(jwks.dump());
    std::lock_guard lock(mu_);
    keys_ = keys;
    return keys_;
  } catch (const IdTokenError& e) {
    throw OidcError(e.what());
  }
}

OidcClient::SignedIn OidcClient::finish(const std::string& code, const std::string& state) {
  Pending p;
  {
    std::lock_guard lock(mu_);
    auto it = pending_.find(state);
    if (it == pending_.end() || it->second.expires < std::chrono::steady_clock::now())
      throw OidcError("this sign-in is unknown or has expired (its state): sign in again");
    p = std::move(it->second);
    pending_.erase(it);  // a state is used once
  }
  std::string form = "grant_type=authorization_code&code=" + url_encoded(code) +
                     "&redirect_uri=" + url_encoded(redirect_uri_) +
                     "&code_verifier=" + url_encoded(p.verifier);
  std::string basic = base64url(url_encoded(s_.client_id) + ":" + url_encoded(s_.client_secret));
  // HTTP Basic takes standard base64: the same alphabet but two characters, and padding.
  for (char& c : basic) c = c == '-' ? '+' : c == '_' ? '/' : c;
  while (basic.size() % 4) basic += '=';
  HttpReply r = http_call("POST", token_endpoint_, form, "application/x-www-form-urlencoded",
                          {{"Authorization", "Basic " + basic}, {"Accept", "application/json"}});
  json answer;
  try {
    answer = read_json(r.body);
  } catch (const JsonReadError&) {
  }
  if (r.status != 200) {
    std::string why = answer.is_object() && answer.contains("error") && answer["error"].is_string()
                          ? answer["error"].get<std::string>()
                          : (r.status ? "HTTP " + std::to_string(r.status) : r.error);
    throw OidcError("the provider refused the sign-in's code (" + why + ")");
  }
  if (!answer.is_object() || !answer.contains("id_token") || !answer["id_token"].is_string())
    throw OidcError("the provider's token answer has no ID token");
  std::string token = answer["id_token"];
  json claims;
  try {
    claims = verify_id_token(token, keys_for(id_token_kid(token)),
                             {s_.issuer, s_.client_id, p.nonce, system_now_ms() / 1000, 60});
  } catch (const IdTokenError& e) {
    throw OidcError(e.what());
  }
  SignedIn out;
  out.return_to = p.return_to;
  const json& name = claims.contains(s_.name_claim) ? claims[s_.name_claim] : claims["sub"];
  if (!name.is_string() || name.get<std::string>().empty())
    throw OidcError("the ID token's \"" + s_.name_claim + "\" is not a name");
  out.identity.name = name.get<std::string>();
  out.identity.via = "sign-in (" + s_.issuer + ")";
  if (claims.contains(s_.groups_claim) && claims[s_.groups_claim].is_array())
    for (const auto& g : claims[s_.groups_claim]) {
      if (!g.is_string()) continue;
      auto it = s_.group_roles.find(g.get<std::string>());
      if (it == s_.group_roles.end()) continue;
      for (const auto& role : it->second)
        if (std::find(out.identity.roles.begin(), out.identity.roles.end(), role) ==
            out.identity.roles.end())
          out.identity.roles.push_back(role);
    }
  return out;
}

}  // namespace rbk::server
