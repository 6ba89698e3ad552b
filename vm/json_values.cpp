#include "vm/json_values.hpp"

#include <charconv>
#include <cmath>
#include <cstdlib>

#include "lang/utf8.hpp"

namespace rbk {

namespace {

// Strings this short are looked up among the ones read before (a region, a model, a
// state): a fleet repeats a few hundred of them tens of thousands of times.
constexpr size_t kSharedStringMax = 24;
// How many distinct strings the reader keeps for sharing; past it, new ones are not kept
// (ids are short but never repeat, and would only fill the table).
constexpr size_t kSharedStringsKept = 4096;

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

// The length of the UTF-8 sequence at S (at most N bytes there), 0 when it is not one
// (overlong, a surrogate, past U+10FFFF, cut short).
size_t utf8_length(const unsigned char* s, size_t n) {
  unsigned char c = s[0];
  size_t len;
  uint32_t cp;
  if (c < 0x80) return 1;
  if (c >= 0xC2 && c <= 0xDF) {
    len = 2;
    cp = c & 0x1F;
  } else if (c >= 0xE0 && c <= 0xEF) {
    len = 3;
    cp = c & 0x0F;
  } else if (c >= 0xF0 && c <= 0xF4) {
    len = 4;
    cp = c & 0x07;
  } else {
    return 0;
  }
  if (n < len) return 0;
  for (size_t k = 1; k < len; ++k) {
    if ((s[k] & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (s[k] & 0x3F);
  }
  if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) || cp > 0x10FFFF ||
      (cp >= 0xD800 && cp <= 0xDFFF))
    return 0;
  return len;
}

}  // namespace

void JsonValueReader::fail(const std::string& what, size_t at) const {
  throw JsonReadError("not valid JSON: " + what + " at " + json_place(text_, at));
}

void JsonValueReader::skip_space() {
  while (pos_ < text_.size() && is_space(text_[pos_])) ++pos_;
}

Value JsonValueReader::read(std::string_view text, int max_depth) {
  text_ = text;
  pos_ = 0;
  max_depth_ = max_depth;
  values_.clear();
  keys_.clear();
  if (text_.substr(0, 3) == "\xEF\xBB\xBF") pos_ = 3;  // a byte order mark, as some exports have
  skip_space();
  if (pos_ == text_.size()) fail_here("the text is empty");
  Value v = value(0);
  skip_space();
  if (pos_ != text_.size()) fail_here("more text after the value");
  return v;
}

Value JsonValueReader::value(int depth) {
  if (pos_ == text_.size()) fail_here("the text ends where a value should be");
  switch (text_[pos_]) {
    case '{':
      return object(depth + 1);
    case '[':
      return array(depth + 1);
    case '"':
      return string_value();
    case 't':
      if (text_.substr(pos_, 4) == "true") {
        pos_ += 4;
        return Value::boolean(true);
      }
      break;
    case 'f':
      if (text_.substr(pos_, 5) == "false") {
        pos_ += 5;
        return Value::boolean(false);
      }
      break;
    case 'n':
      if (text_.substr(pos_, 4) == "null") {
        pos_ += 4;
        return Value::null();
      }
      break;
    default:
      if (text_[pos_] == '-' || (text_[pos_] >= '0' && text_[pos_] <= '9')) return number();
  }
  fail_here("a value should start here (an object, array, string, number, true, false or null)");
}

// The members of the object or array just opened, up to CLOSE, each read by MEMBER; the
// depth limit checked first.
template <typename F>
void JsonValueReader::members(int depth, char close, F member) {
  if (depth > max_depth_)
    throw JsonReadError("JSON nested more than " + std::to_string(max_depth_) +
                        " levels deep (the limit for arrays and objects)");
  ++pos_;  // { or [
  skip_space();
  if (pos_ < text_.size() && text_[pos_] == close) {
    ++pos_;
    return;
  }
  for (;;) {
    skip_space();
    member();
    skip_space();
    if (pos_ < text_.size() && text_[pos_] == ',') {
      ++pos_;
      continue;
    }
    if (pos_ < text_.size() && text_[pos_] == close) {
      ++pos_;
      return;
    }
    fail_here(std::string("',' or '") + close + "' should be here");
  }
}

Value JsonValueReader::object(int depth) {
  const size_t base = values_.size();
  members(depth, '}', [&] {
    if (pos_ == text_.size() || text_[pos_] != '"') fail_here("a key (a string) should be here");
    keys_.emplace_back();
    string_into(keys_.back());
    skip_space();
    if (pos_ == text_.size() || text_[pos_] != ':') fail_here("':' should follow the key");
    ++pos_;
    skip_space();
    values_.push_back(value(depth));
  });
  const size_t n = values_.size() - base;
  const size_t key_base = keys_.size() - n;
  // The shape: the last one an object at this depth had, when the keys are the same.
  if (shapes_.size() <= static_cast<size_t>(depth)) shapes_.resize(depth + 1);
  RecordShape& last = shapes_[depth];
  bool same = last && last->size() == n;
  for (size_t k = 0; same && k < n; ++k) same = (*last)[k] == keys_[key_base + k];
  std::vector<Value> items(std::make_move_iterator(values_.begin() + static_cast<long>(base)),
                           std::make_move_iterator(values_.end()));
  if (!same) {
    std::vector<std::string> keys(
        std::make_move_iterator(keys_.begin() + static_cast<long>(key_base)),
        std::make_move_iterator(keys_.end()));
    // A key given twice: the last value counts, in the place of the first (as JSON
    // libraries read it).
    for (size_t k = 0; k < keys.size(); ++k)
      for (size_t j = k + 1; j < keys.size();)
        if (keys[j] == keys[k]) {
          items[k] = std::move(items[j]);
          items.erase(items.begin() + static_cast<long>(j));
          keys.erase(keys.begin() + static_cast<long>(j));
        } else {
          ++j;
        }
    last = make_shape(std::move(keys));
  }
  values_.resize(base);
  keys_.resize(key_base);
  return Value::shaped_record(last, std::move(items));
}

Value JsonValueReader::array(int depth) {
  const size_t base = values_.size();
  members(depth, ']', [&] { values_.push_back(value(depth)); });
  std::vector<Value> items(std::make_move_iterator(values_.begin() + static_cast<long>(base)),
                           std::make_move_iterator(values_.end()));
  values_.resize(base);
  return Value::list(std::move(items));
}

Value JsonValueReader::string_value() {
  string_into(scratch_);
  if (scratch_.size() > kSharedStringMax) return Value::string(scratch_);
  if (auto found = shared_strings_.find(scratch_); found != shared_strings_.end())
    return found->second;
  Value v = Value::string(scratch_);
  if (shared_strings_.size() < kSharedStringsKept) shared_strings_.emplace(scratch_, v);
  return v;
}

void JsonValueReader::string_into(std::string& out) {
  out.clear();
  const size_t open = pos_++;
  for (;;) {
    // The plain run up to the next quote, backslash, control or non-ASCII byte.
    size_t run = pos_;
    while (run < text_.size()) {
      unsigned char c = static_cast<unsigned char>(text_[run]);
      if (c == '"' || c == '\\' || c < 0x20 || c >= 0x80) break;
      ++run;
    }
    out.append(text_.data() + pos_, run - pos_);
    pos_ = run;
    if (pos_ == text_.size()) fail("the string is not closed", open);
    unsigned char c = static_cast<unsigned char>(text_[pos_]);
    if (c == '"') {
      ++pos_;
      return;
    }
    if (c < 0x20) fail_here("a control character must be escaped in a string");
    if (c >= 0x80) {
      size_t len = utf8_length(reinterpret_cast<const unsigned char*>(text_.data() + pos_),
                               text_.size() - pos_);
      if (len == 0) fail_here("invalid UTF-8 in a string");
      out.append(text_.data() + pos_, len);
      pos_ += len;
      continue;
    }
    // A backslash.
    if (pos_ + 1 >= text_.size()) fail("the string is not closed", open);
    char e = text_[pos_ + 1];
    pos_ += 2;
    switch (e) {
      case '"':
        out += '"';
        break;
      case '\\':
        out += '\\';
        break;
      case '/':
        out += '/';
        break;
      case 'b':
        out += '\b';
        break;
      case 'f':
        out += '\f';
        break;
      case 'n':
        out += '\n';
        break;
      case 'r':
        out += '\r';
        break;
      case 't':
        out += '\t';
        break;
      case 'u': {
        auto hex4 = [&](size_t at, uint32_t& cp) {
          if (at + 4 > text_.size()) return false;
          cp = 0;
          for (size_t k = at; k < at + 4; ++k) {
            char h = text_[k];
            cp <<= 4;
            if (h >= '0' && h <= '9')
              cp |= static_cast<uint32_t>(h - '0');
            else if (h >= 'a' && h <= 'f')
              cp |= static_cast<uint32_t>(h - 'a' + 10);
            else if (h >= 'A' && h <= 'F')
              cp |= static_cast<uint32_t>(h - 'A' + 10);
            else
              return false;
          }
          return true;
        };
        uint32_t cp;
        if (!hex4(pos_, cp)) fail(R"(\u needs four hexadecimal digits)", pos_ - 2);
        pos_ += 4;
        if (cp >= 0xD800 && cp <= 0xDBFF) {  // a high surrogate: its low one must follow
          uint32_t low;
          if (pos_ + 6 > text_.size() || text_[pos_] != '\\' || text_[pos_ + 1] != 'u' ||
              !hex4(pos_ + 2, low) || low < 0xDC00 || low > 0xDFFF)
            fail("a surrogate pair is cut in half", pos_ - 6);
          cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
          pos_ += 6;
        } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
          fail("a surrogate pair is cut in half", pos_ - 6);
        }
        append_utf8(out, cp);
        break;
      }
      default:
        fail("unknown escape in a string", pos_ - 2);
    }
  }
}

Value JsonValueReader::number() {
  const size_t start = pos_;
  auto digits = [&] {
    size_t from = pos_;
    while (pos_ < text_.size() && text_[pos_] >= '0' && text_[pos_] <= '9') ++pos_;
    return pos_ - from;
  };
  if (text_[pos_] == '-') ++pos_;
  if (pos_ < text_.size() && text_[pos_] == '0') {
    ++pos_;
    if (pos_ < text_.size() && text_[pos_] >= '0' && text_[pos_] <= '9')
      fail("a number must not start with 0", start);
  } else if (digits() == 0) {
    fail("a number needs a digit", start);
  }
  bool integral = true;
  if (pos_ < text_.size() && text_[pos_] == '.') {
    ++pos_;
    integral = false;
    if (digits() == 0) fail("a number needs a digit after '.'", start);
  }
  if (pos_ < text_.size() && (text_[pos_] == 'e' || text_[pos_] == 'E')) {
    ++pos_;
    integral = false;
    if (pos_ < text_.size() && (text_[pos_] == '+' || text_[pos_] == '-')) ++pos_;
    if (digits() == 0) fail("a number needs a digit in its exponent", start);
  }
  const char* first = text_.data() + start;
  const char* last = text_.data() + pos_;
  if (integral) {
    int64_t i;
    auto [end, ec] = std::from_chars(first, last, i);
    if (ec == std::errc() && end == last) return Value::integer(i);
    // too large for an int64: read as a float below
  }
  double d;
  auto [end, ec] = std::from_chars(first, last, d);
  if (ec == std::errc::result_out_of_range) {
    // Too small is zero (as strtod reads it); too large is refused.
    d = std::strtod(std::string(first, last).c_str(), nullptr);
    if (std::isinf(d)) fail("the number " + std::string(first, last) + " is out of range", start);
  } else if (ec != std::errc() || end != last) {
    fail("a malformed number", start);
  }
  return Value::floating(d);
}

}  // namespace rbk
