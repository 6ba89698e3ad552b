// The bytecode graph: the one artifact that runs (vm/) and is drawn (render/).
//
// A Program holds every runbook of a compilation (the one to run and those its call
// nodes reach) and every function they can call. A runbook is a table of nodes and
// edges; each node has a short stack-machine code (Code) that evaluates its lets, calls
// and conditions and ends by choosing an edge (TAKE) or by handing over to the host
// (ACT, POLL, APPROVE, RUN, END). Every instruction maps to its source line.
// docs/bytecode.md describes the .rbc encoding.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "lang/kinds.hpp"
#include "lang/natives.hpp"
#include "lang/type.hpp"
#include "vm/opcodes.hpp"
#include "vm/value.hpp"

namespace rbk {

struct Instr {
  Op op;
  uint32_t a = 0;
  uint32_t b = 0;
};

struct Code {
  std::vector<Instr> instrs;
  std::vector<uint32_t> lines;  // source line of each instruction (the source map)
};

constexpr uint32_t kNone = 0xFFFFFFFFu;

struct EdgeInfo {
  uint32_t from = 0;
  uint32_t to = 0;
  EdgeKind kind = EdgeKind::Then;
  std::string label;
  uint32_t line = 0;
};

struct NodeInfo {
  NodeKind kind = NodeKind::End;
  std::string name;
  std::string label;
  uint32_t line = 0;
  uint32_t col = 0;
  std::string role;                 // the approval role of a gated action or an approve node
  Outcome outcome = Outcome::None;  // End
  std::vector<uint32_t> edges;      // indices into RunbookInfo::edges, in source order
  uint32_t error_edge = kNone;      // the `on error` edge
  uint32_t code = kNone;            // index into Program::codes (kNone for End)
  // approve nodes: their three edges (timeout may be kNone)
  uint32_t approved_edge = kNone, denied_edge = kNone, timeout_edge = kNone;
};

struct ParamInfo {
  std::string name;
  uint32_t type = 0;              // index into Program::types
  uint32_t default_code = kNone;  // code that leaves the default on the stack, then RETURN
};

struct RunbookInfo {
  std::string name;
  std::string title;
  std::string doc;
  std::string file;  // the source file, as given to the compiler
  std::vector<ParamInfo> params;
  std::vector<NodeInfo> nodes;
  std::vector<EdgeInfo> edges;
  uint32_t start = 0;
  std::vector<std::string> vars;          // run variables (and call outcomes), for traces
  std::vector<std::string> capabilities;  // every capability it can use, sub-runbooks included
};

struct FunctionInfo {
  std::string name;  // "http.get_json", "fleet.last_seen_age", "len"
  Effect effect = Effect::Pure;
  std::vector<std::string> capabilities;
  std::vector<ParamInfo> params;  // default_code unused: defaults are filled in at the call
  uint32_t result = 0;            // type index
  uint32_t code = kNone;          // body for declared functions; kNone for natives
  uint32_t locals = 0;            // declared functions: locals including parameters
  // Which native a function without code is (lang/natives.def). Not encoded: the code
  // generator and the .rbc reader derive it from the name, so calls dispatch on it.
  std::optional<NativeId> native;
};

struct ConfigInfo {
  std::string name;
  uint32_t type = 0;
};

struct Program {
  static constexpr uint32_t kFormatVersion = 1;

  std::vector<Value> constants;  // scalars and strings only
  std::vector<TypeRef> types;
  std::vector<std::vector<std::string>> shapes;  // record field names for MAKE_RECORD
  std::vector<FunctionInfo> functions;
  std::vector<RunbookInfo> runbooks;
  std::vector<Code> codes;
  std::vector<ConfigInfo> config;
  uint32_t entry = 0;              // the runbook `rbk run` starts
  std::array<uint8_t, 32> hash{};  // SHA-256 of the canonical encoding

  std::string hash_hex() const;
  const RunbookInfo& entry_runbook() const { return runbooks[entry]; }
};

}  // namespace rbk
