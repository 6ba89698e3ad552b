// Times as the simulated services write them: RFC 3339 in UTC, to the second.
#pragma once

#include <ctime>
#include <string>

namespace fleetsim {

inline std::string rfc3339(std::time_t t) {
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

}  // namespace fleetsim
