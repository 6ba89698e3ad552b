// Graphviz drawings of a Program's runbook: DOT text, and SVG laid out in-process by
// Graphviz's gvc (no external `dot` process). Drawn from the bytecode graph, never from
// the source, so the picture shows what runs.
//
// Shapes follow the seeds' flowcharts: start and end are stadiums, decisions diamonds,
// actions rectangles, approvals hexagons, waits parallelograms, calls subroutines (a box
// with double sides); end nodes are coloured by outcome, and a gate's role is shown on its
// node. Node ids are the node names (quoted, so DOT keywords draw as plain nodes); the
// start is a node called "start" (a reserved word of .rbk, so no runbook node has it).
// The output depends only on the program (and the overlay): byte-identical each time.
#pragma once

#include <string>

#include "render/overlay.hpp"
#include "vm/program.hpp"

namespace rbk {

std::string render_dot(const RunbookInfo& rb, const Overlay& overlay = {});
// Lays DOT out with Graphviz and returns SVG; throws std::runtime_error if Graphviz fails.
std::string render_svg(const std::string& dot);

}  // namespace rbk
