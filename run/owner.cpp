#include "run/owner.hpp"

#include <unistd.h>

#include <fstream>
#include <mutex>
#include <sstream>

#include "vm/value.hpp"

namespace rbk {

namespace {

std::string host_name() {
  char buf[256] = {};
  if (gethostname(buf, sizeof buf - 1) != 0) return "localhost";
  return buf;
}

// Field 22 of /proc/PID/stat: when the process started, in clock ticks since boot ("" when
// there is no such process). The command name (field 2) may hold blanks and parentheses,
// so the fields are counted from its closing parenthesis.
std::string start_time(long pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  size_t close = stat.rfind(')');
  if (close == std::string::npos) return "";
  std::istringstream rest(stat.substr(close + 1));
  std::string field;
  for (int i = 3; i <= 22 && rest >> field; ++i)
    if (i == 22) return field;
  return "";
}

struct Owner {
  std::string host;
  long pid = 0;
  std::string start;
};

std::string& process_label() {
  static std::string label;
  return label;
}

bool parse_owner(const std::string& owner, Owner& o) {
  const std::string text = owner.substr(0, owner.find('#'));
  size_t a = text.rfind('/');
  if (a == std::string::npos || a == 0) return false;
  size_t b = text.rfind('/', a - 1);
  if (b == std::string::npos) return false;
  o.host = text.substr(0, b);
  o.start = text.substr(a + 1);
  try {
    o.pid = std::stol(text.substr(b + 1, a - b - 1));
  } catch (const std::exception&) {
    return false;
  }
  return o.pid > 0;
}

}  // namespace

void set_process_label(const std::string& label) {
  process_label() = label;
}

std::string this_process() {
  // Asked for every write a shared store fences: worked out once per process and label
  // (the PID is part of the key: a forked child is another process).
  static std::mutex mutex;
  static long cached_pid = 0;
  static std::string cached_label, cached;
  long pid = static_cast<long>(getpid());
  const std::string& label = process_label();
  std::lock_guard lock(mutex);
  if (pid != cached_pid || label != cached_label || cached.empty()) {
    cached = host_name() + "/" + std::to_string(pid) + "/" + start_time(pid) +
             (label.empty() ? "" : "#" + label);
    cached_pid = pid;
    cached_label = label;
  }
  return cached;
}

bool owner_labelled(const std::string& owner, const std::string& label) {
  size_t hash = owner.find('#');
  return hash != std::string::npos && owner.compare(hash + 1, std::string::npos, label) == 0;
}

bool owner_gone(const std::string& owner) {
  if (owner.empty()) return true;
  Owner o;
  if (!parse_owner(owner, o)) return true;  // not written by rbk: nobody answers to it
  if (o.host != host_name()) return false;
  return start_time(o.pid) != o.start;
}

int local_pid(const std::string& owner) {
  Owner o;
  if (!parse_owner(owner, o) || o.host != host_name()) return 0;
  return static_cast<int>(o.pid);
}

RunState current_state(const RunRecord& r) {
  if (r.status != RunState::Running) return r.status;
  if (owner_gone(r.owner)) return RunState::Interrupted;
  if (r.lease_until > 0 && r.lease_until < system_now_ms()) return RunState::Interrupted;
  return r.status;
}

std::vector<RunRecord> find_runs(RunStore& store, RunFilter filter, size_t limit) {
  std::optional<RunState> wanted = filter.status;
  if (wanted == RunState::Interrupted) filter.status = RunState::Running;
  std::vector<RunRecord> runs = store.list(filter, limit);
  if (wanted == RunState::Running || wanted == RunState::Interrupted)
    std::erase_if(runs, [&](const RunRecord& r) { return current_state(r) != *wanted; });
  return runs;
}

}  // namespace rbk
