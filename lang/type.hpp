// Value types of the rbk language: the parser names them, the checker infers them, a
// compiled Program carries them (parameter types, probe return types) and the VM converts
// values to them at run time. Every floor uses this one representation.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace rbk {

enum class TypeKind {
  Error,  // the type of an expression that already produced a diagnostic; fits anywhere
  Null,
  Bool,
  Int,
  Float,
  String,
  Duration,
  Time,
  Percent,
  Json,  // a value read from outside; converted to the expected type at run time
  List,
  Record,
  Optional,  // T? : a T or null
  Var,       // a type variable in a generic native signature (list helpers)
};

struct Type;
using TypeRef = std::shared_ptr<const Type>;

struct Field {
  std::string name;
  TypeRef type;
};

struct Type {
  TypeKind kind = TypeKind::Error;
  TypeRef elem;               // List: element type; Optional: the wrapped type
  std::vector<Field> fields;  // Record: fields in declaration order

  // Shared instances of the scalar types.
  static TypeRef error();
  static TypeRef null();
  static TypeRef boolean();
  static TypeRef integer();
  static TypeRef floating();
  static TypeRef string();
  static TypeRef duration();
  static TypeRef time();
  static TypeRef percent();
  static TypeRef json();
  static TypeRef var();
  static TypeRef list(TypeRef elem);
  static TypeRef optional(TypeRef inner);  // T?? collapses to T?, null? to null
  static TypeRef record(std::vector<Field> fields);

  // The scalar type named NAME in source ("duration"), or null.
  static TypeRef named(const std::string& name);

  const Field* field(const std::string& name) const;
};

bool same_type(const TypeRef& a, const TypeRef& b);
std::string to_string(const TypeRef& t);

inline bool is_error(const TypeRef& t) {
  return t->kind == TypeKind::Error;
}
inline bool is_optional(const TypeRef& t) {
  return t->kind == TypeKind::Optional;
}
// T for T?, the type itself otherwise.
inline const TypeRef& strip_optional(const TypeRef& t) {
  return is_optional(t) ? t->elem : t;
}
bool is_numeric(const TypeRef& t);  // int or float
// Types whose values have an order (`<`, `>`): numbers, durations, times, percents, strings.
bool is_ordered(const TypeRef& t);

}  // namespace rbk
