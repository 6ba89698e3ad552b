// The pure natives (RUNS builtin in lang/natives.def): computed from their arguments
// alone, in every mode.
#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdint>
#include <ctime>
#include <optional>

#include "vm/machine.hpp"
#include "vm/regex.hpp"
#include "vm/url_encoding.hpp"

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

// A number's value for comparing and dividing: ints (and durations, times) as they are,
// floats and percents as doubles. The checker has made the items of one list one type.
double number_of(const Value& v) {
  return v.kind == ValueKind::Float || v.kind == ValueKind::Percent ? v.f
                                                                    : static_cast<double>(v.i);
}

// NAME=VALUE pairs of a record's fields, in their order; a list repeats the name, null
// is left out, a record inside is an error value (a query has no nesting).
Value url_query(const Value& params) {
  if (params.kind != ValueKind::Record)
    return Value::error("url.query takes a record of parameters, not " +
                        std::string(kind_name(params.kind)));
  std::string out;
  auto add = [&](const std::string& name, const Value& v) -> bool {
    if (v.kind == ValueKind::Null) return true;
    if (v.kind == ValueKind::Record || v.kind == ValueKind::List || v.is_error()) return false;
    out += (out.empty() ? "" : "&") + url_encoded(name) + "=" + url_encoded(to_display(v));
    return true;
  };
  const auto& keys = params.keys();
  for (size_t i = 0; i < keys.size(); ++i) {
    const Value& v = params.items()[i];
    bool ok = true;
    if (v.kind == ValueKind::List)
      for (const auto& item : v.items()) ok = ok && add(keys[i], item);
    else
      ok = add(keys[i], v);
    if (!ok)
      return Value::error("url.query: parameter '" + keys[i] +
                          "' is not text, a number, a bool or a list of them");
  }
  return Value::string(std::move(out));
}

// Whether V is a number of some kind (a json list may hold anything).
bool numeric(const Value& v) {
  switch (v.kind) {
    case ValueKind::Int:
    case ValueKind::Float:
    case ValueKind::Duration:
    case ValueKind::Time:
    case ValueKind::Percent:
      return true;
    default:
      return false;
  }
}

// An error value naming the first item of ITEMS that is not a number, for FN; null when
// every item is one.
std::optional<Value> not_numbers(const std::vector<Value>& items, std::string_view fn) {
  for (const auto& v : items)
    if (!numeric(v))
      return Value::error(std::string(fn) + " of a list with a " + kind_name(v.kind) +
                          " item: " + to_display(v));
  return std::nullopt;
}

// sum(ITEMS) of the declared RESULT: ints and durations add exactly (overflow is an
// error value), floats as doubles (an int among them, widened, counts as one). A list whose
// items are floats sums as floats whatever was declared (a json list, say).
Value sum(const std::vector<Value>& items, TypeKind result) {
  if (auto bad = not_numbers(items, "sum")) return *bad;
  bool floats = result == TypeKind::Float;
  for (const auto& v : items) floats |= v.kind == ValueKind::Float;
  if (floats) {
    double total = 0;
    for (const auto& v : items) total += number_of(v);
    return Value::floating(total);
  }
  int64_t total = 0;
  for (const auto& v : items)
    if (__builtin_add_overflow(total, v.i, &total)) return Value::error("sum overflows an int");
  bool durations = result == TypeKind::Duration;
  for (const auto& v : items) durations |= v.kind == ValueKind::Duration;
  return durations ? Value::duration(total) : Value::integer(total);
}

}  // namespace

Value call_builtin(NativeId id, const std::vector<Value>& args, TypeKind result) {
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
    case NativeId::AbsInt:
    case NativeId::AbsFloat:
    case NativeId::AbsDuration: {
      if (auto bad = not_numbers(args, "abs")) return *bad;
      const Value& x = args.at(0);
      if (x.kind == ValueKind::Float || result == TypeKind::Float)
        return Value::floating(std::fabs(number_of(x)));
      if (x.i == INT64_MIN) return Value::error("abs of the smallest int overflows");
      return x.kind == ValueKind::Duration ? Value::duration(x.i < 0 ? -x.i : x.i)
                                           : Value::integer(x.i < 0 ? -x.i : x.i);
    }
    case NativeId::Round:
    case NativeId::Floor:
    case NativeId::Ceil: {
      if (auto bad = not_numbers(args, native_row(id).name())) return *bad;
      const Value& x = args.at(0);
      if (x.kind == ValueKind::Int) return x;  // an int is whole already
      double r = id == NativeId::Round   ? std::round(x.f)
                 : id == NativeId::Floor ? std::floor(x.f)
                                         : std::ceil(x.f);
      // 2^63 is exactly a double; every double below it converts.
      if (!std::isfinite(r) || r < -9223372036854775808.0 || r >= 9223372036854775808.0)
        return Value::error(std::string(native_row(id).name()) + " of " + to_display(x) +
                            ": no int holds it");
      return Value::integer(static_cast<int64_t>(r));
    }
    case NativeId::SumInt:
    case NativeId::SumFloat:
    case NativeId::SumDuration:
      return sum(args.at(0).items(), result);
    case NativeId::MinInt:
    case NativeId::MinFloat:
    case NativeId::MinDuration:
    case NativeId::MinTime:
    case NativeId::MinPercent:
    case NativeId::MaxInt:
    case NativeId::MaxFloat:
    case NativeId::MaxDuration:
    case NativeId::MaxTime:
    case NativeId::MaxPercent: {
      const auto& items = args.at(0).items();
      // The row is the name's first (see call_builtin's note): min's rows come first.
      const bool is_min = id == NativeId::MinInt || id == NativeId::MinFloat ||
                          id == NativeId::MinDuration || id == NativeId::MinTime ||
                          id == NativeId::MinPercent;
      if (items.empty())
        return Value::error(std::string(is_min ? "min" : "max") + " of an empty list");
      if (auto bad = not_numbers(items, is_min ? "min" : "max")) return *bad;
      const Value* best = &items[0];
      for (const auto& v : items)
        if (is_min ? number_of(v) < number_of(*best) : number_of(v) > number_of(*best)) best = &v;
      if (result == TypeKind::Float) return Value::floating(number_of(*best));  // ints widened
      return *best;
    }
    case NativeId::ReMatches:
      return regex_matches(str(0), str(1));
    case NativeId::ReFind:
      return regex_find(str(0), str(1));
    case NativeId::ReFindAll:
      return regex_find_all(str(0), str(1));
    case NativeId::ReReplace:
      return regex_replace(str(0), str(1), str(2));
    case NativeId::UrlEncode:
      return Value::string(url_encoded(str(0)));
    case NativeId::UrlQuery:
      return url_query(args.at(0));
    case NativeId::PercentOf: {
      if (auto bad = not_numbers(args, "percent")) return *bad;
      double whole = number_of(args.at(1));
      if (whole == 0) return Value::error("percent of a zero whole");
      return Value::percent(100.0 * number_of(args.at(0)) / whole);
    }
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
    case NativeId::HttpQueryJson:
    case NativeId::HttpPutJson:
    case NativeId::HttpDelete:
    case NativeId::TlsPeerCertificate:
    case NativeId::TcpConnect:
    case NativeId::DnsResolve:
    case NativeId::PrometheusQuery:
    case NativeId::PrometheusScalar:
    case NativeId::NotifyWebhook:
    case NativeId::ExecRun:
    case NativeId::MqttPublish:
    case NativeId::MqttRetained:
    case NativeId::MqttReceive:
    case NativeId::RedisTtl:
    case NativeId::RedisSetSize:
    case NativeId::RedisRead:
    case NativeId::TimeNow:
    case NativeId::TimeSince:
      break;
  }
  return Value::error("'" + std::string(native_row(id).name()) + "' is not computed by the VM");
}

}  // namespace rbk
