// The verifier: every Program passes it before it runs, whether loaded from a .rbc file
// or fresh from the compiler (the tests run it on every runbook's compiled program).
//
// One linear pass over each code block checks every operand against the table it
// indexes (constants, variables, parameters, locals, functions and their arity, edges of
// the node, shapes, types, runbooks and their arity, jump targets), that each opcode
// appears only where it belongs (PLAN and ACT in action nodes, RETURN in bodies, an
// action CALL only inside an action's body: effects hold in the bytecode too), and the
// stack depth at every instruction: never below zero, the same along every path into an
// instruction, zero where a node hands over to the graph, at most kMaxStack. Node, edge
// and function tables are checked for consistency, and the content hash is recomputed.
#pragma once

#include <string>

#include "vm/program.hpp"

namespace rbk {

inline constexpr uint32_t kMaxStack = 256;
// Locals of one declared function (its parameters and lets).
inline constexpr uint32_t kMaxLocals = 4096;

// Empty when the program is sound; otherwise the first problem, with its place.
std::string verify(const Program& p);

}  // namespace rbk
