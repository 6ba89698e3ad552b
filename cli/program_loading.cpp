#include "cli/program_loading.hpp"

#include <iostream>

#include "cli/commands.hpp"
#include "compiler/checker.hpp"
#include "compiler/codegen.hpp"
#include "compiler/diagnostic_render.hpp"
#include "vm/rbc.hpp"
#include "vm/verifier.hpp"

namespace rbk::cli {

LoadedProgram load_program(const std::string& file, const std::string& runbook) {
  LoadedProgram out;
  if (file.size() >= 4 && file.compare(file.size() - 4, 4, ".rbc") == 0) {
    std::string bytes, error;
    if (!read_file(file, bytes, error)) {
      std::cerr << "rbk: cannot read " << file << ": " << error << "\n";
      out.exit_code = kUsage;
      return out;
    }
    try {
      out.program = decode_rbc(bytes);
    } catch (const RbcError& e) {
      std::cerr << "rbk: refusing " << file << ": " << e.what() << "\n";
      out.exit_code = kFailed;
      return out;
    }
    if (!runbook.empty() && out.program.entry_runbook().name != runbook) {
      std::cerr << "rbk: " << file << " was compiled for runbook '"
                << out.program.entry_runbook().name << "', not '" << runbook << "'\n";
      out.exit_code = kUsage;
    }
    return out;
  }

  std::vector<Program> programs;
  out.exit_code = compile_file(file, runbook, programs);
  if (out.exit_code == kOk) out.program = std::move(programs[0]);
  return out;
}

int compile_file(const std::string& file, const std::optional<std::string>& runbook,
                 std::vector<Program>& programs) {
  Workspace ws;
  Diagnostics diags;
  std::vector<std::string> unreadable;
  load_workspace(ws, {file}, diags, unreadable);
  if (!unreadable.empty()) {
    std::cerr << "rbk: cannot read " << unreadable[0] << "\n";
    return kUsage;
  }
  CheckedProgram checked = check_workspace(ws, diags);
  diags.sort();
  bool color = stderr_is_color_terminal();
  for (const auto& d : diags.items()) std::cerr << render_text(d, color);
  if (diags.error_count() > 0) {
    std::cerr << "rbk: " << file << ": " << summarize(diags) << "\n";
    return kFailed;
  }
  std::vector<int> entries;
  if (runbook) {
    std::string error;
    int entry = select_runbook(checked, file, *runbook, error);
    if (entry < 0) {
      std::cerr << "rbk: " << error << "\n";
      return kUsage;
    }
    entries.push_back(entry);
  } else {
    for (size_t i = 0; i < checked.runbooks.size(); ++i)
      if (checked.runbooks[i].src->path() == file) entries.push_back(static_cast<int>(i));
  }
  for (int entry : entries) {
    programs.push_back(generate(checked, entry));
    // The compiler's own output passes the verifier too; a failure here is a compiler bug.
    if (std::string problem = verify(programs.back()); !problem.empty()) {
      std::cerr << "rbk: internal error: the compiled program does not verify: " << problem << "\n";
      return kFailed;
    }
  }
  return kOk;
}

}  // namespace rbk::cli
