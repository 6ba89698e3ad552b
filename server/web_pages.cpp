#include "server/web_pages.hpp"

#include <vector>

#include "vm/rbc.hpp"

namespace rbk::server {

namespace web_sources {
extern const char* const kPage;
extern const char* const kScript;
extern const char* const kStyle;
extern const char* const kIcon;
}  // namespace web_sources

const char* const kContentSecurityPolicy =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

namespace {

WebAsset hashed(const std::string& name, const std::string& ext, const std::string& type,
                const char* body) {
  std::string text = body;
  return {"/assets/" + name + "." + hex(sha256(text)).substr(0, 12) + "." + ext, type, text};
}

const std::vector<WebAsset>& assets() {
  static const std::vector<WebAsset> all = {
      hashed("app", "js", "text/javascript; charset=utf-8", web_sources::kScript),
      hashed("app", "css", "text/css; charset=utf-8", web_sources::kStyle),
      hashed("icon", "svg", "image/svg+xml", web_sources::kIcon),
  };
  return all;
}

void replace_all(std::string& s, const std::string& from, const std::string& to) {
  for (size_t at = 0; (at = s.find(from, at)) != std::string::npos; at += to.size())
    s.replace(at, from.size(), to);
}

}  // namespace

const WebAsset* web_asset(const std::string& path) {
  for (const auto& a : assets())
    if (a.path == path) return &a;
  return nullptr;
}

std::string web_page(bool sso) {
  std::string page = web_sources::kPage;
  replace_all(page, "{{script}}", assets()[0].path);
  replace_all(page, "{{style}}", assets()[1].path);
  replace_all(page, "{{icon}}", assets()[2].path);
  replace_all(page, "{{sso}}", sso ? "yes" : "no");
  return page;
}

bool is_web_page(const std::string& path) {
  if (path == "/" || path == "/runbooks" || path == "/runs" || path == "/gates" ||
      path == "/signin")
    return true;
  // One level below /runbooks/, /runs/, /gates/, and a run's audit page; the names are
  // checked by the API when the page asks for them.
  for (const char* prefix : {"/runbooks/", "/runs/", "/gates/"}) {
    std::string p = prefix;
    if (path.rfind(p, 0) != 0 || path.size() == p.size()) continue;
    std::string rest = path.substr(p.size());
    if (rest.find('/') == std::string::npos) return true;
    if (p == "/runs/" && rest.size() > 6 && rest.compare(rest.size() - 6, 6, "/audit") == 0 &&
        rest.find('/') == rest.size() - 6)
      return true;
  }
  return false;
}

}  // namespace rbk::server
