// Harness: .rbc bytes -> decode -> verify -> disassembly and drawings -> a run against
// the in-memory host. The input is a payload that the harness seals with a valid header
// and hash, so mutations reach the decoder and the verifier instead of stopping at the
// hash check (a modified file with a stale hash is refused before anything is read). The
// raw input is also read as a whole file. Seeds: the payloads of the compiled runbooks
// (scripts/fuzz.sh writes them) and tests/fuzz/corpus/rbc/.
#include <cstddef>
#include <cstdint>

#include "fuzz_support.hpp"
#include "render/graphviz.hpp"
#include "render/mermaid.hpp"
#include "vm/disasm.hpp"
#include "vm/rbc.hpp"

namespace {

void load_and_run(const std::string& bytes) {
  rbk::Program p;
  try {
    p = rbk::decode_rbc(bytes);
  } catch (const rbk::RbcError&) {
    return;  // refused with a message, as rbk run and rbk disasm show it
  }
  rbk::disassemble(p);
  for (const auto& rb : p.runbooks) {
    rbk::render_dot(rb);
    rbk::render_mermaid(rb);
  }
  rbk::fuzz::run_in_memory(p);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string input(reinterpret_cast<const char*>(data), size);
  load_and_run(input);
  load_and_run(rbk::rbc_file(input));
  return 0;
}
