// The grammar and the parser: PEGTL's own analysis of the grammar, the AST the parser
// builds (with source ranges), and hostile input that must end in a diagnostic, never a
// crash, a hang or a stack overflow.
#include <gtest/gtest.h>

#include <tao/pegtl/contrib/analyze.hpp>

#include "grammar/parser.hpp"
#include "grammar/rules.hpp"
#include "test_support.hpp"

namespace rbk::test {
namespace {

ParseResult parse(const std::string& text, Diagnostics& diags) {
  return parse_source(std::make_shared<SourceFile>("t.rbk", text), diags);
}

TEST(Grammar, AnalyzeFindsNoProblems) {
  // Left recursion and rules that can loop without consuming input.
  EXPECT_EQ(tao::pegtl::analyze<rbk::grammar::file>(1), 0u);
}

TEST(Parser, BuildsRunbookWithRanges) {
  Diagnostics diags;
  auto r = parse(R"(runbook r "Title" {
  param device: string
  start -> check
  decide check "Check" {
    let age = fleet.last_seen_age(device)
    when age < 5m -> done "Recent"
    else -> done
  }
  end done "Done" as resolved
}
)",
                 diags);
  ASSERT_TRUE(r.ok);
  ASSERT_EQ(r.file.items.size(), 1u);
  const auto& rb = std::get<ast::Runbook>(r.file.items[0]);
  EXPECT_EQ(rb.name.text, "r");
  EXPECT_EQ(rb.title->text(), "Title");
  ASSERT_EQ(rb.items.size(), 4u);
  const auto& check = std::get<ast::Node>(rb.items[2]);
  EXPECT_EQ(check.kind, NodeKind::Decide);
  EXPECT_EQ(check.name.range.begin.line, 4u);
  EXPECT_EQ(check.name.range.begin.col, 10u);
  ASSERT_EQ(check.clauses.size(), 3u);
  const auto& when = check.clauses[1];
  EXPECT_EQ(when.kind, ast::ClauseKind::When);
  EXPECT_EQ(when.target.text, "done");
  EXPECT_EQ(when.label->text(), "Recent");
  // `age < 5m` spans exactly its text.
  EXPECT_EQ(when.expr->range.begin.col, 10u);
  EXPECT_EQ(when.expr->range.end.col, 18u);
  EXPECT_EQ(when.expr->rhs->int_value, 5 * 60 * 1000);
  EXPECT_EQ(std::get<ast::Node>(rb.items[3]).outcome.text, "resolved");
}

TEST(Parser, OperatorPrecedence) {
  Diagnostics diags;
  auto r = parse("runbook r { param x: int = 1 + 2 * 3 - 4 ?? 5 == 6 and not a or b }", diags);
  ASSERT_TRUE(r.ok);
  const auto& p = std::get<ast::Param>(std::get<ast::Runbook>(r.file.items[0]).items[0]);
  // ((((1 + (2 * 3)) - 4) ?? 5) == 6 and (not a)) or b
  const ast::Expr& e = *p.default_value;
  ASSERT_EQ(e.op, ast::Op::Or);
  ASSERT_EQ(e.lhs->op, ast::Op::And);
  EXPECT_EQ(e.lhs->rhs->op, ast::Op::Not);
  const ast::Expr& eq = *e.lhs->lhs;
  ASSERT_EQ(eq.op, ast::Op::Eq);
  ASSERT_EQ(eq.lhs->op, ast::Op::Coalesce);
  ASSERT_EQ(eq.lhs->lhs->op, ast::Op::Sub);
  ASSERT_EQ(eq.lhs->lhs->lhs->op, ast::Op::Add);
  EXPECT_EQ(eq.lhs->lhs->lhs->rhs->op, ast::Op::Mul);
}

TEST(Parser, StringsEscapesAndInterpolation) {
  Diagnostics diags;
  auto r = parse(R"(runbook r { doc "a\"b\\c\n\t\{x\} \u{1F600} {device} end" })", diags);
  ASSERT_TRUE(r.ok);
  const auto& doc = std::get<ast::Doc>(std::get<ast::Runbook>(r.file.items[0]).items[0]);
  const auto& parts = doc.text.str->parts;
  ASSERT_EQ(parts.size(), 3u);
  EXPECT_EQ(parts[0].text, "a\"b\\c\n\t{x} \xF0\x9F\x98\x80 ");
  ASSERT_TRUE(parts[1].is_expr);
  EXPECT_EQ(parts[1].expr->name.text, "device");
  EXPECT_EQ(parts[2].text, " end");
}

TEST(Parser, TripleQuotedStringsStripIndentation) {
  Diagnostics diags;
  auto r = parse(
      "runbook r {\n  doc \"\"\"\n    First line.\n      Indented.\n\n    Last.\n  \"\"\"\n}\n",
      diags);
  ASSERT_TRUE(r.ok);
  const auto& doc = std::get<ast::Doc>(std::get<ast::Runbook>(r.file.items[0]).items[0]);
  EXPECT_EQ(doc.text.text(), "First line.\n  Indented.\n\nLast.");
}

TEST(Parser, RawStringsKeepBracesQuotesAndBackslashes) {
  Diagnostics diags;
  auto r = parse("runbook r { doc `sum(rate(errors{region=\"eu\"}[5m])) \\d+ {device}\r\nnext` }",
                 diags);
  ASSERT_TRUE(r.ok);
  const auto& doc = std::get<ast::Doc>(std::get<ast::Runbook>(r.file.items[0]).items[0]);
  const auto& parts = doc.text.str->parts;
  ASSERT_EQ(parts.size(), 1u);  // no interpolation
  EXPECT_EQ(parts[0].text, "sum(rate(errors{region=\"eu\"}[5m])) \\d+ {device}\nnext");
  auto empty = parse("runbook r { doc `` }", diags);
  ASSERT_TRUE(empty.ok);
  EXPECT_EQ(std::get<ast::Doc>(std::get<ast::Runbook>(empty.file.items[0]).items[0]).text.text(),
            "");
}

TEST(Parser, ConditionalExpressionIsTheLoosest) {
  Diagnostics diags;
  auto r =
      parse("runbook r { param x: int = if a or b then 1 else if c then 2 else 3 + 4 }", diags);
  ASSERT_TRUE(r.ok);
  const ast::Expr& e =
      *std::get<ast::Param>(std::get<ast::Runbook>(r.file.items[0]).items[0]).default_value;
  ASSERT_EQ(e.kind, ast::ExprKind::Cond);
  EXPECT_EQ(e.lhs->op, ast::Op::Or);  // the whole condition
  EXPECT_EQ(e.rhs->kind, ast::ExprKind::Int);
  ASSERT_EQ(e.alt->kind, ast::ExprKind::Cond);  // else if
  EXPECT_EQ(e.alt->alt->op, ast::Op::Add);      // 3 + 4 is the last branch
  // `if` is reserved: not a name.
  EXPECT_FALSE(parse("runbook r { param if: int }", diags).ok);
}

TEST(Parser, DurationsAndPercents) {
  Diagnostics diags;
  auto r = parse(
      "runbook r { param a: duration = 1h30m param b: duration = 250ms param c: percent = 2.5% }",
      diags);
  ASSERT_TRUE(r.ok);
  const auto& items = std::get<ast::Runbook>(r.file.items[0]).items;
  EXPECT_EQ(std::get<ast::Param>(items[0]).default_value->int_value, 90 * 60 * 1000);
  EXPECT_EQ(std::get<ast::Param>(items[1]).default_value->int_value, 250);
  EXPECT_DOUBLE_EQ(std::get<ast::Param>(items[2]).default_value->float_value, 2.5);
}

TEST(Parser, KeepsComments) {
  Diagnostics diags;
  auto r = parse("// head\nrunbook r { // after brace\n  start -> a // tail\n}\n", diags);
  ASSERT_EQ(r.file.comments.size(), 3u);
  EXPECT_EQ(r.file.comments[0].text, "// head");
  EXPECT_EQ(r.file.comments[2].range.begin.line, 3u);
}

// ------------------------------------------------------------ hostile input

struct Hostile : ::testing::Test {
  void expect_error(const std::string& text, const std::string& message_part) {
    CheckRun run = check_text("hostile.rbk", text);
    ASSERT_GE(run.diags.error_count(), 1u);
    bool found = false;
    for (const auto& d : run.diags.items())
      found |= d.message.find(message_part) != std::string::npos;
    EXPECT_TRUE(found) << "first: " << run.diags.items()[0].message;
  }
};

TEST_F(Hostile, DeepParentheses) {
  std::string e = std::string(10000, '(') + "1" + std::string(10000, ')');
  expect_error("runbook r { param x: int = " + e + " }", "nested too deeply");
}

TEST_F(Hostile, DeepNot) {
  std::string e;
  for (int i = 0; i < 10000; ++i) e += "not ";
  expect_error("runbook r { param x: bool = " + e + "true }", "nested too deeply");
}

TEST_F(Hostile, DeepLists) {
  expect_error(
      "runbook r { param x: json = " + std::string(10000, '[') + std::string(10000, ']') + " }",
      "nested too deeply");
}

TEST_F(Hostile, LongOperatorChain) {
  std::string e = "1";
  for (int i = 0; i < 10000; ++i) e += " + 1";
  expect_error("runbook r { param x: int = " + e + " }", "nested too deeply");
}

TEST_F(Hostile, LongFieldChain) {
  std::string e = "a";
  for (int i = 0; i < 10000; ++i) e += ".b";
  expect_error("runbook r { param x: int = " + e + " }", "nested too deeply");
}

TEST_F(Hostile, DeepTypes) {
  std::string t;
  for (int i = 0; i < 10000; ++i) t += "list<";
  expect_error("runbook r { param x: " + t + "int" + std::string(10000, '>') + " }",
               "nested too deeply");
}

TEST_F(Hostile, DeepInterpolation) {
  std::string e;
  for (int i = 0; i < 5000; ++i) e += "\"{";
  expect_error("runbook r { doc " + e + " }", "nested too deeply");
}

TEST_F(Hostile, InvalidUtf8) {
  expect_error("runbook r {\n  doc \"caf\xC3\"\n}\n", "not valid UTF-8");
}

TEST_F(Hostile, OverlongUtf8) {
  expect_error("runbook r { doc \"\xC0\xAF\" }", "not valid UTF-8");
}

TEST_F(Hostile, NulByte) {
  expect_error(std::string("runbook r {\n  start -> a") + '\0' + "\n}", "NUL byte");
}

TEST_F(Hostile, StringOpenAtEndOfFile) {
  expect_error("runbook r {\n  doc \"open", "unterminated string");
}

TEST_F(Hostile, TripleStringOpenAtEndOfFile) {
  expect_error("runbook r {\n  doc \"\"\"open\n", "unterminated string");
}

TEST_F(Hostile, RawStringOpenAtEndOfFile) {
  expect_error("runbook r {\n  doc `open {\n", "unterminated raw string");
}

TEST_F(Hostile, HugeInteger) {
  expect_error("runbook r { param x: int = 99999999999999999999999 }", "out of range");
}

TEST_F(Hostile, HugeDuration) {
  expect_error("runbook r { param x: duration = 9999999999999999d }", "out of range");
}

TEST_F(Hostile, OnlyGarbage) {
  expect_error("\x01\x02 }}}{{{ ->->-> \"", "expected");
}

TEST_F(Hostile, FiveMegabytes) {
  // A valid 5 MB runbook: checked in full, without a stack overflow on its length.
  std::string text = "runbook big {\n  start -> n0\n";
  int n = 0;
  while (text.size() < 5u * 1024 * 1024) {
    text += "  decide n" + std::to_string(n) + " \"Step " + std::to_string(n) +
            "\" {\n    when 1 + 2 > 3 -> n" + std::to_string(n + 1) + " \"yes\"\n    else -> n" +
            std::to_string(n + 1) + " \"no\"\n  }\n";
    ++n;
  }
  text += "  end n" + std::to_string(n) + " \"Done\" as resolved\n}\n";
  CheckRun run = check_text("big.rbk", text);
  EXPECT_EQ(run.diags.error_count(), 0u);
  ASSERT_EQ(run.program.runbooks.size(), 1u);
  EXPECT_EQ(run.program.runbooks[0].nodes.size(), static_cast<size_t>(n + 1));
}

}  // namespace
}  // namespace rbk::test

#include "grammar/keywords.hpp"

namespace rbk::test {
namespace {

TEST(Grammar, ReservedWordsAreNeverNames) {
  for (std::string_view w : kReservedWords) {
    Diagnostics bad, good;
    EXPECT_FALSE(parse("runbook r { start -> " + std::string(w) + " }", bad).ok) << w;
    EXPECT_TRUE(parse("runbook r { start -> " + std::string(w) + "_x }", good).ok) << w;
  }
  // Contextual words are names outside their clauses.
  for (const char* w :
       {"error", "by", "within", "every", "approved", "denied", "timeout", "run", "list"}) {
    Diagnostics d;
    EXPECT_TRUE(parse("runbook r { start -> " + std::string(w) + " }", d).ok) << w;
  }
}

}  // namespace
}  // namespace rbk::test
