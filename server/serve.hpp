// `rbk serve`: a team's server for runs and approvals (docs/server.md). It loads the
// runbooks of a folder, opens the run store the command line shares, resumes the runs a
// previous server was executing when it died, and answers the JSON API (api.hpp) over
// HTTP or HTTPS until SIGINT or SIGTERM, when it stops its runs where they can resume.
#pragma once

#include <cstddef>
#include <string>

namespace rbk::server {

struct ServeOptions {
  std::string runbooks;  // folder of .rbk files
  std::string policy;    // policy file ("" for none: dry-runs without capabilities)
  std::string config;    // configuration file of the runs ("" for none)
  std::string settings;  // the server's own settings (server/settings.hpp; "" for none)
  std::string store;     // "" for the default store
  std::string listen = "127.0.0.1:8080";  // HOST:PORT (port 0: any free port)
  std::string tls_cert, tls_key;          // PEM files: HTTPS when both are given
  size_t workers = 8;                     // runs executing at once
  size_t child_workers = 32;              // shared store: fan-out children executing at once
  size_t max_body = 1 << 20;              // bytes of a request body
  std::string lease = "15s";              // how long a replica holds its runs without renewing
};

// Returns the process exit code (0 after a clean stop; 2 when it cannot start).
int serve(const ServeOptions& opts);

}  // namespace rbk::server
