#include "run/tokens.hpp"

#include <openssl/rand.h>

#include "run/run_store.hpp"
#include "vm/rbc.hpp"
#include "vm/value.hpp"

namespace rbk {

namespace {
std::string random_hex(size_t bytes) {
  std::vector<unsigned char> buf(bytes);
  if (RAND_bytes(buf.data(), static_cast<int>(bytes)) != 1)
    throw StoreError("no random bytes for a token (OpenSSL RAND_bytes failed)");
  static const char* digits = "0123456789abcdef";
  std::string s;
  for (unsigned char b : buf) {
    s += digits[b >> 4];
    s += digits[b & 15];
  }
  return s;
}

std::string joined(const std::vector<std::string>& items) {
  std::string s;
  for (const auto& i : items) s += (s.empty() ? "" : ", ") + i;
  return s;
}
}  // namespace

std::string issue_token(RunStore& store, const std::string& name,
                        const std::vector<std::string>& roles, int64_t ttl_ms,
                        const std::string& actor) {
  TokenRecord t;
  t.id = random_hex(4);
  std::string token = "rbk_" + t.id + "_" + random_hex(32);
  t.name = name;
  t.roles = roles;
  t.hash = hex(sha256(token));
  t.created_at = system_now_ms();
  t.expires_at = ttl_ms > 0 ? t.created_at + ttl_ms : 0;
  store.create_token(t);
  store.append_audit({0, t.created_at, actor, "token-create", "", "",
                      t.id + " for " + name + " (" + joined(roles) + ")" +
                          (t.expires_at ? ", expires " + format_time(t.expires_at) : "")});
  return token;
}

bool revoke_token(RunStore& store, const std::string& id, const std::string& actor) {
  int64_t now = system_now_ms();
  if (!store.revoke_token(id, now)) return false;
  store.append_audit({0, now, actor, "token-revoke", "", "", id});
  return true;
}

std::optional<TokenRecord> authenticate_token(RunStore& store, const std::string& token,
                                              int64_t now, std::string& why) {
  std::optional<TokenRecord> t = store.token_with_hash(hex(sha256(token)));
  if (!t) {
    why = "no such token";
    return std::nullopt;
  }
  if (t->revoked_at) {
    why = "the token " + t->id + " is revoked";
    return std::nullopt;
  }
  if (t->expires_at && now >= t->expires_at) {
    why = "the token " + t->id + " expired at " + format_time(t->expires_at);
    return std::nullopt;
  }
  return t;
}

}  // namespace rbk
