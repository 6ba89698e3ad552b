// Loads the files to check and, transitively, the files they import.
//
// An import resolves relative to the importing file first, then in the stdlib directory
// (default_stdlib_dir()): `import "stdlib/fleet.rbk"` and
// `import "fleet.rbk"` both find <stdlib>/fleet.rbk. Each file is loaded once however
// many files import it; a cycle of imports is reported at the import that closes it.
//
// Parsing dominates the time of a check, and most of what is parsed is the same from one
// check to the next (the stdlib modules every runbook imports; the unchanged files an
// editor or `rbk docs sync` checks again). So an imported file that parsed without a
// diagnostic is kept, by the path it was loaded as, with its text: importing the same text
// from the same path again shares its source and AST instead of parsing it again. Files
// named on the command line are always parsed.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "grammar/ast.hpp"
#include "grammar/diagnostic.hpp"

namespace rbk {

struct LoadedFile {
  SourcePtr src;
  std::shared_ptr<const ast::File> ast;  // shared with the parse cache
  bool parsed = false;                   // parsed without syntax errors
  bool root = false;                     // named on the command line
  struct ImportEdge {
    size_t file;  // index in Workspace::files
    Range range;  // of the import's path string
  };
  std::vector<ImportEdge> imports;  // the imports that resolved
};

struct Workspace {
  std::vector<LoadedFile> files;
  std::string stdlib_dir;
  // Texts that stand in for files on disk, by canonical_path(): the unsaved buffers of an
  // editor (rbk lsp), so that a runbook is checked against the modules as they are typed.
  std::map<std::string, std::string> overlay;

  bool all_parsed() const;
};

// The directory of the standard modules: $RBK_STDLIB if set, else the installed one beside
// the binary (PREFIX/share/rbk/stdlib), else the source tree's.
std::string default_stdlib_dir();

// Loads PATHS and their imports. A root file that cannot be read is reported in
// UNREADABLE (the CLI exits 2 for it); everything else is a diagnostic.
void load_workspace(Workspace& ws, const std::vector<std::string>& paths, Diagnostics& diags,
                    std::vector<std::string>& unreadable);

// Loads in-memory text as one root file (tests and benchmarks).
void load_source(Workspace& ws, const std::string& path, std::string text, Diagnostics& diags);

// PATH made absolute, with symbolic links and `..` resolved as far as it exists: one
// spelling per file, so that a file is loaded once however it is named.
std::string canonical_path(const std::string& path);

// Reads a whole file; false if it cannot be read (or is larger than the 64 MiB limit).
bool read_file(const std::string& path, std::string& out, std::string& error);

}  // namespace rbk
