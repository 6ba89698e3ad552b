#include "lang/natives.hpp"

#include <array>

namespace rbk {

namespace {

namespace columns {
constexpr Effect Pure = Effect::Pure, Probe = Effect::Probe, Action = Effect::Action;
constexpr NativeRuns builtin = NativeRuns::builtin, clock = NativeRuns::clock,
                     world = NativeRuns::world;
constexpr NativeRow kRows[] = {
#define RBK_NATIVE(id, effect, capability, runs, signature, doc) \
  {NativeId::id, effect, capability, runs, signature, doc},
#include "lang/natives.def"
#undef RBK_NATIVE
};
}  // namespace columns

}  // namespace

std::span<const NativeRow> native_rows() {
  return columns::kRows;
}

const NativeRow& native_row(NativeId id) {
  return columns::kRows[static_cast<size_t>(id)];
}

const NativeRow* native_named(std::string_view name) {
  for (const auto& row : columns::kRows)
    if (row.name() == name) return &row;
  return nullptr;
}

}  // namespace rbk
