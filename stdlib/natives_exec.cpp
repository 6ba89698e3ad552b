// exec.run: a program on the runner, as an action. No shell ever sees the arguments: the
// program is an absolute path the policy's "exec" list names, started with posix_spawn
// (safe beside the server's and the fleet's threads, where fork would copy their locks)
// in a process group of its own, with only the environment the runbook gives and no file
// descriptor of rbk's but its own stdout and stderr pipes. Each stream is kept up to
// kExecOutputLimit; past it the pipe is closed, as `head` does, so a program that writes
// for ever gets SIGPIPE instead of holding the run until its timeout.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <string>
#include <vector>

#include "stdlib/natives.hpp"

namespace rbk {

namespace {

constexpr size_t kExecOutputLimit = 64 * 1024;

int64_t steady_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// Closes the descriptors it holds when the call returns, whichever way.
struct Fds {
  int fd[4] = {-1, -1, -1, -1};  // stdout read, stdout write, stderr read, stderr write
  ~Fds() {
    for (int f : fd)
      if (f >= 0) close(f);
  }
  void drop(int i) {
    if (fd[i] >= 0) close(fd[i]);
    fd[i] = -1;
  }
};

}  // namespace

Value Natives::exec_run(const FunctionInfo& fn, const std::vector<Value>& args) {
  const std::vector<Value>& argv = args.at(0).items();
  const int64_t timeout_ms = args.at(1).i;
  const Value& env = args.at(2);
  if (argv.empty()) return Value::error("exec.run: argv is empty: its first item is the program");
  const std::string& program = argv[0].str();
  if (program.empty() || program.front() != '/')
    return Value::error(
        "exec.run: the program must be an absolute path (the policy lists "
        "programs by path), not \"" +
        program + "\"");
  const std::string policy =
      allowed_.source.empty() ? "no policy file (give one with --policy)" : allowed_.source;
  if (!allowed_.grants("exec"))
    throw HostFault(fn.name + ": capability 'exec' is not granted by " + policy);
  if (!allowed_.program_allowed(program))
    throw HostFault(fn.name + ": " + policy + " does not allow exec of " + program);
  if (timeout_ms <= 0) return Value::error("exec.run: the timeout must be positive");

  // argv and the environment as the C strings posix_spawn takes, built before the spawn.
  std::vector<std::string> arg_text, env_text;
  for (const auto& a : argv) {
    if (a.str().find('\0') != std::string::npos)
      return Value::error("exec.run: an argument holds a NUL byte");
    arg_text.push_back(a.str());
  }
  if (env.kind == ValueKind::Record) {
    for (size_t i = 0; i < env.keys().size(); ++i) {
      const std::string& key = env.keys()[i];
      const Value& value = env.items()[i];
      if (key.empty() || key.find_first_of("=", 0) != std::string::npos ||
          key.find('\0') != std::string::npos)
        return Value::error("exec.run: \"" + key + "\" is not an environment variable name");
      if (value.kind != ValueKind::String || value.str().find('\0') != std::string::npos)
        return Value::error("exec.run: the environment variable " + key +
                            " must be a string without NUL bytes");
      env_text.push_back(key + "=" + value.str());
    }
  } else if (!env.is_null()) {
    return Value::error("exec.run: env is a record of strings ({LANG: \"C\"}) or null");
  }
  std::vector<char*> c_argv, c_env;
  for (auto& a : arg_text) c_argv.push_back(a.data());
  c_argv.push_back(nullptr);
  for (auto& e : env_text) c_env.push_back(e.data());
  c_env.push_back(nullptr);

  Fds p;
  if (pipe2(p.fd, O_CLOEXEC) != 0 || pipe2(p.fd + 2, O_CLOEXEC) != 0)
    return Value::error(std::string("exec.run: no pipe: ") + std::strerror(errno));
  posix_spawn_file_actions_t actions;
  posix_spawnattr_t attr;
  posix_spawn_file_actions_init(&actions);
  posix_spawnattr_init(&attr);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, p.fd[1], 1);
  posix_spawn_file_actions_adddup2(&actions, p.fd[3], 2);
  posix_spawn_file_actions_addclosefrom_np(&actions, 3);
  // Its own process group (a timeout kills what it started too), default signal
  // dispositions (rbk ignores SIGPIPE; a program writing to a closed pipe should die).
  sigset_t defaults;
  sigemptyset(&defaults);
  sigaddset(&defaults, SIGPIPE);
  posix_spawnattr_setsigdefault(&attr, &defaults);
  sigset_t none;
  sigemptyset(&none);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setpgroup(&attr, 0);
  posix_spawnattr_setflags(&attr,
                           POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);
  pid_t pid = -1;
  int spawned = posix_spawn(&pid, program.c_str(), &actions, &attr, c_argv.data(), c_env.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (spawned != 0)
    return Value::error("exec.run: cannot run " + program + ": " + std::strerror(spawned));
  p.drop(1);
  p.drop(3);

  std::string out[2];
  bool truncated = false;
  const int64_t deadline = steady_ms() + timeout_ms;
  bool timed_out = false;
  while (p.fd[0] >= 0 || p.fd[2] >= 0) {
    int64_t left = deadline - steady_ms();
    if (left <= 0) {
      timed_out = true;
      break;
    }
    pollfd fds[2] = {{p.fd[0], POLLIN, 0}, {p.fd[2], POLLIN, 0}};
    int n = poll(fds, 2, static_cast<int>(std::min<int64_t>(left, 1000)));
    if (n < 0 && errno != EINTR) break;
    for (int s = 0; s < 2 && n > 0; ++s) {
      if (fds[s].fd < 0 || !(fds[s].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      char buf[8192];
      ssize_t got = read(fds[s].fd, buf, sizeof buf);
      if (got <= 0) {
        if (got < 0 && errno == EINTR) continue;
        p.drop(s * 2);  // end of the stream
        continue;
      }
      size_t keep = std::min(static_cast<size_t>(got), kExecOutputLimit - out[s].size());
      out[s].append(buf, keep);
      if (out[s].size() >= kExecOutputLimit) {
        truncated = true;
        p.drop(s * 2);
      }
    }
  }
  int status = 0;
  if (timed_out) {
    kill(-pid, SIGKILL);
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    return Value::error("exec.run: " + program + " did not finish within " +
                        std::to_string(timeout_ms) + " ms (killed)");
  }
  // Both streams ended (or were cut): wait for the exit, within what is left of the time.
  while (true) {
    pid_t done = waitpid(pid, &status, WNOHANG);
    if (done == pid) break;
    if (done < 0 && errno != EINTR) return Value::error("exec.run: lost " + program);
    if (steady_ms() >= deadline) {
      kill(-pid, SIGKILL);
      while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
      }
      return Value::error("exec.run: " + program + " did not finish within " +
                          std::to_string(timeout_ms) + " ms (killed)");
    }
    usleep(2000);
  }
  // A signal's death reads as shells write it: 128 + the signal (141 for SIGPIPE).
  int64_t code = WIFEXITED(status)     ? WEXITSTATUS(status)
                 : WIFSIGNALED(status) ? 128 + WTERMSIG(status)
                                       : -1;
  return Value::record({"exit_code", "stdout", "stderr", "truncated"},
                       {Value::integer(code), Value::string(std::move(out[0])),
                        Value::string(std::move(out[1])), Value::boolean(truncated)});
}

}  // namespace rbk
