// What a run may reach: the capabilities its policy grants and, for network capabilities,
// the hosts. Every native that reaches the world asks this before any byte leaves
// (natives.cpp); the policy file that grants them is read in run/policy.cpp.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "stdlib/credentials.hpp"

namespace rbk {

struct Capabilities {
  std::string source;  // the policy file they come from, for messages ("" for none)
  std::map<std::string, std::vector<std::string>> hosts;  // capability -> hosts ("*" any)
  // The POST endpoints that only read (query APIs), by URL prefix: http.query_json, a
  // probe that dry-runs perform, may POST to these and nowhere else.
  std::vector<std::string> read_only_posts;
  // The credentials a runbook may name (`auth: "NAME"`), by name: how each authenticates,
  // the hosts it may go to, where its secrets are (stdlib/credentials.hpp).
  std::map<std::string, CredentialSpec> credentials;

  // `clock` is granted to every run.
  bool grants(const std::string& capability) const;
  // HOST_PORT ("127.0.0.1:8080") matches host:port, host, *.domain or *.
  bool host_allowed(const std::string& capability, const std::string& host_port) const;
  // URL begins with one of read_only_posts, up to the end or a '/', '?' or '#'
  // ("https://h/api/graphql" does not cover "https://h/api/graphql-admin").
  bool read_only_post(const std::string& url) const;
  // PROGRAM (an absolute path) is on the "exec" capability's list, exactly.
  bool program_allowed(const std::string& program) const;
};

}  // namespace rbk
