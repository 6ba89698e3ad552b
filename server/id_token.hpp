// Checking an OpenID Connect ID token (a JWS in compact form) before believing a word of
// it: its header names RS256 (nothing else is accepted: not "none", not an HMAC an
// attacker could key with the public key) and a key of the provider's key set (JWKS);
// its signature verifies with that key (OpenSSL); its issuer is the provider, its audience
// holds this client (and, with several audiences, azp names it), it has not expired
// (a minute's leeway for clocks), it was not issued in the future, and its nonce is the
// one this login sent. Only then are its claims returned.
#pragma once

#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>

namespace rbk::server {

// Why a token (or a key set) is refused, for the log and the person signing in.
struct IdTokenError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// A provider's signing keys (RSA keys of a JWKS document), ready to verify with.
class KeySet {
 public:
  // The keys of a JWKS document's text; keys of other types or uses are skipped. Throws
  // IdTokenError when the text is not a key set.
  static KeySet parse(const std::string& jwks);
  bool has(const std::string& kid) const;
  size_t size() const;

  struct Keys;  // OpenSSL's, by kid (id_token.cpp)
  std::shared_ptr<const Keys> keys;
};

struct IdTokenExpectations {
  std::string issuer;
  std::string audience;  // this client's id
  std::string nonce;
  int64_t now_s = 0;  // seconds since the epoch
  int64_t leeway_s = 60;
};

// TOKEN's claims, once every check above passes; throws IdTokenError naming the first
// that fails.
nlohmann::json verify_id_token(const std::string& token, const KeySet& keys,
                               const IdTokenExpectations& expect);

// The key id a token's header names ("" when none): to fetch a key set anew when the
// provider has rotated its keys.
std::string id_token_kid(const std::string& token);

// Base64url without padding (RFC 4648 §5), as JWS and PKCE use it.
std::string base64url(const std::string& bytes);
// Decodes base64url; throws IdTokenError on a character outside the alphabet.
std::string base64url_decode(const std::string& text);

}  // namespace rbk::server
