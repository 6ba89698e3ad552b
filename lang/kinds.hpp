// Node kinds, edge kinds, outcomes and effects as enums, each with its one name table
// (lang/kinds.def). Everything above lang/ names them through these.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace rbk {

enum class NodeKind : uint8_t {
#define RBK_NODE_KIND(e, name) e,
#include "lang/kinds.def"
#undef RBK_NODE_KIND
};

enum class EdgeKind : uint8_t {
#define RBK_EDGE_KIND(e, name) e,
#include "lang/kinds.def"
#undef RBK_EDGE_KIND
};

enum class Outcome : uint8_t {
#define RBK_OUTCOME(e, name, written) e,
#include "lang/kinds.def"
#undef RBK_OUTCOME
};

enum class Effect : uint8_t {
#define RBK_EFFECT(e, name) e,
#include "lang/kinds.def"
#undef RBK_EFFECT
};

inline constexpr size_t kNodeKinds = 0
#define RBK_NODE_KIND(e, name) +1
#include "lang/kinds.def"
#undef RBK_NODE_KIND
    ;
inline constexpr size_t kEdgeKinds = 0
#define RBK_EDGE_KIND(e, name) +1
#include "lang/kinds.def"
#undef RBK_EDGE_KIND
    ;
inline constexpr size_t kOutcomes = 0
#define RBK_OUTCOME(e, name, written) +1
#include "lang/kinds.def"
#undef RBK_OUTCOME
    ;
inline constexpr size_t kEffects = 0
#define RBK_EFFECT(e, name) +1
#include "lang/kinds.def"
#undef RBK_EFFECT
    ;

const char* node_kind_name(NodeKind k);
const char* edge_kind_name(EdgeKind k);
const char* outcome_name(Outcome o);
const char* effect_name(Effect e);

// The outcome an author wrote after `end as` (resolved, mitigated, escalated, failed).
std::optional<Outcome> written_outcome(std::string_view name);
// Their names, in table order, for messages and suggestions.
std::vector<std::string> written_outcome_names();
std::optional<Effect> effect_named(std::string_view name);
// The node kind opened by keyword NAME (decide, action, …).
std::optional<NodeKind> node_kind_named(std::string_view name);

}  // namespace rbk
