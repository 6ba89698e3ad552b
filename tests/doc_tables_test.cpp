// The tables in docs/ that restate a table of the code: the opcodes (vm/opcodes.def) in
// docs/bytecode.md and the native functions (lang/natives.def) in docs/language.md. Each
// sits between a "generated" comment and an end comment; this test regenerates it and
// fails when the docs differ (RBK_UPDATE_GOLDEN=1 rewrites them).
#include <gtest/gtest.h>

#include <string>

#include "lang/natives.hpp"
#include "test_support.hpp"
#include "vm/opcodes.hpp"

namespace rbk::test {
namespace {

const char* operand_name(Operand o) {
  switch (o) {
    case Operand::none:
      return "none";
    case Operand::constant:
      return "constant";
    case Operand::name:
      return "name";
    case Operand::var:
      return "var";
    case Operand::param:
      return "param";
    case Operand::local:
      return "local";
    case Operand::func:
      return "func";
    case Operand::edge:
      return "edge";
    case Operand::shape:
      return "shape";
    case Operand::type:
      return "type";
    case Operand::code:
      return "code";
    case Operand::runbook:
      return "runbook";
    case Operand::count:
      return "count";
  }
  return "?";
}

const char* placement_name(Placement p) {
  switch (p) {
    case Placement::any:
      return "any";
    case Placement::body:
      return "bodies, defaults";
    case Placement::node:
      return "any node";
    case Placement::decide:
      return "decide";
    case Placement::action:
      return "action";
    case Placement::wait:
      return "wait";
    case Placement::approve:
      return "approve";
    case Placement::call:
      return "call";
    case Placement::nowhere:
      return "none";
    case Placement::foreach:
      return "foreach";
  }
  return "?";
}

std::string opcode_table() {
  std::string t =
      "| opcode | a | b | pops | pushes | where | stack |\n"
      "|---|---|---|---|---|---|---|\n";
  for (size_t i = 0; i < kOpCount; ++i) {
    const OpInfo& op = op_info(static_cast<Op>(i));
    t += "| `" + std::string(op.name) + "` | " + operand_name(op.a) + " | " + operand_name(op.b) +
         " | " + (op.pops < 0 ? std::string("operand") : std::to_string(op.pops)) + " | " +
         std::to_string(op.pushes) + " | " + placement_name(op.where) + " | `" +
         std::string(op.stack) + "` |\n";
  }
  return t;
}

std::string native_table() {
  std::string t =
      "| function | effect | capability | signature | what it does |\n"
      "|---|---|---|---|---|\n";
  for (const NativeRow& row : native_rows()) {
    std::string_view sig = row.signature;
    std::string rest(sig.substr(row.name().size()));
    std::string cap = row.capability.empty() ? "" : "`" + std::string(row.capability) + "`";
    t += "| `" + std::string(row.name()) + "` | " + effect_name(row.effect) + " | " + cap + " | `" +
         rest + "` | " + std::string(row.doc) + " |\n";
  }
  return t;
}

// Compares (or rewrites) the block after the line containing BEGIN in DOC.
void expect_generated(const std::string& doc, const std::string& begin, const std::string& table) {
  const std::string end = "<!-- end of generated table -->";
  auto path = source_dir() / "docs" / doc;
  std::string text = read_text(path);
  auto b = text.find(begin);
  ASSERT_NE(b, std::string::npos) << doc << " has no line with " << begin;
  b = text.find('\n', b) + 1;
  auto e = text.find(end, b);
  ASSERT_NE(e, std::string::npos) << doc << " has no " << end << " after " << begin;
  if (std::getenv("RBK_UPDATE_GOLDEN")) {
    text.replace(b, e - b, table);
    write_text(path, text);
    return;
  }
  EXPECT_EQ(text.substr(b, e - b), table)
      << "docs/" << doc << " differs from the table it restates; RBK_UPDATE_GOLDEN=1 rewrites it";
}

TEST(DocTables, OpcodesInBytecodeMdMatchOpcodesDef) {
  expect_generated("bytecode.md", "<!-- generated from vm/opcodes.def", opcode_table());
}

TEST(DocTables, NativesInLanguageMdMatchNativesDef) {
  expect_generated("language.md", "<!-- generated from lang/natives.def", native_table());
}

}  // namespace
}  // namespace rbk::test
