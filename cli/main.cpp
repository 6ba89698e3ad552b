// rbk: runbooks as code. The command line in the style of git and cargo: one binary,
// subcommands, `rbk help [SUBCOMMAND]`. Exit codes are in cli/commands.hpp.
#include <CLI/CLI.hpp>

#include <iostream>

#include "cli/commands.hpp"

namespace {

void add_check(CLI::App& app, rbk::cli::CheckOptions& opts) {
  auto* cmd = app.add_subcommand("check", "Parse and check runbooks; print diagnostics");
  cmd->add_option("files", opts.files, "The .rbk files to check (their imports are checked too)")
      ->required();
  cmd->add_flag("--strict", opts.strict, "Treat warnings as errors");
  cmd->add_option_function<std::string>(
         "--diagnostics", [&opts](const std::string& v) { opts.json = v == "json"; },
         "Output format of diagnostics: text (default, on stderr) or json (on stdout)")
      ->check(CLI::IsMember({"text", "json"}));
}

void add_fmt(CLI::App& app, rbk::cli::FmtOptions& opts) {
  auto* cmd = app.add_subcommand("fmt", "Print runbooks in the canonical layout");
  cmd->add_option("files", opts.files, "The .rbk files to format")->required();
  cmd->add_flag("-w,--write", opts.write, "Rewrite the files in place");
  cmd->add_flag("--check", opts.check,
                "Change nothing; fail (exit 1) if any file is not formatted");
}

void add_compile(CLI::App& app, rbk::cli::CompileOptions& opts, rbk::cli::CompileOptions& disasm) {
  auto* cmd = app.add_subcommand("compile", "Check a runbook and write its bytecode graph (.rbc)");
  cmd->add_option("file", opts.file, "The .rbk file")->required();
  cmd->add_option("-o,--output", opts.output, "Where to write the .rbc file (default: stdout)");
  cmd->add_option("--runbook", opts.runbook, "Which runbook of the file (default: the one named like the file)");
  auto* dis = app.add_subcommand("disasm", "Print a bytecode graph readably: nodes, edges, code with source lines");
  dis->add_option("file", disasm.file, "A .rbc file (verified first) or a .rbk file (compiled first)")->required();
  dis->add_option("--runbook", disasm.runbook, "Which runbook of a .rbk file");
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"rbk: runbooks as code. Check, format, compile and run .rbk runbooks.", "rbk"};
  app.require_subcommand(1);
  app.set_help_all_flag("--help-all", "Help for every subcommand");

  rbk::cli::CheckOptions check;
  rbk::cli::FmtOptions fmt;
  add_check(app, check);
  add_fmt(app, fmt);
  rbk::cli::CompileOptions compile, disasm;
  add_compile(app, compile, disasm);
  std::string help_topic;
  auto* help = app.add_subcommand("help", "Show help for rbk or for one subcommand");
  help->add_option("subcommand", help_topic, "The subcommand to describe");

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return rbk::cli::kUsage;  // CLI11 reports parse errors with its own codes; ours is 2
  }

  if (help->parsed()) {
    if (help_topic.empty()) {
      // app.help() would describe the selected subcommand (help itself).
      std::cout << app.get_formatter()->make_help(&app, "rbk", CLI::AppFormatMode::Normal);
      return rbk::cli::kOk;
    }
    try {
      std::cout << app.get_subcommand(help_topic)->help();
      return rbk::cli::kOk;
    } catch (const CLI::OptionNotFound&) {
      std::cerr << "rbk help: no subcommand '" << help_topic << "'\n";
      return rbk::cli::kUsage;
    }
  }
  if (app.got_subcommand("check")) return rbk::cli::run_check(check);
  if (app.got_subcommand("fmt")) return rbk::cli::run_fmt(fmt);
  if (app.got_subcommand("compile")) return rbk::cli::run_compile(compile);
  if (app.got_subcommand("disasm")) return rbk::cli::run_disasm(disasm);
  return rbk::cli::kUsage;
}
