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
//     "retry": {"attempts": 6, "first_delay": "1s"}
//   }
#pragma once

#include <cstdint>
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

struct Settings {
  std::string public_url;  // "" : links are relative (/api/runs/ID)
  std::vector<Webhook> webhooks;
  int attempts = 6;               // deliveries tried per notification
  int64_t first_delay_ms = 1000;  // then doubled each time, up to a minute
};

// TEXT of the settings file SOURCE; throws SettingsError.
Settings parse_settings(const std::string& text, const std::string& source);

}  // namespace rbk::server
