// Plain JSON text straight to values, without a JSON document in between: the reader of
// fleet snapshots (tens of megabytes of objects of one shape). It gives what
// from_plain_json(read_json(text)) gives, with the same limits (kMaxJsonDepth, numbers
// out of range and invalid UTF-8 refused), but:
//  - records keep the object's key order, and records of one shape share their keys;
//  - short strings that repeat (a region, a firmware version) share one heap cell;
//  - an integer too large for int64 reads as a float, not wrapped around.
// Errors are JsonReadError("not valid JSON: … at line L, column C").
#pragma once

#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "vm/json_read.hpp"
#include "vm/value.hpp"

namespace rbk {

class JsonValueReader {
 public:
  // Reads one JSON text (whitespace around it allowed). The shared strings and shapes
  // are kept across calls, so one reader for the lines of a JSON Lines file shares them too.
  Value read(std::string_view text, int max_depth = kMaxJsonDepth);

 private:
  Value value(int depth);
  template <typename F>
  void members(int depth, char close, F member);
  Value object(int depth);
  Value array(int depth);
  Value string_value();
  Value number();
  void string_into(std::string& out);  // a string's contents, unescaped, validated
  void skip_space();
  [[noreturn]] void fail(const std::string& what, size_t at) const;
  [[noreturn]] void fail_here(const std::string& what) const { fail(what, pos_); }

  std::string_view text_;
  size_t pos_ = 0;
  int max_depth_ = kMaxJsonDepth;
  std::vector<Value> values_;        // the members of the objects and arrays being read
  std::vector<std::string> keys_;    // the keys of the objects being read
  std::vector<RecordShape> shapes_;  // by depth: the last shape an object there had
  std::string scratch_;
  std::unordered_map<std::string, Value> shared_strings_;
};

}  // namespace rbk
