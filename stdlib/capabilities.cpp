#include "stdlib/capabilities.hpp"

#include <algorithm>

namespace rbk {

bool Capabilities::grants(const std::string& capability) const {
  return capability == "clock" || hosts.count(capability) > 0;
}

bool Capabilities::host_allowed(const std::string& capability, const std::string& host_port) const {
  auto it = hosts.find(capability);
  if (it == hosts.end()) return false;
  std::string host = host_port.substr(0, host_port.rfind(':'));
  for (const auto& h : it->second) {
    if (h == "*" || h == host_port || h == host) return true;
    if (h.size() > 2 && h.compare(0, 2, "*.") == 0 && host.size() > h.size() - 1 &&
        host.compare(host.size() - (h.size() - 1), h.size() - 1, h.substr(1)) == 0)
      return true;
  }
  return false;
}

bool Capabilities::program_allowed(const std::string& program) const {
  auto it = hosts.find("exec");
  if (it == hosts.end() || program.empty() || program.front() != '/') return false;
  return std::find(it->second.begin(), it->second.end(), program) != it->second.end();
}

bool Capabilities::read_only_post(const std::string& url) const {
  for (const auto& prefix : read_only_posts) {
    if (prefix.empty() || url.compare(0, prefix.size(), prefix) != 0) continue;
    if (url.size() == prefix.size() || prefix.back() == '/') return true;
    char next = url[prefix.size()];
    if (next == '/' || next == '?' || next == '#') return true;
  }
  return false;
}

}  // namespace rbk
