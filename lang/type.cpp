#include "lang/type.hpp"

namespace rbk {

namespace {
TypeRef make(TypeKind k) {
  auto t = std::make_shared<Type>();
  t->kind = k;
  return t;
}
}  // namespace

#define RBK_SCALAR(fn, kind)             \
  TypeRef Type::fn() {                   \
    static const TypeRef t = make(kind); \
    return t;                            \
  }
RBK_SCALAR(error, TypeKind::Error)
RBK_SCALAR(null, TypeKind::Null)
RBK_SCALAR(boolean, TypeKind::Bool)
RBK_SCALAR(integer, TypeKind::Int)
RBK_SCALAR(floating, TypeKind::Float)
RBK_SCALAR(string, TypeKind::String)
RBK_SCALAR(duration, TypeKind::Duration)
RBK_SCALAR(time, TypeKind::Time)
RBK_SCALAR(percent, TypeKind::Percent)
RBK_SCALAR(json, TypeKind::Json)
RBK_SCALAR(var, TypeKind::Var)
#undef RBK_SCALAR

TypeRef Type::list(TypeRef elem) {
  auto t = std::make_shared<Type>();
  t->kind = TypeKind::List;
  t->elem = std::move(elem);
  return t;
}

TypeRef Type::optional(TypeRef inner) {
  if (inner->kind == TypeKind::Optional || inner->kind == TypeKind::Null ||
      inner->kind == TypeKind::Error || inner->kind == TypeKind::Json)
    return inner;
  auto t = std::make_shared<Type>();
  t->kind = TypeKind::Optional;
  t->elem = std::move(inner);
  return t;
}

TypeRef Type::record(std::vector<Field> fields) {
  auto t = std::make_shared<Type>();
  t->kind = TypeKind::Record;
  t->fields = std::move(fields);
  return t;
}

TypeRef Type::named(const std::string& n) {
  if (n == "bool") return boolean();
  if (n == "int") return integer();
  if (n == "float") return floating();
  if (n == "string") return string();
  if (n == "duration") return duration();
  if (n == "time") return time();
  if (n == "percent") return percent();
  if (n == "json") return json();
  if (n == "null") return null();
  return nullptr;
}

const Field* Type::field(const std::string& n) const {
  for (const auto& f : fields)
    if (f.name == n) return &f;
  return nullptr;
}

bool same_type(const TypeRef& a, const TypeRef& b) {
  if (a == b) return true;
  if (a->kind != b->kind) return false;
  switch (a->kind) {
    case TypeKind::List:
    case TypeKind::Optional:
      return same_type(a->elem, b->elem);
    case TypeKind::Record:
      if (a->fields.size() != b->fields.size()) return false;
      for (size_t i = 0; i < a->fields.size(); ++i)
        if (a->fields[i].name != b->fields[i].name ||
            !same_type(a->fields[i].type, b->fields[i].type))
          return false;
      return true;
    default:
      return true;
  }
}

std::string to_string(const TypeRef& t) {
  switch (t->kind) {
    case TypeKind::Error:
      return "<error>";
    case TypeKind::Null:
      return "null";
    case TypeKind::Bool:
      return "bool";
    case TypeKind::Int:
      return "int";
    case TypeKind::Float:
      return "float";
    case TypeKind::String:
      return "string";
    case TypeKind::Duration:
      return "duration";
    case TypeKind::Time:
      return "time";
    case TypeKind::Percent:
      return "percent";
    case TypeKind::Json:
      return "json";
    case TypeKind::Var:
      return "T";
    case TypeKind::List:
      return "list<" + to_string(t->elem) + ">";
    case TypeKind::Optional:
      return to_string(t->elem) + "?";
    case TypeKind::Record: {
      std::string s = "{";
      for (size_t i = 0; i < t->fields.size(); ++i) {
        if (i) s += ", ";
        s += t->fields[i].name + ": " + to_string(t->fields[i].type);
      }
      return s + "}";
    }
  }
  return "?";
}

bool is_numeric(const TypeRef& t) {
  return t->kind == TypeKind::Int || t->kind == TypeKind::Float;
}

bool is_ordered(const TypeRef& t) {
  switch (t->kind) {
    case TypeKind::Int:
    case TypeKind::Float:
    case TypeKind::Duration:
    case TypeKind::Time:
    case TypeKind::Percent:
    case TypeKind::String:
      return true;
    default:
      return false;
  }
}

}  // namespace rbk
