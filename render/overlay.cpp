#include "render/overlay.hpp"

#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>

namespace rbk {

Overlay read_overlay(const std::string& text, const std::string& runbook) {
  Overlay o;
  o.present = true;
  std::istringstream in(text);
  std::string line;
  for (int n = 1; std::getline(in, line); ++n) {
    if (line.empty()) continue;
    nlohmann::json e;
    try {
      e = nlohmann::json::parse(line);
    } catch (const nlohmann::json::exception&) {
      throw std::runtime_error("trace line " + std::to_string(n) + " is not a JSON object");
    }
    if (!e.is_object() || e.value("runbook", "") != runbook) continue;
    std::string type = e.value("event", "");
    if (type == "node_entered") o.nodes.insert(e.value("node", ""));
    else if (type == "edge_taken" && e.contains("edge") && e["edge"].is_number_unsigned()) o.edges.insert(e["edge"].get<uint32_t>());
    else if (type == "gate_decided") o.gates[e.value("gate", "")] = e.value("decision", "");
    else if (type == "run_ended" && e.value("depth", 0) == 0) o.outcome = e.value("outcome", "");
    else if (type == "run_failed") o.outcome = "failed";
  }
  return o;
}

}  // namespace rbk
