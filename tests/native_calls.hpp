// What the tests of natives and credentials share: a native as a compiled program holds
// it, a policy that allows loopback, and an HTTP server on a free loopback port (httplib,
// which only tests and the files docs/architecture.md names include).
#pragma once

#include <httplib.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>

#include "stdlib/capabilities.hpp"
#include "stdlib/registry.hpp"
#include "vm/program.hpp"

namespace rbk::test {

// A FunctionInfo for a native, as a compiled program would hold it.
inline FunctionInfo native(const std::string& name) {
  const FunctionSig& sig = *Registry::natives().find(name).front();
  FunctionInfo f;
  f.name = sig.name;
  f.capabilities = sig.capabilities;
  f.effect = sig.effect;
  f.native = native_named(name)->id;
  return f;
}

inline Capabilities allow_loopback() {
  Capabilities p;
  p.source = "test-policy.json";
  for (const char* c : {"net.http", "notify", "net.tcp", "tls", "net.dns"})
    p.hosts[c] = {"127.0.0.1", "localhost"};
  return p;
}

// An HTTP server on a free loopback port, stopped at the end of the test.
class LoopbackServer {
 public:
  LoopbackServer() {
    // One request per connection: a kept-alive one would hold stop() for its 5-second
    // keep-alive timeout.
    server.set_keep_alive_max_count(1);
    server.set_pre_routing_handler([this](const httplib::Request&, httplib::Response&) {
      ++requests;
      return httplib::Server::HandlerResponse::Unhandled;
    });
  }
  void start() {
    port = server.bind_to_any_port("127.0.0.1");
    thread = std::thread([this] { server.listen_after_bind(); });
    // The socket listens once bound; wait (bounded) for the accept loop as well.
    for (int i = 0; i < 200 && !server.is_running(); ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  ~LoopbackServer() {
    server.stop();
    if (thread.joinable()) thread.join();
  }
  std::string url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(port) + path;
  }
  httplib::Server server;
  std::thread thread;
  int port = 0;
  std::atomic<int> requests{0};
};

}  // namespace rbk::test
