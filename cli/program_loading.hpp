// Getting a Program for a command: compile a .rbk file (checking it first) or load a
// verified .rbc file. Shared by compile, disasm, run and test.
#pragma once

#include <optional>
#include <string>

#include "vm/program.hpp"

namespace rbk::cli {

struct LoadedProgram {
  Program program;
  int exit_code = 0;  // non-zero when loading failed (diagnostics already printed)
};

// FILE is .rbk (checked and compiled; RUNBOOK picks the runbook) or .rbc (verified).
LoadedProgram load_program(const std::string& file, const std::string& runbook);

}  // namespace rbk::cli
