// redis.ttl, redis.set_size and redis.read: one connection per call speaking RESP (the
// Redis protocol, RESP2) over NetStream, so TLS and AUTH work alike with every Redis from
// 6 on (Debian's hiredis has no TLS). Only read-only commands are sent: these are probes,
// which a dry-run performs.
#include <set>

#include "stdlib/natives.hpp"
#include "stdlib/net_stream.hpp"

namespace rbk {

namespace {

// The commands a probe may send: each only reads.
const std::set<std::string>& read_only_commands() {
  static const std::set<std::string> commands{"GET",   "MGET",    "EXISTS", "TYPE",      "TTL",
                                              "PTTL",  "STRLEN",  "SCARD",  "SISMEMBER", "SMEMBERS",
                                              "HGET",  "HGETALL", "HLEN",   "LLEN",      "LRANGE",
                                              "ZCARD", "ZSCORE",  "XLEN",   "DBSIZE",    "INFO"};
  return commands;
}

std::string upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

std::string encode_command(const std::vector<std::string>& argv) {
  std::string out = "*" + std::to_string(argv.size()) + "\r\n";
  for (const auto& a : argv) out += "$" + std::to_string(a.size()) + "\r\n" + a + "\r\n";
  return out;
}

// A RESP2 reply parsed from BUF at POS: NEED_MORE when BUF holds only part of it. Nested
// arrays are bounded (a server cannot make us recurse without end).
struct Reply {
  enum class Kind { NeedMore, Malformed, Value, Error } kind = Kind::NeedMore;
  Value value;
  std::string error;
};

Reply parse_reply(const std::string& buf, size_t& pos, int depth = 0) {
  Reply r;
  size_t eol = buf.find("\r\n", pos);
  if (eol == std::string::npos) return r;
  if (eol == pos || depth > 32) {
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
      if (!number(n) || n < -1 || n > 512 * 1024 * 1024) break;
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
      if (!number(n) || n < -1 || n > 1'000'000) break;
      size_t p = eol + 2;
      std::vector<Value> items;
      for (int64_t i = 0; i < n; ++i) {
        Reply item = parse_reply(buf, p, depth + 1);
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

// Sends each command of COMMANDS in order and reads its reply: the last one's value, or an
// Error value naming the command that failed (never its arguments: AUTH's are secrets).
Value exchange(NetStream& stream, const std::vector<std::vector<std::string>>& commands,
               const std::string& where) {
  std::string out;
  for (const auto& c : commands) out += encode_command(c);
  std::string why;
  if (!stream.write_all(out, why)) return Value::error(where + why);
  std::string buf;
  size_t pos = 0;
  Value last;
  for (const auto& c : commands) {
    for (;;) {
      size_t p = pos;
      Reply r = parse_reply(buf, p);
      if (r.kind == Reply::Kind::NeedMore) {
        if (buf.size() > 64 * 1024 * 1024)
          return Value::error(where + "the answer is larger than 64 MiB");
        if (!stream.read_some(buf, why)) return Value::error(where + why);
        continue;
      }
      if (r.kind == Reply::Kind::Malformed)
        return Value::error(where + "the server's answer is not RESP");
      pos = p;
      if (r.kind == Reply::Kind::Error) {
        if (upper(c[0]) == "AUTH")
          return Value::error(where + "the server refused the credential: " + r.error);
        return Value::error(where + upper(c[0]) + ": " + r.error);
      }
      last = std::move(r.value);
      break;
    }
  }
  return last;
}

}  // namespace

Value Natives::redis(const FunctionInfo& fn, const std::vector<Value>& args) {
  static const std::map<std::string, int> schemes{{"redis", 6379}, {"rediss", 6379}};
  const std::string server = args.at(0).str();
  Url url;
  if (!parse_url(server, schemes, url))
    return Value::error(fn.name + ": " + server +
                        " is not a Redis URL (redis://host:port/db, or rediss:// for TLS)");
  std::string db = url.path.size() > 1 ? url.path.substr(1) : "";
  if (!db.empty() && db.find_first_not_of("0123456789") != std::string::npos)
    return Value::error(fn.name + ": " + server + ": the path is a database number");

  std::vector<std::string> command;
  const NativeId id = *fn.native;
  if (id == NativeId::RedisTtl) {
    command = {"PTTL", args.at(1).str()};
  } else if (id == NativeId::RedisSetSize) {
    command = {"SCARD", args.at(1).str()};
  } else {
    for (const auto& item : args.at(1).items()) command.push_back(item.str());
    if (command.empty()) return Value::error(fn.name + ": the command is empty");
    if (!read_only_commands().count(upper(command[0])))
      return Value::error(fn.name + ": " + command[0] +
                          " is not a read-only command (a probe never writes; these are: GET, "
                          "MGET, EXISTS, TYPE, TTL, PTTL, STRLEN, SCARD, SISMEMBER, SMEMBERS, "
                          "HGET, HGETALL, HLEN, LLEN, LRANGE, ZCARD, ZSCORE, XLEN, DBSIZE, INFO)");
  }
  allow(fn, url.host_port());
  ConnectionAuth auth;
  bool has_auth = connection_auth(fn, args.at(3).str(), url.host, url.port, auth);
  const std::string where = fn.name + " " + server + ": ";

  NetStream stream;
  TlsClientOptions tls;
  if (has_auth) tls = TlsClientOptions{auth.ca_file, auth.certificate_file, auth.key_pem};
  std::string why;
  if (!stream.open(url.host, url.port, url.scheme == "rediss", tls, deadline_in(args.at(2).i), why))
    return Value::error(where + why);
  std::vector<std::vector<std::string>> commands;
  if (has_auth && !auth.password.empty()) {
    if (auth.username.empty())
      commands.push_back({"AUTH", auth.password});
    else
      commands.push_back({"AUTH", auth.username, auth.password});
  }
  if (!db.empty()) commands.push_back({"SELECT", db});
  commands.push_back(command);
  Value answer = exchange(stream, commands, where);
  if (answer.is_error()) return answer;

  if (id == NativeId::RedisTtl) {
    // PTTL: -2 no such key, -1 no expiry, else milliseconds.
    int64_t ms = answer.kind == ValueKind::Int ? answer.i : -2;
    return Value::record({"exists", "ttl"},
                         {Value::boolean(ms != -2), ms >= 0 ? Value::duration(ms) : Value::null()});
  }
  if (id == NativeId::RedisSetSize) {
    if (answer.kind != ValueKind::Int) return Value::error(where + "SCARD did not answer a number");
    return answer;
  }
  return answer;
}

}  // namespace rbk
