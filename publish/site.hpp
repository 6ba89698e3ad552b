// The static documentation site of a set of runbooks (rbk docs build): an index and a
// page per runbook in HTML (diagram as inline SVG laid out by Graphviz, Mermaid source,
// params, nodes, capability manifest, program hash, links between runbooks that call
// each other), and the same pages as Markdown (the diagram as an image, its Mermaid source
// folded) with an mkdocs.yml, for GitHub, MkDocs, Backstage TechDocs or Docusaurus. Plain files
// with relative links and no scripts fetched from anywhere, so the site works from file:// and from
// any web server. Everything is read from compiled Programs; the output depends only on them.
#pragma once

#include <string>
#include <vector>

#include "vm/program.hpp"

namespace rbk {

struct SiteRunbook {
  Program program;     // its entry is the runbook the page is about
  std::string source;  // the .rbk file, as shown on the page
};

struct SiteFile {
  std::string path;  // relative to the site's directory ("index.html", "markdown/x.md")
  std::string content;
};

// Throws std::runtime_error if Graphviz cannot lay a diagram out.
std::vector<SiteFile> build_site(const std::vector<SiteRunbook>& runbooks);

}  // namespace rbk
