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

TEST(WebPages, ThePageNamesEachAssetByItsHash) {
  std::string page = web_page(false);
  EXPECT_EQ(page.find("{{"), std::string::npos) << "a placeholder was left";
  EXPECT_NE(page.find("data-sso=\"no\""), std::string::npos);
  EXPECT_NE(web_page(true).find("data-sso=\"yes\""), std::string::npos);
  int assets = 0;
  for (size_t at = 0; (at = page.find("/assets/", at)) != std::string::npos; ++at) {
    std::string path = page.substr(at, page.find('"', at) - at);
    const WebAsset* a = web_asset(path);
    ASSERT_NE(a, nullptr) << path;
    EXPECT_FALSE(a->body.empty()) << path;
    // app.<12 hex digits>.js: a new content is a new name, so a year's cache is safe.
    size_t dot = path.find('.');
    EXPECT_EQ(path.find('.', dot + 1) - dot - 1, 12u) << path;
    ++assets;
  }
  EXPECT_GE(assets, 3);  // script, style sheet, icon
  EXPECT_EQ(web_asset("/assets/app.js"), nullptr);
  EXPECT_EQ(web_asset("/assets/../openapi.json"), nullptr);
}

TEST(WebPages, TheContentSecurityPolicyAllowsOnlyThisServer) {
  std::string csp = kContentSecurityPolicy;
  EXPECT_EQ(csp.find("unsafe"), std::string::npos);
  EXPECT_EQ(csp.find("http"), std::string::npos);
  EXPECT_NE(csp.find("default-src 'none'"), std::string::npos);
  EXPECT_NE(csp.find("frame-ancestors 'none'"), std::string::npos);
}
