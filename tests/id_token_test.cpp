// ID tokens are believed only when every check passes: each test signs a token with a real
// RSA key (OpenSSL) and breaks one thing — the key, the algorithm ("none", HS256 keyed with
// the public key), the issuer, the audience, the expiry, the nonce, the signature's bytes —
// and the verifier must refuse it, naming that thing.
#include <gtest/gtest.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rsa.h>

#include <memory>
#include <nlohmann/json.hpp>

#include "server/id_token.hpp"

namespace rbk::server {
namespace {

using nlohmann::json;

struct Key {
  std::shared_ptr<EVP_PKEY> pkey;
  std::string kid;
  // The public half as a JWKS entry.
  json jwk() const {
    BIGNUM *n = nullptr, *e = nullptr;
    EVP_PKEY_get_bn_param(pkey.get(), OSSL_PKEY_PARAM_RSA_N, &n);
    EVP_PKEY_get_bn_param(pkey.get(), OSSL_PKEY_PARAM_RSA_E, &e);
    auto bytes = [](BIGNUM* b) {
      std::string s(static_cast<size_t>(BN_num_bytes(b)), '\0');
      BN_bn2bin(b, reinterpret_cast<unsigned char*>(s.data()));
      BN_free(b);
      return base64url(s);
    };
    return {{"kty", "RSA"},   {"kid", kid},    {"use", "sig"},
            {"alg", "RS256"}, {"n", bytes(n)}, {"e", bytes(e)}};
  }
};

Key make_key(const std::string& kid) {
  return {std::shared_ptr<EVP_PKEY>(EVP_RSA_gen(2048), EVP_PKEY_free), kid};
}

const Key& shared(const std::string& kid) {
  static const Key k1 = make_key("k1"), k2 = make_key("k2");
  return kid == "k1" ? k1 : k2;
}

std::string sign_rs256(const Key& key, const std::string& data) {
  EVP_MD_CTX* md = EVP_MD_CTX_new();
  size_t len = 0;
  EVP_DigestSignInit(md, nullptr, EVP_sha256(), nullptr, key.pkey.get());
  EVP_DigestSign(md, nullptr, &len, reinterpret_cast<const unsigned char*>(data.data()),
                 data.size());
  std::string sig(len, '\0');
  EVP_DigestSign(md, reinterpret_cast<unsigned char*>(sig.data()), &len,
                 reinterpret_cast<const unsigned char*>(data.data()), data.size());
  EVP_MD_CTX_free(md);
  sig.resize(len);
  return sig;
}

std::string token(const Key& key, const json& header, const json& claims) {
  std::string signed_part = base64url(header.dump()) + "." + base64url(claims.dump());
  return signed_part + "." + base64url(sign_rs256(key, signed_part));
}

class IdTokenTest : public ::testing::Test {
 protected:
  // Made once: an RSA key takes a while to generate (under the sanitizers more so).
  IdTokenTest() : key(shared("k1")), other(shared("k2")) {
    keys = KeySet::parse(json{{"keys", {key.jwk()}}}.dump());
  }
  json header() const { return {{"alg", "RS256"}, {"kid", "k1"}, {"typ", "JWT"}}; }
  json claims() const {
    return {{"iss", "https://idp.example"},
            {"aud", "rbk"},
            {"sub", "u-1"},
            {"nonce", "n-123"},
            {"exp", now + 300},
            {"iat", now - 5},
            {"preferred_username", "bob"},
            {"groups", {"ops-team"}}};
  }
  std::string refusal(const std::string& t) {
    try {
      verify_id_token(t, keys, expect);
    } catch (const IdTokenError& e) {
      return e.what();
    }
    return "accepted";
  }

  int64_t now = 1'800'000'000;
  Key key, other;
  KeySet keys;
  IdTokenExpectations expect{"https://idp.example", "rbk", "n-123", now, 60};
};

TEST_F(IdTokenTest, AGoodTokenGivesItsClaims) {
  json c = verify_id_token(token(key, header(), claims()), keys, expect);
  EXPECT_EQ(c["preferred_username"], "bob");
  EXPECT_EQ(c["groups"][0], "ops-team");
}

TEST_F(IdTokenTest, SignedWithAnotherKey) {
  json h = header();
  EXPECT_NE(refusal(token(other, h, claims())).find("signature does not verify"),
            std::string::npos);
  h["kid"] = "k2";
  EXPECT_NE(refusal(token(other, h, claims())).find("not one of the provider's"),
            std::string::npos);
}

TEST_F(IdTokenTest, AlgNoneIsRefused) {
  json h = header();
  h["alg"] = "none";
  std::string t = base64url(h.dump()) + "." + base64url(claims().dump()) + ".";
  EXPECT_NE(refusal(t).find("only RS256"), std::string::npos);
}

TEST_F(IdTokenTest, HmacKeyedWithThePublicKeyIsRefused) {
  json h = header();
  h["alg"] = "HS256";
  std::string signed_part = base64url(h.dump()) + "." + base64url(claims().dump());
  std::string secret = key.jwk()["n"];
  unsigned char mac[32];
  unsigned int len = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(signed_part.data()), signed_part.size(), mac, &len);
  std::string t = signed_part + "." + base64url(std::string(reinterpret_cast<char*>(mac), len));
  EXPECT_NE(refusal(t).find("only RS256"), std::string::npos);
}

TEST_F(IdTokenTest, WrongAudienceIssuerNonceOrExpiry) {
  json c = claims();
  c["aud"] = "someone-else";
  EXPECT_NE(refusal(token(key, header(), c)).find("audience"), std::string::npos);
  c = claims();
  c["aud"] = {"rbk", "other"};  // several audiences: azp must name this client
  EXPECT_NE(refusal(token(key, header(), c)).find("azp"), std::string::npos);
  c["azp"] = "rbk";
  EXPECT_EQ(refusal(token(key, header(), c)), "accepted");
  c = claims();
  c["iss"] = "https://evil.example";
  EXPECT_NE(refusal(token(key, header(), c)).find("issued by"), std::string::npos);
  c = claims();
  c["nonce"] = "replayed";
  EXPECT_NE(refusal(token(key, header(), c)).find("nonce"), std::string::npos);
  c.erase("nonce");
  EXPECT_NE(refusal(token(key, header(), c)).find("nonce"), std::string::npos);
  c = claims();
  c["exp"] = now - 61;
  EXPECT_NE(refusal(token(key, header(), c)).find("expired"), std::string::npos);
  c["exp"] = now - 30;  // within the minute's leeway
  EXPECT_EQ(refusal(token(key, header(), c)), "accepted");
  c = claims();
  c["iat"] = now + 3600;
  EXPECT_NE(refusal(token(key, header(), c)).find("future"), std::string::npos);
  c = claims();
  c["exp"] = "tomorrow";
  EXPECT_NE(refusal(token(key, header(), c)).find("expiry"), std::string::npos);
  c = claims();
  c["iss"] = 42;
  EXPECT_NE(refusal(token(key, header(), c)).find("malformed"), std::string::npos);
}

TEST_F(IdTokenTest, ChangedBytesAndMalformedTokens) {
  std::string t = token(key, header(), claims());
  json c = claims();
  c["groups"] = {"admins"};  // a payload swapped under the same signature
  std::string swapped =
      t.substr(0, t.find('.')) + "." + base64url(c.dump()) + t.substr(t.rfind('.'));
  EXPECT_NE(refusal(swapped).find("signature does not verify"), std::string::npos);
  EXPECT_NE(refusal("not-a-token").find("not a signed JWT"), std::string::npos);
  EXPECT_NE(refusal("a.b.c.d").find("not a signed JWT"), std::string::npos);
  EXPECT_NE(refusal("!!.e30.x").find("base64url"), std::string::npos);
  EXPECT_NE(refusal(base64url("[1]") + ".e30.x").find("not a JSON object"), std::string::npos);
  EXPECT_NE(refusal(base64url(R"({"alg": 256, "kid": ["k1"]})") + ".e30.x").find("only RS256"),
            std::string::npos);
  EXPECT_EQ(id_token_kid(base64url(R"({"kid": 1})") + ".e30.x"), "");
}

TEST_F(IdTokenTest, KeySets) {
  EXPECT_THROW(KeySet::parse("{}"), IdTokenError);
  EXPECT_THROW(KeySet::parse("not json"), IdTokenError);
  KeySet s = KeySet::parse(
      R"({"keys": [{"kty": "EC", "kid": "e"}, {"kty": "RSA", "kid": "x", "n": "!", "e": "AQAB"}]})");
  EXPECT_EQ(s.size(), 0u);  // keys rbk cannot use are skipped, not trusted
  // Members of another JSON type are keys rbk cannot use either (the fuzzer's find: a
  // numeric "kty" threw the JSON library's exception out of the reader).
  EXPECT_EQ(KeySet::parse(R"({"keys": [{"kty": 1111111}, {"kty": "RSA", "kid": 7}]})").size(), 0u);
  EXPECT_TRUE(keys.has("k1"));
  EXPECT_EQ(base64url_decode(base64url("any bytes\x01\xff")), "any bytes\x01\xff");
}

}  // namespace
}  // namespace rbk::server
