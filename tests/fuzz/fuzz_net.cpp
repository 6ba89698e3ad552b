// Harness: what rbk serve reads from the network before it trusts anyone — an ID token
// (verified against a provider's key set), a key set (JWKS), a Cookie header, base64url —
// and the settings file it starts from, and the names its metrics turn paths into. The
// first byte picks the reader, the rest is its input. Each must refuse bad input with its
// own error (IdTokenError, SettingsError) and never crash, hang or throw anything else.
// Seeds: tests/fuzz/corpus/net/.
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_support.hpp"
#include "server/id_token.hpp"
#include "server/identity.hpp"
#include "server/metrics.hpp"
#include "server/settings.hpp"

namespace {

// A key set with one RSA key (the modulus of a real 2048-bit key, e = 65537).
const rbk::server::KeySet& keys() {
  static const rbk::server::KeySet k = rbk::server::KeySet::parse(
      R"({"keys": [{"kty": "RSA", "kid": "k1", "use": "sig", "e": "AQAB", "n": )"
      R"("sXchQ4vQAQhbTyQ3bPwA5Gq8kTJdLfQ1qB4jL3lQyA9pQ2xK9bR1N8qF1wYxZl5v2k3Kx0eYq9vT7lQ8)"
      R"(sXchQ4vQAQhbTyQ3bPwA5Gq8kTJdLfQ1qB4jL3lQyA9pQ2xK9bR1N8qF1wYxZl5v2k3Kx0eYq9vT7lQ8)"
      R"(sXchQ4vQAQhbTyQ3bPwA5Gq8kTJdLfQ1qB4jL3lQyA9pQ2xK9bR1N8qF1wYxZl5v2k3Kx0eYq9vT7lQ8)"
      R"(sXchQ4vQAQhbTyQ3bPwA5Gq8kTJdLfQ1qB4jL3lQyA9pQ2xK9bR1N8qF1wYxZl5v2k3Kx0eYq9vT7lQ8w"}]})");
  return k;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string text(reinterpret_cast<const char*>(data) + 1, size - 1);
  using namespace rbk::server;
  switch (data[0] % 6) {
    case 0:
      try {
        verify_id_token(text, keys(), {"https://idp.example", "rbk", "n", 1'800'000'000, 60});
      } catch (const IdTokenError&) {
      }
      id_token_kid(text);
      break;
    case 1:
      try {
        KeySet::parse(text);
      } catch (const IdTokenError&) {
      }
      break;
    case 2:
      cookie_value(text, kSessionCookie);
      break;
    case 3:
      try {
        base64url_decode(text);
      } catch (const IdTokenError&) {
      }
      if (base64url_decode(base64url(text)) != text) rbk::fuzz::broken("base64url round trip");
      break;
    case 4:
      try {
        parse_settings(text, "fuzz.json");
      } catch (const SettingsError&) {
      }
      break;
    case 5:
      route_of(text);
      label_value(text);
      break;
  }
  return 0;
}
