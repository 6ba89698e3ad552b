// Run-time values. Scalars live inline; strings, lists and records share an immutable
// heap cell, so copying a value is cheap. A failed probe or conversion is a value of
// kind Error carrying its reason: a runbook-level failure is data, which the VM routes
// to the node's `on error` edge (architecture.md, practice 9).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "lang/type.hpp"

namespace rbk {

enum class ValueKind : uint8_t {
  Null,
  Bool,
  Int,
  Float,
  String,
  Duration,
  Time,
  Percent,
  List,
  Record,
  Error
};
const char* kind_name(ValueKind k);

struct Value;

// A record's keys, in order. Records of one shape (the items of a fleet snapshot, the
// results of one probe) share theirs.
using RecordShape = std::shared_ptr<const std::vector<std::string>>;
RecordShape make_shape(std::vector<std::string> keys);

struct HeapCell {
  std::string text;          // String, Error
  std::vector<Value> items;  // List; Record values
  RecordShape keys;          // Record keys, parallel to items
  uint32_t depth = 0;        // List, Record: levels of lists and records, itself included
};

// The deepest list or record a run may build. Everything that walks a value (display,
// JSON, the journal, destruction) recurses, and a loop that wraps a json value in a list
// on every pass would otherwise nest it a million levels deep.
inline constexpr uint32_t kMaxValueDepth = 128;

struct Value {
  ValueKind kind = ValueKind::Null;
  union {
    bool b;
    int64_t i;  // Int; Duration and Time in milliseconds (Time: since the Unix epoch, UTC)
    double f;   // Float; Percent (5% is 5.0)
  };
  std::shared_ptr<const HeapCell> heap;

  Value() : i(0) {}
  static Value null() { return Value(); }
  static Value boolean(bool v) {
    Value x;
    x.kind = ValueKind::Bool;
    x.b = v;
    return x;
  }
  static Value integer(int64_t v) {
    Value x;
    x.kind = ValueKind::Int;
    x.i = v;
    return x;
  }
  static Value floating(double v) {
    Value x;
    x.kind = ValueKind::Float;
    x.f = v;
    return x;
  }
  static Value duration(int64_t ms) {
    Value x;
    x.kind = ValueKind::Duration;
    x.i = ms;
    return x;
  }
  static Value time(int64_t ms) {
    Value x;
    x.kind = ValueKind::Time;
    x.i = ms;
    return x;
  }
  static Value percent(double v) {
    Value x;
    x.kind = ValueKind::Percent;
    x.f = v;
    return x;
  }
  static Value string(std::string s);
  static Value error(std::string reason);
  static Value list(std::vector<Value> items);
  static Value record(std::vector<std::string> keys, std::vector<Value> values);
  static Value shaped_record(RecordShape keys, std::vector<Value> values);  // sizes equal

  bool is_null() const { return kind == ValueKind::Null; }
  bool is_error() const { return kind == ValueKind::Error; }
  const std::string& str() const { return heap->text; }  // String or Error
  const std::vector<Value>& items() const { return heap->items; }
  const std::vector<std::string>& keys() const { return *heap->keys; }
  const Value* field(const std::string& name) const;  // Record
  // Levels of lists and records: 0 for a scalar or string, 1 for [1, 2], 2 for [[1]].
  uint32_t depth() const {
    return kind == ValueKind::List || kind == ValueKind::Record ? heap->depth : 0;
  }
};

bool operator==(const Value& a, const Value& b);
inline bool operator!=(const Value& a, const Value& b) {
  return !(a == b);
}
// A hash agreeing with ==: values equal there (1 and 1.0 too) hash alike.
size_t value_hash(const Value& v);

// How a value reads in interpolated strings, traces and prompts: 45m, 5%, sensor-0042,
// 2026-11-22T18:30:00Z, [1, 2], {online: true}.
std::string to_display(const Value& v);
// The same as a runbook writes it: strings quoted ("eu"), inside lists and records too.
std::string to_source(const Value& v);

// Converts V (typically read from outside: json) to type T, or returns an error value
// naming PATH and what was found ("d.last_seen: expected time, got null"). Strings
// convert to durations ("45m") and times (RFC 3339); ints to floats.
Value convert(const Value& v, const TypeRef& t, const std::string& path);

// What a dry-run binds for the result of an action it only records (`do let job = …`):
// a value of type T that is plainly not real — false, 0, 0s, 0%, NOW for a time, the
// string kActionPlaceholder, null for json and T?, an empty list, a record of placeholders.
inline constexpr const char* kActionPlaceholder = "dry-run-placeholder";
Value placeholder_value(const TypeRef& t, int64_t now_ms);

// "45m", "1h30m" -> milliseconds; false if TEXT is not a duration.
bool parse_duration(const std::string& text, int64_t& ms);
// RFC 3339 in UTC or with an offset -> milliseconds since the epoch.
bool parse_time(const std::string& text, int64_t& ms);
std::string format_time(int64_t ms);
// The real clock: milliseconds since the epoch (what live runs and records use).
int64_t system_now_ms();
// TEXT in double quotes with ", \ and line breaks escaped: for listings and DOT.
std::string quoted(const std::string& text);
std::string format_duration(int64_t ms);

}  // namespace rbk
