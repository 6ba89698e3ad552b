// Who is asking: every /api request carries an identity, proven by an API token
// (`Authorization: Bearer rbk_…`, run/tokens.hpp). The name is what the audit log, the
// runs' started_by and the approvals record; the roles count toward the policy's roles.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "run/run_store.hpp"

namespace rbk::server {

struct Identity {
  std::string name;
  std::vector<std::string> roles;
  std::string via;  // "token 1a2b3c4d"
};

// The identity an Authorization header value proves, or std::nullopt with WHY (for the
// 401 answer: never echoing the header).
std::optional<Identity> identify(RunStore& store, const std::string& authorization,
                                 std::string& why);

}  // namespace rbk::server
