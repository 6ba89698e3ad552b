// What the fuzz harnesses share: a host that answers from memory (no file, network or
// clock is touched), small budgets, and the compile-and-run pipeline every text input
// goes through. A harness reports a finding by crashing (a sanitizer report, an
// uncaught exception, or abort() on a broken property), so nothing here catches more
// than the errors a command shows its user.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "vm/machine.hpp"
#include "vm/program.hpp"

namespace rbk::fuzz {

// Budgets small enough that a runaway program ends in milliseconds.
Budgets small_budgets();

// Runs PROGRAM's entry runbook against an in-memory host: every probe answers with a
// value of its declared type or an error, in turn; gates are approved, denied, timed out
// or left pending, in turn; time is virtual. Returns how the run ended.
RunResult run_in_memory(const Program& program);

// Checks, compiles, verifies and runs every runbook of TEXT (as a file called NAME),
// then reads the program back from its .rbc encoding. Aborts when a property the
// pipeline promises is broken (the compiler's output fails the verifier, the encoding
// does not read back to the same program).
void compile_and_run(const std::string& name, std::string_view text);

// The program's canonical encoding with source positions left out: what must not change
// when a file is only reformatted.
std::string encoding_without_positions(Program p);

// Stops the process with a message: a harness's way to report a broken property.
[[noreturn]] void broken(const std::string& what);

// The name a text input is checked under: a file beside the runbook library, so that its
// imports of other runbooks resolve as theirs do.
inline constexpr const char* kFileName = RBK_FUZZ_SOURCE_DIR "/runbooks/fuzz.rbk";

// The stdlib directory the text harnesses import from (set by the build).
const char* stdlib_dir();

}  // namespace rbk::fuzz
