#include "render/look.hpp"

namespace rbk {

std::string node_title(const NodeInfo& n) {
  return n.label.empty() ? n.name : n.label;
}

std::vector<std::string> node_notes(const NodeInfo& n, const Overlay& overlay) {
  std::vector<std::string> notes;
  if (!n.role.empty()) notes.push_back("[approval: " + n.role + "]");
  if (n.kind == NodeKind::End) notes.push_back("(" + std::string(outcome_name(n.outcome)) + ")");
  auto gate = overlay.gates.find(n.name);
  if (gate != overlay.gates.end()) notes.push_back("gate: " + gate->second);
  return notes;
}

std::string edge_caption(const EdgeInfo& e) {
  if (!e.label.empty()) return e.label;
  switch (e.kind) {
    case EdgeKind::Then:
    case EdgeKind::When:
    case EdgeKind::Else:
      return "";
    default:
      return edge_kind_name(e.kind);
  }
}

std::string edge_caption(const EdgeInfo& e, uint32_t index, const Overlay& overlay) {
  std::string caption = edge_caption(e);
  auto taken = overlay.edges.find(index);
  if (overlay.children > 0) {  // a fleet: how many children took it, and their share
    if (taken == overlay.edges.end()) return caption;
    return caption + (caption.empty() ? "" : " · ") + std::to_string(taken->second) + " (" +
           std::to_string((taken->second * 1000 / overlay.children + 5) / 10) + "%)";
  }
  if (taken == overlay.edges.end() || taken->second < 2) return caption;
  return caption + (caption.empty() ? "" : " ") + "×" + std::to_string(taken->second);
}

double edge_width(uint32_t index, const Overlay& overlay) {
  auto taken = overlay.edges.find(index);
  if (overlay.children == 0 || taken == overlay.edges.end()) return 2.5;
  return 1.0 + 7.0 * taken->second / overlay.children;
}

bool edge_is_dashed(const EdgeInfo& e) {
  return e.kind == EdgeKind::OnError || e.kind == EdgeKind::Timeout || e.kind == EdgeKind::Denied ||
         e.kind == EdgeKind::Aborted;
}

const char* node_fill(const NodeInfo& n) {
  switch (n.kind) {
    case NodeKind::Decide:
      return "#fff8dc";
    case NodeKind::Action:
    case NodeKind::Call:
      return "#ffffff";
    case NodeKind::Wait:
      return "#eef3f8";
    case NodeKind::Approve:
      return "#f3e8fd";
    case NodeKind::Foreach:
      return "#e6f4f1";
    case NodeKind::End:
      switch (n.outcome) {
        case Outcome::Resolved:
          return "#d3f0d9";
        case Outcome::Mitigated:
          return "#e0ecfb";
        case Outcome::Escalated:
          return "#fde7c8";
        case Outcome::Failed:
          return "#f8d3d6";
        default:
          return "#ffffff";
      }
  }
  return "#ffffff";
}

}  // namespace rbk
