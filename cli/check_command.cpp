// rbk check FILES… [--strict] [--diagnostics=json]
#include <fmt/format.h>
#include <unistd.h>

#include <cstdio>
#include <iostream>

#include "cli/commands.hpp"
#include "compiler/checker.hpp"
#include "compiler/codegen.hpp"
#include "compiler/diagnostic_render.hpp"
#include "vm/foreach_plan.hpp"

namespace rbk::cli {

bool stderr_is_color_terminal() {
  const char* term = std::getenv("TERM");
  return isatty(STDERR_FILENO) && !std::getenv("NO_COLOR") && term && std::string(term) != "dumb";
}

int run_check(const CheckOptions& opts) {
  Workspace ws;
  Diagnostics diags;
  std::vector<std::string> unreadable;
  load_workspace(ws, opts.files, diags, unreadable);
  for (const auto& u : unreadable) std::cerr << "rbk check: cannot read " << u << "\n";
  CheckedProgram program = check_workspace(ws, diags);
  if (opts.strict) diags.promote_warnings();
  diags.sort();

  if (opts.json) {
    std::cout << render_json(diags);
  } else {
    bool color = stderr_is_color_terminal();
    for (const auto& d : diags.items()) std::cerr << render_text(d, color);
    size_t runbooks = program.runbooks.size();
    std::cerr << fmt::format("rbk check: {} file{}, {} runbook{}: {}\n", ws.files.size(),
                             ws.files.size() == 1 ? "" : "s", runbooks, runbooks == 1 ? "" : "s",
                             diags.items().empty() ? "no problems" : summarize(diags));
  }
  if (!unreadable.empty()) return kUsage;
  if (opts.explain && diags.error_count() == 0)
    for (size_t r = 0; r < program.runbooks.size(); ++r) {
      const RunbookModel& rb = program.runbooks[r];
      bool any = false;
      for (const auto& n : rb.nodes) any = any || n.ast->kind == NodeKind::Foreach;
      if (!any) continue;
      Program p = generate(program, static_cast<int>(r));
      const RunbookInfo& info = p.entry_runbook();
      for (const auto& fe : info.foreachs)
        std::cout << fmt::format("{}:{}: foreach {} of runbook {}: {}\n", rb.src->path(),
                                 info.nodes[fe.node].line, info.nodes[fe.node].name, info.name,
                                 explain_foreach(p, fe));
    }
  return diags.error_count() > 0 ? kFailed : kOk;
}

}  // namespace rbk::cli
