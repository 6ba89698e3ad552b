#include "render/overlay.hpp"

#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>

#include "vm/host.hpp"
#include "vm/json_read.hpp"

namespace rbk {

namespace {

std::string text_field(const nlohmann::json& e, const char* key) {
  auto it = e.find(key);
  return it != e.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace

Overlay read_overlay(const std::string& text, const std::string& runbook,
                     const std::string& program_hash) {
  Overlay o;
  o.present = true;
  std::istringstream in(text);
  std::string line;
  for (int n = 1; std::getline(in, line); ++n) {
    if (line.empty()) continue;
    nlohmann::json e;
    try {
      e = read_json(line);
    } catch (const JsonReadError& x) {
      throw OverlayError("trace line " + std::to_string(n) + " is not a JSON object (" + x.what() +
                         ")");
    }
    if (!e.is_object())
      throw OverlayError("trace line " + std::to_string(n) + " is not a JSON object");
    // Edge numbers and node names mean something only in the program that ran.
    if (std::string ran = text_field(e, "program"); ran != program_hash)
      throw OverlayError("trace line " + std::to_string(n) +
                         (ran.empty() ? std::string(" names no program")
                                      : " is of program " + ran.substr(0, 12) + "…") +
                         ", not of the one drawn (" + program_hash.substr(0, 12) +
                         "…): draw the program the run executed, or run this one again");
    if (text_field(e, "runbook") != runbook) continue;
    std::string type = text_field(e, "event");
    auto depth = e.find("depth");
    bool entry_level = depth == e.end() || (depth->is_number_integer() && *depth == 0);
    if (type == trace_kind_name(TraceKind::NodeEntered)) {
      o.nodes.insert(text_field(e, "node"));
    } else if (type == trace_kind_name(TraceKind::EdgeTaken)) {
      auto edge = e.find("edge");
      if (edge != e.end() && edge->is_number_unsigned() && *edge <= UINT32_MAX)
        ++o.edges[edge->get<uint32_t>()];
    } else if (type == trace_kind_name(TraceKind::GateDecided)) {
      o.gates[text_field(e, "gate")] = text_field(e, "decision");
    } else if (type == trace_kind_name(TraceKind::RunEnded) && entry_level) {
      o.outcome = text_field(e, "outcome");
    } else if (type == trace_kind_name(TraceKind::RunFailed)) {
      o.outcome = "failed";
    }
  }
  return o;
}

}  // namespace rbk
