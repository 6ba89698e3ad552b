// Values and JSON. Two mappings:
// - plain (scenario files, traces, parameters): durations as "45m", times as RFC 3339,
//   percents as "5%", records as objects; reading plain JSON gives json-shaped values
//   (null, bool, int, float, string, list, record) that convert() then types.
// - tagged (the run journal): every value with its kind, so replay gives back exactly the
//   value that was recorded.
#pragma once

#include <stdexcept>

#include <nlohmann/json.hpp>

#include "vm/value.hpp"

namespace rbk {

nlohmann::json to_plain_json(const Value& v);
Value from_plain_json(const nlohmann::json& j);

nlohmann::json to_tagged_json(const Value& v);
// What from_tagged_json throws for JSON that is not a tagged value (a damaged store).
struct TaggedJsonError : std::runtime_error {
  using std::runtime_error::runtime_error;
};
Value from_tagged_json(const nlohmann::json& j);

}  // namespace rbk
