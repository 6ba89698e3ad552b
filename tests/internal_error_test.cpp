// The command-line exception boundary (cli/internal_error.hpp): a bug that escapes a
// command becomes one line and exit 70, never an abort.
#include <gtest/gtest.h>

#include <stdexcept>

#include "cli/internal_error.hpp"

namespace {

TEST(InternalError, ExceptionBecomesExit70WithItsMessage) {
  testing::internal::CaptureStderr();
  int code = rbk::cli::guarded("check", []() -> int { throw std::out_of_range("index 7 of 3"); });
  std::string err = testing::internal::GetCapturedStderr();
  EXPECT_EQ(code, 70);
  EXPECT_EQ(err,
            "rbk check: internal error: index 7 of 3 [std::out_of_range] (please report this, with "
            "the command and its input)\n");
}

TEST(InternalError, OutOfMemoryAndUnknownExceptionsAreReportedToo) {
  testing::internal::CaptureStderr();
  EXPECT_EQ(rbk::cli::guarded("run", []() -> int { throw std::bad_alloc(); }), 70);
  EXPECT_EQ(rbk::cli::guarded("run", []() -> int { throw 42; }), 70);
  std::string err = testing::internal::GetCapturedStderr();
  EXPECT_NE(err.find("rbk run: internal error: out of memory"), std::string::npos) << err;
  EXPECT_NE(err.find("rbk run: internal error: an exception of unknown type"), std::string::npos)
      << err;
}

TEST(InternalError, ACommandsOwnExitCodePassesThrough) {
  EXPECT_EQ(rbk::cli::guarded("fmt", [] { return 1; }), 1);
  EXPECT_EQ(rbk::cli::guarded("run", [] { return 3; }), 3);
}

}  // namespace
