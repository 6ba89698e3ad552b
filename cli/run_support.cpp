#include "cli/run_support.hpp"

#include <fmt/format.h>

#include "vm/json_read.hpp"
#include "vm/value_json.hpp"

namespace rbk::cli {

std::string current_user() {
  if (const char* u = std::getenv("USER"); u && *u) return u;
  if (const char* u = std::getenv("LOGNAME"); u && *u) return u;
  return "unknown";
}

}  // namespace rbk::cli
