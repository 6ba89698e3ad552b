#include "stdlib/config.hpp"

#include <cstdlib>

#include "vm/json_read.hpp"
#include "vm/value_json.hpp"

namespace rbk {

bool is_secret_name(const std::string& name) {
  std::string n;
  for (char c : name) n += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (const char* word : {"token", "secret", "password", "key"})
    if (n.find(word) != std::string::npos) return true;
  return false;
}

ConfigResult resolve_config(const Program& p, const std::string& text, const std::string& source) {
  ConfigResult out;
  nlohmann::json file = nlohmann::json::object();
  if (!text.empty()) {
    try {
      file = read_json(text);
    } catch (const JsonReadError& e) {
      out.errors.push_back(source + ": " + e.what());
      return out;
    }
    if (!file.is_object()) {
      out.errors.push_back(source + ": configuration is a JSON object of NAME: value");
      return out;
    }
  }
  for (const auto& c : p.config) {
    std::string env = "RBK_CONFIG_";
    for (char ch : c.name) env += static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    Value raw;
    std::string from;
    if (const char* e = std::getenv(env.c_str())) {
      raw = Value::string(e);
      // Non-string values read JSON from the variable (RBK_CONFIG_RETRIES=3).
      if (strip_optional(p.types[c.type])->kind != TypeKind::String) {
        try {
          raw = from_plain_json(read_json(e));
        } catch (const JsonReadError&) {  // not JSON: the text converts by type, or fails
        }
      }
      from = "environment variable " + env;
    } else if (file.contains(c.name)) {
      raw = from_plain_json(file[c.name]);
      from = source;
    } else if (is_optional(p.types[c.type])) {
      out.values[c.name] = Value::null();
      continue;
    } else {
      out.errors.push_back("configuration value '" + c.name + "' (" + to_string(p.types[c.type]) +
                           ") is not set: add it to " +
                           (text.empty() ? "a --config file" : source) + " or set " + env);
      continue;
    }
    Value v = convert(raw, p.types[c.type], "config." + c.name);
    if (v.is_error())
      out.errors.push_back(v.str() + " (from " + from + ")");
    else
      out.values[c.name] = v;
  }
  return out;
}

}  // namespace rbk
