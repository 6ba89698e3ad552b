#include "stdlib/registry.hpp"

#include <algorithm>
#include <set>
#include <stdexcept>

#include "lang/natives.hpp"

namespace rbk {

std::string FunctionSig::module() const {
  auto dot = name.rfind('.');
  return dot == std::string::npos ? std::string() : name.substr(0, dot);
}

std::string FunctionSig::signature() const {
  std::string s = name + "(";
  for (size_t i = 0; i < params.size(); ++i) {
    if (i) s += ", ";
    s += params[i].name + ": " + to_string(params[i].type);
    if (params[i].has_default()) s += " = " + params[i].default_text;
  }
  s += ")";
  if (result->kind != TypeKind::Null) s += " -> " + to_string(result);
  return s;
}

namespace {

// A small reader for the signature notation used in the table below.
class SigReader {
 public:
  explicit SigReader(std::string_view s) : s_(s) {}

  void skip() {
    while (i_ < s_.size() && s_[i_] == ' ') ++i_;
  }
  bool eat(std::string_view t) {
    skip();
    if (s_.substr(i_, t.size()) != t) return false;
    i_ += t.size();
    return true;
  }
  void expect(std::string_view t) {
    if (!eat(t)) error("expected '" + std::string(t) + "'");
  }
  std::string word() {
    skip();
    size_t b = i_;
    while (i_ < s_.size() &&
           (std::isalnum(static_cast<unsigned char>(s_[i_])) || s_[i_] == '_' || s_[i_] == '.'))
      ++i_;
    if (b == i_) error("expected a name");
    return std::string(s_.substr(b, i_ - b));
  }
  TypeRef type() {
    TypeRef t;
    if (eat("{")) {
      std::vector<Field> fields;
      while (!eat("}")) {
        std::string n = word();
        expect(":");
        fields.push_back(Field{n, type()});
        eat(",");
      }
      t = Type::record(std::move(fields));
    } else {
      std::string n = word();
      if (n == "list") {
        expect("<");
        t = Type::list(type());
        expect(">");
      } else if (n == "T") {
        t = Type::var();
      } else {
        t = Type::named(n);
        if (!t) error("unknown type " + n);
      }
    }
    if (eat("?")) t = Type::optional(t);
    return t;
  }
  std::string until_any(std::string_view stops) {
    skip();
    size_t b = i_;
    while (i_ < s_.size() && stops.find(s_[i_]) == std::string_view::npos) ++i_;
    std::string r(s_.substr(b, i_ - b));
    while (!r.empty() && r.back() == ' ') r.pop_back();
    return r;
  }
  bool done() {
    skip();
    return i_ == s_.size();
  }
  [[noreturn]] void error(const std::string& what) {
    throw std::invalid_argument("signature '" + std::string(s_) + "': " + what);
  }

 private:
  std::string_view s_;
  size_t i_ = 0;
};

}  // namespace

FunctionSig parse_signature(std::string_view text, std::string doc) {
  SigReader r(text);
  FunctionSig f;
  f.doc = std::move(doc);
  auto effect = effect_named(r.word());
  if (!effect) r.error("expected pure, probe or action");
  f.effect = *effect;
  if (f.effect != Effect::Pure) f.capabilities.push_back(r.word());
  f.name = r.word();
  r.expect("(");
  while (!r.eat(")")) {
    ParamSig p;
    p.name = r.word();
    r.expect(":");
    p.type = r.type();
    if (r.eat("=")) p.default_text = r.until_any(",)");
    f.params.push_back(std::move(p));
    r.eat(",");
  }
  f.result = r.eat("->") ? r.type() : Type::null();
  if (!r.done()) r.error("unexpected text after the signature");
  return f;
}

const Registry& Registry::natives() {
  static const Registry reg = [] {
    Registry r;
    for (const NativeRow& row : native_rows()) {
      std::string text(effect_name(row.effect));
      if (!row.capability.empty()) text += " " + std::string(row.capability);
      r.add(parse_signature(text + " " + std::string(row.signature), std::string(row.doc)));
    }
    return r;
  }();
  return reg;
}

void Registry::add(FunctionSig sig) {
  functions_.push_back(std::move(sig));
  reindex();
}

void Registry::reindex() {
  by_name_.clear();
  for (const auto& f : functions_) by_name_[f.name].push_back(&f);
}

const std::vector<const FunctionSig*>& Registry::find(std::string_view name) const {
  static const std::vector<const FunctionSig*> none;
  auto it = by_name_.find(std::string(name));
  return it == by_name_.end() ? none : it->second;
}

bool Registry::has_module(std::string_view module) const {
  return std::any_of(functions_.begin(), functions_.end(),
                     [&](const FunctionSig& f) { return f.module() == module; });
}

std::vector<std::string> Registry::names_in_module(std::string_view module) const {
  std::vector<std::string> out;
  for (const auto& f : functions_)
    if (f.module() == module) out.push_back(f.name);
  return out;
}

std::vector<std::string> Registry::modules() const {
  std::set<std::string> s;
  for (const auto& f : functions_)
    if (!f.module().empty()) s.insert(f.module());
  return {s.begin(), s.end()};
}

}  // namespace rbk
