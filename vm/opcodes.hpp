// Opcodes, generated from opcodes.def.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace rbk {

enum class Op : uint8_t {
#define RBK_OP(name, a, b, pops, pushes, where, doc) name,
#include "vm/opcodes.def"
#undef RBK_OP
};

// What an operand indexes (the A and B columns of opcodes.def).
enum class Operand : uint8_t {
  none,
  constant,
  name,  // a constant that is a string: a field, configuration value or path name
  var,
  param,
  local,
  func,
  edge,
  shape,
  type,
  code,
  runbook,
  count
};

// The code an opcode may appear in (the WHERE column of opcodes.def).
enum class Placement : uint8_t {
  any,
  body,
  node,
  decide,
  action,
  wait,
  approve,
  call,
  nowhere,
  foreach
};

struct OpInfo {
  std::string_view name;
  Operand a, b;
  int pops;  // -1: given by an operand (see verifier.cpp)
  int pushes;
  Placement where;
  std::string_view stack;  // the stack picture
};

namespace opcode_columns {
inline constexpr Operand none = Operand::none, constant = Operand::constant, name = Operand::name,
                         var = Operand::var, param = Operand::param, local = Operand::local,
                         func = Operand::func, edge = Operand::edge, shape = Operand::shape,
                         type = Operand::type, code = Operand::code, runbook = Operand::runbook,
                         count = Operand::count;
inline constexpr Placement any = Placement::any, body = Placement::body, node = Placement::node,
                           decide = Placement::decide, action = Placement::action,
                           wait = Placement::wait, approve = Placement::approve,
                           call = Placement::call, nowhere = Placement::nowhere,
                           foreach = Placement::foreach;
inline constexpr OpInfo kOps[] = {
#define RBK_OP(op, a, b, pops, pushes, where, doc) {#op, a, b, pops, pushes, where, doc},
#include "vm/opcodes.def"
#undef RBK_OP
};
}  // namespace opcode_columns

inline constexpr size_t kOpCount = sizeof(opcode_columns::kOps) / sizeof(opcode_columns::kOps[0]);
inline const OpInfo& op_info(Op op) {
  return opcode_columns::kOps[static_cast<size_t>(op)];
}

}  // namespace rbk
