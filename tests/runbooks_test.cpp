// The runbook library's own rules, read from the compiled programs: every action that
// changes the fleet sits behind an approval gate — `approve by` on the action node, or an
// approve node whose approval is the only way in.
#include <gtest/gtest.h>

#include <set>

#include "publish/program_facts.hpp"
#include "test_support.hpp"

namespace rbk::test {
namespace {

// Actions that notify people or stop further change: they touch no device.
const std::set<std::string> kNotFleetChanging = {"ops.alert", "ota.pause"};

bool only_reached_through_approval(const RunbookInfo& rb, uint32_t node) {
  bool any = false;
  for (uint32_t e = 0; e < rb.edges.size(); ++e) {
    if (rb.edges[e].to != node) continue;
    any = true;
    const NodeInfo& from = rb.nodes[rb.edges[e].from];
    if (from.kind != NodeKind::Approve || rb.edges[e].kind != EdgeKind::Approved) return false;
  }
  return any && rb.start != node;
}

// Checks the action nodes of runbook RB of P; a foreach's children are checked too, unless
// every wave of it is approved (`approve each wave by`: the wave's approval is theirs).
void expect_gated(const Program& p, const RunbookInfo& rb, const std::string& file) {
  for (uint32_t i = 0; i < rb.nodes.size(); ++i) {
    const NodeInfo& n = rb.nodes[i];
    if (n.kind != NodeKind::Action || !n.role.empty()) continue;
    for (const auto& action : node_calls(p, n).actions)
      EXPECT_TRUE(kNotFleetChanging.count(action) || only_reached_through_approval(rb, i))
          << file << ": node " << rb.name << "." << n.name << " does " << action
          << " without an approval gate";
  }
  for (const ForeachInfo& fe : rb.foreachs)
    if (fe.each_role.empty()) expect_gated(p, p.runbooks[fe.runbook], file);
}

TEST(RunbookLibrary, FleetChangingActionsAreGated) {
  auto files = rbk_files(source_dir() / "runbooks");
  ASSERT_EQ(files.size(), 8u);
  for (const auto& f : files) {
    Program p = compile_file((source_dir() / "runbooks" / f).string());
    expect_gated(p, p.entry_runbook(), f);
  }
}

}  // namespace
}  // namespace rbk::test
