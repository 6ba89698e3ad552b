// The pure natives: computed from their arguments alone, in every mode.
#include <algorithm>
#include <cctype>
#include <ctime>

#include "vm/machine.hpp"

namespace rbk {

namespace {

size_t utf8_length(const std::string& s) {
  size_t n = 0;
  for (unsigned char c : s)
    if ((c & 0xC0) != 0x80) ++n;
  return n;
}

}  // namespace

bool call_builtin(const std::string& name, const std::vector<Value>& args, Value& out) {
  auto str = [&](size_t i) -> const std::string& { return args.at(i).str(); };
  auto is = [&](size_t i, ValueKind k) { return i < args.size() && args[i].kind == k; };
  if (name == "len") {
    if (is(0, ValueKind::String))
      out = Value::integer(static_cast<int64_t>(utf8_length(str(0))));
    else if (is(0, ValueKind::List))
      out = Value::integer(static_cast<int64_t>(args[0].items().size()));
    else
      out = Value::error("len of " + std::string(kind_name(args.at(0).kind)));
  } else if (name == "contains") {
    if (is(0, ValueKind::String) && is(1, ValueKind::String)) {
      out = Value::boolean(str(0).find(str(1)) != std::string::npos);
    } else if (is(0, ValueKind::List)) {
      const auto& items = args[0].items();
      out = Value::boolean(std::find(items.begin(), items.end(), args.at(1)) != items.end());
    } else {
      out = Value::error("contains of " + std::string(kind_name(args.at(0).kind)));
    }
  } else if (name == "lower" || name == "upper") {
    std::string s = str(0);
    for (char& c : s)
      c = static_cast<char>(name == "lower" ? std::tolower(static_cast<unsigned char>(c))
                                            : std::toupper(static_cast<unsigned char>(c)));
    out = Value::string(std::move(s));
  } else if (name == "trim") {
    const std::string& s = str(0);
    size_t b = s.find_first_not_of(" \t\r\n"), e = s.find_last_not_of(" \t\r\n");
    out = Value::string(b == std::string::npos ? "" : s.substr(b, e - b + 1));
  } else if (name == "starts_with") {
    out = Value::boolean(str(0).compare(0, str(1).size(), str(1)) == 0);
  } else if (name == "ends_with") {
    const std::string &s = str(0), &t = str(1);
    out = Value::boolean(s.size() >= t.size() && s.compare(s.size() - t.size(), t.size(), t) == 0);
  } else if (name == "split") {
    std::vector<Value> parts;
    const std::string &s = str(0), &sep = str(1);
    if (sep.empty()) {
      out = Value::error("split needs a non-empty separator");
      return true;
    }
    size_t b = 0;
    for (size_t i; (i = s.find(sep, b)) != std::string::npos; b = i + sep.size())
      parts.push_back(Value::string(s.substr(b, i - b)));
    parts.push_back(Value::string(s.substr(b)));
    out = Value::list(std::move(parts));
  } else if (name == "join") {
    std::string s;
    const auto& items = args.at(0).items();
    for (size_t i = 0; i < items.size(); ++i) s += (i ? str(1) : "") + to_display(items[i]);
    out = Value::string(std::move(s));
  } else if (name == "any" || name == "all" || name == "count") {
    int64_t n = 0;
    const auto& items = args.at(0).items();
    for (const auto& v : items) n += v.kind == ValueKind::Bool && v.b;
    if (name == "count")
      out = Value::integer(n);
    else if (name == "any")
      out = Value::boolean(n > 0);
    else
      out = Value::boolean(n == static_cast<int64_t>(items.size()));
  } else if (name == "time.parse") {
    int64_t ms;
    if (parse_time(str(0), ms))
      out = Value::time(ms);
    else
      out = Value::error("not an RFC 3339 time: \"" + str(0) + "\"");
  } else if (name == "time.format") {
    int64_t ms = args.at(0).i;
    std::time_t secs = static_cast<std::time_t>(ms >= 0 ? ms / 1000 : (ms - 999) / 1000);
    std::tm tm{};
    gmtime_r(&secs, &tm);
    char buf[256];
    size_t n = std::strftime(buf, sizeof buf, str(1).c_str(), &tm);
    out = Value::string(std::string(buf, n));
  } else {
    return false;
  }
  return true;
}

}  // namespace rbk
