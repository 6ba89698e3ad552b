// The registry of callables: every function a runbook can call, with its signature, its
// effect and the capabilities it needs. The native primitives (implemented in C++ by the
// VM and the stdlib) come from their table, lang/natives.def; the compiler adds the probes and
// actions that .rbk modules declare on top of them (stdlib/*.rbk and the runbook author's own
// modules).
#pragma once

#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "lang/kinds.hpp"
#include "lang/type.hpp"

namespace rbk {

struct ParamSig {
  std::string name;
  TypeRef type;
  std::string default_text;  // the default value as source text; empty when required
  bool has_default() const { return !default_text.empty(); }
};

struct FunctionSig {
  std::string name;  // qualified: "http.get_json", or bare for builtins: "len"
  std::vector<ParamSig> params;
  TypeRef result;
  Effect effect = Effect::Pure;
  std::vector<std::string> capabilities;  // e.g. {"net.http"}; declared functions: the union
  std::string doc;
  bool native = true;  // false for probes and actions declared in .rbk modules

  std::string module() const;     // "http" for "http.get_json", "" for builtins
  std::string signature() const;  // "http.get_json(url: string, …) -> json"
};

class Registry {
 public:
  Registry() = default;
  Registry(const Registry& other) : functions_(other.functions_) { reindex(); }
  Registry& operator=(const Registry& other) {
    functions_ = other.functions_;
    reindex();
    return *this;
  }

  // The native primitives.
  static const Registry& natives();

  // Overloads share a name (len of a string, len of a list); FIND gives them all.
  const std::vector<const FunctionSig*>& find(std::string_view name) const;
  bool has_module(std::string_view module) const;
  std::vector<std::string> names_in_module(std::string_view module) const;
  std::vector<std::string> modules() const;
  const std::vector<FunctionSig>& all() const { return functions_; }

  void add(FunctionSig sig);

 private:
  void reindex();
  std::vector<FunctionSig> functions_;
  std::unordered_map<std::string, std::vector<const FunctionSig*>> by_name_;
};

// Parses a signature written as in the docs, "probe net.http tcp.connect(host: string,
// port: int, timeout: duration = 5s) -> {reachable: bool, latency: duration}", so the
// table of natives reads like their documentation. Throws std::invalid_argument.
FunctionSig parse_signature(std::string_view text, std::string doc);

}  // namespace rbk
