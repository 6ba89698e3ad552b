// rbk compile FILE.rbk -o OUT.rbc [--runbook NAME]  and  rbk disasm FILE.rbc|FILE.rbk
#include <fstream>
#include <iostream>

#include "cli/commands.hpp"
#include "cli/file_output.hpp"
#include "cli/program_loading.hpp"
#include "vm/disasm.hpp"
#include "vm/rbc.hpp"

namespace rbk::cli {

int run_compile(const CompileOptions& opts) {
  LoadedProgram lp = load_program(opts.file, opts.runbook);
  if (lp.exit_code) return lp.exit_code;
  std::string bytes = encode_rbc(lp.program);
  if (!write_output("compile", opts.output, bytes)) return kUsage;
  if (opts.output.empty() || opts.output == "-") return kOk;
  std::cerr << "rbk compile: " << opts.output << ": runbook " << lp.program.entry_runbook().name
            << ", " << bytes.size() << " bytes, program " << lp.program.hash_hex().substr(0, 16)
            << "\n";
  return kOk;
}

int run_disasm(const CompileOptions& opts) {
  LoadedProgram lp = load_program(opts.file, opts.runbook);
  if (lp.exit_code) return lp.exit_code;
  std::cout << disassemble(lp.program);
  return kOk;
}

}  // namespace rbk::cli
