// Single sign-on with OpenID Connect: the authorization code flow with PKCE (RFC 7636).
// A person opening /auth/login is sent to the provider with a fresh state, nonce and code
// challenge; the provider sends them back to /auth/callback with a code, which is
// exchanged (with the code verifier and this client's secret) for an ID token at the
// provider's token endpoint; the token is verified (id_token.hpp) and its groups claim
// mapped to roles. The provider's endpoints and keys are read from its discovery
// document; its keys are fetched again when a token names one not seen yet (rotation).
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

#include "server/id_token.hpp"
#include "server/identity.hpp"
#include "server/settings.hpp"

namespace rbk::server {

struct OidcError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

class OidcClient {
 public:
  // REDIRECT_URI: this server's /auth/callback as the provider knows it.
  OidcClient(OidcSettings settings, std::string redirect_uri);

  // Reads the provider's discovery document and keys. Throws OidcError.
  void discover();

  // Where to send a person signing in (the provider's authorization endpoint, with this
  // login's state, nonce and code challenge); RETURN_TO is where they go once signed in,
  // LOGIN_HINT (may be "") passed on to the provider.
  std::string begin(const std::string& return_to, const std::string& login_hint);

  struct SignedIn {
    Identity identity;
    std::string return_to;
  };
  // The provider's answer (CODE and STATE of the callback): the person, once the code is
  // exchanged and the ID token verified. Throws OidcError saying what failed (a state
  // unknown or used, the exchange refused, the token's first failed check).
  SignedIn finish(const std::string& code, const std::string& state);

  const OidcSettings& settings() const { return s_; }

 private:
  struct Pending {
    std::string verifier, nonce, return_to;
    std::chrono::steady_clock::time_point expires;
  };
  KeySet keys_for(const std::string& kid);

  OidcSettings s_;
  std::string redirect_uri_;
  std::string authorization_endpoint_, token_endpoint_, jwks_uri_;
  std::mutex mu_;
  KeySet keys_;
  std::map<std::string, Pending> pending_;  // by state
};

// N random bytes (OpenSSL's generator).
std::string random_bytes(size_t n);

}  // namespace rbk::server
