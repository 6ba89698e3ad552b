#include "run/run_store.hpp"

#include <cstdlib>

#include "lang/name_table.hpp"

namespace rbk {

namespace {

#define RBK_NAME_ITEM(e, name) name,
constexpr auto kRunModes = name_table<RunMode>({RBK_RUN_MODES(RBK_NAME_ITEM)});
constexpr auto kRunStates = name_table<RunState>({RBK_RUN_STATES(RBK_NAME_ITEM)});
#undef RBK_NAME_ITEM

}  // namespace

const char* run_mode_name(RunMode m) {
  return kRunModes.name(m);
}
std::optional<RunMode> run_mode_named(std::string_view name) {
  return kRunModes.find(name);
}
const char* run_state_name(RunState s) {
  return kRunStates.name(s);
}
std::optional<RunState> run_state_named(std::string_view name) {
  return kRunStates.find(name);
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
