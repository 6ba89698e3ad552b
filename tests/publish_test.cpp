// The docs pipeline's text handling: finding diagram blocks in Markdown (and not in code
// fences), rewriting only their bodies, the line diff `rbk docs check` prints, and the
// facts the site shows (parameter defaults, the capability line).
#include <gtest/gtest.h>

#include "publish/diagram_blocks.hpp"
#include "publish/line_diff.hpp"
#include "publish/markup.hpp"
#include "publish/program_facts.hpp"
#include "publish/site.hpp"
#include "test_support.hpp"

namespace rbk::test {
namespace {

TEST(DiagramBlocks, FoundOutsideFencesOnly) {
  MarkdownDoc doc = parse_markdown_doc(
      "# T\n"
      "~~~~\n"
      "<!-- rbk:diagram runbook=in_tilde_fence.rbk -->\n"
      "~~~\n"  // shorter than the opening fence: does not close it
      "<!-- rbk:end -->\n"
      "~~~~\n"
      "<!-- rbk:diagram runbook=\"a b.rbk\" format=svg name=x -->\n"
      "old\n"
      "<!-- rbk:end -->\n");
  ASSERT_TRUE(doc.errors.empty()) << doc.errors[0];
  ASSERT_EQ(doc.blocks.size(), 1u);
  EXPECT_EQ(doc.blocks[0].line, 7u);
  EXPECT_EQ(doc.blocks[0].runbook_path, "a b.rbk");
  EXPECT_EQ(doc.blocks[0].format, "svg");
  EXPECT_EQ(doc.blocks[0].runbook_name, "x");
  EXPECT_EQ(block_body(doc, doc.blocks[0]), "old\n");
}

TEST(DiagramBlocks, RewritesOnlyTheBodies) {
  std::string text =
      "a\n<!-- rbk:diagram runbook=r.rbk -->\nold 1\nold 2\n<!-- rbk:end -->\nz";  // no final
                                                                                   // newline
  MarkdownDoc doc = parse_markdown_doc(text);
  ASSERT_EQ(doc.blocks.size(), 1u);
  EXPECT_EQ(with_bodies(doc, {"new\n"}),
            "a\n<!-- rbk:diagram runbook=r.rbk -->\nnew\n<!-- rbk:end -->\nz");
  EXPECT_EQ(with_bodies(doc, {block_body(doc, doc.blocks[0])}), text);
}

TEST(DiagramBlocks, ProblemsNameTheirLine) {
  auto errors = [](const std::string& text) { return parse_markdown_doc(text).errors; };
  EXPECT_EQ(errors("<!-- rbk:diagram runbook=a.rbk\n"),
            std::vector<std::string>{"1: the diagram marker does not end with --> on its line"});
  EXPECT_EQ(errors("x\n<!-- rbk:diagram runbook=a.rbk color=red -->\n<!-- rbk:end -->\n")[0],
            "2: unknown marker attribute 'color' (known: runbook, format, name)");
  EXPECT_EQ(errors("<!-- rbk:diagram runbook=a.rbk -->\n<!-- rbk:diagram runbook=b.rbk -->\n<!-- "
                   "rbk:end -->\n")[0],
            "2: a diagram block starts inside the block opened at line 1");
  EXPECT_EQ(errors("<!-- rbk:diagram runbook=\"a.rbk -->\n<!-- rbk:end -->\n")[0],
            "1: unterminated quoted value in the marker");
}

TEST(LineDiff, ShowsChangesWithContext) {
  EXPECT_EQ(line_diff("a\nb\n", "a\nb\n"), "");
  EXPECT_EQ(line_diff("1\n2\n3\n4\n5\n6\n7\n", "1\n2\n3\nfour\n5\n6\n7\n"),
            "  2\n  3\n- 4\n+ four\n  5\n  6\n");
  EXPECT_EQ(line_diff("a\nb\nc\nd\ne\nf\ng\nh\n", "A\nb\nc\nd\ne\nf\ng\nH\n"),
            "- a\n+ A\n  b\n  c\n  ...\n  f\n  g\n- h\n+ H\n");
  EXPECT_EQ(line_diff("a\n", "a"),
            "  (the texts differ only in line endings or a final newline)\n");
  EXPECT_EQ(line_diff("", "x\n"), "+ x\n");
}

// Defaults built from literals show as the runbook writes them; only expressions are
// "(computed)".
TEST(ProgramFacts, ParameterDefaultsAsWritten) {
  Program p = compile_file((tests_dir() / "vm" / "disasm" / "defaults.rbk").string());
  std::map<std::string, std::string> shown;
  for (const auto& prm : p.entry_runbook().params) shown[prm.name] = param_default(p, prm);
  EXPECT_EQ(shown["ratio"], "5%");
  EXPECT_EQ(shown["window"], "1h30m");
  EXPECT_EQ(shown["regions"], "[\"eu\", \"us\"]");
  EXPECT_EQ(shown["label"], "null");
}

// The capability line of every page holds <code> elements, never their escaped text.
TEST(Site, CapabilitiesAreCodeNotEscapedMarkup) {
  std::vector<SiteRunbook> runbooks;
  for (const auto& f : rbk_files(source_dir() / "runbooks"))
    runbooks.push_back({compile_file((source_dir() / "runbooks" / f).string()), "runbooks/" + f});
  for (const SiteFile& file : build_site(runbooks)) {
    if (file.path.size() < 5 || file.path.substr(file.path.size() - 5) != ".html") continue;
    EXPECT_EQ(file.content.find("&lt;code&gt;"), std::string::npos) << file.path;
    EXPECT_EQ(file.content.find("&lt;/code&gt;"), std::string::npos) << file.path;
  }
  EXPECT_EQ(markup_escaped("a <b> & \"c\""), "a &lt;b&gt; &amp; &quot;c&quot;");
}

}  // namespace
}  // namespace rbk::test
