// A readable listing of a Program: runbooks with their parameters, nodes, edges and each
// node's code with the source line of every instruction; then the functions.
#pragma once

#include <string>

#include "vm/program.hpp"

namespace rbk {

std::string disassemble(const Program& p);

}  // namespace rbk
