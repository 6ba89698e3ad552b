// The native functions as data (lang/natives.def): an id per row, and each row's effect,
// capability, where it runs, signature and documentation.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "lang/kinds.hpp"

namespace rbk {

enum class NativeId : uint8_t {
#define RBK_NATIVE(id, effect, capability, runs, signature, doc) id,
#include "lang/natives.def"
#undef RBK_NATIVE
};

// Who computes a native (the RUNS column).
enum class NativeRuns : uint8_t { builtin, clock, world };

struct NativeRow {
  NativeId id;
  Effect effect;
  std::string_view capability;  // "" for pure functions
  NativeRuns runs;
  std::string_view signature;  // "name(params) -> result"
  std::string_view doc;

  std::string_view name() const { return signature.substr(0, signature.find('(')); }
};

// Every row, in table order (overloads are adjacent).
std::span<const NativeRow> native_rows();
const NativeRow& native_row(NativeId id);
// The first row (of its overloads) named NAME, or null when NAME is not a native.
const NativeRow* native_named(std::string_view name);

}  // namespace rbk
