#include "lang/kinds.hpp"

#include <array>

namespace rbk {

namespace {

constexpr std::array<const char*, kNodeKinds> kNodeKindNames = {
#define RBK_NODE_KIND(e, name) name,
#include "lang/kinds.def"
#undef RBK_NODE_KIND
};
constexpr std::array<const char*, kEdgeKinds> kEdgeKindNames = {
#define RBK_EDGE_KIND(e, name) name,
#include "lang/kinds.def"
#undef RBK_EDGE_KIND
};
struct OutcomeRow {
  const char* name;
  bool written;
};
constexpr std::array<OutcomeRow, kOutcomes> kOutcomeRows = {{
#define RBK_OUTCOME(e, name, written) {name, written},
#include "lang/kinds.def"
#undef RBK_OUTCOME
}};
constexpr std::array<const char*, kEffects> kEffectNames = {
#define RBK_EFFECT(e, name) name,
#include "lang/kinds.def"
#undef RBK_EFFECT
};

// Out-of-range values only come from a damaged program; the verifier refuses those, so
// "?" is what a disassembly of an unverified one shows.
template <typename Table, typename Enum>
const char* name_in(const Table& table, Enum e) {
  auto i = static_cast<size_t>(e);
  return i < table.size() ? table[i] : "?";
}

}  // namespace

const char* node_kind_name(NodeKind k) {
  return name_in(kNodeKindNames, k);
}
const char* edge_kind_name(EdgeKind k) {
  return name_in(kEdgeKindNames, k);
}
const char* effect_name(Effect e) {
  return name_in(kEffectNames, e);
}
const char* outcome_name(Outcome o) {
  auto i = static_cast<size_t>(o);
  return i < kOutcomeRows.size() ? kOutcomeRows[i].name : "?";
}

std::optional<Outcome> written_outcome(std::string_view name) {
  for (size_t i = 0; i < kOutcomeRows.size(); ++i)
    if (kOutcomeRows[i].written && name == kOutcomeRows[i].name) return static_cast<Outcome>(i);
  return std::nullopt;
}

std::vector<std::string> written_outcome_names() {
  std::vector<std::string> out;
  for (const auto& row : kOutcomeRows)
    if (row.written) out.emplace_back(row.name);
  return out;
}

std::optional<Effect> effect_named(std::string_view name) {
  for (size_t i = 0; i < kEffectNames.size(); ++i)
    if (name == kEffectNames[i]) return static_cast<Effect>(i);
  return std::nullopt;
}

std::optional<NodeKind> node_kind_named(std::string_view name) {
  for (size_t i = 0; i < kNodeKindNames.size(); ++i)
    if (name == kNodeKindNames[i]) return static_cast<NodeKind>(i);
  return std::nullopt;
}

}  // namespace rbk
