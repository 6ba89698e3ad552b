// The one exception boundary of every command. Errors a user can cause are reported
// where they arise, with the file, the place and the problem, and exit 1 or 2; an
// exception that reaches this boundary is a bug in rbk. It is reported as one line,
// "rbk CMD: internal error: WHAT (please report this, with the command and its input)",
// with exit code 70 (EX_SOFTWARE of sysexits.h), instead of std::terminate's abort and
// core dump. The fuzz harnesses call the pipeline without this boundary, so an input
// that would reach it is a finding there; tests/robustness_test.sh checks that no saved
// input reaches it through the command line.
#pragma once

#include <functional>

namespace rbk::cli {

inline constexpr int kInternalError = 70;

int guarded(const char* command, const std::function<int()>& body);

}  // namespace rbk::cli
