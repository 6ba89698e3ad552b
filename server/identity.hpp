// Who is asking: every /api request carries an identity, proven by an API token
// (`Authorization: Bearer rbk_…`, run/tokens.hpp) or by a browser session a sign-in
// made (the rbk_session cookie, server/oidc.hpp). The name is what the audit log, the
// runs' started_by and the approvals record; the roles count toward the policy's roles.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "run/run_store.hpp"

namespace rbk::server {

struct Identity {
  std::string name;
  std::vector<std::string> roles;
  std::string via;  // "token 1a2b3c4d", "sign-in (https://login.example.com)"
  // A browser session's: what a changing request must send back in X-CSRF-Token (a
  // cookie comes along with any request a page makes; this the page must know). "" for a
  // token, which no browser sends on its own.
  std::string csrf{};
  std::string session_hash{};
};

// The cookie a browser session lives in.
inline constexpr const char* kSessionCookie = "rbk_session";

// The identity an Authorization header value proves, else the one of the session the
// Cookie header names; or std::nullopt with WHY (for the 401 answer: never echoing
// either).
std::optional<Identity> identify(RunStore& store, const std::string& authorization,
                                 const std::string& cookie, std::string& why);

// The value of cookie NAME in a Cookie header ("" when absent).
std::string cookie_value(const std::string& header, const std::string& name);

}  // namespace rbk::server
