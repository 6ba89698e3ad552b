// The sandbox policy (docs/policy.md): which capabilities a run may use and, for network
// capabilities, which hosts; who may approve gates; the budgets of one run.
//
//   {
//     "capabilities": {"net.http": ["127.0.0.1:8080"], "notify": ["hooks.example.com"], "clock":
//     true}, "roles": {"ops": ["alice", "bob"]}, "self_approval": false,
//     "live_runs": ["ops"], "budgets":
//     {"instructions": 1000000, "wall_time": "10m", "waiting": "2h",
//                 "max_string": 65536, "max_list": 10000, "call_depth": 8, "trace_events": 10000}
//   }
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "stdlib/capabilities.hpp"
#include "vm/machine.hpp"

namespace rbk {

struct PolicyError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct Policy {
  Capabilities capabilities;  // what the run may reach; its source names the policy file
  std::map<std::string, std::set<std::string>> roles;  // role -> members
  bool self_approval = false;
  // The services the actions reach honour the Idempotency-Key header: an action cut off
  // mid-way by a dead process is sent again with its key (run/journal.hpp), not asked about.
  bool idempotent_actions = false;
  std::vector<std::string> live_runs;  // roles that may start live runs on a server
  Budgets budgets;

  const std::string& source() const { return capabilities.source; }
  // Empty when NAME may decide a gate of ROLE for a run STARTED_BY; else the reason not.
  // NAME holds a role the policy names it in, and the roles HELD gives it (an API token's,
  // those its sign-in groups map to).
  std::string may_approve(const std::string& name, const std::string& role,
                          const std::string& started_by,
                          const std::vector<std::string>& held = {}) const;
  // Empty when NAME (holding HELD) may start a live run through the server.
  std::string may_start_live(const std::string& name, const std::vector<std::string>& held) const;
};

// Parses a policy file's text; throws PolicyError naming the file and the problem.
Policy parse_policy(const std::string& text, const std::string& source);

// What a run without a policy file gets: no capabilities beyond the clock, default
// budgets, no self-approval, any approver.
Policy default_policy();

}  // namespace rbk
