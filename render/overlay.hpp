// A run drawn over its graph: which nodes and edges a trace took, how its gates were
// decided and how it ended. Read from a trace file (one JSON object per event).
#pragma once

#include <map>
#include <set>
#include <stdexcept>
#include <string>

#include "vm/program.hpp"

namespace rbk {

struct Overlay {
  bool present = false;                      // a trace was given
  std::set<std::string> nodes;               // nodes entered (of the drawn runbook)
  std::map<uint32_t, int> edges;             // edges taken, with how often (loops: more than once)
  std::map<std::string, std::string> gates;  // gate -> decision
  std::string outcome;                       // how the run ended ("" if it did not)
};

struct OverlayError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Reads the events of runbook RUNBOOK (depth 0 only for the entry runbook) from TEXT, a
// trace of the program whose hash (hex) is PROGRAM_HASH. Throws OverlayError naming the
// line when a line is not a JSON object or comes from another program (its edges and
// nodes would be drawn on the wrong graph). Fields of another JSON type than a trace
// writes are read as absent.
Overlay read_overlay(const std::string& text, const std::string& runbook,
                     const std::string& program_hash);

}  // namespace rbk
