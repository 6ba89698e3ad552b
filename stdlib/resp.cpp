#include "stdlib/resp.hpp"

namespace rbk::resp {

namespace {

constexpr int kMaxDepth = 32;
constexpr int64_t kMaxItems = 1'000'000;
constexpr int64_t kMaxBulk = 512 * 1024 * 1024;  // Redis's own limit on a string

Reply parse_at(const std::string& buf, size_t& pos, int depth);

}  // namespace

std::string encode_command(const std::vector<std::string>& argv) {
  std::string out = "*" + std::to_string(argv.size()) + "\r\n";
  for (const auto& a : argv) out += "$" + std::to_string(a.size()) + "\r\n" + a + "\r\n";
  return out;
}

namespace {

Reply parse_at(const std::string& buf, size_t& pos, int depth) {
  Reply r;
  size_t eol = buf.find("\r\n", pos);
  if (eol == std::string::npos) return r;
  if (eol == pos || depth > kMaxDepth) {
    r.kind = Reply::Kind::Malformed;
    return r;
  }
  const char type = buf[pos];
  std::string line = buf.substr(pos + 1, eol - pos - 1);
  auto number = [&](int64_t& n) {
    try {
      size_t used = 0;
      n = std::stoll(line, &used);
      return used == line.size();
    } catch (...) {
      return false;
    }
  };
  int64_t n = 0;
  switch (type) {
    case '+':
      pos = eol + 2;
      r.kind = Reply::Kind::Value;
      r.value = Value::string(line);
      return r;
    case '-':
      pos = eol + 2;
      r.kind = Reply::Kind::Error;
      r.error = line;
      return r;
    case ':':
      if (!number(n)) break;
      pos = eol + 2;
      r.kind = Reply::Kind::Value;
      r.value = Value::integer(n);
      return r;
    case '$': {
      if (!number(n) || n < -1 || n > kMaxBulk) break;
      if (n == -1) {
        pos = eol + 2;
        r.kind = Reply::Kind::Value;
        r.value = Value::null();
        return r;
      }
      size_t start = eol + 2, len = static_cast<size_t>(n);
      if (buf.size() < start + len + 2) return r;
      if (buf.compare(start + len, 2, "\r\n") != 0) break;
      pos = start + len + 2;
      r.kind = Reply::Kind::Value;
      r.value = Value::string(buf.substr(start, len));
      return r;
    }
    case '*': {
      if (!number(n) || n < -1 || n > kMaxItems) break;
      size_t p = eol + 2;
      std::vector<Value> items;
      for (int64_t i = 0; i < n; ++i) {
        Reply item = parse_at(buf, p, depth + 1);
        if (item.kind == Reply::Kind::NeedMore || item.kind == Reply::Kind::Malformed) return item;
        items.push_back(item.kind == Reply::Kind::Error ? Value::string("ERR " + item.error)
                                                        : std::move(item.value));
      }
      pos = p;
      r.kind = Reply::Kind::Value;
      r.value = n == -1 ? Value::null() : Value::list(std::move(items));
      return r;
    }
    default:
      break;
  }
  r.kind = Reply::Kind::Malformed;
  return r;
}

}  // namespace

Reply parse_reply(const std::string& buf, size_t& pos) {
  return parse_at(buf, pos, 0);
}

}  // namespace rbk::resp
