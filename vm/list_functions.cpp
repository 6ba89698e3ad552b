// The list functions that take a lambda — map, filter, any, all, sort_by, group_by,
// count_by — as the VM runs them: the lambda is a pure function of the code (a body with
// its captured values as its first locals and the item as its last), applied item by item.
#include <algorithm>
#include <numeric>
#include <string>
#include <unordered_map>

#include "vm/machine.hpp"

namespace rbk {

Value Machine::list_function(Op op, uint32_t lambda, std::vector<Value> captured, const Value& list,
                             const Site& site, int depth) {
  if (list.kind != ValueKind::List)
    return Value::error(std::string("a list function needs a list, not ") + kind_name(list.kind));
  const FunctionInfo& fn = p_.functions[lambda];
  const std::vector<Value>& items = list.items();
  std::vector<Value> locals = std::move(captured);
  const size_t slot = locals.size();
  locals.resize(std::max<size_t>(fn.locals, slot + 1));
  // The lambda's value for item I, or an error value (a failed conversion, an overflow).
  auto apply = [&](size_t i) {
    locals[slot] = items[i];
    return run_lambda(fn, locals, site, depth);
  };
  auto as_bool = [&](const Value& v) -> const Value* {
    return v.kind == ValueKind::Bool ? &v : nullptr;
  };

  switch (op) {
    case Op::MAP: {
      std::vector<Value> out;
      out.reserve(items.size());
      for (size_t i = 0; i < items.size(); ++i) {
        Value v = apply(i);
        if (v.is_error()) return v;
        out.push_back(std::move(v));
      }
      return Value::list(std::move(out));
    }
    case Op::FILTER:
    case Op::ANY:
    case Op::ALL: {
      std::vector<Value> kept;
      for (size_t i = 0; i < items.size(); ++i) {
        Value v = apply(i);
        if (v.is_error()) return v;
        const Value* b = as_bool(v);
        if (!b) return Value::error(std::string("a condition gave ") + kind_name(v.kind));
        if (op == Op::ANY && b->b) return Value::boolean(true);
        if (op == Op::ALL && !b->b) return Value::boolean(false);
        if (op == Op::FILTER && b->b) kept.push_back(items[i]);
      }
      if (op == Op::ANY) return Value::boolean(false);
      if (op == Op::ALL) return Value::boolean(true);
      return Value::list(std::move(kept));
    }
    case Op::SORT_BY: {
      std::vector<Value> keys;
      keys.reserve(items.size());
      for (size_t i = 0; i < items.size(); ++i) {
        Value k = apply(i);
        if (k.is_error()) return k;
        keys.push_back(std::move(k));
      }
      // Keys of one ordered kind (the checker's rule); compared once each way.
      std::string problem;
      auto less = [&](size_t a, size_t b) {
        const Value& x = keys[a];
        const Value& y = keys[b];
        if ((x.kind == ValueKind::Int || x.kind == ValueKind::Float) &&
            (y.kind == ValueKind::Int || y.kind == ValueKind::Float))
          return (x.kind == ValueKind::Int ? double(x.i) : x.f) <
                 (y.kind == ValueKind::Int ? double(y.i) : y.f);
        if (x.kind != y.kind) {
          problem = std::string("sort_by cannot order ") + kind_name(x.kind) + " against " +
                    kind_name(y.kind);
          return false;
        }
        switch (x.kind) {
          case ValueKind::Duration:
          case ValueKind::Time:
            return x.i < y.i;
          case ValueKind::Percent:
            return x.f < y.f;
          case ValueKind::String:
            return x.str() < y.str();
          default:
            problem = std::string("sort_by cannot order ") + kind_name(x.kind) + " values";
            return false;
        }
      };
      std::vector<size_t> order(items.size());
      std::iota(order.begin(), order.end(), 0);
      std::stable_sort(order.begin(), order.end(), less);
      if (!problem.empty()) return Value::error(problem);
      std::vector<Value> out;
      out.reserve(items.size());
      for (size_t i : order) out.push_back(items[i]);
      return Value::list(std::move(out));
    }
    case Op::GROUP_BY:
    case Op::COUNT_BY: {
      // Keys are found as == finds them (records included), by the hash that agrees with it.
      struct Hash {
        size_t operator()(const Value& v) const { return value_hash(v); }
      };
      std::unordered_map<Value, size_t, Hash> group_of;
      std::vector<Value> keys;
      std::vector<std::vector<Value>> members;
      std::vector<int64_t> counts;
      for (size_t i = 0; i < items.size(); ++i) {
        Value k = apply(i);
        if (k.is_error()) return k;
        auto [at, fresh] = group_of.try_emplace(k, keys.size());
        if (fresh) {
          keys.push_back(std::move(k));
          members.emplace_back();
          counts.push_back(0);
        }
        ++counts[at->second];
        if (op == Op::GROUP_BY) members[at->second].push_back(items[i]);
      }
      std::vector<Value> out;
      out.reserve(keys.size());
      for (size_t g = 0; g < keys.size(); ++g)
        out.push_back(
            op == Op::GROUP_BY
                ? Value::record({"key", "items"},
                                {std::move(keys[g]), Value::list(std::move(members[g]))})
                : Value::record({"key", "count"}, {std::move(keys[g]), Value::integer(counts[g])}));
      return Value::list(std::move(out));
    }
    default:
      return Value::error("not a list function");
  }
}

}  // namespace rbk
