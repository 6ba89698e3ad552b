#include "vm/rbc.hpp"

#include <openssl/evp.h>

#include <cstring>

#include "vm/verifier.hpp"

namespace rbk {

std::array<uint8_t, 32> sha256(const std::string& data) {
  std::array<uint8_t, 32> out{};
  unsigned int len = 0;
  if (!EVP_Digest(data.data(), data.size(), out.data(), &len, EVP_sha256(), nullptr) || len != 32)
    throw RbcError("SHA-256 failed");
  return out;
}

std::string hex(const std::array<uint8_t, 32>& d) {
  static const char* digits = "0123456789abcdef";
  std::string s;
  for (uint8_t b : d) {
    s += digits[b >> 4];
    s += digits[b & 15];
  }
  return s;
}

std::string Program::hash_hex() const {
  return hex(hash);
}

namespace {

constexpr char kMagic[4] = {'R', 'B', 'K', 'C'};
constexpr int kMaxTypeDepth = 64;

class Writer {
 public:
  std::string out;
  void u8(uint8_t v) { out += static_cast<char>(v); }
  void u32(uint32_t v) {
    for (int k = 0; k < 4; ++k) u8(static_cast<uint8_t>(v >> (8 * k)));
  }
  void u64(uint64_t v) {
    for (int k = 0; k < 8; ++k) u8(static_cast<uint8_t>(v >> (8 * k)));
  }
  void str(const std::string& s) {
    u32(static_cast<uint32_t>(s.size()));
    out += s;
  }
  void strs(const std::vector<std::string>& v) {
    u32(static_cast<uint32_t>(v.size()));
    for (const auto& s : v) str(s);
  }
  void type(const TypeRef& t) {
    u8(static_cast<uint8_t>(t->kind));
    if (t->kind == TypeKind::List || t->kind == TypeKind::Optional) type(t->elem);
    if (t->kind == TypeKind::Record) {
      u32(static_cast<uint32_t>(t->fields.size()));
      for (const auto& f : t->fields) {
        str(f.name);
        type(f.type);
      }
    }
  }
  void value(const Value& v) {
    u8(static_cast<uint8_t>(v.kind));
    switch (v.kind) {
      case ValueKind::Null:
        break;
      case ValueKind::Bool:
        u8(v.b);
        break;
      case ValueKind::Int:
      case ValueKind::Duration:
      case ValueKind::Time:
        u64(static_cast<uint64_t>(v.i));
        break;
      case ValueKind::Float:
      case ValueKind::Percent: {
        uint64_t bits;
        std::memcpy(&bits, &v.f, 8);
        u64(bits);
        break;
      }
      case ValueKind::String:
        str(v.str());
        break;
      default:
        throw RbcError("a constant must be a scalar or a string");
    }
  }
  void params(const std::vector<ParamInfo>& ps) {
    u32(static_cast<uint32_t>(ps.size()));
    for (const auto& p : ps) {
      str(p.name);
      u32(p.type);
      u32(p.default_code);
    }
  }
};

class Reader {
 public:
  Reader(const std::string& s, size_t begin, size_t end) : s_(s), i_(begin), end_(end) {}
  uint8_t u8() {
    need(1);
    return static_cast<uint8_t>(s_[i_++]);
  }
  uint32_t u32() {
    need(4);
    uint32_t v = 0;
    for (int k = 0; k < 4; ++k) v |= uint32_t(static_cast<uint8_t>(s_[i_++])) << (8 * k);
    return v;
  }
  uint64_t u64() {
    need(8);
    uint64_t v = 0;
    for (int k = 0; k < 8; ++k) v |= uint64_t(static_cast<uint8_t>(s_[i_++])) << (8 * k);
    return v;
  }
  // A count of items that take at least MIN_BYTES each: never more than what is left.
  uint32_t count(size_t min_bytes = 1) {
    uint32_t n = u32();
    if (n > (end_ - i_) / min_bytes) fail("a count is larger than the data that follows");
    return n;
  }
  std::string str() {
    uint32_t n = count();
    std::string v = s_.substr(i_, n);
    i_ += n;
    return v;
  }
  std::vector<std::string> strs() {
    std::vector<std::string> v(count(4));
    for (auto& s : v) s = str();
    return v;
  }
  TypeRef type(int depth = 0) {
    if (depth > kMaxTypeDepth) fail("types nest too deeply");
    uint8_t k = u8();
    if (k > static_cast<uint8_t>(TypeKind::Var)) fail("unknown type tag");
    auto kind = static_cast<TypeKind>(k);
    switch (kind) {
      case TypeKind::List:
        return Type::list(type(depth + 1));
      case TypeKind::Optional:
        return Type::optional(type(depth + 1));
      case TypeKind::Record: {
        std::vector<Field> fields(count(5));
        for (auto& f : fields) {
          f.name = str();
          f.type = type(depth + 1);
        }
        return Type::record(std::move(fields));
      }
      case TypeKind::Error:
        return Type::error();
      case TypeKind::Null:
        return Type::null();
      case TypeKind::Bool:
        return Type::boolean();
      case TypeKind::Int:
        return Type::integer();
      case TypeKind::Float:
        return Type::floating();
      case TypeKind::String:
        return Type::string();
      case TypeKind::Duration:
        return Type::duration();
      case TypeKind::Time:
        return Type::time();
      case TypeKind::Percent:
        return Type::percent();
      case TypeKind::Json:
        return Type::json();
      case TypeKind::Var:
        return Type::var();
    }
    fail("unknown type tag");
  }
  Value value() {
    uint8_t k = u8();
    switch (static_cast<ValueKind>(k)) {
      case ValueKind::Null:
        return Value::null();
      case ValueKind::Bool: {
        uint8_t b = u8();
        if (b > 1) fail("a bool constant is neither 0 nor 1");
        return Value::boolean(b);
      }
      case ValueKind::Int:
        return Value::integer(static_cast<int64_t>(u64()));
      case ValueKind::Duration:
        return Value::duration(static_cast<int64_t>(u64()));
      case ValueKind::Time:
        return Value::time(static_cast<int64_t>(u64()));
      case ValueKind::Float:
      case ValueKind::Percent: {
        uint64_t bits = u64();
        double d;
        std::memcpy(&d, &bits, 8);
        return static_cast<ValueKind>(k) == ValueKind::Float ? Value::floating(d)
                                                             : Value::percent(d);
      }
      case ValueKind::String:
        return Value::string(str());
      default:
        fail("a constant is not a scalar or a string");
    }
  }
  std::vector<ParamInfo> params() {
    std::vector<ParamInfo> ps(count(12));
    for (auto& p : ps) {
      p.name = str();
      p.type = u32();
      p.default_code = u32();
    }
    return ps;
  }
  // A byte naming one of COUNT kinds (a table of lang/kinds.def).
  template <typename E>
  E enumerated(size_t count, const char* what) {
    uint8_t v = u8();
    if (v >= count) fail(std::string("unknown ") + what);
    return static_cast<E>(v);
  }
  bool done() const { return i_ == end_; }
  [[noreturn]] void fail(const std::string& why) {
    throw RbcError("malformed program at byte " + std::to_string(i_) + ": " + why);
  }

 private:
  void need(size_t n) {
    if (end_ - i_ < n) fail("unexpected end of data");
  }
  const std::string& s_;
  size_t i_, end_;
};

}  // namespace

std::string encode_payload(const Program& p) {
  Writer w;
  w.u32(static_cast<uint32_t>(p.constants.size()));
  for (const auto& c : p.constants) w.value(c);
  w.u32(static_cast<uint32_t>(p.types.size()));
  for (const auto& t : p.types) w.type(t);
  w.u32(static_cast<uint32_t>(p.shapes.size()));
  for (const auto& s : p.shapes) w.strs(s);
  w.u32(static_cast<uint32_t>(p.config.size()));
  for (const auto& c : p.config) {
    w.str(c.name);
    w.u32(c.type);
  }
  w.u32(static_cast<uint32_t>(p.codes.size()));
  for (const auto& c : p.codes) {
    w.u32(static_cast<uint32_t>(c.instrs.size()));
    for (size_t k = 0; k < c.instrs.size(); ++k) {
      w.u8(static_cast<uint8_t>(c.instrs[k].op));
      w.u32(c.instrs[k].a);
      w.u32(c.instrs[k].b);
      w.u32(c.lines[k]);
    }
  }
  w.u32(static_cast<uint32_t>(p.functions.size()));
  for (const auto& f : p.functions) {
    w.str(f.name);
    w.u8(static_cast<uint8_t>(f.effect));
    w.strs(f.capabilities);
    w.params(f.params);
    w.u32(f.result);
    w.u32(f.code);
    w.u32(f.locals);
  }
  w.u32(static_cast<uint32_t>(p.runbooks.size()));
  for (const auto& r : p.runbooks) {
    w.str(r.name);
    w.str(r.title);
    w.str(r.doc);
    w.str(r.file);
    w.params(r.params);
    w.u32(static_cast<uint32_t>(r.nodes.size()));
    for (const auto& n : r.nodes) {
      w.u8(static_cast<uint8_t>(n.kind));
      w.str(n.name);
      w.str(n.label);
      w.u32(n.line);
      w.u32(n.col);
      w.str(n.role);
      w.u8(static_cast<uint8_t>(n.outcome));
      w.u32(static_cast<uint32_t>(n.edges.size()));
      for (uint32_t e : n.edges) w.u32(e);
      w.u32(n.error_edge);
      w.u32(n.code);
      w.u32(n.approved_edge);
      w.u32(n.denied_edge);
      w.u32(n.timeout_edge);
    }
    w.u32(static_cast<uint32_t>(r.edges.size()));
    for (const auto& e : r.edges) {
      w.u32(e.from);
      w.u32(e.to);
      w.u8(static_cast<uint8_t>(e.kind));
      w.str(e.label);
      w.u32(e.line);
    }
    w.u32(r.start);
    w.strs(r.vars);
    w.strs(r.capabilities);
  }
  w.u32(p.entry);
  // The foreach nodes, after the entry, only when there are any: a program without one
  // encodes (and hashes) as before they existed; an rbk that knows no foreach refuses a
  // program with one ("data after the end of the program") rather than misread it.
  bool any = false;
  for (const auto& r : p.runbooks) any = any || !r.foreachs.empty();
  if (!any) return w.out;
  w.str("foreach");
  for (const auto& r : p.runbooks) {
    w.u32(static_cast<uint32_t>(r.foreachs.size()));
    for (const auto& f : r.foreachs) {
      for (uint32_t v : {f.node, f.runbook, f.item_var, f.result_var, f.args_code, f.by_code})
        w.u32(v);
      w.strs(f.by_names);
      w.u32(static_cast<uint32_t>(f.waves.size()));
      for (const auto& wave : f.waves) {
        w.u8(static_cast<uint8_t>(wave.kind));
        w.u32(wave.value);
      }
      w.u32(f.concurrency);
      w.u32(f.start_interval_ms);
      w.u8(static_cast<uint8_t>((f.abort ? 1 : 0) | (f.abort_share ? 2 : 0)));
      for (uint32_t v :
           {f.abort_outcomes, f.abort_value, f.abort_after, f.between_code, f.until_code})
        w.u32(v);
      w.str(f.between_role);
      w.str(f.each_role);
      w.u32(f.aborted_edge);
    }
  }
  return w.out;
}

void seal(Program& p) {
  p.hash = sha256(encode_payload(p));
}

std::string encode_rbc(const Program& p) {
  return rbc_file(encode_payload(p));
}

std::string rbc_file(const std::string& payload) {
  Writer w;
  w.out.append(kMagic, 4);
  w.u32(Program::kFormatVersion);
  w.u32(static_cast<uint32_t>(payload.size()));
  w.out += payload;
  auto digest = sha256(payload);
  w.out.append(reinterpret_cast<const char*>(digest.data()), digest.size());
  return w.out;
}

Program decode_rbc(const std::string& bytes) {
  if (bytes.size() < 12 + 32 || bytes.compare(0, 4, kMagic, 4) != 0)
    throw RbcError("not an rbk program (.rbc): the file does not start with RBKC");
  Reader head(bytes, 4, 12);
  uint32_t version = head.u32();
  if (version != Program::kFormatVersion)
    throw RbcError("unsupported .rbc format version " + std::to_string(version) +
                   " (this rbk reads version " + std::to_string(Program::kFormatVersion) + ")");
  uint32_t length = head.u32();
  if (bytes.size() != 12 + size_t(length) + 32)
    throw RbcError("the file is " + std::to_string(bytes.size()) + " bytes but its header says " +
                   std::to_string(12 + size_t(length) + 32) + ": truncated or extended");
  std::string payload = bytes.substr(12, length);
  std::array<uint8_t, 32> stored;
  std::memcpy(stored.data(), bytes.data() + 12 + length, 32);
  std::array<uint8_t, 32> actual = sha256(payload);
  if (stored != actual)
    throw RbcError(
        "content hash mismatch: the program was modified after it was compiled (stored " +
        hex(stored).substr(0, 12) + "…, computed " + hex(actual).substr(0, 12) + "…)");

  Program p;
  Reader r(bytes, 12, 12 + length);
  p.constants.resize(r.count(1));
  for (auto& c : p.constants) c = r.value();
  p.types.resize(r.count(1));
  for (auto& t : p.types) t = r.type();
  p.shapes.resize(r.count(4));
  for (auto& s : p.shapes) s = r.strs();
  p.config.resize(r.count(8));
  for (auto& c : p.config) {
    c.name = r.str();
    c.type = r.u32();
  }
  p.codes.resize(r.count(4));
  for (auto& c : p.codes) {
    uint32_t n = r.count(13);
    c.instrs.resize(n);
    c.lines.resize(n);
    for (uint32_t k = 0; k < n; ++k) {
      uint8_t op = r.u8();
      if (op >= kOpCount) r.fail("unknown opcode " + std::to_string(op));
      c.instrs[k].op = static_cast<Op>(op);
      c.instrs[k].a = r.u32();
      c.instrs[k].b = r.u32();
      c.lines[k] = r.u32();
    }
  }
  p.functions.resize(r.count(20));
  for (auto& f : p.functions) {
    f.name = r.str();
    f.effect = r.enumerated<Effect>(kEffects, "function effect");
    f.capabilities = r.strs();
    f.params = r.params();
    f.result = r.u32();
    f.code = r.u32();
    f.locals = r.u32();
    if (f.code == kNone)
      if (const NativeRow* row = native_named(f.name)) f.native = row->id;
  }
  p.runbooks.resize(r.count(20));
  for (auto& rb : p.runbooks) {
    rb.name = r.str();
    rb.title = r.str();
    rb.doc = r.str();
    rb.file = r.str();
    rb.params = r.params();
    rb.nodes.resize(r.count(30));
    for (auto& n : rb.nodes) {
      n.kind = r.enumerated<NodeKind>(kNodeKinds, "node kind");
      n.name = r.str();
      n.label = r.str();
      n.line = r.u32();
      n.col = r.u32();
      n.role = r.str();
      n.outcome = r.enumerated<Outcome>(kOutcomes, "outcome");
      n.edges.resize(r.count(4));
      for (auto& e : n.edges) e = r.u32();
      n.error_edge = r.u32();
      n.code = r.u32();
      n.approved_edge = r.u32();
      n.denied_edge = r.u32();
      n.timeout_edge = r.u32();
    }
    rb.edges.resize(r.count(17));
    for (auto& e : rb.edges) {
      e.from = r.u32();
      e.to = r.u32();
      e.kind = r.enumerated<EdgeKind>(kEdgeKinds, "edge kind");
      e.label = r.str();
      e.line = r.u32();
    }
    rb.start = r.u32();
    rb.vars = r.strs();
    rb.capabilities = r.strs();
  }
  p.entry = r.u32();
  if (!r.done() && r.str() == "foreach") {
    for (auto& rb : p.runbooks) {
      rb.foreachs.resize(r.count(40));
      for (auto& f : rb.foreachs) {
        for (uint32_t* v :
             {&f.node, &f.runbook, &f.item_var, &f.result_var, &f.args_code, &f.by_code})
          *v = r.u32();
        f.by_names = r.strs();
        f.waves.resize(r.count(5));
        for (auto& wave : f.waves) {
          uint8_t k = r.u8();
          if (k > static_cast<uint8_t>(WaveInfo::Kind::All)) r.fail("unknown wave kind");
          wave.kind = static_cast<WaveInfo::Kind>(k);
          wave.value = r.u32();
        }
        f.concurrency = r.u32();
        f.start_interval_ms = r.u32();
        uint8_t flags = r.u8();
        f.abort = flags & 1;
        f.abort_share = flags & 2;
        for (uint32_t* v :
             {&f.abort_outcomes, &f.abort_value, &f.abort_after, &f.between_code, &f.until_code})
          *v = r.u32();
        f.between_role = r.str();
        f.each_role = r.str();
        f.aborted_edge = r.u32();
      }
    }
  }
  if (!r.done()) r.fail("data after the end of the program");
  for (auto& rb : p.runbooks)  // (the verifier checks these indexes before anything runs)
    for (uint32_t i = 0; i < rb.foreachs.size(); ++i)
      if (rb.foreachs[i].node < rb.nodes.size()) rb.nodes[rb.foreachs[i].node].foreach = i;
  p.hash = actual;
  std::string problem = verify(p);
  if (!problem.empty()) throw RbcError("the program does not verify: " + problem);
  return p;
}

std::string runbook_digest(const RunbookInfo& rb) {
  std::string shape = rb.name + "\n";
  for (const auto& n : rb.nodes) shape += std::string(node_kind_name(n.kind)) + " " + n.name + "\n";
  for (const auto& e : rb.edges)
    shape +=
        std::to_string(e.from) + " " + std::to_string(e.to) + " " + edge_kind_name(e.kind) + "\n";
  return hex(sha256(shape));
}

}  // namespace rbk
