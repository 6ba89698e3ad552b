// Debian's Mosquitto and redis-server, started in a scratch directory on free loopback
// ports for the tests of the mqtt.* and redis.* natives (tests/brokers_test.cpp) and their
// benchmarks (bench/platforms_bench.cpp): Mosquitto with an anonymous, a password and a
// client-certificate listener (TLS with a CA made here, $SYS every second), Redis with a
// password, an ACL user made by the tests, and a TLS port. Stopped at the end.
#pragma once

#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "stdlib/net_stream.hpp"

namespace rbk::test {

// A directory of its own under the system's temporary directory, removed at the end.
struct ScratchDir {
  std::filesystem::path path;
  ScratchDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "rbk-servers-XXXXXX").string();
    if (mkdtemp(pattern.data())) path = pattern;
  }
  ~ScratchDir() {
    std::error_code ec;
    if (!path.empty()) std::filesystem::remove_all(path, ec);
  }
};

inline std::string text_of(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline int free_port() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  close(fd);
  return ntohs(a.sin_port);
}

inline bool listening(int port) {
  std::string why;
  int fd = connect_with_timeout("127.0.0.1", port, 200, why);
  if (fd >= 0) close(fd);
  return fd >= 0;
}

inline int run(const std::string& command) {
  return std::system(command.c_str());
}

// A server process, its output in LOG, stopped (SIGTERM, then SIGKILL) at the end.
class ServerProcess {
 public:
  ServerProcess(std::vector<std::string> argv, const std::filesystem::path& log) {
    pid_ = fork();
    if (pid_ == 0) {
      FILE* out = std::fopen(log.c_str(), "w");
      if (out) {
        dup2(fileno(out), 1);
        dup2(fileno(out), 2);
      }
      std::vector<char*> args;
      for (auto& a : argv) args.push_back(a.data());
      args.push_back(nullptr);
      execv(args[0], args.data());
      _exit(127);
    }
  }
  ~ServerProcess() {
    if (pid_ <= 0) return;
    kill(pid_, SIGTERM);
    for (int i = 0; i < 100; ++i) {
      if (waitpid(pid_, nullptr, WNOHANG) == pid_) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
  // Waits (bounded, 10 s) until PORT accepts connections.
  static bool wait_listening(int port) {
    for (int i = 0; i < 200; ++i) {
      if (listening(port)) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return false;
  }

 private:
  pid_t pid_ = -1;
};

// A CA, a server certificate for localhost and 127.0.0.1, and a client certificate
// (CN device-7), made with the openssl command; false if one could not be made.
inline bool make_certificates(const std::filesystem::path& dir) {
  const std::string d = dir.string();
  const std::string q = " >/dev/null 2>&1";
  if (run("openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=rbk-test-ca -keyout " + d +
          "/ca.key -out " + d + "/ca.pem" + q) != 0)
    return false;
  for (const char* who : {"server", "client"}) {
    const std::string cn = std::string(who) == "server" ? "localhost" : "device-7";
    if (run("openssl req -newkey rsa:2048 -nodes -subj /CN=" + cn + " -keyout " + d + "/" + who +
            ".key -out " + d + "/" + who + ".csr" + q) != 0)
      return false;
    std::ofstream(dir / (std::string(who) + ".ext"))
        << (cn == "localhost" ? "subjectAltName=DNS:localhost,IP:127.0.0.1\n" : "\n");
    if (run("openssl x509 -req -days 2 -in " + d + "/" + who + ".csr -CA " + d + "/ca.pem -CAkey " +
            d + "/ca.key -CAcreateserial -extfile " + d + "/" + who + ".ext -out " + d + "/" + who +
            ".pem" + q) != 0)
      return false;
  }
  // An unrelated CA: a server it did not sign must be refused.
  if (run("openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=other-ca -keyout " + d +
          "/other.key -out " + d + "/other.pem" + q) != 0)
    return false;
  return true;
}

struct Servers {
  ScratchDir tmp;
  int mqtt_open = 0, mqtt_password = 0, mqtt_tls = 0, redis_plain = 0, redis_tls = 0;
  std::unique_ptr<ServerProcess> mosquitto, redis;
  std::string problem;

  Servers() {
    const auto& d = tmp.path;
    for (const char* p : {"/usr/sbin/mosquitto", "/usr/bin/mosquitto_passwd",
                          "/usr/bin/redis-server", "/usr/bin/redis-cli"})
      if (access(p, X_OK) != 0) {
        problem = std::string(p) + " is not installed (scripts/install-test-tools.sh installs it)";
        return;
      }
    if (!make_certificates(d)) {
      problem = "the openssl command could not make the test's certificates";
      return;
    }
    mqtt_open = free_port();
    mqtt_password = free_port();
    mqtt_tls = free_port();
    run("/usr/bin/mosquitto_passwd -b -c " + (d / "passwd").string() + " ops s3cret-pw");
    std::ofstream conf(d / "mosquitto.conf");
    conf << "per_listener_settings true\npersistence false\nsys_interval 1\nuser root\n"
         << "listener " << mqtt_open << " 127.0.0.1\nallow_anonymous true\n"
         << "listener " << mqtt_password << " 127.0.0.1\nallow_anonymous false\npassword_file "
         << (d / "passwd").string() << "\n"
         << "listener " << mqtt_tls << " 127.0.0.1\nallow_anonymous false\n"
         << "cafile " << (d / "ca.pem").string() << "\ncertfile " << (d / "server.pem").string()
         << "\nkeyfile " << (d / "server.key").string()
         << "\nrequire_certificate true\nuse_identity_as_username true\n";
    conf.close();
    mosquitto = std::make_unique<ServerProcess>(
        std::vector<std::string>{"/usr/sbin/mosquitto", "-c", (d / "mosquitto.conf").string()},
        d / "mosquitto.log");
    redis_plain = free_port();
    redis_tls = free_port();
    redis = std::make_unique<ServerProcess>(std::vector<std::string>{"/usr/bin/redis-server",
                                                                     "--bind",
                                                                     "127.0.0.1",
                                                                     "--port",
                                                                     std::to_string(redis_plain),
                                                                     "--tls-port",
                                                                     std::to_string(redis_tls),
                                                                     "--tls-cert-file",
                                                                     (d / "server.pem").string(),
                                                                     "--tls-key-file",
                                                                     (d / "server.key").string(),
                                                                     "--tls-ca-cert-file",
                                                                     (d / "ca.pem").string(),
                                                                     "--tls-auth-clients",
                                                                     "no",
                                                                     "--requirepass",
                                                                     "r3dis-pw",
                                                                     "--save",
                                                                     "",
                                                                     "--appendonly",
                                                                     "no",
                                                                     "--dir",
                                                                     d.string()},
                                            d / "redis.log");
    for (int port : {mqtt_open, mqtt_password, mqtt_tls, redis_plain, redis_tls})
      if (!ServerProcess::wait_listening(port)) {
        problem = "a server did not start listening on " + std::to_string(port) + ": " +
                  text_of(d / "mosquitto.log") + text_of(d / "redis.log");
        return;
      }
  }
  std::string mqtt(int port, bool tls = false) const {
    return std::string(tls ? "mqtts" : "mqtt") + "://" + (tls ? "localhost" : "127.0.0.1") + ":" +
           std::to_string(port);
  }
  std::string redis_url(bool tls = false, const std::string& db = "") const {
    return std::string(tls ? "rediss://localhost:" : "redis://127.0.0.1:") +
           std::to_string(tls ? redis_tls : redis_plain) + db;
  }
  // Runs a redis-cli command on the plain port, as the server's administrator.
  void redis_cli(const std::string& args) const {
    run("/usr/bin/redis-cli -p " + std::to_string(redis_plain) + " --no-auth-warning -a r3dis-pw " +
        args + " >/dev/null");
  }
};

}  // namespace rbk::test
