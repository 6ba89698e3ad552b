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
                     const std::string& program_hash, const std::string& digest) {
  Overlay o;
  o.present = true;
  std::istringstream in(text);
  std::string line;
  std::vector<std::pair<int, nlohmann::json>> events;
  // A foreach of another program that ran this very runbook (same digest): its children
  // are drawn here, whatever program they ran in.
  bool fleet = false;
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
    fleet = fleet || (!digest.empty() &&
                      text_field(e, "event") == trace_kind_name(TraceKind::ForeachEnded) &&
                      text_field(e, "child") == runbook && text_field(e, "child_digest") == digest);
    events.emplace_back(n, std::move(e));
  }
  for (const auto& [n, e] : events) {
    // Edge numbers and node names mean something only in the program that ran.
    std::string ran = text_field(e, "program");
    if (ran != program_hash && fleet) {
      if (text_field(e, "event") != trace_kind_name(TraceKind::Children)) continue;
    } else if (ran != program_hash)
      throw OverlayError("trace line " + std::to_string(n) +
                         (ran.empty() ? std::string(" names no program")
                                      : " is of program " + ran.substr(0, 12) + "…") +
                         ", not of the one drawn (" + program_hash.substr(0, 12) +
                         "…): draw the program the run executed, or run this one again");
    std::string type = text_field(e, "event");
    if (type == trace_kind_name(TraceKind::Children) && text_field(e, "child") == runbook) {
      // Each child as the index of its path in the event's list of distinct paths.
      auto paths = e.find("paths");
      auto path = e.find("path");
      if (paths == e.end() || !paths->is_array() || path == e.end() || !path->is_array()) continue;
      std::vector<size_t> children_of(paths->size(), 0);
      for (const auto& p : *path) {
        ++o.children;
        if (p.is_number_unsigned() && p.get<size_t>() < children_of.size())
          ++children_of[p.get<size_t>()];
      }
      for (size_t k = 0; k < paths->size(); ++k) {
        const auto& way = (*paths)[k];
        if (!way.is_object() || !way.contains("edges") || !way["edges"].is_array()) continue;
        for (const auto& edge : way["edges"])
          if (edge.is_number_unsigned() && edge <= UINT32_MAX)
            o.edges[edge.get<uint32_t>()] += static_cast<int>(children_of[k]);
      }
      continue;
    }
    if (text_field(e, "runbook") != runbook) continue;
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

void Overlay::enter_edge_targets(const RunbookInfo& rb) {
  if (children == 0) return;
  nodes.insert(rb.nodes[rb.start].name);
  for (const auto& [e, count] : edges)
    if (e < rb.edges.size()) nodes.insert(rb.nodes[rb.edges[e].to].name);
}

}  // namespace rbk
