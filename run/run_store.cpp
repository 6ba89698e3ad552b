#include "run/run_store.hpp"

#include <cstdlib>
#include <thread>

#include <nlohmann/json.hpp>

#include "lang/name_table.hpp"
#include "run/store_rows.hpp"
#include "vm/json_read.hpp"

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

bool RunStore::wait_for_work(std::chrono::milliseconds timeout) {
  std::this_thread::sleep_for(timeout);
  return false;
}

bool RunStore::wait_for_children(std::chrono::milliseconds timeout) {
  std::this_thread::sleep_for(timeout);
  return false;
}

namespace {
[[noreturn]] void not_shared(const RunStore& store) {
  throw StoreError("the store " + store.path() +
                   " is not shared by several processes: a run's "
                   "children run on its own threads");
}
}  // namespace

void RunStore::publish_children(const std::string&, const std::vector<StoredChildTask>&) {
  not_shared(*this);
}
std::vector<StoredChildTask> RunStore::claim_children(const std::string&, int64_t, size_t) {
  not_shared(*this);
}
std::vector<JournalEntry> RunStore::child_journal(const std::string&, const std::string&) {
  not_shared(*this);
}
void RunStore::append_child_journal(const std::string&, const std::string&,
                                    const std::vector<JournalEntry>&) {
  not_shared(*this);
}
bool RunStore::finish_child(const std::string&, const std::string&, const std::string&,
                            const std::string&) {
  not_shared(*this);
}
void RunStore::release_child(const std::string&, const std::string&, const std::string&) {
  not_shared(*this);
}
std::vector<std::pair<std::string, std::string>> RunStore::finished_children(
    const std::string&, const std::vector<std::string>&) {
  not_shared(*this);
}
std::vector<std::string> RunStore::withdraw_children(const std::string&,
                                                     const std::vector<std::string>&) {
  not_shared(*this);
}

std::unique_ptr<RunStore> RunStore::open(const std::string& where) {
  const std::string chosen = where.empty() ? default_path() : where;
  std::string_view w = chosen;
  if (w.starts_with("postgresql://") || w.starts_with("postgres://"))
    return open_postgres_store(chosen);
  if (w.starts_with("sqlite:")) w.remove_prefix(7);
  if (w.empty()) throw StoreError("--store sqlite: needs a file (sqlite:PATH)");
  return open_sqlite_store(std::string(w));
}

GatePicks stored_picks(const std::string& run, const std::string& text) {
  GatePicks picks;
  try {
    nlohmann::json j = read_json(text);
    if (!j.is_object()) throw JsonReadError("not an object");
    for (const auto& [question, pick] : j.items()) {
      if (!pick.is_string()) throw JsonReadError("'" + question + "' is not a string");
      picks[question] = pick.get<std::string>();
    }
  } catch (const JsonReadError& e) {
    throw StoreError("run " + run + ": the store is damaged: an approval's picks: " + e.what());
  }
  return picks;
}

std::vector<std::string> stored_roles(const std::string& text) {
  std::vector<std::string> roles;
  nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_array())
    for (const auto& r : j)
      if (r.is_string()) roles.push_back(r.get<std::string>());
  return roles;
}

}  // namespace rbk
