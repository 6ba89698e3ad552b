#include "vm/value.hpp"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>

namespace rbk {

const char* kind_name(ValueKind k) {
  switch (k) {
    case ValueKind::Null:
      return "null";
    case ValueKind::Bool:
      return "bool";
    case ValueKind::Int:
      return "int";
    case ValueKind::Float:
      return "float";
    case ValueKind::String:
      return "string";
    case ValueKind::Duration:
      return "duration";
    case ValueKind::Time:
      return "time";
    case ValueKind::Percent:
      return "percent";
    case ValueKind::List:
      return "list";
    case ValueKind::Record:
      return "record";
    case ValueKind::Error:
      return "error";
  }
  return "?";
}

Value Value::string(std::string s) {
  Value v;
  v.kind = ValueKind::String;
  auto cell = std::make_shared<HeapCell>();
  cell->text = std::move(s);
  v.heap = std::move(cell);
  return v;
}

Value Value::error(std::string reason) {
  Value v = string(std::move(reason));
  v.kind = ValueKind::Error;
  return v;
}

namespace {
uint32_t max_depth(const std::vector<Value>& items) {
  uint32_t d = 0;
  for (const auto& x : items) d = std::max(d, x.depth());
  return d;
}
}  // namespace

Value Value::list(std::vector<Value> items) {
  Value v;
  v.kind = ValueKind::List;
  auto cell = std::make_shared<HeapCell>();
  cell->items = std::move(items);
  cell->depth = 1 + max_depth(cell->items);
  v.heap = std::move(cell);
  return v;
}

RecordShape make_shape(std::vector<std::string> keys) {
  return std::make_shared<const std::vector<std::string>>(std::move(keys));
}

Value Value::record(std::vector<std::string> keys, std::vector<Value> values) {
  return shaped_record(make_shape(std::move(keys)), std::move(values));
}

Value Value::shaped_record(RecordShape keys, std::vector<Value> values) {
  Value v;
  v.kind = ValueKind::Record;
  auto cell = std::make_shared<HeapCell>();
  cell->keys = std::move(keys);
  cell->items = std::move(values);
  cell->depth = 1 + max_depth(cell->items);
  v.heap = std::move(cell);
  return v;
}

const Value* Value::field(const std::string& name) const {
  if (kind != ValueKind::Record) return nullptr;
  const std::vector<std::string>& names = *heap->keys;
  for (size_t i = 0; i < names.size(); ++i)
    if (names[i] == name) return &heap->items[i];
  return nullptr;
}

bool operator==(const Value& a, const Value& b) {
  auto numeric = [](const Value& v) {
    return v.kind == ValueKind::Int || v.kind == ValueKind::Float;
  };
  if (numeric(a) && numeric(b)) {
    double x = a.kind == ValueKind::Int ? double(a.i) : a.f,
           y = b.kind == ValueKind::Int ? double(b.i) : b.f;
    return x == y;
  }
  if (a.kind != b.kind) return false;
  switch (a.kind) {
    case ValueKind::Null:
      return true;
    case ValueKind::Bool:
      return a.b == b.b;
    case ValueKind::Duration:
    case ValueKind::Time:
    case ValueKind::Int:
      return a.i == b.i;
    case ValueKind::Float:
    case ValueKind::Percent:
      return a.f == b.f;
    case ValueKind::String:
    case ValueKind::Error:
      return a.str() == b.str();
    case ValueKind::List:
      return a.heap == b.heap || a.items() == b.items();
    case ValueKind::Record:
      return a.heap == b.heap ||
             ((a.heap->keys == b.heap->keys || a.keys() == b.keys()) && a.items() == b.items());
  }
  return false;
}

size_t value_hash(const Value& v) {
  auto mix = [](size_t h, size_t x) {
    return h ^ (x + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2));
  };
  size_t h = static_cast<size_t>(v.kind);
  switch (v.kind) {
    case ValueKind::Null:
      return h;
    case ValueKind::Bool:
      return mix(h, v.b);
    case ValueKind::Int:
    case ValueKind::Float: {  // as == compares them: as doubles
      double d = v.kind == ValueKind::Int ? double(v.i) : v.f;
      return mix(static_cast<size_t>(ValueKind::Int), std::hash<double>{}(d == 0 ? 0.0 : d));
    }
    case ValueKind::Duration:
    case ValueKind::Time:
      return mix(h, std::hash<int64_t>{}(v.i));
    case ValueKind::Percent:
      return mix(h, std::hash<double>{}(v.f == 0 ? 0.0 : v.f));
    case ValueKind::String:
    case ValueKind::Error:
      return mix(h, std::hash<std::string>{}(v.str()));
    case ValueKind::List:
    case ValueKind::Record:
      for (size_t k = 0; k < v.items().size(); ++k) {
        if (v.kind == ValueKind::Record) h = mix(h, std::hash<std::string>{}(v.keys()[k]));
        h = mix(h, value_hash(v.items()[k]));
      }
      return h;
  }
  return h;
}

std::string format_duration(int64_t ms) {
  if (ms == 0) return "0s";
  std::string out = ms < 0 ? "-" : "";
  uint64_t v = ms < 0 ? -static_cast<uint64_t>(ms) : static_cast<uint64_t>(ms);
  static const std::pair<uint64_t, const char*> units[] = {
      {86'400'000, "d"}, {3'600'000, "h"}, {60'000, "m"}, {1000, "s"}, {1, "ms"}};
  for (auto [size, name] : units)
    if (v >= size) {
      out += std::to_string(v / size) + name;
      v %= size;
    }
  return out;
}

namespace {
void append_quoted(std::string& out, const std::string& s) {
  out += '"';
  size_t plain = 0;  // the start of the run of characters that need no escape
  for (size_t k = 0; k < s.size(); ++k) {
    char c = s[k];
    if (c != '"' && c != '\\' && c != '\n') continue;
    out.append(s, plain, k - plain);
    out += c == '\n' ? "\\n" : c == '"' ? "\\\"" : "\\\\";
    plain = k + 1;
  }
  out.append(s, plain, s.size() - plain);
  out += '"';
}
}  // namespace

std::string quoted(const std::string& s) {
  std::string out;
  append_quoted(out, s);
  return out;
}

int64_t system_now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string format_time(int64_t ms) {
  std::time_t secs = static_cast<std::time_t>(ms >= 0 ? ms / 1000 : (ms - 999) / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  std::string s = buf;
  int64_t frac = ((ms % 1000) + 1000) % 1000;
  if (frac) {
    char f[8];
    std::snprintf(f, sizeof f, ".%03lld", static_cast<long long>(frac));
    s += f;
  }
  return s + "Z";
}

namespace {
std::string number_text(double d) {
  if (std::isfinite(d) && d == std::floor(d) && std::fabs(d) < 1e15)
    return std::to_string(static_cast<int64_t>(d));
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.10g", d);
  return buf;
}
}  // namespace

namespace {

// A value as text, appended to OUT; strings as they are (a display) or quoted (as a
// runbook writes them). Appends in place: a fleet's list of 60,000 records is one string.
void append_text(std::string& out, const Value& v, bool quoted_strings) {
  switch (v.kind) {
    case ValueKind::Null:
      out += "null";
      return;
    case ValueKind::Bool:
      out += v.b ? "true" : "false";
      return;
    case ValueKind::Int: {
      char buf[24];
      auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v.i);
      out.append(buf, end);
      return;
    }
    case ValueKind::Float:
      out += number_text(v.f);
      return;
    case ValueKind::Duration:
      out += format_duration(v.i);
      return;
    case ValueKind::Time:
      out += format_time(v.i);
      return;
    case ValueKind::Percent:
      out += number_text(v.f);
      out += '%';
      return;
    case ValueKind::String:
      if (quoted_strings)
        append_quoted(out, v.str());
      else
        out += v.str();
      return;
    case ValueKind::Error:
      out += "error: ";
      out += v.str();
      return;
    case ValueKind::List:
      out += '[';
      for (size_t k = 0; k < v.items().size(); ++k) {
        if (k) out += ", ";
        append_text(out, v.items()[k], quoted_strings);
      }
      out += ']';
      return;
    case ValueKind::Record:
      out += '{';
      for (size_t k = 0; k < v.items().size(); ++k) {
        if (k) out += ", ";
        out += v.keys()[k];
        out += ": ";
        append_text(out, v.items()[k], quoted_strings);
      }
      out += '}';
      return;
  }
  out += '?';
}

std::string value_text(const Value& v, bool quoted_strings) {
  std::string out;
  append_text(out, v, quoted_strings);
  return out;
}

}  // namespace

std::string to_display(const Value& v) {
  return value_text(v, false);
}
std::string to_source(const Value& v) {
  return value_text(v, true);
}

bool parse_duration(const std::string& t, int64_t& ms) {
  if (t.empty()) return false;
  size_t i = 0;
  bool neg = false;
  if (t[0] == '-') {
    neg = true;
    i = 1;
  }
  int64_t total = 0;
  bool any = false;
  while (i < t.size()) {
    int64_t n = 0;
    size_t start = i;
    while (i < t.size() && std::isdigit(static_cast<unsigned char>(t[i]))) {
      if (n > 1'000'000'000'000LL) return false;
      n = n * 10 + (t[i++] - '0');
    }
    if (i == start || i >= t.size()) return false;
    int64_t scale;
    if (t.compare(i, 2, "ms") == 0) {
      scale = 1;
      i += 2;
    } else if (t[i] == 's') {
      scale = 1000, ++i;
    } else if (t[i] == 'm') {
      scale = 60'000, ++i;
    } else if (t[i] == 'h') {
      scale = 3'600'000, ++i;
    } else if (t[i] == 'd') {
      scale = 86'400'000, ++i;
    } else {
      return false;
    }
    total += n * scale;
    any = true;
  }
  ms = neg ? -total : total;
  return any;
}

bool parse_time(const std::string& t, int64_t& ms) {
  int Y, M, D, h, m, s;
  if (std::sscanf(t.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d", &Y, &M, &D, &h, &m, &s) != 6 &&
      std::sscanf(t.c_str(), "%4d-%2d-%2d %2d:%2d:%2d", &Y, &M, &D, &h, &m, &s) != 6)
    return false;
  if (M < 1 || M > 12 || D < 1 || D > 31 || h > 23 || m > 59 || s > 60) return false;
  size_t i = 19;
  int64_t frac_ms = 0;
  if (i < t.size() && t[i] == '.') {
    ++i;
    int digits = 0;
    while (i < t.size() && std::isdigit(static_cast<unsigned char>(t[i]))) {
      if (digits < 3) frac_ms = frac_ms * 10 + (t[i] - '0');
      ++digits;
      ++i;
    }
    for (; digits < 3; ++digits) frac_ms *= 10;
  }
  int64_t offset_min = 0;
  if (i < t.size() && (t[i] == 'Z' || t[i] == 'z')) {
    ++i;
  } else if (i < t.size() && (t[i] == '+' || t[i] == '-')) {
    int oh, om;
    if (std::sscanf(t.c_str() + i + 1, "%2d:%2d", &oh, &om) != 2) return false;
    offset_min = (oh * 60 + om) * (t[i] == '-' ? -1 : 1);
    i += 6;
  } else {
    return false;  // a time without a zone is ambiguous
  }
  if (i != t.size()) return false;
  // Days from the civil date (Howard Hinnant's algorithm).
  int y = Y - (M <= 2);
  int era = (y >= 0 ? y : y - 399) / 400;
  unsigned yoe = static_cast<unsigned>(y - era * 400);
  unsigned doy = (153 * (M + (M > 2 ? -3 : 9)) + 2) / 5 + D - 1;
  unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  int64_t days = int64_t(era) * 146097 + int64_t(doe) - 719468;
  ms = ((days * 24 + h) * 60 + m) * 60'000 + int64_t(s) * 1000 + frac_ms - offset_min * 60'000;
  return true;
}

namespace {
// The keys of record type T: shared by the records converted to it one after another
// (the items of a fleet snapshot), built anew when another record type comes.
RecordShape shape_of(const TypeRef& t) {
  thread_local RecordShape last;
  bool same = last && last->size() == t->fields.size();
  for (size_t k = 0; same && k < t->fields.size(); ++k) same = (*last)[k] == t->fields[k].name;
  if (!same) {
    std::vector<std::string> keys;
    for (const auto& f : t->fields) keys.push_back(f.name);
    last = make_shape(std::move(keys));
  }
  return last;
}

// Where a value being converted stands ("d.gateway.online", "items[3]"), spelled out only
// when it fails: a conversion that succeeds builds no text.
struct ConvertPath {
  const ConvertPath* up = nullptr;
  const std::string* text = nullptr;  // the root's path, or a field's name
  size_t index = 0;                   // a list item's (when TEXT is null)
  std::string str() const {
    if (!up) return *text;
    return up->str() + (text ? "." + *text : "[" + std::to_string(index) + "]");
  }
};

Value convert_at(const Value& v, const TypeRef& t, const ConvertPath& path) {
  auto fail = [&](const std::string& expected) {
    std::string found = v.kind == ValueKind::String ? "\"" + v.str() + "\"" : kind_name(v.kind);
    if (v.kind != ValueKind::String && v.kind != ValueKind::Null && v.kind != ValueKind::List &&
        v.kind != ValueKind::Record)
      found = std::string(kind_name(v.kind)) + " " + to_display(v);
    return Value::error(path.str() + ": expected " + expected + ", got " + found);
  };
  if (v.is_error()) return v;
  switch (t->kind) {
    case TypeKind::Error:
    case TypeKind::Json:
    case TypeKind::Var:
      return v;
    case TypeKind::Optional:
      return v.is_null() ? v : convert_at(v, t->elem, path);
    case TypeKind::Null:
      return v.is_null() ? v : fail("null");
    case TypeKind::Bool:
      return v.kind == ValueKind::Bool ? v : fail("bool");
    case TypeKind::Int:
      if (v.kind == ValueKind::Int) return v;
      if (v.kind == ValueKind::Float && v.f == std::floor(v.f) && std::fabs(v.f) < 9e15)
        return Value::integer(static_cast<int64_t>(v.f));
      return fail("int");
    case TypeKind::Float:
      if (v.kind == ValueKind::Float) return v;
      if (v.kind == ValueKind::Int) return Value::floating(double(v.i));
      return fail("float");
    case TypeKind::String:
      return v.kind == ValueKind::String ? v : fail("string");
    case TypeKind::Duration: {
      if (v.kind == ValueKind::Duration) return v;
      int64_t ms;
      if (v.kind == ValueKind::String && parse_duration(v.str(), ms)) return Value::duration(ms);
      return fail("duration");
    }
    case TypeKind::Time: {
      if (v.kind == ValueKind::Time) return v;
      int64_t ms;
      if (v.kind == ValueKind::String && parse_time(v.str(), ms)) return Value::time(ms);
      return fail("time");
    }
    case TypeKind::Percent: {
      if (v.kind == ValueKind::Percent) return v;
      if (v.kind == ValueKind::Int) return Value::percent(double(v.i));
      if (v.kind == ValueKind::Float) return Value::percent(v.f);
      if (v.kind == ValueKind::String && !v.str().empty() && v.str().back() == '%') {
        char* end = nullptr;
        double d = std::strtod(v.str().c_str(), &end);
        if (end == v.str().c_str() + v.str().size() - 1) return Value::percent(d);
      }
      return fail("percent");
    }
    case TypeKind::List: {
      if (v.kind != ValueKind::List) return fail(to_string(t));
      std::vector<Value> out;
      out.reserve(v.items().size());
      bool same = true;  // every item already is what T describes
      for (size_t k = 0; k < v.items().size(); ++k) {
        const Value& x = v.items()[k];
        Value c = convert_at(x, t->elem, ConvertPath{&path, nullptr, k});
        if (c.is_error()) return c;
        same = same && c.kind == x.kind && c.heap == x.heap && c.i == x.i;
        out.push_back(std::move(c));
      }
      if (same) return v;
      return Value::list(std::move(out));
    }
    case TypeKind::Record: {
      if (v.kind != ValueKind::Record) return fail(to_string(t));
      std::vector<Value> vals;
      vals.reserve(t->fields.size());
      bool same = v.keys().size() == t->fields.size();  // V already is what T describes
      for (size_t k = 0; k < t->fields.size(); ++k) {
        const auto& f = t->fields[k];
        same = same && v.keys()[k] == f.name;
        const Value* x = same ? &v.items()[k] : v.field(f.name);
        Value c = convert_at(x ? *x : Value::null(), f.type, ConvertPath{&path, &f.name, 0});
        if (c.is_error()) return c;
        same = same && c.kind == x->kind && c.heap == x->heap && c.i == x->i;
        vals.push_back(std::move(c));
      }
      if (same) return v;
      return Value::shaped_record(shape_of(t), std::move(vals));
    }
  }
  return v;
}

}  // namespace

Value convert(const Value& v, const TypeRef& t, const std::string& path) {
  return convert_at(v, t, ConvertPath{nullptr, &path, 0});
}

Value placeholder_value(const TypeRef& t, int64_t now_ms) {
  switch (t->kind) {
    case TypeKind::Bool:
      return Value::boolean(false);
    case TypeKind::Int:
      return Value::integer(0);
    case TypeKind::Float:
      return Value::floating(0);
    case TypeKind::String:
      return Value::string(kActionPlaceholder);
    case TypeKind::Duration:
      return Value::duration(0);
    case TypeKind::Time:
      return Value::time(now_ms);
    case TypeKind::Percent:
      return Value::percent(0);
    case TypeKind::List:
      return Value::list({});
    case TypeKind::Record: {
      std::vector<std::string> keys;
      std::vector<Value> values;
      for (const auto& f : t->fields) {
        keys.push_back(f.name);
        values.push_back(placeholder_value(f.type, now_ms));
      }
      return Value::record(std::move(keys), std::move(values));
    }
    default:  // json, T?, null
      return Value::null();
  }
}

}  // namespace rbk
