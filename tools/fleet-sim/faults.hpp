// Faults fleet-sim injects, by cohort (--fail, repeatable), so that a runbook's abort
// threshold can really be crossed:
//
//   --fail 'hardware=rev-B:rollback=30%'     30% of rev-B devices fail their rollback
//   --fail 'region=eu-west,model=TH-100:slow=200ms'   answers about them take 200 ms
//   --fail '*:5xx=5%'                        5% of requests about any device answer 503
//
// A selector is FIELD=VALUE pairs (region, firmware, hardware, model, gateway) joined by
// commas, or * for every device. An action share picks the same devices every run (by a
// hash of the id), so a test knows how many fail; a 5xx share is drawn per request.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <vector>

namespace fleetsim {

struct Fault {
  std::map<std::string, std::string> selector;  // empty: every device
  std::string effect;                           // an action (rollback, reboot, …), slow or 5xx
  int percent = 0;                              // action and 5xx shares
  int slow_ms = 0;
};

// Parses one --fail SPEC; std::nullopt (and WHY) when it is not one.
inline std::optional<Fault> parse_fault(const std::string& spec, std::string& why) {
  static const std::vector<std::string> fields = {"region", "firmware", "hardware", "model",
                                                  "gateway"};
  size_t colon = spec.rfind(':');
  if (colon == std::string::npos) {
    why = "expected SELECTOR:EFFECT, as in hardware=rev-B:rollback=30%";
    return std::nullopt;
  }
  Fault f;
  std::string selector = spec.substr(0, colon), effect = spec.substr(colon + 1);
  if (selector != "*") {
    size_t at = 0;
    while (at <= selector.size()) {
      size_t comma = std::min(selector.find(',', at), selector.size());
      std::string pair = selector.substr(at, comma - at);
      size_t eq = pair.find('=');
      std::string field = eq == std::string::npos ? pair : pair.substr(0, eq);
      bool known = false;
      for (const auto& k : fields) known = known || k == field;
      if (eq == std::string::npos || !known || eq + 1 == pair.size()) {
        why = "the selector '" + pair + "' is not FIELD=VALUE with a field of region, " +
              "firmware, hardware, model, gateway";
        return std::nullopt;
      }
      f.selector[field] = pair.substr(eq + 1);
      at = comma + 1;
    }
  }
  size_t eq = effect.find('=');
  if (eq == std::string::npos) {
    why = "the effect '" + effect + "' is not NAME=VALUE (rollback=30%, slow=200ms, 5xx=5%)";
    return std::nullopt;
  }
  f.effect = effect.substr(0, eq);
  std::string value = effect.substr(eq + 1);
  try {
    size_t used = 0;
    int n = std::stoi(value, &used);
    std::string unit = value.substr(used);
    if (f.effect == "slow") {
      if (unit != "ms" || n < 0 || n > 60000) throw std::invalid_argument("slow");
      f.slow_ms = n;
    } else {
      if (unit != "%" || n < 0 || n > 100) throw std::invalid_argument("share");
      f.percent = n;
    }
  } catch (const std::exception&) {
    why = f.effect == "slow" ? "slow takes milliseconds, as in slow=200ms"
                             : f.effect + " takes a share, as in " + f.effect + "=30%";
    return std::nullopt;
  }
  return f;
}

// The same number for the same id every run (FNV-1a), 0–99.
inline int stable_percentile(const std::string& id) {
  uint32_t h = 2166136261u;
  for (unsigned char c : id) h = (h ^ c) * 16777619u;
  return static_cast<int>(h % 100);
}

}  // namespace fleetsim
