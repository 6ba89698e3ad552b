#include "server/id_token.hpp"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include <algorithm>
#include <cstring>
#include <map>

#include "vm/json_read.hpp"

namespace rbk::server {

using nlohmann::json;

struct KeySet::Keys {
  std::map<std::string, std::shared_ptr<EVP_PKEY>> by_kid;
};

namespace {

const char* kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

std::shared_ptr<EVP_PKEY> rsa_key(const std::string& n, const std::string& e) {
  BIGNUM* bn_n = BN_bin2bn(reinterpret_cast<const unsigned char*>(n.data()),
                           static_cast<int>(n.size()), nullptr);
  BIGNUM* bn_e = BN_bin2bn(reinterpret_cast<const unsigned char*>(e.data()),
                           static_cast<int>(e.size()), nullptr);
  OSSL_PARAM_BLD* bld = OSSL_PARAM_BLD_new();
  OSSL_PARAM* params = nullptr;
  EVP_PKEY_CTX* ctx = nullptr;
  EVP_PKEY* key = nullptr;
  if (bn_n && bn_e && bld && OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, bn_n) &&
      OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, bn_e) &&
      (params = OSSL_PARAM_BLD_to_param(bld)) &&
      (ctx = EVP_PKEY_CTX_new_from_name(nullptr, "RSA", nullptr)) &&
      EVP_PKEY_fromdata_init(ctx) == 1)
    EVP_PKEY_fromdata(ctx, &key, EVP_PKEY_PUBLIC_KEY, params);
  EVP_PKEY_CTX_free(ctx);
  OSSL_PARAM_free(params);
  OSSL_PARAM_BLD_free(bld);
  BN_free(bn_n);
  BN_free(bn_e);
  if (!key) return nullptr;
  return std::shared_ptr<EVP_PKEY>(key, EVP_PKEY_free);
}

json read_part(const std::string& part, const char* what) {
  try {
    json j = read_json(base64url_decode(part));
    if (!j.is_object()) throw IdTokenError(std::string("its ") + what + " is not a JSON object");
    return j;
  } catch (const JsonReadError&) {
    throw IdTokenError(std::string("its ") + what + " is not JSON");
  }
}

}  // namespace

// The claims' checks, after the signature's (a claim of the wrong JSON type throws
// nlohmann's exception, which the caller turns into a refusal).
void check_claims(const json& claims, const IdTokenExpectations& expect);

std::string base64url(const std::string& bytes) {
  std::string out;
  size_t i = 0;
  auto at = [&](size_t k) { return static_cast<unsigned char>(bytes[k]); };
  for (; i + 2 < bytes.size(); i += 3) {
    uint32_t v = (at(i) << 16) | (at(i + 1) << 8) | at(i + 2);
    for (int s : {18, 12, 6, 0}) out += kAlphabet[(v >> s) & 63];
  }
  if (bytes.size() - i == 1) {
    uint32_t v = at(i) << 16;
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
  } else if (bytes.size() - i == 2) {
    uint32_t v = (at(i) << 16) | (at(i + 1) << 8);
    for (int s : {18, 12, 6}) out += kAlphabet[(v >> s) & 63];
  }
  return out;
}

std::string base64url_decode(const std::string& text) {
  std::string out;
  uint32_t acc = 0;
  int bits = 0;
  for (char c : text) {
    const char* p = c ? std::strchr(kAlphabet, c) : nullptr;
    if (!p) throw IdTokenError("it is not base64url");
    acc = (acc << 6) | static_cast<uint32_t>(p - kAlphabet);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((acc >> bits) & 0xFF);
    }
  }
  return out;
}

KeySet KeySet::parse(const std::string& jwks) {
  json j;
  try {
    j = read_json(jwks);
  } catch (const JsonReadError& e) {
    throw IdTokenError(std::string("the provider's key set is not JSON: ") + e.what());
  }
  if (!j.is_object() || !j.contains("keys") || !j["keys"].is_array())
    throw IdTokenError("the provider's key set has no \"keys\" list");
  auto keys = std::make_shared<Keys>();
  for (const auto& k : j["keys"]) {
    if (!k.is_object() || string_member(k, "kty") != "RSA") continue;
    if (k.contains("use") && k["use"] != "sig") continue;
    if (!k.contains("n") || !k.contains("e") || !k["n"].is_string() || !k["e"].is_string())
      continue;
    std::shared_ptr<EVP_PKEY> key;
    try {
      key = rsa_key(base64url_decode(k["n"]), base64url_decode(k["e"]));
    } catch (const IdTokenError&) {
      continue;
    }
    if (key) keys->by_kid[string_member(k, "kid")] = key;
  }
  KeySet s;
  s.keys = keys;
  return s;
}

bool KeySet::has(const std::string& kid) const {
  return keys && keys->by_kid.count(kid);
}

size_t KeySet::size() const {
  return keys ? keys->by_kid.size() : 0;
}

std::string id_token_kid(const std::string& token) {
  size_t dot = token.find('.');
  if (dot == std::string::npos) return "";
  try {
    json header = read_part(token.substr(0, dot), "header");
    return string_member(header, "kid");
  } catch (const std::exception&) {
    return "";
  }
}

json verify_id_token(const std::string& token, const KeySet& keys,
                     const IdTokenExpectations& expect) {
  size_t a = token.find('.');
  size_t b = a == std::string::npos ? a : token.find('.', a + 1);
  if (b == std::string::npos || token.find('.', b + 1) != std::string::npos)
    throw IdTokenError("the ID token is not a signed JWT (header.payload.signature)");
  json header = read_part(token.substr(0, a), "header");
  std::string alg = string_member(header, "alg");
  if (alg != "RS256")
    throw IdTokenError("the ID token is signed with \"" + alg + "\": only RS256 is accepted");
  std::string kid = string_member(header, "kid");
  std::shared_ptr<EVP_PKEY> key;
  if (keys.keys) {
    if (auto it = keys.keys->by_kid.find(kid); it != keys.keys->by_kid.end())
      key = it->second;
    else if (kid.empty() && keys.keys->by_kid.size() == 1)
      key = keys.keys->by_kid.begin()->second;
  }
  if (!key) throw IdTokenError("the ID token's key \"" + kid + "\" is not one of the provider's");
  std::string signature = base64url_decode(token.substr(b + 1));
  std::string signed_part = token.substr(0, b);
  EVP_MD_CTX* md = EVP_MD_CTX_new();
  bool ok =
      md && EVP_DigestVerifyInit(md, nullptr, EVP_sha256(), nullptr, key.get()) == 1 &&
      EVP_DigestVerify(md, reinterpret_cast<const unsigned char*>(signature.data()),
                       signature.size(), reinterpret_cast<const unsigned char*>(signed_part.data()),
                       signed_part.size()) == 1;
  EVP_MD_CTX_free(md);
  if (!ok) throw IdTokenError("the ID token's signature does not verify with the provider's key");

  json claims = read_part(token.substr(a + 1, b - a - 1), "payload");
  try {
    check_claims(claims, expect);
  } catch (const json::exception&) {  // a claim of the wrong JSON type
    throw IdTokenError("the ID token's claims are malformed");
  }
  return claims;
}

void check_claims(const json& claims, const IdTokenExpectations& expect) {
  if (claims.value("iss", "") != expect.issuer)
    throw IdTokenError("the ID token was issued by \"" + claims.value("iss", "") + "\", not " +
                       expect.issuer);
  const json& aud = claims.contains("aud") ? claims["aud"] : json();
  bool for_us = aud.is_string() ? aud == expect.audience
                                : aud.is_array() && std::find(aud.begin(), aud.end(),
                                                              json(expect.audience)) != aud.end();
  if (!for_us) throw IdTokenError("the ID token is not meant for this client (its audience)");
  if (aud.is_array() && aud.size() > 1 && claims.value("azp", "") != expect.audience)
    throw IdTokenError("the ID token has several audiences and azp does not name this client");
  if (!claims.contains("exp") || !claims["exp"].is_number())
    throw IdTokenError("the ID token has no expiry");
  if (claims["exp"].get<double>() + static_cast<double>(expect.leeway_s) <
      static_cast<double>(expect.now_s))
    throw IdTokenError("the ID token has expired");
  if (claims.contains("iat") && claims["iat"].is_number() &&
      claims["iat"].get<double>() > static_cast<double>(expect.now_s + expect.leeway_s))
    throw IdTokenError("the ID token was issued in the future");
  if (claims.value("nonce", "") != expect.nonce || expect.nonce.empty())
    throw IdTokenError("the ID token's nonce is not the one this sign-in sent");
  if (!claims.contains("sub") || !claims["sub"].is_string())
    throw IdTokenError("the ID token names no subject");
}

}  // namespace rbk::server
