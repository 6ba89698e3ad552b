// Harness: source text -> parse -> check -> codegen -> verify -> .rbc round trip ->
// disassembly and drawings -> a run against the in-memory host with small budgets.
// Seeds: runbooks/, stdlib/, tests/check/ and tests/fuzz/corpus/source/.
#include <cstddef>
#include <cstdint>

#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  rbk::fuzz::compile_and_run(rbk::fuzz::kFileName, {reinterpret_cast<const char*>(data), size});
  return 0;
}
