#include "lsp/dry_run.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

extern char** environ;

namespace rbk::lsp {

using nlohmann::json;

namespace {
constexpr size_t kMaxRunning = 4;
constexpr int kInfo = 3, kError = 1, kLog = 4;  // MessageType
}  // namespace

struct DryRuns::State {
  std::string rbk_path, policy, config;
  Notify notify;
  std::mutex mutex;
  std::set<pid_t> running;
  std::vector<std::thread> threads;
};

DryRuns::DryRuns(std::string rbk_path, Notify notify) : state_(std::make_shared<State>()) {
  state_->rbk_path = std::move(rbk_path);
  state_->notify = std::move(notify);
}

DryRuns::~DryRuns() {
  std::vector<std::thread> threads;
  {
    std::lock_guard lock(state_->mutex);
    for (pid_t pid : state_->running) kill(pid, SIGTERM);
    threads.swap(state_->threads);
  }
  for (auto& t : threads) t.join();
}

void DryRuns::configure(const json& opts) {
  if (opts.contains("policy") && opts["policy"].is_string()) state_->policy = opts["policy"];
  if (opts.contains("config") && opts["config"].is_string()) state_->config = opts["config"];
}

json DryRuns::start(const json& arg) {
  std::string path = arg.value("path", "");
  std::string runbook = arg.value("runbook", "");
  if (path.empty() || runbook.empty())
    throw std::invalid_argument("rbk.dryRun needs the runbook's path and name");
  if (state_->rbk_path.empty()) throw std::invalid_argument("this server cannot start runs");
  std::vector<std::string> argv = {state_->rbk_path, "run",   path,
                                   "--runbook",      runbook, "--dry-run"};
  if (!state_->policy.empty()) argv.insert(argv.end(), {"--policy", state_->policy});
  if (!state_->config.empty()) argv.insert(argv.end(), {"--config", state_->config});
  if (auto values = arg.value("values", json::object()); values.is_object())
    for (const auto& [k, v] : values.items())
      argv.insert(argv.end(),
                  {"--param", k + "=" + (v.is_string() ? v.get<std::string>() : v.dump())});
  std::string command;
  for (const auto& a : argv) command += (command.empty() ? "" : " ") + a;

  std::lock_guard lock(state_->mutex);
  if (state_->running.size() >= kMaxRunning)
    throw std::invalid_argument("four dry-runs are going already; wait for one to end");
  int out[2];
  if (pipe2(out, O_CLOEXEC) != 0) throw std::runtime_error("cannot make a pipe");
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, out[1], 1);
  posix_spawn_file_actions_adddup2(&actions, out[1], 2);
  std::vector<char*> cargv;
  for (auto& a : argv) cargv.push_back(a.data());
  cargv.push_back(nullptr);
  pid_t pid = 0;
  int rc = posix_spawn(&pid, argv[0].c_str(), &actions, nullptr, cargv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  close(out[1]);
  if (rc != 0) {
    close(out[0]);
    throw std::runtime_error("cannot start " + argv[0] + ": " + std::strerror(rc));
  }
  state_->running.insert(pid);
  state_->threads.emplace_back([s = state_, pid, fd = out[0], runbook, command] {
    s->notify("window/logMessage", {{"type", kInfo}, {"message", "rbk lsp: " + command}});
    std::string pending;
    char buf[4096];
    ssize_t n;
    while ((n = read(fd, buf, sizeof buf)) > 0 || (n < 0 && errno == EINTR)) {
      if (n < 0) continue;
      pending.append(buf, static_cast<size_t>(n));
      for (size_t nl; (nl = pending.find('\n')) != std::string::npos; pending.erase(0, nl + 1))
        s->notify("window/logMessage", {{"type", kLog}, {"message", pending.substr(0, nl)}});
    }
    if (!pending.empty()) s->notify("window/logMessage", {{"type", kLog}, {"message", pending}});
    close(fd);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    {
      std::lock_guard lock(s->mutex);
      s->running.erase(pid);
    }
    int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    std::string what = code == 0   ? "ended"
                       : code == 1 ? "failed"
                       : code == 2 ? "was refused (see the output)"
                       : code == 3 ? "is paused at a gate (rbk approve)"
                                   : "stopped with exit code " + std::to_string(code);
    s->notify("window/showMessage", {{"type", code == 0 || code == 3 ? kInfo : kError},
                                     {"message", "dry-run of " + runbook + " " + what}});
  });
  return {{"pid", pid}, {"command", command}};
}

}  // namespace rbk::lsp
