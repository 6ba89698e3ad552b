// rbk compile FILE.rbk -o OUT.rbc [--runbook NAME]  and  rbk disasm FILE.rbc|FILE.rbk
#include <fstream>
#include <iostream>

#include "cli/commands.hpp"
#include "cli/program_loading.hpp"
#include "vm/disasm.hpp"
#include "vm/rbc.hpp"

namespace rbk::cli {

int run_compile(const CompileOptions& opts) {
  LoadedProgram lp = load_program(opts.file, opts.runbook);
  if (lp.exit_code) return lp.exit_code;
  std::string bytes = encode_rbc(lp.program);
  if (opts.output.empty() || opts.output == "-") {
    std::cout << bytes;
    return kOk;
  }
  std::string tmp = opts.output + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << bytes;
    if (!out.flush()) {
      std::cerr << "rbk compile: cannot write " << opts.output << "\n";
      return kUsage;
    }
  }
  if (std::rename(tmp.c_str(), opts.output.c_str()) != 0) {
    std::cerr << "rbk compile: cannot write " << opts.output << "\n";
    std::remove(tmp.c_str());
    return kUsage;
  }
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
