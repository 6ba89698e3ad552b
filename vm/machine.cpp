#include "vm/machine.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <exception>
#include <map>
#include <mutex>

#include "vm/fleet_tally.hpp"
#include "vm/foreach_plan.hpp"
#include "vm/rbc.hpp"
#include "vm/worker_pool.hpp"

namespace rbk {

namespace {

// What a wave's approval shows, and what its plan hash binds.
std::string fmt_wave(const std::string& node, size_t wave, size_t waves, size_t from, size_t to) {
  return node + ": wave " + std::to_string(wave + 1) + " of " + std::to_string(waves) + ", items " +
         std::to_string(from + 1) + "–" + std::to_string(to) + " (" + std::to_string(to - from) +
         ")";
}

// A run-level stop: a failure with no `on error` edge, an exhausted budget, a broken
// invariant. Caught once, in Machine::run.
struct Failure {
  std::string reason;
  Site site;
};

// A person stopped the run between children (RunInterrupt). Caught once, in Machine::run.
struct Interrupted {};

int64_t wall_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

bool numeric(const Value& v) {
  return v.kind == ValueKind::Int || v.kind == ValueKind::Float;
}
double num(const Value& v) {
  return v.kind == ValueKind::Int ? double(v.i) : v.f;
}

Value type_error(const char* op, const Value& a, const Value& b) {
  return Value::error(std::string("'") + op + "' cannot combine " + kind_name(a.kind) + " and " +
                      kind_name(b.kind));
}

// Integer arithmetic (ints, durations, times) of A and B with OP ("+", "-", "*"), made a
// value by MAKE; an error value when the result does not fit 64 bits (as a number function
// fails), never a wrapped number.
Value exact(Value (*make)(int64_t), int64_t a, int64_t b, const char* op) {
  int64_t r = 0;
  bool overflow = op[0] == '+'   ? __builtin_add_overflow(a, b, &r)
                  : op[0] == '-' ? __builtin_sub_overflow(a, b, &r)
                                 : __builtin_mul_overflow(a, b, &r);
  if (overflow) return Value::error(std::string("integer overflow in '") + op + "'");
  return make(r);
}

// The operators on run-time kinds. Static types make mismatches rare; json values that
// met each other are checked here.
Value binary(Op op, const Value& a, const Value& b) {
  using K = ValueKind;
  switch (op) {
    case Op::EQ:
      return Value::boolean(a == b);
    case Op::NE:
      return Value::boolean(a != b);
    case Op::LT:
    case Op::LE:
    case Op::GT:
    case Op::GE: {
      int c;
      if (numeric(a) && numeric(b)) {
        double x = num(a), y = num(b);
        c = x < y ? -1 : x > y ? 1 : 0;
      } else if (a.kind == b.kind && (a.kind == K::Duration || a.kind == K::Time)) {
        c = a.i < b.i ? -1 : a.i > b.i ? 1 : 0;
      } else if (a.kind == K::Percent && b.kind == K::Percent) {
        c = a.f < b.f ? -1 : a.f > b.f ? 1 : 0;
      } else if (a.kind == K::String && b.kind == K::String) {
        c = a.str().compare(b.str());
      } else {
        const char* name = op == Op::LT ? "<" : op == Op::LE ? "<=" : op == Op::GT ? ">" : ">=";
        return Value::error(std::string("cannot order ") + kind_name(a.kind) + " against " +
                            kind_name(b.kind) + " with '" + name + "'");
      }
      bool r = op == Op::LT ? c < 0 : op == Op::LE ? c <= 0 : op == Op::GT ? c > 0 : c >= 0;
      return Value::boolean(r);
    }
    case Op::IN:
      if (b.kind == K::List) {
        for (const auto& x : b.items())
          if (x == a) return Value::boolean(true);
        return Value::boolean(false);
      }
      if (b.kind == K::String && a.kind == K::String)
        return Value::boolean(b.str().find(a.str()) != std::string::npos);
      return type_error("in", a, b);
    case Op::ADD:
      if (a.kind == K::Int && b.kind == K::Int) return exact(Value::integer, a.i, b.i, "+");
      if (numeric(a) && numeric(b)) return Value::floating(num(a) + num(b));
      if (a.kind == K::Duration && b.kind == K::Duration)
        return exact(Value::duration, a.i, b.i, "+");
      if (a.kind == K::Time && b.kind == K::Duration) return exact(Value::time, a.i, b.i, "+");
      if (a.kind == K::Duration && b.kind == K::Time) return exact(Value::time, a.i, b.i, "+");
      if (a.kind == K::Percent && b.kind == K::Percent) return Value::percent(a.f + b.f);
      if (a.kind == K::String && b.kind == K::String) return Value::string(a.str() + b.str());
      return type_error("+", a, b);
    case Op::SUB:
      if (a.kind == K::Int && b.kind == K::Int) return exact(Value::integer, a.i, b.i, "-");
      if (numeric(a) && numeric(b)) return Value::floating(num(a) - num(b));
      if (a.kind == K::Duration && b.kind == K::Duration)
        return exact(Value::duration, a.i, b.i, "-");
      if (a.kind == K::Time && b.kind == K::Time) return exact(Value::duration, a.i, b.i, "-");
      if (a.kind == K::Time && b.kind == K::Duration) return exact(Value::time, a.i, b.i, "-");
      if (a.kind == K::Percent && b.kind == K::Percent) return Value::percent(a.f - b.f);
      return type_error("-", a, b);
    case Op::MUL:
      if (a.kind == K::Int && b.kind == K::Int) return exact(Value::integer, a.i, b.i, "*");
      if (numeric(a) && numeric(b)) return Value::floating(num(a) * num(b));
      if (a.kind == K::Duration && numeric(b))
        return Value::duration(static_cast<int64_t>(std::llround(a.i * num(b))));
      if (numeric(a) && b.kind == K::Duration)
        return Value::duration(static_cast<int64_t>(std::llround(num(a) * b.i)));
      return type_error("*", a, b);
    case Op::DIV:
      if ((numeric(b) && num(b) == 0) || (b.kind == K::Duration && b.i == 0))
        return Value::error("division by zero");
      if (numeric(a) && numeric(b)) return Value::floating(num(a) / num(b));
      if (a.kind == K::Duration && b.kind == K::Duration)
        return Value::floating(double(a.i) / double(b.i));
      if (a.kind == K::Duration && numeric(b))
        return Value::duration(static_cast<int64_t>(std::llround(a.i / num(b))));
      return type_error("/", a, b);
    default:
      return Value::error("not a binary operator");
  }
}

}  // namespace

Machine::Machine(const Program& program, Host& host, Budgets budgets)
    : p_(program), host_(host), budgets_(budgets) {}

void Machine::emit(TraceKind kind, const Site& site, std::vector<TraceField> fields,
                   uint32_t edge) {
  if (quiet_ > 0) return;
  if (++events_ > budgets_.trace_events) {
    if (events_ == budgets_.trace_events + 1)
      throw Failure{
          "budget exceeded: more than " + std::to_string(budgets_.trace_events) + " trace events",
          site};
    return;
  }
  host_.trace(TraceEvent{kind, site, std::move(fields), edge, body_level_ > 0});
}

void Machine::tick() {
  if (++executed_ > budgets_.instructions)
    throw Failure{
        "budget exceeded: more than " + std::to_string(budgets_.instructions) + " instructions",
        {}};
  if ((executed_ & 4095) == 0 && wall_ms() - started_wall_ > budgets_.wall_time_ms)
    throw Failure{
        "budget exceeded: the run took longer than " + format_duration(budgets_.wall_time_ms), {}};
}

struct Machine::Context {
  std::vector<Value>* params = nullptr;
  std::vector<Value>* vars = nullptr;
  std::vector<Value>* locals = nullptr;
  const NodeInfo* node = nullptr;  // null for bodies and defaults
  Site site;
  int depth = 0;
};

RunResult Machine::run(const std::vector<std::optional<Value>>& params) {
  started_wall_ = wall_ms();
  const RunbookInfo& rb = p_.entry_runbook();
  Site site{&rb, nullptr, 0, 0};
  try {
    emit(TraceKind::RunStarted, site,
         {{"runbook", Value::string(rb.name)}, {"program", Value::string(p_.hash_hex())}});
    std::vector<Value> args;
    for (size_t i = 0; i < rb.params.size(); ++i) {
      if (i < params.size() && params[i]) {
        args.push_back(*params[i]);
      } else if (rb.params[i].default_code != kNone) {
        Context ctx;
        ctx.site = site;
        Value v = exec(p_.codes[rb.params[i].default_code], ctx).value;
        if (v.is_error())
          throw Failure{"default of parameter '" + rb.params[i].name + "': " + v.str(), site};
        args.push_back(std::move(v));
      } else {
        throw Failure{"missing parameter '" + rb.params[i].name + "'", site};
      }
    }
    result_.outcome = run_runbook(p_.entry, std::move(args), 0);
    result_.status = RunStatus::Ended;
    emit(TraceKind::RunEnded, site, {{"outcome", Value::string(outcome_name(result_.outcome))}});
  } catch (const Failure& f) {
    result_.status = RunStatus::Failed;
    result_.outcome = Outcome::Failed;
    result_.error = f.reason;
    if (f.site.runbook)
      result_.error_where = f.site.runbook->name + (f.site.node ? ":" + f.site.node->name : "") +
                            (f.site.line ? ":" + std::to_string(f.site.line) : "");
    host_.trace(TraceEvent{TraceKind::RunFailed, f.site, {{"reason", Value::string(f.reason)}}});
  } catch (const HostFault& f) {
    result_.status = RunStatus::Failed;
    result_.host_fault = true;
    result_.outcome = Outcome::Failed;
    result_.error = f.what();
    host_.trace(TraceEvent{TraceKind::RunFailed, site, {{"reason", Value::string(f.what())}}});
  } catch (const Interrupted&) {
    // No trace event either: a resumed run goes on from here, its trace continuing.
    result_.status = RunStatus::Interrupted;
  } catch (const GatePending& pz) {
    result_.status = RunStatus::Paused;
    // No trace event here: the run goes on later from this very point, and its resumed
    // trace must continue the same sequence (the run record says it paused).
    result_.paused_at = pz.request;
  }
  for (uint32_t n : path_nodes_) result_.path.push_back(rb.nodes[n].name);
  for (auto [r, e] : edges_taken_) result_.edges.emplace_back(p_.runbooks[r].name, e);
  return std::move(result_);
}

Outcome Machine::run_runbook(uint32_t r, std::vector<Value> params, int depth) {
  const RunbookInfo& rb = p_.runbooks[r];
  if (depth > budgets_.call_depth)
    throw Failure{
        "budget exceeded: call nodes nest deeper than " + std::to_string(budgets_.call_depth),
        {&rb}};
  std::vector<Value> vars(rb.vars.size());
  uint32_t n = rb.start;
  for (;;) {
    // A stop asked for (a server cancelling the run, shutting down) is honoured between
    // the entry runbook's nodes too: the journal is whole there, as between children.
    if (depth == 0 && interrupt_requested()) throw Interrupted{};
    const NodeInfo& node = rb.nodes[n];
    Site site{&rb, &node, node.line, depth};
    if (depth == 0) path_nodes_.push_back(n);
    emit(TraceKind::NodeEntered, site);
    if (node.kind == NodeKind::End) {
      last_end_ = n;
      last_vars_ = std::move(vars);  // for the call node that ran it (its outputs)
      return node.outcome;
    }
    Context ctx;
    ctx.params = &params;
    ctx.vars = &vars;
    ctx.node = &node;
    ctx.site = site;
    ctx.depth = depth;
    uint32_t e = exec(p_.codes[node.code], ctx).edge;
    edges_taken_.emplace_back(r, e);
    emit(TraceKind::EdgeTaken, site, {}, e);
    n = rb.edges[e].to;
  }
}

Value Machine::run_lambda(const FunctionInfo& fn, std::vector<Value>& locals, const Site& site,
                          int depth) {
  if (depth > budgets_.call_depth)
    throw Failure{"budget exceeded: calls nest deeper than " + std::to_string(budgets_.call_depth),
                  site};
  Context ctx;
  ctx.locals = &locals;
  ctx.site = site;
  ctx.depth = depth + 1;
  return exec(p_.codes[fn.code], ctx).value;
}

Value Machine::call_function(uint32_t f, std::vector<Value> args, const Site& site, int depth) {
  const FunctionInfo& fn = p_.functions[f];
  if (depth > budgets_.call_depth)
    throw Failure{"budget exceeded: calls nest deeper than " + std::to_string(budgets_.call_depth),
                  site};
  if (fn.code == kNone && fn.native) {
    switch (native_row(*fn.native).runs) {
      case NativeRuns::builtin:
        return call_builtin(*fn.native, args, p_.types[fn.result]->kind);
      case NativeRuns::clock:  // the host's: virtual in scenario runs, journaled for replay
        return *fn.native == NativeId::TimeSince ? Value::duration(host_.now() - args.at(0).i)
                                                 : Value::time(host_.now());
      case NativeRuns::world:
        break;
    }
  }

  // (a fleet's children are not traced call by call: nothing to time or keep for them)
  int64_t t0 = quiet_ ? 0 : wall_ms();
  std::vector<Value> shown = quiet_ ? std::vector<Value>{} : args;
  std::optional<Value> v = host_.call(fn, args, site);
  if (!v && fn.code != kNone) {
    std::vector<Value> locals(std::max<size_t>(fn.locals, args.size()));
    for (size_t i = 0; i < args.size(); ++i) locals[i] = std::move(args[i]);
    Context ctx;
    ctx.locals = &locals;
    ctx.site = site;
    ctx.depth = depth + 1;
    ++body_level_;
    struct Leave {
      int& level;
      ~Leave() { --level; }
    } leave{body_level_};
    v = exec(p_.codes[fn.code], ctx).value;
  }
  if (!v) v = Value::error("native '" + fn.name + "' is not available in this mode");
  if (v->is_error()) v = Value::error(fn.name + ": " + v->str());
  if (quiet_ == 0) {
    std::vector<TraceField> fields{
        {"function", Value::string(fn.name)},
        {"args", Value::list(std::move(shown))},
        {v->is_error() ? "error" : "result", v->is_error() ? Value::string(v->str()) : *v},
        {"duration_ms", Value::integer(wall_ms() - t0)}};
    // A fleet's list is traced by its first items and its length: the trace is for
    // people and diagrams (the journal keeps what a live run needs to resume).
    if (v->kind == ValueKind::List && v->items().size() > kTracedItems) {
      fields[2].value = Value::list(std::vector<Value>(
          v->items().begin(), v->items().begin() + static_cast<long>(kTracedItems)));
      fields.push_back({"result_items", Value::integer(static_cast<int64_t>(v->items().size()))});
    }
    emit(TraceKind::Probe, site, std::move(fields));
  }
  return *v;
}

// The state of one code block while it runs: its operand stack and, in node code, what
// the node-level opcodes build up (an action's plan, a wait's deadline).
struct Machine::Frame {
  Context& ctx;
  std::vector<Value>& stack;
  const NodeInfo* node;  // null in bodies and defaults
  Site site;
  std::vector<PlannedCall> plan{};
  std::vector<Value> results{};     // ACT's: each planned call's result, for ACT_RESULT
  std::vector<Value> child_vars{};  // RUN's: the sub-run's variables at its end (RUN_OUTPUT)
  int64_t deadline = 0, every = 0, wait_started = 0;
  int64_t hold = 0;                  // a wait's `holds`: how long the condition must stay true
  int64_t held_since = -1;           // when it last became true (-1: it is not)
  bool sub_run_failed = false;       // a call node whose runbook failed: TAKE goes to on error
  uint32_t foreach_aborted = kNone;  // a foreach that aborted: TAKE goes to this edge

  Value pop() {
    Value v = std::move(stack.back());
    stack.pop_back();
    return v;
  }
  std::vector<Value> pop_n(size_t n) {
    std::vector<Value> out(std::make_move_iterator(stack.end() - static_cast<long>(n)),
                           std::make_move_iterator(stack.end()));
    stack.resize(stack.size() - n);
    return out;
  }
};

namespace {

std::string too_deep() {
  return "a list or record nested more than " + std::to_string(kMaxValueDepth) + " levels deep";
}

Value negate(const Value& x) {
  switch (x.kind) {
    case ValueKind::Int:
      return exact(Value::integer, 0, x.i, "-");
    case ValueKind::Float:
      return Value::floating(-x.f);
    case ValueKind::Duration:
      return exact(Value::duration, 0, x.i, "-");
    case ValueKind::Percent:
      return Value::percent(-x.f);
    default:
      return Value::error(std::string("cannot negate ") + kind_name(x.kind));
  }
}

// X[I]: a list item or a record field (null when the record lacks it).
Value index_into(const Value& x, const Value& i) {
  if (x.kind == ValueKind::List && i.kind == ValueKind::Int) {
    if (i.i < 0 || static_cast<size_t>(i.i) >= x.items().size())
      return Value::error("index " + std::to_string(i.i) + " is out of range (the list has " +
                          std::to_string(x.items().size()) + " items)");
    return x.items()[static_cast<size_t>(i.i)];
  }
  if (x.kind == ValueKind::Record && i.kind == ValueKind::String) {
    const Value* f = x.field(i.str());
    return f ? *f : Value::null();
  }
  return Value::error(std::string("cannot index ") + kind_name(x.kind) + " with " +
                      kind_name(i.kind));
}

}  // namespace

// A runbook-level failure: the node's `on error` edge, or the end of the run; in a body,
// the Error value is its result.
Machine::Exit Machine::fail(Frame& f, const std::string& reason) {
  if (!f.node) return Exit{false, 0, Value::error(reason)};
  if (f.node->error_edge != kNone) {
    emit(TraceKind::Error, f.site, {{"reason", Value::string(reason)}});
    return Exit{true, f.node->error_edge, {}};
  }
  throw Failure{reason, f.site};
}

void Machine::check_string(const Value& v, const Site& site) const {
  if (v.kind == ValueKind::String && v.str().size() > budgets_.max_string)
    throw Failure{
        "budget exceeded: a string longer than " + std::to_string(budgets_.max_string) + " bytes",
        site};
}

// The dispatch loop. Expression opcodes are handled here; the node-level ones, which
// reach the host, in the functions below it.
Machine::Exit Machine::exec(const Code& c, Context& ctx) {
  // A reused operand stack for this level of nesting (bodies and sub-runbooks nest).
  if (stacks_.size() <= exec_level_) stacks_.resize(exec_level_ + 1);
  std::vector<Value>& stack = stacks_[exec_level_];
  stack.clear();
  struct Level {
    size_t& level;
    explicit Level(size_t& l) : level(l) { ++level; }
    ~Level() { --level; }
  } level(exec_level_);
  Frame f{ctx, stack, ctx.node, ctx.site};
  // A failure value leaves the node (or the body) as fail() decides.
#define RBK_PUSH_OR_FAIL(expr)                   \
  do {                                           \
    Value v_ = (expr);                           \
    if (v_.is_error()) return fail(f, v_.str()); \
    stack.push_back(std::move(v_));              \
  } while (0)

  for (uint32_t pc = 0;;) {
    tick();
    const Instr& in = c.instrs[pc];
    f.site.line = c.lines[pc];
    uint32_t next = pc + 1;
    switch (in.op) {
      case Op::CONST:
        stack.push_back(p_.constants[in.a]);
        break;
      case Op::NULL_:
        stack.emplace_back();
        break;
      case Op::POP:
        stack.pop_back();
        break;
      case Op::DUP:
        stack.push_back(stack.back());
        break;
      case Op::LOAD_PARAM:
        stack.push_back((*ctx.params)[in.a]);
        break;
      case Op::LOAD_VAR:
        stack.push_back((*ctx.vars)[in.a]);
        break;
      case Op::STORE_VAR:
        (*ctx.vars)[in.a] = f.pop();
        break;
      case Op::LOAD_LOCAL:
        stack.push_back((*ctx.locals)[in.a]);
        break;
      case Op::STORE_LOCAL:
        (*ctx.locals)[in.a] = f.pop();
        break;
      case Op::LOAD_CONFIG:
        RBK_PUSH_OR_FAIL(host_.config(p_.constants[in.a].str()));
        break;
      case Op::FIELD: {
        Value x = f.pop();
        const std::string& name = p_.constants[in.a].str();
        if (x.kind != ValueKind::Record)
          return fail(f, "cannot read field '" + name + "' of " + kind_name(x.kind));
        const Value* field = x.field(name);
        stack.push_back(field ? *field : Value::null());  // a json object without it: null
        break;
      }
      case Op::INDEX: {
        Value i = f.pop(), x = f.pop();
        RBK_PUSH_OR_FAIL(index_into(x, i));
        break;
      }
      case Op::MAKE_LIST:
        if (in.a > budgets_.max_list)
          return fail(f, "budget exceeded: a list longer than the limit");
        stack.push_back(Value::list(f.pop_n(in.a)));
        if (stack.back().depth() > kMaxValueDepth) return fail(f, too_deep());
        break;
      case Op::MAKE_RECORD: {
        const auto& keys = p_.shapes[in.a];
        stack.push_back(Value::record(keys, f.pop_n(keys.size())));
        if (stack.back().depth() > kMaxValueDepth) return fail(f, too_deep());
        break;
      }
      case Op::CONCAT: {
        std::string s;
        for (const Value& v : f.pop_n(in.a)) s += to_display(v);
        stack.push_back(Value::string(std::move(s)));
        check_string(stack.back(), f.site);
        break;
      }
      case Op::CONVERT: {
        Value v = f.pop();
        RBK_PUSH_OR_FAIL(convert(v, p_.types[in.a], p_.constants[in.b].str()));
        break;
      }
      case Op::ADD:
      case Op::SUB:
      case Op::MUL:
      case Op::DIV:
      case Op::EQ:
      case Op::NE:
      case Op::LT:
      case Op::LE:
      case Op::GT:
      case Op::GE:
      case Op::IN: {
        Value b = f.pop(), a = f.pop();
        RBK_PUSH_OR_FAIL(binary(in.op, a, b));
        check_string(stack.back(), f.site);
        break;
      }
      case Op::NEG:
        RBK_PUSH_OR_FAIL(negate(f.pop()));
        break;
      case Op::NOT: {
        Value x = f.pop();
        if (x.kind != ValueKind::Bool) return fail(f, std::string("'not' of ") + kind_name(x.kind));
        stack.push_back(Value::boolean(!x.b));
        break;
      }
      case Op::JUMP:
        next = in.a;
        break;
      case Op::JUMP_IF_FALSE:
      case Op::JUMP_IF_TRUE: {
        Value cond = f.pop();
        if (cond.kind != ValueKind::Bool)
          return fail(f, std::string("a condition is ") + kind_name(cond.kind));
        if (cond.b == (in.op == Op::JUMP_IF_TRUE)) next = in.a;
        break;
      }
      case Op::JUMP_IF_NOT_NULL:
        if (!f.pop().is_null()) next = in.a;
        break;
      case Op::CALL:
        RBK_PUSH_OR_FAIL(call_function(in.a, f.pop_n(in.b), f.site, ctx.depth));
        break;
      case Op::RETURN:
        return Exit{false, 0, f.pop()};
      case Op::MAP:
      case Op::FILTER:
      case Op::ANY:
      case Op::ALL:
      case Op::SORT_BY:
      case Op::GROUP_BY:
      case Op::COUNT_BY: {
        Value list = f.pop();
        RBK_PUSH_OR_FAIL(list_function(in.op, in.a, f.pop_n(in.b), list, f.site, ctx.depth));
        break;
      }

      // ---- the graph
      case Op::TAKE:
        return Exit{true,
                    f.sub_run_failed             ? f.node->error_edge
                    : f.foreach_aborted != kNone ? f.foreach_aborted
                                                 : in.a,
                    {}};
      case Op::NO_BRANCH:
        throw Failure{"no condition of decide node '" + f.node->name + "' holds and it has no else",
                      f.site};
      case Op::PLAN:
        f.plan.push_back(PlannedCall{&p_.functions[in.a], f.pop_n(in.b)});
        break;
      case Op::ACT:
        if (std::optional<Exit> out = act(f, c, pc)) return *out;
        break;
      case Op::ACT_RESULT:
        if (in.a >= f.results.size()) throw Failure{"ACT_RESULT before ACT", f.site};
        stack.push_back(f.results[in.a]);
        break;
      case Op::WAIT_SETUP: {
        Value every = f.pop(), within = f.pop();
        if (every.i <= 0)
          throw Failure{"a wait polls every " + format_duration(every.i) + ": it must be positive",
                        f.site};
        f.every = every.i;
        f.wait_started = host_.now();
        f.deadline = f.wait_started + within.i;
        break;
      }
      case Op::POLL:
        if (std::optional<Exit> out = poll(f, in, next)) return *out;
        break;
      case Op::AWAIT_SIGNAL:
        if (std::optional<Exit> out = await_signal(f, in)) return *out;
        break;
      case Op::WAIT_HOLD:
        f.hold = std::max<int64_t>(0, f.pop().i);
        break;
      case Op::APPROVE:
        return approve(f, f.pop());
      case Op::ASK:
        if (std::optional<Exit> out = ask(f, in)) return *out;
        break;
      case Op::RUN:
        run_call_node(f, in);
        break;
      case Op::RUN_OUTPUT:
        stack.push_back(in.a < f.child_vars.size() ? f.child_vars[in.a] : Value::null());
        break;
      case Op::FOREACH:
        if (std::optional<Exit> out = run_foreach(f, in)) return *out;
        break;
      case Op::END:
        throw Failure{"END in code", f.site};
    }
    pc = next;
  }
#undef RBK_PUSH_OR_FAIL
}

// ACT: asks the node's gate (if it has a role) about the plan, then performs each call.
std::optional<Machine::Exit> Machine::act(Frame& f, const Code& code, uint32_t pc) {
  const NodeInfo& node = *f.node;
  // The results the node's code reads after ACT (`do let`), before its TAKE.
  for (uint32_t q = pc + 1; q < code.instrs.size() && code.instrs[q].op != Op::TAKE; ++q)
    if (code.instrs[q].op == Op::ACT_RESULT && code.instrs[q].a < f.plan.size())
      f.plan[code.instrs[q].a].result_bound = true;
  if (!node.role.empty() && !wave_approved_) {
    GateRequest req;
    req.site = f.site;
    req.gate = node.name;
    req.role = node.role;
    req.plan = f.plan;
    std::string text;
    std::vector<Value> shown;
    for (const auto& call : f.plan) {
      text += call.describe() + "\n";
      shown.push_back(Value::string(call.describe()));
    }
    req.plan_hash = hex(sha256(text));
    emit(TraceKind::GateAsked, f.site,
         {{"gate", Value::string(node.name)},
          {"role", Value::string(node.role)},
          {"plan", Value::list(shown)},
          {"plan_hash", Value::string(req.plan_hash)}});
    GateDecision d = host_.gate(req).decision;
    if (d == GateDecision::Pending) throw GatePending{req};
    emit(TraceKind::GateDecided, f.site,
         {{"gate", Value::string(node.name)},
          // an action gate that times out counts as denied
          {"decision", Value::string(gate_decision_name(
                           d == GateDecision::Approved ? d : GateDecision::Denied))}});
    if (d != GateDecision::Approved) return fail(f, "gate '" + node.name + "' was denied");
  }
  for (const auto& call : f.plan) {
    const int64_t t0 = wall_ms();
    ActOutcome out = host_.act(call, f.site);
    if (out.kind == ActOutcome::Kind::RunBody) {
      std::vector<Value> locals(std::max<size_t>(call.function->locals, call.args.size()));
      for (size_t i = 0; i < call.args.size(); ++i) locals[i] = call.args[i];
      Context body;
      body.locals = &locals;
      body.site = f.site;
      body.depth = f.ctx.depth + 1;
      ++body_level_;
      struct Leave {
        int& level;
        ~Leave() { --level; }
      } leave{body_level_};
      out.value = exec(p_.codes[call.function->code], body).value;
    }
    // Recorded, not performed, and its result read later: the declared type's placeholder
    // (a scenario may answer with a value of its own), said so in the trace.
    const bool placeholder = out.kind == ActOutcome::Kind::WouldDo && call.result_bound &&
                             out.value.kind == ValueKind::Null &&
                             p_.types[call.function->result]->kind != TypeKind::Null;
    if (placeholder) out.value = placeholder_value(p_.types[call.function->result], host_.now());
    host_.acted(call, out.value, f.site);
    result_.actions.push_back(call.function->name);
    std::vector<TraceField> fields{
        {"function", Value::string(call.function->name)},
        {"args", Value::list(call.args)},
        {"performed", Value::boolean(out.kind != ActOutcome::Kind::WouldDo)},
        {"duration_ms", Value::integer(wall_ms() - t0)}};
    if (out.value.is_error()) {
      fields.push_back({"error", Value::string(out.value.str())});
    } else if (call.result_bound) {
      fields.push_back({"result", out.value});
      if (placeholder) fields.push_back({"placeholder", Value::boolean(true)});
    }
    emit(TraceKind::Action, f.site, std::move(fields));
    if (out.value.is_error()) return fail(f, call.function->name + ": " + out.value.str());
    if (call.result_bound) {
      // A result read later must be of the declared type: a host's or a scenario's json
      // converts (or fails the node) here, not in the node that reads it.
      Value typed = convert(out.value, p_.types[call.function->result], "result");
      if (typed.is_error()) return fail(f, call.function->name + ": " + typed.str());
      out.value = std::move(typed);
    }
    f.results.push_back(std::move(out.value));
  }
  return std::nullopt;
}

// POLL: the wait's condition is on the stack. True (and, with `holds`, true for that long
// since it last became true): on to the next instruction; past the deadline: the timeout
// edge; else sleep and evaluate it again (NEXT := its start).
std::optional<Machine::Exit> Machine::poll(Frame& f, const Instr& in, uint32_t& next) {
  Value cond = f.pop();
  if (cond.kind != ValueKind::Bool)
    return fail(f, std::string("a wait condition is ") + kind_name(cond.kind));
  if (cond.b && f.hold == 0) return std::nullopt;
  int64_t now = host_.now();
  if (!cond.b) {
    f.held_since = -1;  // a `holds` starts again the next time it is true
  } else {
    if (f.held_since < 0) f.held_since = now;
    if (now - f.held_since >= f.hold) return std::nullopt;
  }
  if (now >= f.deadline) {
    emit(TraceKind::WaitTimeout, f.site, {{"after", Value::duration(now - f.wait_started)}});
    return Exit{true, in.b, {}};
  }
  // A stop asked for is honoured before the next pause of a wait too (its probes so far
  // are journaled; resumed, it replays them and waits on).
  if (f.ctx.depth == 0 && interrupt_requested()) throw Interrupted{};
  int64_t d = std::min(f.every, f.deadline - now);
  waited_ += d;
  if (waited_ > budgets_.waiting_ms)
    throw Failure{"budget exceeded: waits total more than " + format_duration(budgets_.waiting_ms),
                  f.site};
  host_.sleep(d);
  next = in.a;
  return std::nullopt;
}

// AWAIT_SIGNAL: `within` is on the stack. The signal's value is pushed when it arrives in
// time; otherwise the timeout edge. The time spent counts as waiting (the budget).
std::optional<Machine::Exit> Machine::await_signal(Frame& f, const Instr& in) {
  Value within = f.pop();
  if (within.i <= 0)
    throw Failure{"a signal wait lasts " + format_duration(within.i) + ": it must be positive",
                  f.site};
  const std::string& name = p_.constants[in.a].str();
  const int64_t started = host_.now();
  const bool top = f.ctx.depth == 0;
  std::optional<Value> v =
      host_.await_signal(name, started + within.i, [&] { return top && interrupt_requested(); });
  const int64_t now = host_.now();
  waited_ += std::max<int64_t>(0, now - started);
  if (!v && top && interrupt_requested() && now < started + within.i) throw Interrupted{};
  if (waited_ > budgets_.waiting_ms)
    throw Failure{"budget exceeded: waits total more than " + format_duration(budgets_.waiting_ms),
                  f.site};
  if (!v) {
    emit(TraceKind::WaitTimeout, f.site,
         {{"after", Value::duration(now - started)}, {"signal", Value::string(name)}});
    return Exit{true, in.b, {}};
  }
  emit(TraceKind::Signal, f.site,
       {{"signal", Value::string(name)}, {"value", *v}, {"after", Value::duration(now - started)}});
  f.stack.push_back(std::move(*v));
  return std::nullopt;
}

// APPROVE: asks a person of the node's role; takes the approved, denied or timeout edge.
Machine::Exit Machine::approve(Frame& f, const Value& timeout) {
  const NodeInfo& node = *f.node;
  if (wave_approved_) return Exit{true, node.approved_edge, {}};
  GateRequest req = approve_request(f, timeout);
  req.plan_hash = hex(sha256(node.name + "\n"));
  emit(TraceKind::GateAsked, f.site,
       {{"gate", Value::string(node.name)}, {"role", Value::string(node.role)}});
  GateDecision d = host_.gate(req).decision;
  if (d == GateDecision::Pending) throw GatePending{req};
  emit(TraceKind::GateDecided, f.site,
       {{"gate", Value::string(node.name)}, {"decision", Value::string(gate_decision_name(d))}});
  return Exit{true, approve_edge(node, d), {}};
}

// ASK: an approve node that shows text and asks questions. The plan hash binds what it
// shows and asks, choices included; approved, it pushes the value picked for each question
// (TAKE then follows `approved`), otherwise it takes the denied or timeout edge.
std::optional<Machine::Exit> Machine::ask(Frame& f, const Instr& in) {
  const NodeInfo& node = *f.node;
  const std::vector<std::string>& names = p_.shapes[in.a];
  std::vector<Value> choices = f.pop_n(names.size());
  Value text = f.pop();
  Value timeout = f.pop();
  GateRequest req = approve_request(f, timeout);
  if (text.kind == ValueKind::String) req.text = text.str();
  for (size_t i = 0; i < names.size(); ++i)
    req.questions.push_back(
        {names[i], choices[i].kind == ValueKind::List ? choices[i].items() : std::vector<Value>{}});
  if (wave_approved_) {
    if (!req.questions.empty())  // the checker's asking-child: a wave cannot answer for it
      throw Failure{"gate '" + node.name + "' asks questions a wave's approval cannot answer",
                    f.site};
    return Exit{true, node.approved_edge, {}};
  }
  std::string described = node.name + "\n";
  std::vector<Value> shown;
  for (const auto& line : req.plan_lines()) {
    described += line + "\n";
    shown.push_back(Value::string(line));
  }
  req.plan_hash = hex(sha256(described));
  emit(TraceKind::GateAsked, f.site,
       {{"gate", Value::string(node.name)},
        {"role", Value::string(node.role)},
        {"plan", Value::list(shown)},
        {"plan_hash", Value::string(req.plan_hash)}});
  GateAnswer answer = host_.gate(req);
  if (answer.decision == GateDecision::Pending) throw GatePending{req};
  std::vector<Value> picked;
  if (answer.decision == GateDecision::Approved) {
    if (std::string why = check_picks(node.name, req.question_texts(), answer.picks); !why.empty())
      throw HostFault(why);
    for (const auto& q : req.questions)
      for (const auto& c : q.choices)
        if (choice_text(c) == answer.picks.at(q.name)) {
          picked.push_back(c);
          break;
        }
  }
  std::vector<TraceField> decided{{"gate", Value::string(node.name)},
                                  {"decision", Value::string(gate_decision_name(answer.decision))}};
  if (!picked.empty()) decided.push_back({"answers", Value::record(names, picked)});
  emit(TraceKind::GateDecided, f.site, std::move(decided));
  if (answer.decision != GateDecision::Approved)
    return Exit{true, approve_edge(node, answer.decision), {}};
  for (auto& v : picked) f.stack.push_back(std::move(v));
  return std::nullopt;
}

// What an approve node's gate asks, before it shows or asks anything.
GateRequest Machine::approve_request(const Frame& f, const Value& timeout) const {
  GateRequest req;
  req.site = f.site;
  req.gate = f.node->name;
  req.role = f.node->role;
  if (timeout.kind == ValueKind::Duration) req.timeout_ms = timeout.i;
  return req;
}

// The edge an approve node takes for decision D.
uint32_t Machine::approve_edge(const NodeInfo& node, GateDecision d) {
  uint32_t e = d == GateDecision::Approved ? node.approved_edge
               : d == GateDecision::Denied ? node.denied_edge
                                           : node.timeout_edge;
  return e == kNone ? node.denied_edge : e;  // a timeout without a timeout edge: a denial
}

// RUN: runs another runbook to its end and pushes its outcome; with an `on error` edge,
// its failure is an outcome too (TAKE then follows that edge).
void Machine::run_call_node(Frame& f, const Instr& in) {
  std::vector<Value> args = f.pop_n(in.b);
  Outcome o;
  f.child_vars.clear();
  try {
    o = run_runbook(in.a, std::move(args), f.ctx.depth + 1);
    f.child_vars = std::move(last_vars_);
  } catch (const Failure& failure) {
    if (f.node->error_edge == kNone) throw;
    emit(TraceKind::Error, f.site,
         {{"reason", Value::string(p_.runbooks[in.a].name + ": " + failure.reason)}});
    o = Outcome::Failed;
  }
  f.sub_run_failed = o == Outcome::Failed && f.node->error_edge != kNone;
  f.stack.push_back(Value::string(outcome_name(o)));
}

// Whether runbook R, or one it calls, asks a gate (an approve node or a gated action).
bool Machine::has_gates(uint32_t r, std::vector<uint32_t> seen) const {
  if (std::find(seen.begin(), seen.end(), r) != seen.end()) return false;
  seen.push_back(r);
  for (const auto& node : p_.runbooks[r].nodes) {
    if (!node.role.empty()) return true;
    if (node.code == kNone) continue;
    for (const Instr& in : p_.codes[node.code].instrs)
      if (in.op == Op::RUN && has_gates(in.a, seen)) return true;
  }
  return false;
}

// Between waves: the pause, the check (`until`, polled like a wait: its timeout aborts),
// the approval (a denial or a timeout aborts); before every wave with `approve each wave`.
bool Machine::between_waves(Frame& f, const ForeachInfo& fe, size_t wave, size_t waves, size_t from,
                            size_t to) {
  const NodeInfo& node = *f.node;
  auto part = [&](uint32_t code) {
    Context ctx = f.ctx;
    ctx.node = nullptr;  // a part: its failure is its value
    return exec(p_.codes[code], ctx).value;
  };
  if (wave > 0 && fe.between_code != kNone) {
    Value v = part(fe.between_code);
    if (v.is_error()) throw Failure{v.str(), f.site};
    const Value &pause = v.items()[0], &within = v.items()[1], &every = v.items()[2];
    if (pause.kind == ValueKind::Duration && pause.i > 0) {
      waited_ += pause.i;
      host_.sleep(pause.i);
    }
    if (fe.until_code != kNone) {
      int64_t start = host_.now(),
              deadline = start + (within.kind == ValueKind::Duration ? within.i : 0);
      int64_t step = every.kind == ValueKind::Duration && every.i > 0 ? every.i : 60000;
      for (;;) {
        Value ok = part(fe.until_code);
        if (ok.is_error()) throw Failure{ok.str(), f.site};
        if (ok.kind == ValueKind::Bool && ok.b) break;
        int64_t now = host_.now();
        if (now >= deadline) {
          emit(TraceKind::WaitTimeout, f.site, {{"after", Value::duration(now - start)}});
          return false;
        }
        int64_t d = std::min(step, deadline - now);
        waited_ += d;
        if (waited_ > budgets_.waiting_ms)
          throw Failure{
              "budget exceeded: waits total more than " + format_duration(budgets_.waiting_ms),
              f.site};
        host_.sleep(d);
      }
    }
  }
  // The first wave is approved too with `approve each wave`, or when the children have
  // gates of their own (the wave's approval stands for theirs).
  std::string role = !fe.each_role.empty()                   ? fe.each_role
                     : wave > 0 || has_gates(fe.runbook, {}) ? fe.between_role
                                                             : "";
  if (role.empty()) return true;
  GateRequest req;
  req.site = f.site;
  req.gate = node.name;  // one gate, asked once per wave (a scenario answers per visit)
  req.role = role;
  std::string plan = fmt_wave(node.name, wave, waves, from, to);
  req.wave = plan;
  req.plan_hash = hex(sha256(plan));
  emit(TraceKind::GateAsked, f.site,
       {{"gate", Value::string(req.gate)},
        {"role", Value::string(role)},
        {"plan", Value::list({Value::string(plan)})},
        {"plan_hash", Value::string(req.plan_hash)}});
  GateDecision d = host_.gate(req).decision;
  if (d == GateDecision::Pending) throw GatePending{req};
  emit(TraceKind::GateDecided, f.site,
       {{"gate", Value::string(req.gate)}, {"decision", Value::string(gate_decision_name(d))}});
  return d == GateDecision::Approved;
}

// FOREACH: runs the child runbook once per item of the list on the stack, wave by wave,
// in list order (one at a time: the order, and so the abort, is the same in every mode
// and every run), checking the abort rule after each child; stores the results in the
// node's variable. TAKE then follows `then`, or `aborted` when it stopped early.
std::optional<Machine::Exit> Machine::run_foreach(Frame& f, const Instr& in) {
  const RunbookInfo& rb = *f.site.runbook;
  const ForeachInfo& fe = rb.foreachs[in.a];
  const RunbookInfo& child = p_.runbooks[fe.runbook];
  Value list = f.pop();
  if (list.kind != ValueKind::List)
    return fail(f, std::string("'over' is ") + kind_name(list.kind) + ", not a list");
  const std::vector<Value>& items = list.items();
  const size_t n = items.size();
  std::vector<size_t> ends = wave_ends(fe.waves, n);
  const auto t0 = std::chrono::steady_clock::now();
  {  // the plan, before anything runs: the items, the waves, what each child may do
    ForeachPlan plan = plan_foreach(p_, fe);
    std::vector<Value> sizes, actions;
    for (size_t w = 0; w < ends.size(); ++w)
      sizes.push_back(Value::integer(static_cast<int64_t>(ends[w] - (w ? ends[w - 1] : 0))));
    std::vector<std::string> names;
    for (const auto& [name, count] : plan.actions) {
      names.push_back(name);
      actions.push_back(Value::integer(static_cast<int64_t>(count)));
    }
    std::vector<TraceField> fields{{"items", Value::integer(static_cast<int64_t>(n))},
                                   {"digest", Value::string(items_digest(list))},
                                   {"waves", Value::list(std::move(sizes))},
                                   {"actions", Value::record(names, std::move(actions))}};
    if (plan.worst_case)
      fields.push_back(
          {"worst_case", Value::integer(static_cast<int64_t>(std::min(*plan.worst_case, n)))});
    emit(TraceKind::ForeachPlan, f.site, std::move(fields));
  }
  if (!result_.fleet) result_.fleet.emplace();
  FleetResult& fleet = *result_.fleet;
  fleet.items += n;
  if (fleet.columns.empty()) fleet.columns = fe.by_names;

  struct Watching {  // the driver knows a fleet runs: Ctrl-C waits for its children
    RunInterrupt* on;
    explicit Watching(RunInterrupt* i) : on(i) {
      if (on) on->fleets++;
    }
    ~Watching() {
      if (on) on->fleets--;
    }
  } watching(interrupt_);
  FleetTally tally(child);
  size_t event_from = 0;  // the index of the first child of the `children` event gathering
  auto flush = [&] {
    if (tally.pending()) emit(TraceKind::Children, f.site, tally.take_event(event_from));
  };
  std::array<std::vector<Value>, 5> items_by_outcome;
  // The edges every child took, for coverage: each (runbook, edge) once, not once a child.
  std::vector<std::vector<bool>> edge_seen(p_.runbooks.size());
  auto cover = [&](const std::vector<std::pair<uint32_t, uint32_t>>& taken) {
    for (auto [r, e] : taken) {
      std::vector<bool>& seen = edge_seen[r];
      if (seen.empty()) seen.resize(p_.runbooks[r].edges.size());
      if (!seen[e]) {
        seen[e] = true;
        edges_taken_.emplace_back(r, e);
      }
    }
  };
  size_t started = 0, finished = 0, counted = 0;
  bool aborted = false;
  // A finished child, counted twice: for the abort rule in the order children finish
  // (count), and for the trace and the results in list order (record).
  auto count = [&](Outcome o) {
    ++finished;
    fleet.waves.back().finished++;
    if (o == Outcome::Failed) fleet.waves.back().failed++;
    if (fe.abort_outcomes & (1u << static_cast<unsigned>(o))) ++counted;
    if (fe.abort && finished >= fe.abort_after && !aborted)
      aborted = fe.abort_share ? static_cast<uint64_t>(counted) * 100000 >
                                     static_cast<uint64_t>(fe.abort_value) * finished
                               : counted > fe.abort_value;
  };
  // A person watching sees where it stands, every tenth of a second at most.
  const auto children_started = std::chrono::steady_clock::now();
  auto last_shown = children_started - std::chrono::seconds(1);
  auto progress = [&](size_t in_flight) {
    auto now = std::chrono::steady_clock::now();
    if (now - last_shown < std::chrono::milliseconds(100)) return;
    last_shown = now;
    FleetProgress p;
    p.node = rb.nodes[fe.node].name;
    p.wave = fleet.waves.size();
    p.waves = ends.size();
    p.items = n;
    p.done = finished;
    p.failed = tally.by_outcome(Outcome::Failed);
    p.in_flight = in_flight;
    p.elapsed_ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(now - children_started).count();
    host_.progress(p);
  };
  auto record = [&](size_t i, const ChildRun& r, const Value& key) {
    items_by_outcome[static_cast<size_t>(r.outcome)].push_back(items[i]);
    // What a person calls the item: itself when it is a string, else its "id" field.
    const Value* id = items[i].kind == ValueKind::String   ? &items[i]
                      : items[i].kind == ValueKind::Record ? items[i].field("id")
                                                           : nullptr;
    tally.add(r.path, r.end, r.outcome, key.is_error() ? Value::null() : key,
              id && id->kind == ValueKind::String ? *id : Value::null(), r.reason);
    if (tally.pending() >= kChildrenPerEvent) {
      flush();
      event_from = i + 1;
    }
  };
  // The item's arguments and cohort key, computed by this machine (the run's variables).
  auto prepare = [&](size_t i, Value& args, Value& key) {
    (*f.ctx.vars)[fe.item_var] = items[i];
    Context part = f.ctx;
    part.node = nullptr;
    args = exec(p_.codes[fe.args_code], part).value;
    key = fe.by_code != kNone ? exec(p_.codes[fe.by_code], part).value : Value();
  };

  // Live and dry-run: the children run beside each other on a pool, each with a host of
  // its own that journals under the child's scope; a resumed run takes back what its
  // children did. Scenario: one at a time, here, in list order.
  const bool beside = host_.runs_children_beside();
  const std::string prefix =
      rb.nodes[fe.node].name + "/" + std::to_string(++foreach_visits_[&fe]) + "/";
  std::map<size_t, ChildJournal> journaled;
  if (beside)
    for (ChildJournal& c : host_.journaled_children(prefix)) journaled[c.item] = std::move(c);

  for (size_t w = 0; w < ends.size() && !aborted; ++w) {
    size_t from = w == 0 ? 0 : ends[w - 1], to = ends[w];
    if (interrupt_requested()) throw Interrupted{};
    if (!between_waves(f, fe, w, ends.size(), from, to)) {
      aborted = true;
      break;
    }
    flush();  // the children of a wave start an event of their own
    event_from = from;
    fleet.waves.push_back({to - from, 0, 0});
    emit(TraceKind::WaveStarted, f.site,
         {{"wave", Value::integer(static_cast<int64_t>(w + 1))},
          {"waves", Value::integer(static_cast<int64_t>(ends.size()))},
          {"from", Value::integer(static_cast<int64_t>(from))},
          {"items", Value::integer(static_cast<int64_t>(to - from))}});
    struct Covered {  // the children of an approved wave pass their own gates
      bool& flag;
      bool saved;
      Covered(bool& f, bool on) : flag(f), saved(f) { flag = flag || on; }
      ~Covered() { flag = saved; }
    } covered(wave_approved_, !fe.each_role.empty() || !fe.between_role.empty());
    if (beside) {
      run_wave_beside(f, fe, from, to, prefix, journaled, started, aborted,
                      FleetHooks{prepare, count, record, cover, progress});
      continue;
    }
    for (size_t i = from; i < to && !aborted; ++i) {
      if (interrupt_requested()) throw Interrupted{};
      if (fe.start_interval_ms && started > 0) host_.sleep(fe.start_interval_ms);
      Value args, key;
      prepare(i, args, key);
      ++started;
      ChildRun r;
      size_t edges_before = edges_taken_.size();
      last_end_ = kNone;
      if (args.is_error()) {
        r.reason = args.str();
      } else {
        ++quiet_;
        host_.child_started(i, items[i]);
        try {
          r.outcome = run_runbook(fe.runbook, args.items(), f.ctx.depth + 1);
          r.end = last_end_;
        } catch (const Failure& failure) {
          r.outcome = Outcome::Failed;
          r.reason = failure.reason;
        } catch (...) {
          host_.child_ended();
          --quiet_;
          throw;
        }
        host_.child_ended();
        --quiet_;
      }
      for (size_t k = edges_before; k < edges_taken_.size(); ++k)
        if (edges_taken_[k].first == fe.runbook) r.path.push_back(edges_taken_[k].second);
      std::vector<std::pair<uint32_t, uint32_t>> taken(
          edges_taken_.begin() + static_cast<long>(edges_before), edges_taken_.end());
      edges_taken_.resize(edges_before);
      cover(taken);
      count(r.outcome);
      record(i, r, key);
      progress(0);
    }
  }
  flush();
  decltype(fleet.cohorts) cohorts;  // this node's, by their text; merged into the run's at the end
  for (const FleetTally::Cohort& c : tally.cohorts()) {
    std::string text;  // the cohort's key: its column values, one per line
    for (const auto& v : c.key.items()) text += to_display(v) + "\n";
    auto& cohort = cohorts[text];
    cohort.first = c.key.items();
    for (size_t k = 0; k < c.ends.size(); ++k)
      if (c.ends[k]) cohort.second[child.nodes[k].name] += c.ends[k];
    if (c.failed) cohort.second["(failed)"] += c.failed;
  }
  std::vector<Value> not_started(items.begin() + static_cast<long>(started), items.end());
  // The results, in the order of the checker's record type (runbook_check.cpp).
  const std::array<Outcome, 4> outcomes = {Outcome::Resolved, Outcome::Mitigated,
                                           Outcome::Escalated, Outcome::Failed};
  std::vector<std::string> outcome_keys, item_keys, end_keys;
  std::vector<Value> outcome_counts, item_lists, end_counts;
  for (Outcome o : outcomes) {
    outcome_keys.push_back(outcome_name(o));
    outcome_counts.push_back(Value::integer(static_cast<int64_t>(tally.by_outcome(o))));
    if (tally.by_outcome(o)) result_.child_outcomes[outcome_name(o)] += tally.by_outcome(o);
    item_keys.push_back(outcome_name(o));
    item_lists.push_back(Value::list(std::move(items_by_outcome[static_cast<size_t>(o)])));
  }
  item_keys.push_back("not_started");
  item_lists.push_back(Value::list(std::move(not_started)));
  for (size_t k = 0; k < child.nodes.size(); ++k)
    if (child.nodes[k].kind == NodeKind::End) {
      end_keys.push_back(child.nodes[k].name);
      end_counts.push_back(Value::integer(static_cast<int64_t>(tally.by_end(k))));
      if (tally.by_end(k)) result_.child_ends[child.nodes[k].name] += tally.by_end(k);
    }
  std::vector<Value> ends_shown;
  for (size_t k = 0; k < end_keys.size(); ++k)
    ends_shown.push_back(
        Value::record({"end", "children"}, {Value::string(end_keys[k]), end_counts[k]}));
  (*f.ctx.vars)[fe.result_var] = Value::record(
      {"count", "started", "aborted", "outcomes", "ends", "items"},
      {Value::integer(static_cast<int64_t>(n)), Value::integer(static_cast<int64_t>(started)),
       Value::boolean(aborted), Value::record(outcome_keys, std::move(outcome_counts)),
       Value::record(end_keys, std::move(end_counts)),
       Value::record(item_keys, std::move(item_lists))});
  std::vector<TraceField> summary{{"child", Value::string(child.name)},
                                  {"child_digest", Value::string(runbook_digest(child))},
                                  {"count", Value::integer(static_cast<int64_t>(n))},
                                  {"started", Value::integer(static_cast<int64_t>(started))},
                                  {"aborted", Value::boolean(aborted)},
                                  {"ends", Value::list(std::move(ends_shown))}};
  if (!fe.by_names.empty()) {  // the cohort table: children by cohort and end node
    std::vector<Value> columns, rows;
    for (const auto& c : fe.by_names) columns.push_back(Value::string(c));
    for (const auto& [text, cohort] : cohorts) {
      std::vector<Value> counts;
      for (const auto& [end, count] : cohort.second)
        counts.push_back(
            Value::record({"end", "children"},
                          {Value::string(end), Value::integer(static_cast<int64_t>(count))}));
      rows.push_back(Value::record({"key", "ends"},
                                   {Value::list(cohort.first), Value::list(std::move(counts))}));
    }
    summary.push_back({"by", Value::list(std::move(columns))});
    summary.push_back({"cohorts", Value::list(std::move(rows))});
  }
  emit(TraceKind::ForeachEnded, f.site, std::move(summary));
  for (auto& [text, cohort] : cohorts) {
    auto& into = fleet.cohorts[text];
    if (into.first.empty()) into.first = cohort.first;
    for (const auto& [end, count] : cohort.second) into.second[end] += count;
  }
  fleet.started += started;
  fleet.aborted = fleet.aborted || aborted;
  fleet.eval_ns +=
      std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - t0)
          .count();
  if (aborted) f.foreach_aborted = fe.aborted_edge;
  return std::nullopt;
}

// A wave whose children run beside each other (live, dry-run): up to `concurrency` in
// flight on a pool of as many threads, new starts at least start_interval_ms apart, the
// abort rule checked as each finishes (no start once it fired; those in flight finish).
// What an earlier process's children finished is taken back from their journals, in the
// order they finished, so the abort fires where it fired then; those it left in flight run
// again (their journals replay what they did, and no completed action repeats).
void Machine::run_wave_beside(Frame& f, const ForeachInfo& fe, size_t from, size_t to,
                              const std::string& prefix,
                              const std::map<size_t, ChildJournal>& journaled, size_t& started,
                              const bool& aborted, const FleetHooks& hooks) {
  const RunbookInfo& child = p_.runbooks[fe.runbook];
  // Finished children wait here for their turn in list order.
  std::map<size_t, std::pair<ChildRun, Value>> ready;  // item -> (how it went, its cohort key)
  size_t next_record = from;
  auto drain = [&] {
    for (auto it = ready.begin(); it != ready.end() && it->first == next_record;
         it = ready.erase(it), ++next_record)
      hooks.record(it->first, it->second.first, it->second.second);
  };
  std::vector<const ChildJournal*> done;
  std::vector<size_t> resume;  // started by an earlier process, never finished
  for (auto it = journaled.lower_bound(from); it != journaled.end() && it->first < to; ++it) {
    if (it->second.done)
      done.push_back(&it->second);
    else
      resume.push_back(it->first);
  }
  std::sort(done.begin(), done.end(),
            [](const ChildJournal* a, const ChildJournal* b) { return a->done_seq < b->done_seq; });
  for (const ChildJournal* c : done) {
    ChildRun r = child_run_from(c->result, child);
    Value args, key;
    hooks.prepare(c->item, args, key);
    ++started;
    hooks.count(r.outcome);
    ready[c->item] = {std::move(r), key};
  }
  drain();

  // What the pool's threads hand back. (Declared before the pool: the pool is destroyed,
  // and its threads joined, first.)
  struct Done {
    size_t item = 0;
    ChildRun run;
    std::exception_ptr fault;
  };
  std::mutex mutex;
  std::condition_variable finished;
  std::deque<Done> returned;
  std::exception_ptr fault;
  size_t in_flight = 0;
  std::map<size_t, Value> keys;  // the cohort key of each child in flight
  const size_t limit = std::max<size_t>(1, fe.concurrency);
  // Shared with a team's other processes (the queue), the children are handed out there
  // and their reports collected; their hosts here journal only that each started and how
  // it ended. Otherwise they run on a pool of this process's threads.
  std::shared_ptr<ChildQueue> queue = host_.child_queue();
  struct Handed {
    size_t item;
    std::shared_ptr<Host> host;
  };
  std::map<std::string, Handed> handed;  // scope -> the child handed to the queue
  std::vector<ChildTask> to_publish;
  bool withdrawn = false, left_some = false;  // (left: taken back, for a resume to hand out)
  WorkerPool pool(queue ? 0 : std::min({limit, kMaxChildThreads, std::max<size_t>(1, to - from)}));
  size_t next = from, resumed = 0;
  bool more = true;
  std::optional<std::chrono::steady_clock::time_point> last_start;
  std::chrono::steady_clock::time_point due_at{};  // when the next start is due (if DUE)
  bool due = false;
  const auto interval = std::chrono::milliseconds(fe.start_interval_ms);
  for (;;) {
    due = false;
    while (!aborted && !fault && more && in_flight < limit && !interrupt_requested()) {
      if (fe.start_interval_ms && last_start) {
        auto at = *last_start + interval;
        if (std::chrono::steady_clock::now() < at) {
          due = true;
          due_at = at;
          break;
        }
      }
      size_t item;
      if (resumed < resume.size()) {
        item = resume[resumed++];
      } else {
        while (next < to && journaled.count(next)) ++next;
        if (next == to) {
          more = false;
          break;
        }
        item = next++;
      }
      Value args, key;
      hooks.prepare(item, args, key);
      ++started;
      last_start = std::chrono::steady_clock::now();
      if (args.is_error()) {  // no child to run: it failed as it started
        ChildRun r;
        r.reason = args.str();
        hooks.count(r.outcome);
        ready[item] = {std::move(r), key};
        drain();
        continue;
      }
      std::shared_ptr<Host> host = host_.child_host(prefix + std::to_string(item));
      if (!host) throw Failure{"no host for the child " + prefix + std::to_string(item), f.site};
      ++in_flight;
      keys[item] = key;
      if (queue) {
        host->child_began();
        to_publish.push_back(ChildTask{prefix + std::to_string(item), fe.runbook, args.items(),
                                       f.ctx.depth + 1, wave_approved_});
        handed[to_publish.back().scope] = Handed{item, host};
        continue;
      }
      pool.submit([this, &mutex, &finished, &returned, item, host, args = args.items(),
                   runbook = fe.runbook, depth = f.ctx.depth + 1, approved = wave_approved_] {
        Done d;
        d.item = item;
        try {
          host->child_began();
          Machine m(p_, *host, budgets_);
          d.run = m.run_child(runbook, args, depth, approved);
          host->child_finished(child_run_value(d.run, p_.runbooks[runbook]));
        } catch (...) {
          d.fault = std::current_exception();
        }
        {
          std::lock_guard lock(mutex);
          returned.push_back(std::move(d));
        }
        finished.notify_one();
      });
    }
    if (queue && !to_publish.empty()) {
      queue->publish(to_publish);
      to_publish.clear();
    }
    if (queue && interrupt_requested() && !withdrawn) {  // those nobody took wait for a resume
      withdrawn = true;
      std::vector<std::string> scopes;
      for (const auto& h : handed) scopes.push_back(h.first);
      for (const std::string& scope : queue->withdraw(scopes)) {
        keys.erase(handed[scope].item);
        handed.erase(scope);
        --in_flight;
        left_some = true;
      }
    }
    if (in_flight == 0 && !due && (aborted || fault || !more || interrupt_requested())) break;
    std::deque<Done> got;
    if (queue) {
      std::vector<std::string> scopes;
      for (const auto& h : handed) scopes.push_back(h.first);
      // (a bounded wait: a person's Ctrl-C is looked at between)
      auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(250);
      for (ChildReport& report : queue->finished(scopes, due ? std::min(due_at, until) : until)) {
        auto it = handed.find(report.scope);
        if (it == handed.end()) continue;
        Done d;
        d.item = it->second.item;
        try {
          if (!report.fault.empty()) throw HostFault(report.fault);
          d.run = child_run_from(report.result, child);
          d.run.edges = std::move(report.edges);
          d.run.actions = std::move(report.actions);
          it->second.host->child_finished(report.result);
        } catch (...) {
          d.fault = std::current_exception();
        }
        handed.erase(it);
        got.push_back(std::move(d));
      }
    } else {
      std::unique_lock lock(mutex);
      auto any = [&] { return !returned.empty(); };
      if (due)
        finished.wait_until(lock, due_at, any);
      else
        finished.wait(lock, any);
      got.swap(returned);
    }
    for (Done& d : got) {
      --in_flight;
      if (d.fault) {  // it stops the run, once those in flight are back
        if (!fault) fault = d.fault;
        continue;
      }
      hooks.cover(d.run.edges);
      result_.actions.insert(result_.actions.end(), d.run.actions.begin(), d.run.actions.end());
      hooks.count(d.run.outcome);
      ready[d.item] = {std::move(d.run), keys[d.item]};
      keys.erase(d.item);
    }
    drain();
    hooks.progress(in_flight);
  }
  if (fault) std::rethrow_exception(fault);
  while (next < to && journaled.count(next)) ++next;
  if (interrupt_requested() && !aborted && (next < to || resumed < resume.size() || left_some))
    throw Interrupted{};
}

ChildRun Machine::run_child(uint32_t runbook, const std::vector<Value>& args, int depth,
                            bool wave_approved) {
  started_wall_ = wall_ms();
  ++quiet_;
  wave_approved_ = wave_approved;
  ChildRun r;
  last_end_ = kNone;
  try {
    r.outcome = run_runbook(runbook, args, depth);
    r.end = last_end_;
  } catch (const Failure& failure) {
    r.outcome = Outcome::Failed;
    r.reason = failure.reason;
  } catch (const GatePending& pending) {
    // (only an action its last process left uncertain asks here: the child's own gates are
    // covered by its wave's approval)
    r.outcome = Outcome::Failed;
    r.reason = "'" + pending.request.gate +
               "': an action was interrupted and may have happened; it is not repeated "
               "(check it, then run this item again)";
  }
  for (auto [rb, e] : edges_taken_)
    if (rb == runbook) r.path.push_back(e);
  r.edges = std::move(edges_taken_);
  r.actions = std::move(result_.actions);
  return r;
}

Value child_run_value(const ChildRun& r, const RunbookInfo& runbook) {
  std::vector<Value> path;
  for (uint32_t e : r.path) path.push_back(Value::integer(e));
  return Value::record({"outcome", "end", "path", "reason"},
                       {Value::string(outcome_name(r.outcome)),
                        r.end != kNone ? Value::string(runbook.nodes[r.end].name) : Value::null(),
                        Value::list(std::move(path)), Value::string(r.reason)});
}

ChildRun child_run_from(const Value& v, const RunbookInfo& runbook) {
  auto damaged = [&](const std::string& why) -> HostFault {
    return HostFault("a journaled child of runbook " + runbook.name + " is damaged: " + why);
  };
  const Value* outcome = v.field("outcome");
  const Value* end = v.field("end");
  const Value* path = v.field("path");
  const Value* reason = v.field("reason");
  if (!outcome || outcome->kind != ValueKind::String || !end || !path ||
      path->kind != ValueKind::List || !reason || reason->kind != ValueKind::String)
    throw damaged("expected {outcome, end, path, reason}");
  ChildRun r;
  std::optional<Outcome> o = written_outcome(outcome->str());
  if (!o) throw damaged("unknown outcome '" + outcome->str() + "'");
  r.outcome = *o;
  if (end->kind == ValueKind::String) {
    for (size_t k = 0; k < runbook.nodes.size(); ++k)
      if (runbook.nodes[k].name == end->str() && runbook.nodes[k].kind == NodeKind::End)
        r.end = static_cast<uint32_t>(k);
    if (r.end == kNone) throw damaged("no end node '" + end->str() + "'");
  }
  for (const Value& e : path->items()) {
    if (e.kind != ValueKind::Int || e.i < 0 || static_cast<size_t>(e.i) >= runbook.edges.size())
      throw damaged("an edge of its path is not one of the runbook's");
    r.path.push_back(static_cast<uint32_t>(e.i));
  }
  r.reason = reason->str();
  return r;
}

}  // namespace rbk
