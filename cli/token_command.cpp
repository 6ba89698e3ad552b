// rbk token: API tokens (run/tokens.hpp) — created (printed once, only a hash kept),
// listed (never the secret), revoked; each change in the audit log.
#include <fmt/format.h>

#include <iostream>

#include "cli/commands.hpp"
#include "cli/run_support.hpp"
#include "vm/value.hpp"

namespace rbk::cli {

int run_token(const TokenOptions& opts) {
  return with_store("token", opts.store, [&](RunStore& store) -> int {
    const std::string actor = opts.as.empty() ? current_user() : opts.as;
    if (opts.action == "create") {
      int64_t ttl = 0;
      if (!opts.expires.empty() && (!parse_duration(opts.expires, ttl) || ttl <= 0)) {
        std::cerr << "rbk token create: --expires '" << opts.expires
                  << "' is not a duration (30d, 12h, 90m)\n";
        return kUsage;
      }
      for (const auto& role : opts.roles)
        if (role.empty() || role.find_first_of(" \t\n,") != std::string::npos) {
          std::cerr << "rbk token create: '" << role << "' is not a role name\n";
          return kUsage;
        }
      std::string token = issue_token(store, opts.name, opts.roles, ttl, actor);
      std::cout << token << "\n";
      std::cerr << "rbk token create: the token above is shown once (the store keeps only its "
                   "hash): keep it where secrets go\n";
      return kOk;
    }
    if (opts.action == "revoke") {
      if (!revoke_token(store, opts.id, actor)) {
        std::cerr << "rbk token revoke: no token " << opts.id << " that is not revoked already\n";
        return kUsage;
      }
      std::cout << "token " << opts.id << " revoked\n";
      return kOk;
    }
    std::cout << fmt::format("{:<9} {:<12} {:<20} {:<24} {:<24} {}\n", "ID", "NAME", "ROLES",
                             "CREATED", "EXPIRES", "STATE");
    const int64_t now = system_now_ms();
    for (const auto& t : store.tokens()) {
      std::string roles;
      for (const auto& r : t.roles) roles += (roles.empty() ? "" : ",") + r;
      std::string state = t.revoked_at                          ? "revoked"
                          : t.expires_at && now >= t.expires_at ? "expired"
                                                                : "valid";
      std::cout << fmt::format("{:<9} {:<12} {:<20} {:<24} {:<24} {}\n", t.id, t.name, roles,
                               format_time(t.created_at),
                               t.expires_at ? format_time(t.expires_at) : "never", state);
    }
    return kOk;
  });
}

}  // namespace rbk::cli
