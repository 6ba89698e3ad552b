#include "server/identity.hpp"

#include "run/tokens.hpp"
#include "vm/rbc.hpp"
#include "vm/value.hpp"

namespace rbk::server {

std::string cookie_value(const std::string& header, const std::string& name) {
  size_t i = 0;
  while (i < header.size()) {
    size_t end = header.find(';', i);
    if (end == std::string::npos) end = header.size();
    size_t start = header.find_first_not_of(' ', i);
    if (start < end && header.compare(start, name.size(), name) == 0 && start + name.size() < end &&
        header[start + name.size()] == '=')
      return header.substr(start + name.size() + 1, end - start - name.size() - 1);
    i = end + 1;
  }
  return "";
}

std::optional<Identity> identify(RunStore& store, const std::string& authorization,
                                 const std::string& cookie, std::string& why) {
  if (authorization.empty()) {
    std::string session = cookie_value(cookie, kSessionCookie);
    if (session.empty()) {
      why =
          "this needs an identity: send Authorization: Bearer TOKEN (rbk token create), or "
          "sign in (/auth/login)";
      return std::nullopt;
    }
    std::string hash = hex(sha256(session));
    std::optional<BrowserSession> s = store.browser_session(hash, system_now_ms());
    if (!s) {
      why = "the sign-in has expired or ended: sign in again (/auth/login)";
      return std::nullopt;
    }
    return Identity{s->name, s->roles, "sign-in", s->csrf, hash};
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
