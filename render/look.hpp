// What a node of the drawn graph says and looks like, whatever the diagram syntax: the
// caption lines (label, approval role, outcome, a run's gate decision), the fill colour
// per kind and outcome, and an edge's caption. Graphviz and Mermaid both draw from here,
// so the two pictures of one program say the same things.
#pragma once

#include <string>
#include <vector>

#include "render/overlay.hpp"
#include "vm/program.hpp"

namespace rbk {

// Colours of an overlay: what the run took, and what it did not.
inline constexpr const char* kTakenColor = "#1f6feb";
inline constexpr const char* kDimColor = "#b8b8b8";
inline constexpr const char* kDimTextColor = "#999999";
inline constexpr const char* kStartFill = "#e8e8e8";

// The node's label (its name when it has none), then one line per fact shown on it:
// "[approval: ROLE]", "(OUTCOME)" for end nodes, "gate: DECISION" when a run decided it.
std::string node_title(const NodeInfo& n);
std::vector<std::string> node_notes(const NodeInfo& n, const Overlay& overlay);

// The edge's label; unlabelled on-error, timeout, approved and denied edges are captioned
// with their kind, which speaks for itself. Then/when/else edges without a label: "".
std::string edge_caption(const EdgeInfo& e);
// The same for edge INDEX drawn under OVERLAY: an edge a run took more than once (a loop)
// says how often ("Still offline ×3").
std::string edge_caption(const EdgeInfo& e, uint32_t index, const Overlay& overlay);
// Error, timeout and denial edges are the unhappy paths: drawn dashed.
bool edge_is_dashed(const EdgeInfo& e);
// How wide a taken edge is drawn: 2.5 for a run; over a fleet, by the share of children
// that took it (1 to 8).
double edge_width(uint32_t index, const Overlay& overlay);

const char* node_fill(const NodeInfo& n);

}  // namespace rbk
