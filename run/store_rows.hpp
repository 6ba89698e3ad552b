// What the store implementations (sqlite_store.cpp, postgres_store.cpp) share in reading
// rows back: the names and JSON they wrote, checked (a damaged store is reported, naming
// the run). Not for the store's users.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "run/run_store.hpp"

namespace rbk {

// E, or a StoreError naming RUN, WHAT and the unknown TEXT.
template <typename E>
E stored_name(std::optional<E> e, const std::string& run, const char* what,
              const std::string& text) {
  if (!e)
    throw StoreError("run " + run + ": the store is damaged: unknown " + what + " '" + text + "'");
  return *e;
}

// An approval's picks as stored ({question: choice}).
GatePicks stored_picks(const std::string& run, const std::string& text);

// A token's or browser session's roles as stored (a JSON array of strings).
std::vector<std::string> stored_roles(const std::string& text);

// The runs table's columns, in the order every store writes and reads them.
inline constexpr const char* kRunColumns =
    "id, runbook, program_hash, program, mode, params, scenario_path, scenario, policy, options, "
    "started_by, status, outcome, error, paused_gate, paused_role, plan, plan_hash, created_at, "
    "updated_at, owner, questions, lease_until";

// A run as a row of kRunColumns holds it. ROW: text(col), bytes(col), integer(col).
template <typename Row>
RunRecord stored_run(const Row& row) {
  RunRecord r;
  r.id = row.text(0);
  r.runbook = row.text(1);
  r.program_hash = row.text(2);
  r.program = row.bytes(3);
  r.mode = stored_name(run_mode_named(row.text(4)), r.id, "mode", row.text(4));
  r.params = row.text(5);
  r.scenario_path = row.text(6);
  r.scenario = row.text(7);
  r.policy = row.text(8);
  r.options = row.text(9);
  r.started_by = row.text(10);
  r.status = stored_name(run_state_named(row.text(11)), r.id, "status", row.text(11));
  r.outcome = row.text(12);
  r.error = row.text(13);
  r.paused_gate = row.text(14);
  r.paused_role = row.text(15);
  r.plan = row.text(16);
  r.plan_hash = row.text(17);
  r.created_at = row.integer(18);
  r.updated_at = row.integer(19);
  r.owner = row.text(20);
  r.questions = row.text(21);
  r.lease_until = row.integer(22);
  return r;
}

// The tokens table's columns, and a token as a row of them holds it.
inline constexpr const char* kTokenColumns =
    "id, name, roles, hash, created_at, expires_at, revoked_at";
template <typename Row>
TokenRecord stored_token(const Row& row) {
  return TokenRecord{row.text(0),   row.text(1),    stored_roles(row.text(2)),
                     row.text(3),   row.integer(4), row.integer(5),
                     row.integer(6)};
}

}  // namespace rbk
