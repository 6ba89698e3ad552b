#include "run/policy.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>

#include "vm/json_read.hpp"

namespace rbk {

using nlohmann::json;

std::string Policy::may_approve(const std::string& name, const std::string& role,
                                const std::string& started_by,
                                const std::vector<std::string>& held) const {
  const std::string& source = capabilities.source;
  if (name == started_by && !self_approval)
    return name + " started this run and cannot approve its gates" +
           (source.empty() ? " (no policy allows self-approval)"
                           : " (" + source + " does not set self_approval)");
  if (std::find(held.begin(), held.end(), role) != held.end()) return {};
  if (!roles.empty()) {
    auto it = roles.find(role);
    if (it == roles.end())
      return name + " is not in role \"" + role + "\"" + (source.empty() ? "" : " of " + source) +
             " (no one is: the policy does not name that role)";
    if (!it->second.count(name)) {
      std::string holders;
      for (const auto& m : it->second) holders += (holders.empty() ? "" : ", ") + m;
      return name + " is not in role \"" + role + "\"" + (source.empty() ? "" : " of " + source) +
             " (it is held by " + holders + ")";
    }
  }
  return {};
}

std::string Policy::may_start_live(const std::string& name,
                                   const std::vector<std::string>& held) const {
  const std::string& source = capabilities.source;
  for (const auto& role : live_runs) {
    if (std::find(held.begin(), held.end(), role) != held.end()) return {};
    if (auto it = roles.find(role); it != roles.end() && it->second.count(name)) return {};
  }
  if (live_runs.empty())
    return "no one may start live runs here" + (source.empty()
                                                    ? std::string(" (the server has no policy)")
                                                    : " (" + source + " has no \"live_runs\")");
  std::string names;
  for (const auto& r : live_runs) names += (names.empty() ? "" : ", ") + r;
  return name + " may not start live runs: that takes role " + names +
         (source.empty() ? "" : " (" + source + ")");
}

Policy default_policy() {
  return Policy{};
}

Policy parse_policy(const std::string& text, const std::string& source) {
  auto fail = [&](const std::string& why) -> PolicyError {
    return PolicyError(source + ": " + why);
  };
  json j;
  try {
    j = read_json(text);
  } catch (const JsonReadError& e) {
    throw fail(e.what());
  }
  if (!j.is_object()) throw fail("a policy is a JSON object");
  Policy p;
  p.capabilities.source = source;
  for (auto it = j.begin(); it != j.end(); ++it) {
    const std::string& key = it.key();
    const json& v = it.value();
    if (key == "capabilities") {
      if (!v.is_object()) throw fail("\"capabilities\" must be an object");
      for (auto c = v.begin(); c != v.end(); ++c) {
        std::vector<std::string> hosts;
        if (c.value().is_boolean()) {
          if (!c.value().get<bool>()) continue;
        } else if (c.value().is_array()) {
          for (const auto& h : c.value()) {
            if (!h.is_string()) throw fail("hosts of \"" + c.key() + "\" must be strings");
            hosts.push_back(h.get<std::string>());
          }
        } else {
          throw fail("capability \"" + c.key() + "\" takes true or a list of hosts");
        }
        p.capabilities.hosts[c.key()] = hosts;
      }
    } else if (key == "read_only_posts") {
      if (!v.is_array()) throw fail("\"read_only_posts\" takes a list of URLs");
      for (const auto& u : v) {
        const std::string text = u.is_string() ? u.get<std::string>() : "";
        if (text.rfind("http://", 0) != 0 && text.rfind("https://", 0) != 0)
          throw fail(
              "\"read_only_posts\" takes http or https URLs, as in "
              "\"https://graph.example/api/graphql\"");
        p.capabilities.read_only_posts.push_back(u.get<std::string>());
      }
    } else if (key == "credentials") {
      try {
        p.capabilities.credentials = parse_credentials(v);
      } catch (const CredentialError& e) {
        throw fail(e.what());
      }
    } else if (key == "roles") {
      if (!v.is_object()) throw fail("\"roles\" must be an object");
      for (auto r = v.begin(); r != v.end(); ++r) {
        if (!r.value().is_array()) throw fail("role \"" + r.key() + "\" takes a list of names");
        for (const auto& m : r.value()) {
          if (!m.is_string()) throw fail("members of role \"" + r.key() + "\" must be strings");
          p.roles[r.key()].insert(m.get<std::string>());
        }
      }
    } else if (key == "live_runs") {
      if (!v.is_array()) throw fail("\"live_runs\" takes a list of roles");
      for (const auto& r : v) {
        if (!r.is_string()) throw fail("the roles of \"live_runs\" must be strings");
        p.live_runs.push_back(r.get<std::string>());
      }
    } else if (key == "self_approval") {
      if (!v.is_boolean()) throw fail("\"self_approval\" must be true or false");
      p.self_approval = v.get<bool>();
    } else if (key == "idempotent_actions") {
      if (!v.is_boolean()) throw fail("\"idempotent_actions\" must be true or false");
      p.idempotent_actions = v.get<bool>();
    } else if (key == "budgets") {
      if (!v.is_object()) throw fail("\"budgets\" must be an object");
      for (auto b = v.begin(); b != v.end(); ++b) {
        auto number = [&]() -> int64_t {
          if (!b.value().is_number_integer() || b.value().get<int64_t>() <= 0)
            throw fail("budget \"" + b.key() + "\" must be a positive whole number");
          return b.value().get<int64_t>();
        };
        auto duration = [&]() -> int64_t {
          int64_t ms;
          if (!b.value().is_string() || !parse_duration(b.value().get<std::string>(), ms) ||
              ms <= 0)
            throw fail("budget \"" + b.key() + "\" must be a duration such as \"10m\"");
          return ms;
        };
        if (b.key() == "instructions")
          p.budgets.instructions = static_cast<uint64_t>(number());
        else if (b.key() == "wall_time")
          p.budgets.wall_time_ms = duration();
        else if (b.key() == "waiting")
          p.budgets.waiting_ms = duration();
        else if (b.key() == "max_string")
          p.budgets.max_string = static_cast<size_t>(number());
        else if (b.key() == "max_list")
          p.budgets.max_list = static_cast<size_t>(number());
        else if (b.key() == "call_depth")
          p.budgets.call_depth = static_cast<int>(number());
        else if (b.key() == "trace_events")
          p.budgets.trace_events = static_cast<size_t>(number());
        else
          throw fail("unknown budget \"" + b.key() + "\"");
      }
    } else {
      throw fail("unknown key \"" + key + "\"");
    }
  }
  return p;
}

}  // namespace rbk
