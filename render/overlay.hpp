// A run drawn over its graph: which nodes and edges a trace took, how its gates were
// decided and how it ended. Read from a trace file (one JSON object per event).
#pragma once

#include <map>
#include <set>
#include <string>

#include "vm/program.hpp"

namespace rbk {

struct Overlay {
  bool present = false;              // a trace was given
  std::set<std::string> nodes;       // nodes entered (of the drawn runbook)
  std::set<uint32_t> edges;          // edges taken
  std::map<std::string, std::string> gates;  // gate -> decision
  std::string outcome;               // how the run ended ("" if it did not)
};

// Reads the events of runbook RUNBOOK (depth 0 only for the entry runbook) from TEXT.
// Throws std::runtime_error naming the line when a line is not a JSON object.
Overlay read_overlay(const std::string& text, const std::string& runbook);

}  // namespace rbk
