#include "server/identity.hpp"

#include "run/tokens.hpp"
#include "vm/value.hpp"

namespace rbk::server {

std::optional<Identity> identify(RunStore& store, const std::string& authorization,
                                 std::string& why) {
  if (authorization.empty()) {
    why = "this needs an identity: send Authorization: Bearer TOKEN (rbk token create)";
    return std::nullopt;
  }
  const std::string scheme = "Bearer ";
  if (authorization.size() <= scheme.size() ||
      authorization.compare(0, scheme.size(), scheme) != 0) {
    why = "the Authorization header takes Bearer TOKEN";
    return std::nullopt;
  }
  std::string token = authorization.substr(scheme.size());
  std::optional<TokenRecord> t = authenticate_token(store, token, system_now_ms(), why);
  if (!t) return std::nullopt;
  return Identity{t->name, t->roles, "token " + t->id};
}

}  // namespace rbk::server
