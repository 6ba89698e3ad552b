// Harness: the formatter. For every input that parses: formatting twice gives the same
// text, the formatted text parses, and it compiles to the same program (source
// positions aside) as the original.
#include <cstddef>
#include <cstdint>

#include "compiler/checker.hpp"
#include "compiler/codegen.hpp"
#include "fuzz_support.hpp"
#include "grammar/formatter.hpp"
#include "grammar/parser.hpp"

namespace {

struct Formatted {
  bool parsed = false;
  std::string text;
};

Formatted format(const std::string& text) {
  auto src = std::make_shared<rbk::SourceFile>(rbk::fuzz::kFileName, text);
  rbk::Diagnostics diags;
  rbk::ParseResult r = rbk::parse_source(src, diags);
  if (!r.ok) return {};
  return {true, rbk::format_file(r.file)};
}

// The programs of every runbook in TEXT, without source positions; empty when it does
// not compile.
std::vector<std::string> programs(const std::string& text) {
  rbk::Workspace ws;
  ws.stdlib_dir = rbk::fuzz::stdlib_dir();
  rbk::Diagnostics diags;
  rbk::load_source(ws, rbk::fuzz::kFileName, text, diags);
  rbk::CheckedProgram checked = rbk::check_workspace(ws, diags);
  std::vector<std::string> out;
  if (diags.error_count() > 0) return out;
  for (size_t r = 0; r < checked.runbooks.size() && r < 4; ++r)
    out.push_back(
        rbk::fuzz::encoding_without_positions(rbk::generate(checked, static_cast<int>(r))));
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  Formatted once = format(text);
  if (!once.parsed) return 0;
  Formatted twice = format(once.text);
  if (!twice.parsed) rbk::fuzz::broken("the formatted text does not parse:\n" + once.text);
  if (twice.text != once.text)
    rbk::fuzz::broken("formatting is not idempotent:\n" + once.text + "\n---\n" + twice.text);
  if (programs(text) != programs(once.text))
    rbk::fuzz::broken("formatting changed the program:\n" + once.text);
  return 0;
}
