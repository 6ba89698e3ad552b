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
  // A fleet drawn over its child runbook: how many children of a foreach ran it (each
  // edge counts the children that took it; 0 for a single run).
  int children = 0;

  // Marks the nodes the counted edges lead to (children are traced by their edges only).
  void enter_edge_targets(const RunbookInfo& rb);
};

struct OverlayError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Reads the events of runbook RUNBOOK (depth 0 only for the entry runbook) — or, when a
// foreach ran RUNBOOK as its child, the children's paths (their `children` events) — from TEXT, a
// trace of the program whose hash (hex) is PROGRAM_HASH. Throws OverlayError naming the
// line when a line is not a JSON object or comes from another program (its edges and
// nodes would be drawn on the wrong graph). Fields of another JSON type than a trace
// writes are read as absent.
// With DIGEST (runbook_digest of the drawn runbook), the children of a foreach that ran
// that very runbook inside another program are drawn too: a fleet over its child runbook.
Overlay read_overlay(const std::string& text, const std::string& runbook,
                     const std::string& program_hash, const std::string& digest = "");

}  // namespace rbk
