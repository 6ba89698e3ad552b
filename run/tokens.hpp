// API tokens: how a person proves who they are to rbk without a browser (a script, a chat
// bot, curl). `rbk token create` prints a token once; the store keeps only its SHA-256, with
// the name and roles it stands for, its expiry and whether it was revoked. A token reads
// "rbk_ID_SECRET": ID names it in listings and revocations, SECRET (32 random bytes) is
// what proves it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace rbk {

class RunStore;

struct TokenRecord {
  std::string id;    // 8 hex digits, public
  std::string name;  // who it stands for
  std::vector<std::string> roles;
  std::string hash;        // SHA-256 (hex) of the whole token
  int64_t created_at = 0;  // milliseconds since the epoch
  int64_t expires_at = 0;  // 0: never
  int64_t revoked_at = 0;  // 0: not revoked
};

// A new token for NAME with ROLES, valid for TTL_MS (0: no expiry), recorded in STORE
// (with an audit entry by ACTOR). Returns the token's text, which nothing keeps.
std::string issue_token(RunStore& store, const std::string& name,
                        const std::vector<std::string>& roles, int64_t ttl_ms,
                        const std::string& actor);

// Revokes token ID (audited); false when there is no such token or it was revoked already.
bool revoke_token(RunStore& store, const std::string& id, const std::string& actor);

// Who TOKEN stands for at NOW, or std::nullopt and WHY ("the token is revoked", "… expired
// at …", "no such token"): never naming anything a guesser could use.
std::optional<TokenRecord> authenticate_token(RunStore& store, const std::string& token,
                                              int64_t now, std::string& why);

}  // namespace rbk
