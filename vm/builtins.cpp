// The pure natives (RUNS builtin in lang/natives.def): computed from their arguments
// alone, in every mode.
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

std::string mapped(std::string s, int (*f)(int)) {
  for (char& c : s) c = static_cast<char>(f(static_cast<unsigned char>(c)));
  return s;
}

}  // namespace

Value call_builtin(NativeId id, const std::vector<Value>& args) {
  auto str = [&](size_t i) -> const std::string& { return args.at(i).str(); };
  auto is = [&](size_t i, ValueKind k) { return i < args.size() && args[i].kind == k; };
  auto truths = [&] {
    int64_t n = 0;
    for (const auto& v : args.at(0).items()) n += v.kind == ValueKind::Bool && v.b;
    return n;
  };
  // Overloads share their name's first row (a compiled program names a function, not a
  // row), so len and contains look at the value they were given.
  switch (id) {
    case NativeId::LenString:
    case NativeId::LenList:
      if (is(0, ValueKind::String))
        return Value::integer(static_cast<int64_t>(utf8_length(str(0))));
      if (is(0, ValueKind::List))
        return Value::integer(static_cast<int64_t>(args[0].items().size()));
      return Value::error("len of " + std::string(kind_name(args.at(0).kind)));
    case NativeId::ContainsString:
    case NativeId::ContainsList:
      if (is(0, ValueKind::String) && is(1, ValueKind::String))
        return Value::boolean(str(0).find(str(1)) != std::string::npos);
      if (is(0, ValueKind::List)) {
        const auto& items = args[0].items();
        return Value::boolean(std::find(items.begin(), items.end(), args.at(1)) != items.end());
      }
      return Value::error("contains of " + std::string(kind_name(args.at(0).kind)));
    case NativeId::Lower:
      return Value::string(mapped(str(0), [](int c) { return std::tolower(c); }));
    case NativeId::Upper:
      return Value::string(mapped(str(0), [](int c) { return std::toupper(c); }));
    case NativeId::Trim: {
      const std::string& s = str(0);
      size_t b = s.find_first_not_of(" \t\r\n"), e = s.find_last_not_of(" \t\r\n");
      return Value::string(b == std::string::npos ? "" : s.substr(b, e - b + 1));
    }
    case NativeId::StartsWith:
      return Value::boolean(str(0).compare(0, str(1).size(), str(1)) == 0);
    case NativeId::EndsWith: {
      const std::string &s = str(0), &t = str(1);
      return Value::boolean(s.size() >= t.size() &&
                            s.compare(s.size() - t.size(), t.size(), t) == 0);
    }
    case NativeId::Split: {
      const std::string &s = str(0), &sep = str(1);
      if (sep.empty()) return Value::error("split needs a non-empty separator");
      std::vector<Value> parts;
      size_t b = 0;
      for (size_t i; (i = s.find(sep, b)) != std::string::npos; b = i + sep.size())
        parts.push_back(Value::string(s.substr(b, i - b)));
      parts.push_back(Value::string(s.substr(b)));
      return Value::list(std::move(parts));
    }
    case NativeId::Join: {
      std::string s;
      const auto& items = args.at(0).items();
      for (size_t i = 0; i < items.size(); ++i) s += (i ? str(1) : "") + to_display(items[i]);
      return Value::string(std::move(s));
    }
    case NativeId::Any:
      return Value::boolean(truths() > 0);
    case NativeId::All:
      return Value::boolean(truths() == static_cast<int64_t>(args.at(0).items().size()));
    case NativeId::Count:
      return Value::integer(truths());
    case NativeId::TimeParse: {
      int64_t ms;
      if (parse_time(str(0), ms)) return Value::time(ms);
      return Value::error("not an RFC 3339 time: \"" + str(0) + "\"");
    }
    case NativeId::TimeFormat: {
      int64_t ms = args.at(0).i;
      std::time_t secs = static_cast<std::time_t>(ms >= 0 ? ms / 1000 : (ms - 999) / 1000);
      std::tm tm{};
      gmtime_r(&secs, &tm);
      char buf[256];
      size_t n = std::strftime(buf, sizeof buf, str(1).c_str(), &tm);
      return Value::string(std::string(buf, n));
    }
    // Not computed here; listed so that a new row of lang/natives.def without a case in
    // this switch (or in Natives::call) does not compile (-Werror=switch).
    case NativeId::HttpGetJson:
    case NativeId::HttpPostJson:
    case NativeId::HttpPutJson:
    case NativeId::HttpDelete:
    case NativeId::TlsPeerCertificate:
    case NativeId::TcpConnect:
    case NativeId::DnsResolve:
    case NativeId::PrometheusQuery:
    case NativeId::PrometheusScalar:
    case NativeId::NotifyWebhook:
    case NativeId::TimeNow:
    case NativeId::TimeSince:
      break;
  }
  return Value::error("'" + std::string(native_row(id).name()) + "' is not computed by the VM");
}

}  // namespace rbk
