// The runbooks a server offers: every runbook defined in the .rbk files of one folder,
// compiled (and verified) when the server starts, each with what a person choosing one
// wants to see — its title, doc, parameters and their types, the capabilities it uses,
// its program hash, and its diagram in Mermaid and SVG drawn from that same program.
#pragma once

#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <vector>

#include "vm/program.hpp"

namespace rbk::server {

// A folder that cannot be offered: unreadable, without runbooks, or a file that does not
// compile (the message carries its diagnostics).
struct CatalogueError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct CatalogueEntry {
  std::shared_ptr<const Program> program;
  std::string file;  // the .rbk file, relative to the folder
  std::string mermaid, svg;
  nlohmann::json summary;  // name, title, doc, file, hash, params, capabilities, calls, called_by
};

class Catalogue {
 public:
  // Compiles every runbook of the .rbk files in DIR (imports found as `rbk check` finds
  // them). Throws CatalogueError.
  static Catalogue load(const std::string& dir);

  // The runbook named NAME, or null.
  const CatalogueEntry* find(const std::string& name) const;
  const std::vector<CatalogueEntry>& entries() const { return entries_; }

 private:
  std::vector<CatalogueEntry> entries_;  // by name
};

}  // namespace rbk::server
