#include "vm/json_read.hpp"

#include <string>

namespace rbk {

namespace {

struct TooDeep {};

// The library's message without its "[json.exception.parse_error.101] " prefix.
std::string plain_message(const nlohmann::json::exception& e) {
  std::string m = e.what();
  if (!m.empty() && m.front() == '[') {
    size_t close = m.find("] ");
    if (close != std::string::npos) m.erase(0, close + 2);
  }
  return m;
}

// Whether TEXT nests arrays and objects deeper than MAX_DEPTH: brackets counted outside
// strings, before the parser (whose own stack would otherwise grow with the input) sees
// it. A scan, not a parser callback: a callback parser costs several times the parse on
// a fleet snapshot of 60,000 objects. Text that is not JSON is left to the parser.
bool too_deep(std::string_view text, int max_depth) {
  int depth = 0;
  bool in_string = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (in_string) {
      if (c == '\\')
        ++i;
      else if (c == '"')
        in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > max_depth) return true;
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return false;
}

}  // namespace

std::string json_place(std::string_view text, size_t offset) {
  size_t line = 1, col = 1;
  for (size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++line;
      col = 1;
    } else {
      ++col;
    }
  }
  return "line " + std::to_string(line) + ", column " + std::to_string(col);
}

nlohmann::json read_json(std::string_view text, int max_depth) {
  try {
    if (too_deep(text, max_depth)) throw TooDeep{};
    return nlohmann::json::parse(text);
  } catch (const TooDeep&) {
    throw JsonReadError("JSON nested more than " + std::to_string(max_depth) +
                        " levels deep (the limit for arrays and objects)");
  } catch (const nlohmann::json::out_of_range& e) {
    // A number too large for a double (1e309): the library names the token but not
    // where it stands.
    std::string m = plain_message(e);
    size_t q = m.find('\'');
    size_t q2 = q == std::string::npos ? q : m.find('\'', q + 1);
    if (q2 != std::string::npos) {
      std::string token = m.substr(q + 1, q2 - q - 1);
      size_t at = text.find(token);
      if (at != std::string_view::npos)
        throw JsonReadError("not valid JSON: the number " + token + " at " + json_place(text, at) +
                            " is out of range");
    }
    throw JsonReadError("not valid JSON: " + m);
  } catch (const nlohmann::json::exception& e) {
    throw JsonReadError("not valid JSON: " + plain_message(e));
  }
}

std::string string_member(const nlohmann::json& object, std::string_view key) {
  if (!object.is_object()) return "";
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace rbk
