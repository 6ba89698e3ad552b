// The subcommands of `rbk`, one file each. Each returns the process exit code:
// 0 success, 1 the runbook or run failed, 2 bad usage or unreadable input, 3 paused.
#pragma once

#include <string>
#include <vector>

namespace rbk::cli {

enum ExitCode { kOk = 0, kFailed = 1, kUsage = 2, kPaused = 3 };

struct CheckOptions {
  std::vector<std::string> files;
  bool strict = false;
  bool json = false;
};
int run_check(const CheckOptions& opts);

struct FmtOptions {
  std::vector<std::string> files;
  bool write = false;
  bool check = false;
};
int run_fmt(const FmtOptions& opts);

struct CompileOptions {
  std::string file;
  std::string output;
  std::string runbook;
};
int run_compile(const CompileOptions& opts);
int run_disasm(const CompileOptions& opts);

// Whether stderr is a terminal that takes colours.
bool stderr_is_color_terminal();

}  // namespace rbk::cli
