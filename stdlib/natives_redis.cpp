// redis.ttl, redis.set_size and redis.read: one connection per call speaking RESP (the
// Redis protocol, RESP2) over NetStream, so TLS and AUTH work alike with every Redis from
// 6 on (Debian's hiredis has no TLS). Only read-only commands are sent: these are probes,
// which a dry-run performs.
#include <set>

#include "stdlib/natives.hpp"
#include "stdlib/net_stream.hpp"
#include "stdlib/resp.hpp"

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

// Sends each command of COMMANDS in order and reads its reply: the last one's value, or an
// Error value naming the command that failed (never its arguments: AUTH's are secrets).
Value exchange(NetStream& stream, const std::vector<std::vector<std::string>>& commands,
               const std::string& where) {
  std::string out;
  for (const auto& c : commands) out += resp::encode_command(c);
  std::string why;
  if (!stream.write_all(out, why)) return Value::error(where + why);
  std::string buf;
  size_t pos = 0;
  Value last;
  for (const auto& c : commands) {
    for (;;) {
      size_t p = pos;
      resp::Reply r = resp::parse_reply(buf, p);
      if (r.kind == resp::Reply::Kind::NeedMore) {
        // Each read parses the answer again from its start: bounded, so that a large
        // answer costs at most a few dozen passes over a few MiB.
        if (buf.size() > 4 * 1024 * 1024)
          return Value::error(where +
                              "the answer is larger than 4 MiB: ask for less (SSCAN, a bounded "
                              "LRANGE)");
        if (!stream.read_some(buf, why)) return Value::error(where + why);
        continue;
      }
      if (r.kind == resp::Reply::Kind::Malformed)
        return Value::error(where + "the server's answer is not RESP");
      pos = p;
      if (r.kind == resp::Reply::Kind::Error) {
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
