#include "vm/regex.hpp"

#include <re2/re2.h>

#include <map>
#include <memory>
#include <mutex>

namespace rbk {

namespace {

// Compiled patterns, shared: a runbook's foreach asks the same pattern once per child, on
// the VM's worker threads (an RE2 matches from any thread at once). Bounded: cleared when
// full, as compiling again is cheap.
constexpr size_t kCachedPatterns = 256;
// Patterns larger than this are refused, whatever RE2's own limit would allow.
constexpr size_t kMaxPatternBytes = 4096;

std::shared_ptr<const RE2> compiled(const std::string& pattern, std::string& error) {
  static std::mutex mutex;
  static std::map<std::string, std::shared_ptr<const RE2>> cache;
  if (pattern.size() > kMaxPatternBytes) {
    error = "the pattern is longer than " + std::to_string(kMaxPatternBytes) + " bytes";
    return nullptr;
  }
  {
    std::lock_guard lock(mutex);
    if (auto it = cache.find(pattern); it != cache.end()) return it->second;
  }
  RE2::Options options;
  options.set_log_errors(false);  // the error is returned as a value, not printed
  auto re = std::make_shared<const RE2>(pattern, options);
  if (!re->ok()) {
    error = "not a regular expression: " + re->error();
    return nullptr;
  }
  std::lock_guard lock(mutex);
  if (cache.size() >= kCachedPatterns) cache.clear();
  cache.emplace(pattern, re);
  return re;
}

Value refused(const char* fn, const std::string& pattern, const std::string& error) {
  return Value::error(std::string(fn) + "(…, \"" + pattern.substr(0, 80) + "\"): " + error);
}

// The text a match yields: its first group when the pattern has groups, else all of it.
std::string yielded(const re2::StringPiece* groups, int ngroups) {
  const re2::StringPiece& g = groups[ngroups > 0 ? 1 : 0];
  return g.data() ? std::string(g.data(), g.size()) : "";
}

}  // namespace

Value regex_matches(const std::string& text, const std::string& pattern) {
  std::string error;
  auto re = compiled(pattern, error);
  if (!re) return refused("re.matches", pattern, error);
  return Value::boolean(RE2::PartialMatch(text, *re));
}

Value regex_find(const std::string& text, const std::string& pattern) {
  std::string error;
  auto re = compiled(pattern, error);
  if (!re) return refused("re.find", pattern, error);
  int n = re->NumberOfCapturingGroups();
  std::vector<re2::StringPiece> groups(n + 1);
  if (!re->Match(text, 0, text.size(), RE2::UNANCHORED, groups.data(), n + 1)) return Value::null();
  return Value::string(yielded(groups.data(), n));
}

Value regex_find_all(const std::string& text, const std::string& pattern) {
  std::string error;
  auto re = compiled(pattern, error);
  if (!re) return refused("re.find_all", pattern, error);
  int n = re->NumberOfCapturingGroups();
  std::vector<re2::StringPiece> groups(n + 1);
  std::vector<Value> found;
  size_t at = 0;
  while (at <= text.size() &&
         re->Match(text, at, text.size(), RE2::UNANCHORED, groups.data(), n + 1)) {
    found.push_back(Value::string(yielded(groups.data(), n)));
    size_t end = static_cast<size_t>(groups[0].data() - text.data()) + groups[0].size();
    at = groups[0].empty() ? end + 1 : end;  // an empty match moves on by one
  }
  return Value::list(std::move(found));
}

Value regex_replace(const std::string& text, const std::string& pattern, const std::string& with) {
  std::string error;
  auto re = compiled(pattern, error);
  if (!re) return refused("re.replace", pattern, error);
  std::string rewrite_error;
  if (!re->CheckRewriteString(with, &rewrite_error))
    return refused("re.replace", pattern, "the replacement " + rewrite_error);
  std::string out = text;
  RE2::GlobalReplace(&out, *re, with);
  return Value::string(std::move(out));
}

}  // namespace rbk
