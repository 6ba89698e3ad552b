// Mermaid `flowchart TD` drawings of a Program's runbook, for Markdown pages (GitHub,
// MkDocs, Docusaurus render them) and the docs site. Drawn from the bytecode graph, like
// the Graphviz drawing, with the same captions, shapes and colours (render/look.hpp).
//
// Node ids are the node names, except names Mermaid's lexer takes as keywords whatever
// follows them (graph, flowchart, subgraph, style, linkStyle, class, classDef, click,
// href, interpolate): those get the id "node.NAME" — a dot never occurs in an .rbk name,
// so no other node can have it. Every label is a quoted string with Mermaid's entity
// codes for the characters that would end or change it (" # < > & `); line breaks are
// <br>; other text, non-ASCII included, is written as it is (Mermaid reads UTF-8).
// The output depends only on the program (and the overlay): byte-identical each time.
#pragma once

#include <string>
#include <vector>

#include "render/overlay.hpp"
#include "vm/program.hpp"

namespace rbk {

// Mermaid's default limits: beyond them Mermaid refuses to draw the diagram.
inline constexpr size_t kMermaidMaxEdges = 500;
inline constexpr size_t kMermaidMaxTextSize = 50000;

struct MermaidDiagram {
  std::string text;
  std::vector<std::string> warnings;  // the diagram passes a limit of Mermaid's
};

// The id a node of that name has in the diagram ("start" for the start).
std::string mermaid_id(const std::string& node_name);
// TEXT as the inside of a Mermaid quoted label.
std::string mermaid_label(const std::string& text);

MermaidDiagram render_mermaid(const RunbookInfo& rb, const Overlay& overlay = {});

}  // namespace rbk
