// How diagnostics look: golden text output (carets, hints, notes, non-ASCII source) and
// the JSON shape that editors and CI read.
#include <gtest/gtest.h>

#include <cstdlib>
#include <nlohmann/json.hpp>

#include "compiler/diagnostic_render.hpp"
#include "test_support.hpp"

namespace rbk::test {
namespace {

CheckRun check_render_case() {
  auto cwd = std::filesystem::current_path();
  std::filesystem::current_path(tests_dir() / "render");
  CheckRun run = check_files({"diagnostics.rbk"});
  std::filesystem::current_path(cwd);
  run.diags.sort();
  return run;
}

TEST(Render, GoldenText) {
  CheckRun run = check_render_case();
  std::string out;
  for (const auto& d : run.diags.items()) out += render_text(d);
  auto golden = tests_dir() / "render" / "diagnostics.stderr";
  if (std::getenv("RBK_UPDATE_GOLDEN")) write_text(golden, out);
  EXPECT_EQ(out, read_text(golden));
}

TEST(Render, JsonShape) {
  CheckRun run = check_render_case();
  auto j = nlohmann::json::parse(render_json(run.diags));
  ASSERT_TRUE(j["diagnostics"].is_array());
  EXPECT_EQ(j["errors"].get<int>(), static_cast<int>(run.diags.error_count()));
  const auto& first = j["diagnostics"][0];
  for (const char* key : {"file", "line", "column", "end_line", "end_column", "severity", "code",
                          "message", "hints", "related"})
    EXPECT_TRUE(first.contains(key)) << key;
  EXPECT_EQ(first["file"], "diagnostics.rbk");
  EXPECT_EQ(first["severity"], "error");
}

TEST(Render, ColumnsCountCharactersNotBytes) {
  auto src = std::make_shared<SourceFile>("u.rbk", "  \"Gerät\" x\n");
  Diagnostic d;
  d.file = src;
  // 'x' is at byte column 12 but character column 11.
  d.range = Range{Pos{11, 1, 12}, Pos{12, 1, 13}};
  d.message = "m";
  std::string out = render_text(d);
  EXPECT_NE(out.find("u.rbk:1:11: error: m"), std::string::npos) << out;
  EXPECT_NE(out.find("   |           ^\n"), std::string::npos) << out;
}

}  // namespace
}  // namespace rbk::test
