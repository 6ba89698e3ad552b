// The web pages' server side (server/web_pages.hpp): which paths are pages, the assets'
// hashed names, and the page that names them. The pages themselves run in Chromium
// (tests/web_ui_test.sh).
#include "server/web_pages.hpp"

#include <gtest/gtest.h>

#include <string>

using namespace rbk::server;

TEST(WebPages, PathsThatArePages) {
  for (const char* p : {"/", "/signin", "/runbooks", "/runbooks/device_offline", "/runs",
                        "/runs/r20261129-135327-e3be7ef9", "/runs/r1/audit", "/gates", "/gates/r1"})
    EXPECT_TRUE(is_web_page(p)) << p;
  for (const char* p : {"/runs/", "/runs/a/b", "/runs/a/audit/x", "/gates/a/b", "/api/runs",
                        "/assets/app.js", "/favicon.ico", "/runbooks/a/diagram.svg", "/x"})
    EXPECT_FALSE(is_web_page(p)) << p;
}

TEST(WebPages, ThePageNamesItsAssetsInAFolderOfTheirHash) {
  std::string page = web_page(false);
  EXPECT_EQ(page.find("{{"), std::string::npos) << "a placeholder was left";
  EXPECT_NE(page.find("data-sso=\"no\""), std::string::npos);
  EXPECT_NE(web_page(true).find("data-sso=\"yes\""), std::string::npos);
  // /assets/<12 hex digits>/NAME: a new build is a new folder, so a year's cache is safe.
  const std::string folder = web_assets().at(0).path.substr(0, std::string("/assets/").size() + 12);
  EXPECT_EQ(folder.find_first_not_of("0123456789abcdef", 8), std::string::npos) << folder;
  for (const char* name : {"app.js", "app.css", "icon.svg"}) {
    EXPECT_NE(page.find(folder + "/" + name), std::string::npos) << name;
    const WebAsset* a = web_asset(folder + "/" + name);
    ASSERT_NE(a, nullptr) << name;
    EXPECT_FALSE(a->body.empty()) << name;
  }
  EXPECT_EQ(web_asset(folder + "/../openapi.json"), nullptr);
  EXPECT_EQ(web_asset("/assets/app.js"), nullptr);
}

TEST(WebPages, EveryModuleTheScriptImportsIsServedAndPreloaded) {
  std::string page = web_page(false);
  int modules = 0;
  for (const auto& a : web_assets()) {
    if (a.content_type.rfind("text/javascript", 0) != 0) continue;
    ++modules;
    EXPECT_NE(page.find("<link rel=\"modulepreload\" href=\"" + a.path + "\">"), std::string::npos)
        << a.path;
    const std::string folder = a.path.substr(0, a.path.rfind('/'));
    // import { … } from "./dom.js": each relative import names an asset of the folder.
    for (size_t at = 0; (at = a.body.find("from \"./", at)) != std::string::npos; ++at) {
      size_t start = at + 7, end = a.body.find('"', start);
      std::string imported = folder + "/" + a.body.substr(start + 1, end - start - 1);
      EXPECT_NE(web_asset(imported), nullptr) << a.path << " imports " << imported;
    }
  }
  EXPECT_GE(modules, 2);
}

TEST(WebPages, TheContentSecurityPolicyAllowsOnlyThisServer) {
  std::string csp = kContentSecurityPolicy;
  EXPECT_EQ(csp.find("unsafe"), std::string::npos);
  EXPECT_EQ(csp.find("http"), std::string::npos);
  EXPECT_NE(csp.find("default-src 'none'"), std::string::npos);
  EXPECT_NE(csp.find("frame-ancestors 'none'"), std::string::npos);
}
