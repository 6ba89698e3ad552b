// Code generation: a checked workspace -> a Program (the bytecode graph).
//
// The program holds the entry runbook, every runbook its call nodes reach, and every
// function they can call (declared bodies compiled, natives by name). Each node compiles
// to a short code: lets and conditions in order, ending in TAKE of the chosen edge;
// action nodes PLAN each `do` call with its evaluated arguments and ACT; waits set up
// their deadline and POLL; calls RUN the sub-runbook. Arguments are bound to parameters
// here (named and positional, defaults filled in), so the VM only sees positional calls.
// Where a json value meets a typed slot, a CONVERT checks it at run time.
#pragma once

#include <string>

#include "compiler/model.hpp"
#include "vm/program.hpp"

namespace rbk {

// Compiles runbook ENTRY (an index into program.runbooks) of a checked program without
// errors. The result is sealed (hashed) and passes the verifier.
Program generate(const CheckedProgram& checked, int entry);

// Which runbook of FILE a command means: NAME if given; else the runbook named like the
// file (triage.rbk -> triage); else the only one. Empty with ERROR set otherwise.
int select_runbook(const CheckedProgram& checked, const std::string& file, const std::string& name,
                   std::string& error);

}  // namespace rbk
