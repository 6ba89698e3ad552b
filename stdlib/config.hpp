// Run configuration: the values `config.NAME` reads. From a JSON file (--config FILE,
// an object of NAME: value) and environment variables RBK_CONFIG_NAME (upper case),
// which win. Each value converts to the type its declaration gives; a missing or
// ill-typed one is reported before the run starts (docs/stdlib.md).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "vm/program.hpp"

namespace rbk {

struct ConfigResult {
  std::map<std::string, Value> values;
  std::vector<std::string> errors;  // one line each, naming the value and the problem
};

// TEXT is the config file's content ("" when there is none); SOURCE names it in errors.
ConfigResult resolve_config(const Program& p, const std::string& text, const std::string& source);

// Configuration names that hold secrets (token, secret, password, key): their values are
// never written to traces.
bool is_secret_name(const std::string& name);

}  // namespace rbk
