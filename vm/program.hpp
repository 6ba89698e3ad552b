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
  uint32_t foreach = kNone;  // foreach nodes: index into RunbookInfo::foreachs (not encoded)
};

// A wave of a foreach: the cumulative share (per mille of a percent: 10% is 10000) or count
// of the list done by its end; `all` is the whole list.
struct WaveInfo {
  enum class Kind : uint8_t { Share, Count, All } kind = Kind::All;
  uint32_t value = 0;  // Share: thousandths of a percent; Count: items
};

// What a foreach node's FOREACH instruction needs beyond the list on the stack. Its parts
// are code blocks of their own (owned by the node) that end with RETURN; the item is in
// the run variable ITEM_VAR while they run.
struct ForeachInfo {
  uint32_t node = 0;                  // the foreach node
  uint32_t runbook = 0;               // the child runbook
  uint32_t item_var = 0;              // `as d`
  uint32_t result_var = 0;            // the node's results (named like the node)
  uint32_t args_code = kNone;         // -> [the child's arguments, in its parameter order]
  uint32_t by_code = kNone;           // -> [the cohort column values]; kNone without `by`
  std::vector<std::string> by_names;  // the columns as written ("d.region")
  std::vector<WaveInfo> waves;        // empty: one wave of the whole list
  uint32_t concurrency = 1;
  uint32_t start_interval_ms = 0;  // `rate`: at least this long between starts (0: none)
  bool abort = false;
  uint32_t abort_outcomes = 0;  // bit (1 << Outcome) for each outcome counted
  bool abort_share = false;     // a share (thousandths of a percent) or a count
  uint32_t abort_value = 0;
  uint32_t abort_after = 1;
  uint32_t between_code = kNone;  // -> [pause, within, every] (null where not given)
  uint32_t until_code = kNone;    // -> the between-waves condition
  std::string between_role;       // approve by, between waves
  std::string each_role;          // approve each wave by (the first wave too)
  uint32_t aborted_edge = kNone;
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
  std::vector<ForeachInfo> foreachs;
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
