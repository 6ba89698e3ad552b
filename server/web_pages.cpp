#include "server/web_pages.hpp"

#include <vector>

#include "server/web_sources.hpp"
#include "vm/rbc.hpp"

namespace rbk::server {

const char* const kContentSecurityPolicy =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

namespace {

std::string content_type(const std::string& name) {
  auto ends = [&](const char* ext) {
    std::string e = ext;
    return name.size() > e.size() && name.compare(name.size() - e.size(), e.size(), e) == 0;
  };
  if (ends(".js")) return "text/javascript; charset=utf-8";
  if (ends(".css")) return "text/css; charset=utf-8";
  if (ends(".svg")) return "image/svg+xml";
  return "application/octet-stream";
}

// /assets/HASH: HASH over every asset's name and text.
const std::string& assets_folder() {
  static const std::string folder = [] {
    std::string all;
    for (size_t i = 0; i < web_sources::kAssetCount; ++i)
      all += std::string(web_sources::kAssets[i].name) + '\0' + web_sources::kAssets[i].text + '\0';
    return "/assets/" + hex(sha256(all)).substr(0, 12);
  }();
  return folder;
}

void replace_all(std::string& s, const std::string& from, const std::string& to) {
  for (size_t at = 0; (at = s.find(from, at)) != std::string::npos; at += to.size())
    s.replace(at, from.size(), to);
}

}  // namespace

const std::vector<WebAsset>& web_assets() {
  static const std::vector<WebAsset> all = [] {
    std::vector<WebAsset> out;
    for (size_t i = 0; i < web_sources::kAssetCount; ++i) {
      const auto& a = web_sources::kAssets[i];
      out.push_back({assets_folder() + "/" + a.name, content_type(a.name), a.text});
    }
    return out;
  }();
  return all;
}

const WebAsset* web_asset(const std::string& path) {
  for (const auto& a : web_assets())
    if (a.path == path) return &a;
  return nullptr;
}

std::string web_page(bool sso) {
  std::string page = web_sources::kPage;
  // Every module is asked for at once, not as the imports are found one level at a time.
  std::string preload;
  for (const auto& a : web_assets())
    if (a.path.size() > 3 && a.path.compare(a.path.size() - 3, 3, ".js") == 0)
      preload += "<link rel=\"modulepreload\" href=\"" + a.path + "\">\n";
  replace_all(page, "{{modulepreload}}", preload);
  replace_all(page, "{{assets}}", assets_folder());
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
