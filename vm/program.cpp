#include "vm/program.hpp"

namespace rbk {

const char* node_kind_name(NodeKind k) {
  switch (k) {
    case NodeKind::Decide:
      return "decide";
    case NodeKind::Action:
      return "action";
    case NodeKind::Wait:
      return "wait";
    case NodeKind::Approve:
      return "approve";
    case NodeKind::Call:
      return "call";
    case NodeKind::End:
      return "end";
  }
  return "?";
}

const char* edge_kind_name(EdgeKind k) {
  switch (k) {
    case EdgeKind::When:
      return "when";
    case EdgeKind::Else:
      return "else";
    case EdgeKind::Then:
      return "then";
    case EdgeKind::OnError:
      return "on-error";
    case EdgeKind::Timeout:
      return "timeout";
    case EdgeKind::Approved:
      return "approved";
    case EdgeKind::Denied:
      return "denied";
  }
  return "?";
}

const char* outcome_name(Outcome o) {
  switch (o) {
    case Outcome::None:
      return "none";
    case Outcome::Resolved:
      return "resolved";
    case Outcome::Mitigated:
      return "mitigated";
    case Outcome::Escalated:
      return "escalated";
    case Outcome::Failed:
      return "failed";
  }
  return "?";
}

}  // namespace rbk
