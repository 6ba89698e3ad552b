// Getting a Program for a command: compile a .rbk file (checking it first) or load a
// verified .rbc file. Shared by compile, disasm, run and test.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "vm/program.hpp"

namespace rbk::cli {

struct LoadedProgram {
  Program program;
  int exit_code = 0;  // non-zero when loading failed (diagnostics already printed)
};

// FILE is .rbk (checked and compiled; RUNBOOK picks the runbook) or .rbc (verified).
LoadedProgram load_program(const std::string& file, const std::string& runbook);

// Checks .rbk FILE (printing its diagnostics) and compiles RUNBOOK of it, chosen as
// select_runbook does ("" = named like the file, or the only one), or with no RUNBOOK
// every runbook the file defines, in source order, into PROGRAMS. Returns the exit code.
int compile_file(const std::string& file, const std::optional<std::string>& runbook,
                 std::vector<Program>& programs);

}  // namespace rbk::cli
