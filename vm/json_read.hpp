// Reading JSON that comes from outside the program: scenario, policy and configuration
// files, traces, the run store's stored values, HTTP answers. One parser with the limits
// every reader needs, so that no reader can be handed input that crashes it:
//  - nesting deeper than kMaxJsonDepth is refused while parsing (the conversions to
//    Value and the copies after it recurse, so a 100,000-deep array would overflow the
//    stack);
//  - every failure of the JSON library (syntax, a number out of range such as 1e309,
//    invalid UTF-8 in a string) becomes one JsonReadError naming the place.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace rbk {

inline constexpr int kMaxJsonDepth = 64;
// What rbk stores itself (tagged values in the run store) nests up to three levels per
// level of a value: room for any value read within kMaxJsonDepth or built by a program.
inline constexpr int kMaxStoredJsonDepth = 512;

struct JsonReadError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// "line L, column C" of byte OFFSET of TEXT (columns in bytes, as the JSON library's own).
std::string json_place(std::string_view text, size_t offset);

// Parses TEXT; throws JsonReadError("not valid JSON: …" / "… nested more than 64 levels …").
nlohmann::json read_json(std::string_view text, int max_depth = kMaxJsonDepth);

// OBJECT's member KEY when it is a string, else "" (absent, another type, or OBJECT not an
// object). For input from outside: nlohmann's value(KEY, "") throws when the member is
// there with another type ({"kty": 1}), which a reader of a provider's key set or an
// ID token must treat as "not what we need", not as a crash.
std::string string_member(const nlohmann::json& object, std::string_view key);

}  // namespace rbk
