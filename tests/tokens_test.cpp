// API tokens (run/tokens.hpp) on a real store: a token proves who it stands for until it is
// revoked or expires; the store keeps only its hash; each change is in the audit chain.
#include <gtest/gtest.h>

#include "run/run_store.hpp"
#include "run/tokens.hpp"
#include "test_support.hpp"
#include "vm/value.hpp"

namespace rbk::test {
namespace {

TEST(Tokens, ProveWhoTheyStandForUntilRevoked) {
  TempDir tmp;
  auto store = open_sqlite_store((tmp.path / "runs.db").string());
  std::string token = issue_token(*store, "bob", {"ops", "oncall"}, 0, "admin");
  ASSERT_EQ(token.rfind("rbk_", 0), 0u);
  std::string why;
  auto t = authenticate_token(*store, token, system_now_ms(), why);
  ASSERT_TRUE(t) << why;
  EXPECT_EQ(t->name, "bob");
  EXPECT_EQ(t->roles, (std::vector<std::string>{"ops", "oncall"}));
  for (const auto& kept : store->tokens()) EXPECT_EQ(kept.hash.find(token), std::string::npos);

  EXPECT_FALSE(authenticate_token(*store, token + "x", system_now_ms(), why));
  EXPECT_EQ(why, "no such token");
  EXPECT_TRUE(revoke_token(*store, t->id, "admin"));
  EXPECT_FALSE(revoke_token(*store, t->id, "admin"));  // once
  EXPECT_FALSE(authenticate_token(*store, token, system_now_ms(), why));
  EXPECT_EQ(why, "the token " + t->id + " is revoked");

  std::vector<AuditEntry> audit = store->audit();
  ASSERT_EQ(audit.size(), 2u);
  EXPECT_EQ(audit[0].action, "token-create");
  EXPECT_EQ(audit[1].action, "token-revoke");
  EXPECT_TRUE(verify_audit(audit).empty());
}

TEST(Tokens, ExpireAtTheirTime) {
  TempDir tmp;
  auto store = open_sqlite_store((tmp.path / "runs.db").string());
  std::string token = issue_token(*store, "carol", {"ops"}, 60'000, "admin");
  std::string why;
  EXPECT_TRUE(authenticate_token(*store, token, system_now_ms(), why));
  EXPECT_FALSE(authenticate_token(*store, token, system_now_ms() + 61'000, why));
  EXPECT_NE(why.find("expired at"), std::string::npos) << why;
}

}  // namespace
}  // namespace rbk::test
