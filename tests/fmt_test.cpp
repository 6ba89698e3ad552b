// `rbk fmt`: the canonical layout (a golden file), idempotence and preservation of
// meaning over every source in the repository: formatting a file twice changes nothing
// the second time, keeps every comment, and the checker says the same about it.
#include <gtest/gtest.h>

#include <cstdlib>
#include <set>

#include "grammar/formatter.hpp"
#include "grammar/parser.hpp"
#include "test_support.hpp"

namespace rbk::test {
namespace {

std::string format(const std::string& path, const std::string& text, bool* ok = nullptr) {
  Diagnostics diags;
  auto src = std::make_shared<SourceFile>(path, text);
  auto r = parse_source(src, diags);
  if (ok) *ok = r.ok;
  return r.ok ? format_file(r.file) : std::string();
}

// Each tests/fmt/NAME.rbk is formatted to exactly tests/fmt/NAME.expected.
TEST(Fmt, GoldenLayout) {
  auto files = rbk_files(tests_dir() / "fmt");
  ASSERT_FALSE(files.empty());
  for (const auto& f : files) {
    auto in = tests_dir() / "fmt" / f;
    auto expected_path = in;
    expected_path.replace_extension(".expected");
    bool ok = false;
    std::string out = format(in.string(), read_text(in), &ok);
    ASSERT_TRUE(ok) << f;
    if (std::getenv("RBK_UPDATE_GOLDEN")) write_text(expected_path, out);
    EXPECT_EQ(out, read_text(expected_path)) << f;
  }
}

std::vector<std::string> all_sources() {
  std::vector<std::string> out;
  for (const char* dir : {"tests/check", "tests/fmt", "runbooks", "stdlib"})
    for (const auto& f : rbk_files(source_dir() / dir, true))
      out.push_back((source_dir() / dir / f).string());
  return out;
}

std::multiset<std::string> messages(const CheckRun& run) {
  std::multiset<std::string> out;
  for (const auto& d : run.diags.items()) out.insert(d.code + ": " + d.message);
  return out;
}

class FmtRoundTrip : public ::testing::TestWithParam<std::string> {};

TEST_P(FmtRoundTrip, IdempotentKeepsCommentsAndMeaning) {
  const std::string path = GetParam();
  std::string text = read_text(path);
  bool ok = false;
  std::string once = format(path, text, &ok);
  if (!ok) {
    // Only the checker's syntax cases may fail to parse; fmt refuses them (tested in cli_test.sh).
    EXPECT_NE(path.find("/syntax_"), std::string::npos) << "does not parse";
    return;
  }
  bool ok2 = false;
  std::string twice = format(path, once, &ok2);
  ASSERT_TRUE(ok2) << "formatted output does not parse:\n" << once;
  EXPECT_EQ(once, twice) << "formatting is not idempotent";

  Diagnostics d1, d2;
  auto a = parse_source(std::make_shared<SourceFile>(path, text), d1);
  auto b = parse_source(std::make_shared<SourceFile>(path, once), d2);
  ASSERT_EQ(a.file.comments.size(), b.file.comments.size()) << "a comment was lost";
  for (size_t i = 0; i < a.file.comments.size(); ++i)
    EXPECT_EQ(a.file.comments[i].text, b.file.comments[i].text);

  // The checker says the same about the formatted text (positions aside).
  if (path.find("/tests/fmt/") == std::string::npos) {
    auto cwd = std::filesystem::current_path();
    std::filesystem::current_path(std::filesystem::path(path).parent_path());
    std::string name = std::filesystem::path(path).filename().string();
    CheckRun before = check_files({name});
    CheckRun after = check_text(name, once);
    std::filesystem::current_path(cwd);
    EXPECT_EQ(messages(before), messages(after));
  }
}

INSTANTIATE_TEST_SUITE_P(Sources, FmtRoundTrip, ::testing::ValuesIn(all_sources()),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           std::string n =
                               std::filesystem::relative(info.param, source_dir()).string();
                           n = n.substr(0, n.size() - 4);
                           for (char& c : n)
                             if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
                           return n;
                         });

TEST(Fmt, ShippedSourcesAreFormatted) {
  for (const char* dir : {"runbooks", "stdlib"})
    for (const auto& f : rbk_files(source_dir() / dir)) {
      auto p = source_dir() / dir / f;
      std::string text = read_text(p);
      EXPECT_EQ(format(p.string(), text), text)
          << p << " is not in the canonical layout: run rbk fmt -w";
    }
}

}  // namespace
}  // namespace rbk::test
