// The web pages of `rbk serve` (docs/web.md): one HTML page that every page path answers
// with, and the script, style sheet and icon it loads — all built into the binary from
// server/web/ by CMake, so the server needs no folder beside it and makes no request
// elsewhere. The page reads and changes everything through the JSON API.
#pragma once

#include <string>
#include <vector>

namespace rbk::server {

// Assets live under /assets/HASH/, HASH a digest of all of them together: a browser may
// keep each for a year (a new build is a new folder), and the script's modules import each
// other by relative names (./dom.js) within it.
struct WebAsset {
  std::string path;  // /assets/3f2a9c1d0e4b/app.js
  std::string content_type;
  std::string body;
};

// The asset at PATH, or null.
const WebAsset* web_asset(const std::string& path);
// All of them (the script's modules, the style sheet, the icon).
const std::vector<WebAsset>& web_assets();

// The HTML page (it names the assets by their paths). SSO says whether single sign-on is
// configured (the sign-in page offers it).
std::string web_page(bool sso);

// Whether PATH is one of the pages (/, /runbooks/NAME, /runs, /runs/ID, /runs/ID/audit,
// /gates, /gates/ID, /signin): the script draws which one from the address.
bool is_web_page(const std::string& path);

// The content security policy of the pages: this server's own scripts, styles, images
// and connections only; no inline script or style, no frames, no plugins.
extern const char* const kContentSecurityPolicy;

}  // namespace rbk::server
