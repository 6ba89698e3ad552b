// The .rbc file: a Program in a versioned, canonical binary encoding (docs/bytecode.md).
//
//   "RBKC"  u32 version  u32 payload-length  payload  SHA-256(payload)
//
// The SHA-256 of the payload is the program's content hash. Loading checks the magic,
// the version, the length and the hash before decoding, decodes with every read bounds-
// checked, then runs the verifier: a modified file is refused, never executed.
#pragma once

#include <stdexcept>
#include <string>

#include "vm/program.hpp"

namespace rbk {

struct RbcError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// The canonical encoding of everything but the hash (what the hash is computed over).
std::string encode_payload(const Program& p);
// Sets p.hash from the canonical encoding.
void seal(Program& p);
// The whole .rbc file.
std::string encode_rbc(const Program& p);
// The .rbc file around an encoded payload: header and hash (what encode_rbc writes).
std::string rbc_file(const std::string& payload);
// Decodes and verifies; throws RbcError naming the problem.
Program decode_rbc(const std::string& bytes);

std::array<uint8_t, 32> sha256(const std::string& data);

// A runbook's shape — its name, nodes and edges, in order — hashed (hex): the same runbook
// compiled into another program (a fleet's, where a foreach runs it) has the same digest,
// so the children's edges of that program can be drawn on it.
std::string runbook_digest(const RunbookInfo& rb);
std::string hex(const std::array<uint8_t, 32>& digest);

}  // namespace rbk
