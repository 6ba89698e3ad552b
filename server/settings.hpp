// The server's own settings (rbk serve --settings FILE, JSON): where people reach it, and
// whom to tell when a gate starts waiting. Parsed strictly: an unknown key or a value of
// the wrong type is an error naming the file and the key.
//
//   {
//     "public_url": "https://rbk.example.com",
//     "webhooks": [
//       {"url": "https://hooks.slack.com/services/…", "format": "slack"},
//       {"url": "https://tickets.example.com/rbk", "format": "json"}
//     ],
//     "retry": {"attempts": 6, "first_delay": "1s"},
//     "oidc": {"issuer": "https://login.example.com", "client_id": "rbk",
//              "client_secret_env": "RBK_OIDC_CLIENT_SECRET", "group_roles": {"sre": ["ops"]}}
//   }
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace rbk::server {

struct SettingsError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct Webhook {
  enum class Format { Slack, Json } format = Format::Json;
  std::string url;  // a secret of its own often (Slack's carry a token): never logged
};

// Single sign-on (server/oidc.hpp). The client secret is read from the environment
// variable the settings name, never from the file.
struct OidcSettings {
  std::string issuer;     // https://login.example.com/realms/ops
  std::string client_id;  // as registered with the provider
  std::string client_secret;
  std::string scopes = "openid profile groups";
  std::string name_claim = "preferred_username";  // the name runs and approvals record
  std::string groups_claim = "groups";
  std::map<std::string, std::vector<std::string>> group_roles;  // group -> roles
  int64_t session_ttl_ms = 8 * 3'600'000;
};

struct Settings {
  std::string public_url;  // "" : links are relative (/gates/ID)
  std::vector<Webhook> webhooks;
  int attempts = 6;               // deliveries tried per notification
  int64_t first_delay_ms = 1000;  // then doubled each time, up to a minute
  std::optional<OidcSettings> oidc;
};

// TEXT of the settings file SOURCE; throws SettingsError.
Settings parse_settings(const std::string& text, const std::string& source);

}  // namespace rbk::server
