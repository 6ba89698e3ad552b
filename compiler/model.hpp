// What the checker knows about a workspace once it has resolved it: the runbooks as
// graphs of nodes and edges, their variables with types, the callable registry extended
// by the modules' declarations, and the configuration values. Code generation reads it.
#pragma once

#include <map>
#include <string>
#include <unordered_map>
#include <vector>

#include "compiler/loader.hpp"
#include "grammar/ast.hpp"
#include "stdlib/registry.hpp"

namespace rbk {

struct ConfigDef {
  TypeRef type;
  SourcePtr file;
  Range range;
};

// A run variable: bound by `let` in a node and readable by later nodes where it is
// assigned on every path. A call node's outcome (`renew.outcome`) is one too.
struct VarDef {
  std::string name;
  TypeRef type;  // null until the first binding has been typed
  SourcePtr file;
  Range def;
};

struct GraphEdge {
  int from = -1;
  int to = -1;  // -1 when the target is unknown (already reported)
  ast::ClauseKind kind;
  const ast::Clause* clause = nullptr;
  // What the node assigns is not assigned on it: the edge taken when the node failed (`on
  // error`), and an approve node's denied and timeout edges (only an approval answers).
  bool drops_assigns = false;
};

struct NodeModel {
  const ast::Node* ast = nullptr;
  std::vector<int> assigns;    // run variables this node assigns
  std::vector<int> out_edges;  // indices into RunbookModel::edges, in source order
};

struct RunbookModel {
  const ast::Runbook* ast = nullptr;
  size_t file = 0;
  SourcePtr src;
  std::string name;
  std::vector<const ast::Param*> params;
  std::vector<TypeRef> param_types;
  std::vector<NodeModel> nodes;
  std::unordered_map<std::string, int> node_index;
  std::vector<GraphEdge> edges;
  int start = -1;  // the node `start ->` names
  std::vector<VarDef> vars;
  std::unordered_map<std::string, int> var_index;
  std::unordered_map<std::string, int> call_outcome_var;  // call node name -> var id
  // call node name -> the outputs of the runbook it runs: output name -> (var "NODE.NAME",
  // its type, T? since a run may end where it never set it)
  std::unordered_map<std::string, std::map<std::string, std::pair<int, TypeRef>>> call_outputs;
  std::vector<std::string> outputs;  // this runbook's own `output`s, in order (run variables)
  // foreach node name -> the var of its results (named like the node, read by later
  // nodes) and the slot of its item (`as d`, seen only by the node's own clauses)
  std::unordered_map<std::string, int> foreach_result_var, foreach_item_var;

  const ast::Node& node(int i) const { return *nodes[i].ast; }
};

struct CheckedProgram {
  Registry registry;  // natives + declared probes and actions
  std::map<std::string, ConfigDef> config;
  std::vector<RunbookModel> runbooks;
  std::unordered_map<std::string, int> runbook_index;
  // The bodies of the probes and actions declared in modules, by qualified name.
  std::unordered_map<std::string, const ast::FuncDecl*> declared;
};

}  // namespace rbk
