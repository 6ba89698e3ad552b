#include "stdlib/action_keys.hpp"

namespace rbk {

namespace {
thread_local std::string current_key;
}  // namespace

void set_action_key(std::string key) {
  current_key = std::move(key);
}

const std::string& action_key() {
  return current_key;
}

}  // namespace rbk
