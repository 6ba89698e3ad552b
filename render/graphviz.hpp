// Graphviz drawings of a Program's runbook: DOT text, and SVG laid out in-process by
// Graphviz's gvc (no external `dot` process). Drawn from the bytecode graph, never from
// the source, so the picture shows what runs.
//
// Shapes follow the seeds' flowcharts: start and end are stadiums, decisions diamonds,
// actions rectangles, approvals hexagons, waits parallelograms, calls subroutines (a box
// with double sides); end nodes are coloured by outcome, and a gate's role is shown on its
// node. Node ids are the node names (quoted, so DOT keywords draw as plain nodes); the
// start is a node called "start" (a reserved word of .rbk, so no runbook node has it).
// Each node and edge carries an id that survives into the SVG — "node_NAME" and "edge_INDEX"
// (the edge's index in the runbook, as a trace's edge_taken names it; "edge_start" for the
// start's) — so a page can colour a run's path on the drawing (rbk serve's run page).
// The output depends only on the program (and the overlay): byte-identical each time.
#pragma once

#include <string>

#include "render/overlay.hpp"
#include "vm/program.hpp"

namespace rbk {

std::string render_dot(const RunbookInfo& rb, const Overlay& overlay = {});
// Lays DOT out with Graphviz and returns SVG; throws std::runtime_error if Graphviz fails.
// Safe from any thread (calls are serialized: Graphviz is not reentrant).
std::string render_svg(const std::string& dot);

}  // namespace rbk
