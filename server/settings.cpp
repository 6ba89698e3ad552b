#include "server/settings.hpp"

#include <nlohmann/json.hpp>

#include "vm/json_read.hpp"
#include "vm/value.hpp"

namespace rbk::server {

using nlohmann::json;

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
    } else {
      throw fail("unknown key \"" + it.key() + "\" (known: public_url, webhooks, retry)");
    }
  }
  return s;
}

}  // namespace rbk::server
