// Golden tests of the checker. Each file in tests/check/ carries its expectations as
// comments (Wren's `// expect:` style):
//   // expect error 12:5: unknown node 'chek_broker'
//   // expect warning lib/other.rbk:3:1: …        (a diagnostic in another file)
// The test passes when the file's diagnostics are exactly the expected ones: every
// expectation met and nothing unexpected. A file without expectations must be clean.
#include <gtest/gtest.h>

#include <regex>
#include <set>
#include <sstream>

#include "test_support.hpp"

namespace rbk::test {
namespace {

std::filesystem::path check_dir() {
  return tests_dir() / "check";
}

std::string display_col(const Diagnostic& d) {
  std::string_view line = d.file->line(d.range.begin.line);
  size_t n = 0;
  for (size_t i = 0; i + 1 < d.range.begin.col && i < line.size(); ++i)
    if ((static_cast<unsigned char>(line[i]) & 0xC0) != 0x80) ++n;
  return std::to_string(n + 1);
}

class CheckGolden : public ::testing::TestWithParam<std::string> {};

TEST_P(CheckGolden, DiagnosticsMatchExpectations) {
  // Paths in messages are as the user typed them: run from the test directory.
  auto cwd = std::filesystem::current_path();
  std::filesystem::current_path(check_dir());
  const std::string file = GetParam();
  std::string text = read_text(file);

  std::multiset<std::string> expected;
  static const std::regex expect_re(R"(// expect (error|warning) (?:([^ :]+):)?(\d+):(\d+): (.*))");
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    std::smatch m;
    if (std::regex_search(line, m, expect_re)) {
      std::string where = m[2].matched ? m[2].str() : file;
      expected.insert(m[1].str() + " " + where + ":" + m[3].str() + ":" + m[4].str() + ": " +
                      m[5].str());
    }
  }

  CheckRun run = check_files({file});
  std::multiset<std::string> actual;
  for (const auto& d : run.diags.items()) {
    std::string where = d.file ? d.file->path() : "";
    actual.insert(std::string(d.severity == Severity::Error ? "error " : "warning ") + where + ":" +
                  std::to_string(d.range.begin.line) + ":" + display_col(d) + ": " + d.message);
  }
  std::filesystem::current_path(cwd);

  std::string missing, unexpected;
  for (const auto& e : expected)
    if (!actual.count(e)) missing += "  " + e + "\n";
  for (const auto& a : actual)
    if (!expected.count(a)) unexpected += "  " + a + "\n";
  EXPECT_TRUE(missing.empty() && unexpected.empty()) << file << "\nexpected but not reported:\n"
                                                     << missing << "reported but not expected:\n"
                                                     << unexpected;
}

std::vector<std::string> cases() {
  return rbk_files(check_dir());
}

INSTANTIATE_TEST_SUITE_P(Files, CheckGolden, ::testing::ValuesIn(cases()),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           std::string n = info.param.substr(0, info.param.size() - 4);
                           for (char& c : n)
                             if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
                           return n;
                         });

TEST(CheckGolden, EnoughCases) {
  // The suite covers every diagnostic; it only grows.
  EXPECT_GE(cases().size(), 60u);
}

TEST(CheckStrict, SeedFlowchartGapBecomesAnError) {
  auto cwd = std::filesystem::current_path();
  std::filesystem::current_path(check_dir());
  CheckRun run = check_files({"seed_device_offline_literal.rbk"});
  std::filesystem::current_path(cwd);
  ASSERT_EQ(run.diags.error_count(), 0u);
  ASSERT_EQ(run.diags.warning_count(), 1u);
  run.diags.promote_warnings();
  EXPECT_EQ(run.diags.error_count(), 1u);
  EXPECT_NE(run.diags.items()[0].message.find("age in [5m, 30m] reaches no branch"),
            std::string::npos);
}

// A bare number where a unit belongs gets the way to write it.
TEST(CheckHints, UnitsOfDurationsAndPercentages) {
  auto hint_of = [](const std::string& condition, const std::string& type) {
    CheckRun run =
        check_text("units.rbk", "runbook t \"T\" {\n  param x: " + type +
                                    "\n  start -> c\n  decide c \"C\" {\n    when " + condition +
                                    " -> done\n    else -> done\n  }\n  end done "
                                    "\"D\" as resolved\n}\n");
    EXPECT_EQ(run.diags.error_count(), 1u) << condition;
    return run.diags.items().empty() || run.diags.items()[0].hints.empty()
               ? std::string()
               : run.diags.items()[0].hints[0];
  };
  EXPECT_EQ(hint_of("x > 50", "percent"), "write percentages with a %: 5%, 99.5%");
  EXPECT_EQ(hint_of("x < 30", "duration"), "write durations with a unit: 30m, 90s, 2h");
}

TEST(CheckRunbooks, ShippedRunbooksAreClean) {
  for (const auto& f : rbk_files(source_dir() / "runbooks")) {
    CheckRun run = check_files({(source_dir() / "runbooks" / f).string()});
    EXPECT_TRUE(run.diags.items().empty())
        << f << " has " << run.diags.items().size() << " diagnostics, first: "
        << (run.diags.items().empty() ? "" : run.diags.items()[0].message);
    EXPECT_FALSE(run.program.runbooks.empty()) << f;
  }
}

}  // namespace
}  // namespace rbk::test

namespace rbk::test {
namespace {

// docs/diagnostics.md lists every code; the golden cases produce every listed code.
TEST(CheckGolden, EveryDiagnosticIsDocumentedAndTested) {
  std::set<std::string> documented;
  static const std::regex row(R"(^\| `([a-z-]+)` \|)");
  std::istringstream doc(read_text(source_dir() / "docs" / "diagnostics.md"));
  for (std::string line; std::getline(doc, line);) {
    std::smatch m;
    if (std::regex_search(line, m, row)) documented.insert(m[1].str());
  }
  auto cwd = std::filesystem::current_path();
  std::filesystem::current_path(check_dir());
  std::set<std::string> produced;
  for (const auto& f : cases()) {
    CheckRun run = check_files({f});
    for (const auto& d : run.diags.items()) produced.insert(d.code);
  }
  std::filesystem::current_path(cwd);
  for (const auto& c : produced) EXPECT_TRUE(documented.count(c)) << "undocumented code: " << c;
  for (const auto& c : documented)
    EXPECT_TRUE(produced.count(c)) << "no golden case produces: " << c;
}

}  // namespace
}  // namespace rbk::test
