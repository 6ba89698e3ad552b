#include "run/run_store.hpp"

#include <array>
#include <cstdlib>

namespace rbk {

namespace {

constexpr std::array kRunModeNames = {
#define RBK_NAME_ITEM(e, name) name,
    RBK_RUN_MODES(RBK_NAME_ITEM)
#undef RBK_NAME_ITEM
};
constexpr std::array kRunStateNames = {
#define RBK_NAME_ITEM(e, name) name,
    RBK_RUN_STATES(RBK_NAME_ITEM)
#undef RBK_NAME_ITEM
};

template <typename E, typename Names>
std::optional<E> find_name(const Names& names, std::string_view name) {
  for (size_t i = 0; i < names.size(); ++i)
    if (name == names[i]) return static_cast<E>(i);
  return std::nullopt;
}

}  // namespace

const char* run_mode_name(RunMode m) {
  return kRunModeNames[static_cast<size_t>(m)];
}
std::optional<RunMode> run_mode_named(std::string_view name) {
  return find_name<RunMode>(kRunModeNames, name);
}
const char* run_state_name(RunState s) {
  return kRunStateNames[static_cast<size_t>(s)];
}
std::optional<RunState> run_state_named(std::string_view name) {
  return find_name<RunState>(kRunStateNames, name);
}

std::string RunStore::default_path() {
  if (const char* p = std::getenv("RBK_STORE"); p && *p) return p;
  if (const char* x = std::getenv("XDG_STATE_HOME"); x && *x)
    return std::string(x) + "/rbk/runs.db";
  if (const char* h = std::getenv("HOME"); h && *h)
    return std::string(h) + "/.local/state/rbk/runs.db";
  return ".rbk-runs.db";
}

}  // namespace rbk
