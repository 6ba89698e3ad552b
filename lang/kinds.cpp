#include "lang/kinds.hpp"

#include "lang/name_table.hpp"

namespace rbk {

namespace {

constexpr auto kNodeKindNames = name_table<NodeKind>({
#define RBK_NODE_KIND(e, name) name,
#include "lang/kinds.def"
#undef RBK_NODE_KIND
});
constexpr auto kEdgeKindNames = name_table<EdgeKind>({
#define RBK_EDGE_KIND(e, name) name,
#include "lang/kinds.def"
#undef RBK_EDGE_KIND
});
constexpr auto kOutcomeNames = name_table<Outcome>({
#define RBK_OUTCOME(e, name, written) name,
#include "lang/kinds.def"
#undef RBK_OUTCOME
});
// Which outcomes an author may write after `end as` (the WRITTEN column).
constexpr bool kWritten[] = {
#define RBK_OUTCOME(e, name, written) written,
#include "lang/kinds.def"
#undef RBK_OUTCOME
};
constexpr auto kEffectNames = name_table<Effect>({
#define RBK_EFFECT(e, name) name,
#include "lang/kinds.def"
#undef RBK_EFFECT
});

}  // namespace

const char* node_kind_name(NodeKind k) {
  return kNodeKindNames.name(k);
}
const char* edge_kind_name(EdgeKind k) {
  return kEdgeKindNames.name(k);
}
const char* outcome_name(Outcome o) {
  return kOutcomeNames.name(o);
}
const char* effect_name(Effect e) {
  return kEffectNames.name(e);
}

std::optional<Outcome> written_outcome(std::string_view name) {
  std::optional<Outcome> o = kOutcomeNames.find(name);
  return o && kWritten[static_cast<size_t>(*o)] ? o : std::nullopt;
}

std::vector<std::string> written_outcome_names() {
  std::vector<std::string> out;
  for (size_t i = 0; i < kOutcomes; ++i)
    if (kWritten[i]) out.emplace_back(kOutcomeNames.names[i]);
  return out;
}

std::optional<Effect> effect_named(std::string_view name) {
  return kEffectNames.find(name);
}
std::optional<NodeKind> node_kind_named(std::string_view name) {
  return kNodeKindNames.find(name);
}

}  // namespace rbk
