// The bytecode graph and the VM: the opcode table, the verifier on every compiled runbook,
// tampered .rbc files, golden disassembly, and runs against scenarios (errors, waits in
// virtual time, gates, sub-runbooks, budgets).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <random>
#include <set>

#include "compiler/codegen.hpp"
#include "run/gates.hpp"
#include "run/scenario.hpp"
#include "test_support.hpp"
#include "vm/disasm.hpp"
#include "vm/machine.hpp"
#include "vm/rbc.hpp"
#include "vm/verifier.hpp"

namespace rbk::test {
namespace {

Program compile(const std::string& path, const std::string& runbook = "") {
  CheckRun run = check_files({path});
  EXPECT_EQ(run.diags.error_count(), 0u)
      << path << ": " << (run.diags.items().empty() ? "" : run.diags.items()[0].message);
  std::string error;
  int entry = select_runbook(run.program, path, runbook, error);
  EXPECT_GE(entry, 0) << error;
  return generate(run.program, entry);
}

// ------------------------------------------------------------ the opcode table

TEST(Opcodes, TableIsComplete) {
  std::set<std::string_view> names;
  for (size_t i = 0; i < kOpCount; ++i) {
    const OpInfo& info = op_info(static_cast<Op>(i));
    EXPECT_FALSE(info.name.empty()) << i;
    EXPECT_FALSE(info.stack.empty()) << info.name << " has no stack picture";
    EXPECT_TRUE(names.insert(info.name).second) << info.name << " twice";
    EXPECT_GE(info.pushes, 0);
    if (info.pops < 0) {  // counted by an operand
      bool counted =
          info.a == Operand::count || info.b == Operand::count || info.a == Operand::shape;
      EXPECT_TRUE(counted) << info.name << " pops a variable count but has no count operand";
    }
  }
  // The enum and the table come from the same file; the last opcode closes the table
  // (opcodes are appended, so a file's numbers never change).
  EXPECT_EQ(static_cast<size_t>(Op::ASK) + 1, kOpCount);
}

// ------------------------------------------------------------ verifier and .rbc

std::vector<std::string> compilable_sources() {
  std::vector<std::string> out;
  for (const auto& f : rbk_files(source_dir() / "runbooks"))
    out.push_back((source_dir() / "runbooks" / f).string());
  out.push_back((tests_dir() / "vm" / "gates.rbk").string());
  for (const auto& f : rbk_files(tests_dir() / "vm" / "disasm"))
    out.push_back((tests_dir() / "vm" / "disasm" / f).string());
  for (const auto& path : out) EXPECT_TRUE(std::filesystem::exists(path)) << path;
  return out;
}

TEST(Verifier, AcceptsEveryCompiledRunbook) {
  for (const auto& path : compilable_sources()) {
    CheckRun run = check_files({path});
    ASSERT_EQ(run.diags.error_count(), 0u) << path;
    for (size_t r = 0; r < run.program.runbooks.size(); ++r) {
      if (run.program.runbooks[r].src->path() != path) continue;
      Program p = generate(run.program, static_cast<int>(r));
      EXPECT_EQ(verify(p), "") << path << " runbook " << run.program.runbooks[r].name;
      // The .rbc round trip gives the same program, hash included.
      Program back = decode_rbc(encode_rbc(p));
      EXPECT_EQ(back.hash, p.hash);
      EXPECT_EQ(encode_payload(back), encode_payload(p));
    }
  }
}

// A function without a body is a native of lang/natives.def, with that native's effect:
// a forged program cannot call an action a probe (and so run it in a decide node).
TEST(Verifier, NativesKeepTheirEffect) {
  Program p = compile((source_dir() / "runbooks" / "device_offline.rbk").string());
  ASSERT_EQ(verify(p), "");
  auto native = std::find_if(p.functions.begin(), p.functions.end(), [](const FunctionInfo& f) {
    return f.code == kNone && f.native && native_row(*f.native).runs == NativeRuns::world;
  });
  ASSERT_NE(native, p.functions.end());
  FunctionInfo& fn = *native;
  Effect real = fn.effect;
  fn.effect = real == Effect::Action ? Effect::Probe : Effect::Action;
  EXPECT_NE(verify(p).find("function '" + fn.name + "': declared "), std::string::npos)
      << verify(p);
  fn.effect = real;
  fn.native.reset();
  EXPECT_NE(verify(p).find("no body, and no native of that name"), std::string::npos) << verify(p);
}

TEST(Rbc, EveryFlippedByteIsRefused) {
  std::string bytes = encode_rbc(compile((tests_dir() / "vm" / "gates.rbk").string()));
  ASSERT_NO_THROW(decode_rbc(bytes));
  for (size_t i = 0; i < bytes.size(); ++i) {
    std::string bad = bytes;
    bad[i] = static_cast<char>(bad[i] ^ (1 << (i % 8)));
    EXPECT_THROW(decode_rbc(bad), RbcError) << "byte " << i;
  }
}

TEST(Rbc, TruncatedOrExtendedIsRefused) {
  std::string bytes = encode_rbc(compile((tests_dir() / "vm" / "gates.rbk").string()));
  for (size_t n = 0; n < bytes.size(); ++n)
    EXPECT_THROW(decode_rbc(bytes.substr(0, n)), RbcError) << n;
  EXPECT_THROW(decode_rbc(bytes + '\0'), RbcError);
  EXPECT_THROW(decode_rbc(bytes + std::string(100, 'x')), RbcError);
}

// A tamperer who also recomputes the hash meets the verifier: every structural change is
// refused or yields a program that still verifies (a changed label), and those run
// without crashing under budgets.
TEST(Rbc, ResealedMutationsAreVerifiedOrRefused) {
  Program p = compile((tests_dir() / "vm" / "gates.rbk").string());
  std::string payload = encode_payload(p);
  std::mt19937 rng(42);
  int refused = 0, accepted = 0;
  Scenario sc;
  sc.probes = nlohmann::json::parse(
      R"({"dev.errors": {"returns": 5}, "dev.online": {"returns": true}, "dev.status": {"returns": "ok"}})");
  for (int round = 0; round < 3000; ++round) {
    std::string m = payload;
    int edits = 1 + static_cast<int>(rng() % 3);
    for (int k = 0; k < edits; ++k) m[rng() % m.size()] = static_cast<char>(rng() & 0xFF);
    std::string file = "RBKC";
    for (uint32_t v : {Program::kFormatVersion, static_cast<uint32_t>(m.size())})
      for (int b = 0; b < 4; ++b) file += static_cast<char>((v >> (8 * b)) & 0xFF);
    file += m;
    auto digest = sha256(m);
    file.append(reinterpret_cast<const char*>(digest.data()), digest.size());
    try {
      Program q = decode_rbc(file);
      ++accepted;
      struct Quiet : TraceSink {
        void event(const TraceEvent&, int64_t) override {}
      } quiet;
      ScenarioHost world(q, sc, quiet);
      GateDecisions host(world, {GateFlags{true, {}}});
      Budgets b;
      b.instructions = 10000;
      Machine vm(q, host, b);
      std::vector<std::optional<Value>> params(q.entry_runbook().params.size(), Value::string("d"));
      vm.run(params);  // any outcome; it must not crash or hang
    } catch (const RbcError&) {
      ++refused;
    }
  }
  EXPECT_GT(refused, 0);
  RecordProperty("accepted", accepted);
}

// ------------------------------------------------------------ golden disassembly

// Each tests/vm/disasm/FEATURE.rbk (one language feature each) disassembles to exactly
// FEATURE.disasm; together they show every opcode the compiler emits.
TEST(Disasm, GoldenPerFeature) {
  auto dir = tests_dir() / "vm" / "disasm";
  auto files = rbk_files(dir);
  ASSERT_FALSE(files.empty());
  auto cwd = std::filesystem::current_path();
  std::filesystem::current_path(source_dir());
  std::string all;
  for (const auto& f : files) {
    std::string rel = (std::filesystem::path("tests/vm/disasm") / f).string();
    std::string out = disassemble(compile(rel));
    auto golden = dir / (std::filesystem::path(f).stem().string() + ".disasm");
    if (std::getenv("RBK_UPDATE_GOLDEN")) write_text(golden, out);
    EXPECT_EQ(out, read_text(golden)) << f;
    all += out;
  }
  std::filesystem::current_path(cwd);
  for (size_t i = 0; i < kOpCount; ++i) {
    const OpInfo& op = op_info(static_cast<Op>(i));
    // END belongs to no code.
    if (op.where == Placement::nowhere) continue;
    std::string word = " " + std::string(op.name);
    EXPECT_TRUE(all.find(word + " ") != std::string::npos ||
                all.find(word + "\n") != std::string::npos)
        << op.name << " appears in no golden disassembly: add a feature file that uses it";
  }
}

// ------------------------------------------------------------ runs

struct Collect : TraceSink {
  std::vector<std::string> types;
  void event(const TraceEvent& e, int64_t) override { types.push_back(trace_kind_name(e.kind)); }
};

RunResult run_gates(const std::string& probes, const std::string& approvals = "{}",
                    Budgets budgets = {}, int64_t* clock = nullptr, GateFlags flags = {}) {
  static Program program = compile((tests_dir() / "vm" / "gates.rbk").string(), "gates");
  Scenario sc;
  sc.probes = nlohmann::json::parse(probes);
  sc.approvals = nlohmann::json::parse(approvals);
  sc.start_ms = 0;
  Collect trace;
  ScenarioHost world(program, sc, trace);
  GateDecisions host(world, {flags});
  Machine vm(program, host, budgets);
  RunResult r = vm.run({Value::string("sensor-1"), std::nullopt});
  if (clock) *clock = world.now();
  return r;
}

TEST(Run, DecideAndGatedActionsThenWait) {
  int64_t clock = 0;
  RunResult r = run_gates(
      R"({"dev.errors": {"returns": 7}, "dev.online": {"sequence": [false, false, true]}})",
      R"({"restart": "approved"})", {}, &clock);
  ASSERT_EQ(r.status, RunStatus::Ended) << r.error;
  EXPECT_EQ(r.outcome, Outcome::Resolved);
  EXPECT_EQ(r.path, (std::vector<std::string>{"check", "restart", "settle", "done"}));
  EXPECT_EQ(r.actions, (std::vector<std::string>{"dev.restart", "dev.notify"}));
  EXPECT_EQ(clock, 2 * 60'000);  // two polls a minute apart: virtual time
}

TEST(Run, WaitTimesOutInVirtualTime) {
  int64_t clock = 0;
  RunResult r = run_gates(R"({"dev.errors": {"returns": 7}, "dev.online": {"returns": false}})",
                          R"({"restart": "approved", "gate": "denied"})", {}, &clock);
  ASSERT_EQ(r.status, RunStatus::Ended) << r.error;
  EXPECT_EQ(r.path, (std::vector<std::string>{"check", "restart", "settle", "gate", "done"}));
  EXPECT_EQ(clock, 10 * 60'000);
}

TEST(Run, DeniedActionGateFollowsErrorEdge) {
  RunResult r = run_gates(R"({"dev.errors": {"returns": 7}})", R"({"restart": "denied"})");
  ASSERT_EQ(r.status, RunStatus::Ended);
  EXPECT_EQ(r.path.back(), "failed_end");
  EXPECT_TRUE(r.actions.empty());
}

TEST(Run, ApproveNodeEdges) {
  auto path = [](const char* decision) {
    return run_gates(R"({"dev.errors": {"returns": 0}, "dev.status": {"returns": "ok"}})",
                     std::string(R"({"gate": ")") + decision + "\"}")
        .path;
  };
  EXPECT_EQ(path("approved"), (std::vector<std::string>{"check", "gate", "sub", "done"}));
  EXPECT_EQ(path("denied"), (std::vector<std::string>{"check", "gate", "done"}));
  EXPECT_EQ(path("timeout"), (std::vector<std::string>{"check", "gate", "failed_end"}));
}

TEST(Run, FailedSubRunbookTakesErrorEdge) {
  RunResult r = run_gates(R"({"dev.errors": {"returns": 0}, "dev.status": {"returns": "bad"}})",
                          R"({"gate": "approved"})");
  ASSERT_EQ(r.status, RunStatus::Ended);
  EXPECT_EQ(r.path, (std::vector<std::string>{"check", "gate", "sub", "failed_end"}));
}

TEST(Run, ProbeFailureWithoutErrorEdgeFailsTheRun) {
  RunResult r = run_gates(R"({"dev.errors": {"error": "connection refused"}})");
  ASSERT_EQ(r.status, RunStatus::Failed);
  EXPECT_NE(r.error.find("dev.errors: connection refused"), std::string::npos) << r.error;
  EXPECT_EQ(r.error_where, "gates:check:11");
}

TEST(Run, FailedActionTakesErrorEdge) {
  static Program program = compile((tests_dir() / "vm" / "gates.rbk").string(), "gates");
  Scenario sc;
  sc.probes = nlohmann::json::parse(R"({"dev.errors": {"returns": 9}})");
  sc.approvals = nlohmann::json::parse(R"({"restart": "approved"})");
  sc.actions = nlohmann::json::parse(R"({"dev.restart": {"error": "gateway busy"}})");
  Collect trace;
  ScenarioHost host(program, sc, trace);
  RunResult r = Machine(program, host).run({Value::string("sensor-1"), std::nullopt});
  ASSERT_EQ(r.status, RunStatus::Ended) << r.error;
  EXPECT_EQ(r.path, (std::vector<std::string>{"check", "restart", "failed_end"}));
  // The failed action stops the plan: the notification after it is not attempted.
  EXPECT_EQ(r.actions, (std::vector<std::string>{"dev.restart"}));
}

TEST(Run, IntegerArithmeticThatOverflowsFailsRatherThanWraps) {
  // (found by fuzz_source: 86 + 9223372036854775807 was signed overflow, undefined in C++)
  TempDir tmp;
  const std::string path = (tmp.path / "overflow.rbk").string();
  std::ofstream(path) << "runbook r {\n  start -> d\n  decide d \"D\" {\n"
                         "    let x = 9223372036854775807\n    when x + 1 > 0 -> big\n"
                         "    else -> small\n  }\n  end big \"Big\" as resolved\n  end small "
                         "\"Small\" as resolved\n}\n";
  Program program = compile(path);
  Scenario sc;
  Collect trace;
  ScenarioHost host(program, sc, trace);
  RunResult r = Machine(program, host).run({});
  ASSERT_EQ(r.status, RunStatus::Failed);
  EXPECT_NE(r.error.find("integer overflow in '+'"), std::string::npos) << r.error;
}

TEST(Run, UnansweredProbeNamesProbeAndArguments) {
  RunResult r = run_gates(R"({})");
  ASSERT_EQ(r.status, RunStatus::Failed);
  EXPECT_EQ(r.error, "the scenario does not answer dev.errors(\"sensor-1\")");
}

TEST(Run, ScenarioValuesConvertToDeclaredTypes) {
  RunResult r = run_gates(R"({"dev.errors": {"returns": "many"}})");
  ASSERT_EQ(r.status, RunStatus::Failed);
  EXPECT_NE(r.error.find("expected int, got \"many\""), std::string::npos) << r.error;
}

TEST(Run, RecordsBuiltFromJsonConvertToTheDeclaredType) {
  // The native answers raw JSON (a number where the record says percent): the declared
  // probe's record must be converted field by field, or `share >= 50%` compares an int with
  // a percent and the run fails (found by a live dry-run of telemetry_spike).
  Program p = compile((tests_dir() / "vm" / "json_records.rbk").string());
  auto run = [&](const char* answer) {
    Scenario sc;
    sc.probes =
        nlohmann::json::parse(std::string(R"({"http.get_json": {"returns": )") + answer + "}}");
    // Runs declared probes' bodies (as live and dry-run hosts do) and answers the natives.
    struct BodiesHost : ScenarioHost {
      using ScenarioHost::ScenarioHost;
      std::optional<Value> call(const FunctionInfo& fn, const std::vector<Value>& args,
                                const Site& site) override {
        if (fn.code != kNone) return std::nullopt;
        return ScenarioHost::call(fn, args, site);
      }
    };
    Collect trace;
    BodiesHost host(p, sc, trace);
    return Machine(p, host).run({});
  };
  RunResult r = run(R"({"rate": 940, "share": 78, "label": "fw-2.4.0"})");
  ASSERT_EQ(r.status, RunStatus::Ended) << r.error;
  EXPECT_EQ(r.outcome, Outcome::Resolved);
  r = run(R"({"rate": 940, "share": "ten", "label": "fw-2.4.0"})");
  EXPECT_EQ(r.outcome, Outcome::Failed);
  EXPECT_NE(r.error.find("share: expected percent"), std::string::npos) << r.error;
}

TEST(Run, JsonEqualityLetsNullThrough) {
  // Found by cert_expiry's MQTT probe: `data != null` converted the json to the null type,
  // failing for every report, and a report without the field failed the run.
  Program p = compile((tests_dir() / "vm" / "json_equality.rbk").string());
  auto run = [&](const std::string& answer) {
    Scenario sc;
    sc.probes = nlohmann::json::parse(R"({"http.get_json": {"returns": )" + answer + "}}");
    Collect trace;
    ScenarioHost host(p, sc, trace);
    return Machine(p, host).run({});
  };
  RunResult r = run(R"({"data": {"serial": "5E2A", "status": "ok"}})");
  ASSERT_EQ(r.status, RunStatus::Ended) << r.error;
  EXPECT_EQ(r.outcome, Outcome::Resolved);
  for (const char* other : {R"({"data": null})", R"({"data": {"version": 2}})",
                            R"({"data": {"serial": "5E2A", "status": "failed"}})"}) {
    r = run(other);
    ASSERT_EQ(r.status, RunStatus::Ended) << other << ": " << r.error;
    EXPECT_EQ(r.outcome, Outcome::Mitigated) << other;
  }
  r = run(R"({"data": {"serial": 7}})");
  EXPECT_EQ(r.outcome, Outcome::Failed) << "a value of another type is still an error";
  EXPECT_NE(r.error.find("expected string"), std::string::npos) << r.error;
}

TEST(Run, MissingGateDecisionPauses) {
  RunResult r = run_gates(R"({"dev.errors": {"returns": 9}})");
  ASSERT_EQ(r.status, RunStatus::Paused);
  EXPECT_EQ(r.paused_at.gate, "restart");
  EXPECT_EQ(r.paused_at.role, "ops");
  ASSERT_EQ(r.paused_at.plan.size(), 2u);
  EXPECT_EQ(r.paused_at.plan[0].describe(), "dev.restart(\"sensor-1\")");
  EXPECT_EQ(r.paused_at.plan[1].describe(), "dev.notify(\"restarted sensor-1\")");
  EXPECT_EQ(r.paused_at.plan_hash.size(), 64u);
}

TEST(Run, InstructionBudget) {
  Budgets b;
  b.instructions = 5;
  RunResult r = run_gates(R"({"dev.errors": {"returns": 9}})", "{}", b);
  ASSERT_EQ(r.status, RunStatus::Failed);
  EXPECT_NE(r.error.find("budget exceeded: more than 5 instructions"), std::string::npos);
}

TEST(Run, WaitingBudget) {
  Budgets b;
  b.waiting_ms = 3 * 60'000;
  RunResult r = run_gates(R"({"dev.errors": {"returns": 9}, "dev.online": {"returns": false}})",
                          R"({"restart": "approved"})", b);
  ASSERT_EQ(r.status, RunStatus::Failed);
  EXPECT_NE(r.error.find("budget exceeded: waits total more than 3m"), std::string::npos)
      << r.error;
}

TEST(Run, TraceBudget) {
  Budgets b;
  b.trace_events = 3;
  RunResult r = run_gates(R"({"dev.errors": {"returns": 0}})", R"({"gate": "denied"})", b);
  ASSERT_EQ(r.status, RunStatus::Failed);
  EXPECT_NE(r.error.find("more than 3 trace events"), std::string::npos);
}

TEST(Run, ApproveAllFlag) {
  RunResult r = run_gates(R"({"dev.errors": {"returns": 9}, "dev.online": {"returns": true}})",
                          "{}", {}, nullptr, GateFlags{true, {}});
  ASSERT_EQ(r.status, RunStatus::Ended);
  EXPECT_EQ(r.path.back(), "done");
}

TEST(Values, ConversionErrorsNameThePath) {
  Value v = convert(Value::null(), Type::time(), "d.last_seen");
  ASSERT_TRUE(v.is_error());
  EXPECT_EQ(v.str(), "d.last_seen: expected time, got null");
  Value d = convert(Value::string("45m"), Type::duration(), "x");
  EXPECT_EQ(d.kind, ValueKind::Duration);
  EXPECT_EQ(d.i, 45 * 60'000);
  Value t = convert(Value::string("2026-11-22T18:30:00Z"), Type::time(), "x");
  EXPECT_EQ(format_time(t.i), "2026-11-22T18:30:00Z");
  Value rec = convert(Value::record({"online"}, {Value::string("yes")}),
                      Type::record({{"online", Type::boolean()}}), "gw");
  EXPECT_EQ(rec.str(), "gw.online: expected bool, got \"yes\"");
}

TEST(Builtins, StringListAndTimeHelpers) {
  auto call = [](const std::string& name, std::vector<Value> args) {
    const NativeRow* row = native_named(name);
    EXPECT_TRUE(row && row->runs == NativeRuns::builtin) << name;
    return call_builtin(row->id, args);
  };
  EXPECT_EQ(call("len", {Value::string("Gerät")}).i, 5);
  EXPECT_EQ(call("len", {Value::list({Value::integer(1), Value::integer(2)})}).i, 2);
  EXPECT_TRUE(call("contains", {Value::string("gw-7 down"), Value::string("down")}).b);
  EXPECT_TRUE(call("contains", {Value::list({Value::string("eu")}), Value::string("eu")}).b);
  EXPECT_EQ(call("lower", {Value::string("GW-7")}).str(), "gw-7");
  EXPECT_EQ(call("upper", {Value::string("gw")}).str(), "GW");
  EXPECT_EQ(call("trim", {Value::string("  x \n")}).str(), "x");
  EXPECT_TRUE(call("starts_with", {Value::string("sensor-1"), Value::string("sensor")}).b);
  EXPECT_TRUE(call("ends_with", {Value::string("sensor-1"), Value::string("-1")}).b);
  Value parts = call("split", {Value::string("a,b,,c"), Value::string(",")});
  ASSERT_EQ(parts.items().size(), 4u);
  EXPECT_EQ(parts.items()[2].str(), "");
  EXPECT_EQ(call("join", {parts, Value::string("|")}).str(), "a|b||c");
  Value bools = Value::list({Value::boolean(true), Value::boolean(false), Value::boolean(true)});
  EXPECT_TRUE(call("any", {bools}).b);
  EXPECT_FALSE(call("all", {bools}).b);
  EXPECT_TRUE(call("all", {Value::list({})}).b);
  EXPECT_EQ(call("count", {bools}).i, 2);
  Value t = call("time.parse", {Value::string("2026-11-22T19:30:00+01:00")});
  EXPECT_EQ(format_time(t.i), "2026-11-22T18:30:00Z");
  EXPECT_EQ(call("time.format", {t, Value::string("%H:%M")}).str(), "18:30");
  EXPECT_TRUE(call("time.parse", {Value::string("yesterday")}).is_error());
  EXPECT_TRUE(call("split", {Value::string("x"), Value::string("")}).is_error());
}

TEST(Builtins, NumberFunctions) {
  auto ints = [](std::initializer_list<int64_t> xs) {
    std::vector<Value> v;
    for (auto x : xs) v.push_back(Value::integer(x));
    return Value::list(std::move(v));
  };
  // The declared result decides what an overload returns, an empty list's sum included.
  Value durations = Value::list({Value::duration(10'000), Value::duration(80'000)});
  EXPECT_EQ(call_builtin(NativeId::SumInt, {durations}, TypeKind::Duration).kind,
            ValueKind::Duration);
  EXPECT_EQ(call_builtin(NativeId::SumInt, {durations}, TypeKind::Duration).i, 90'000);
  Value empty = Value::list({});
  EXPECT_EQ(call_builtin(NativeId::SumInt, {empty}, TypeKind::Duration).kind, ValueKind::Duration);
  EXPECT_EQ(call_builtin(NativeId::SumInt, {empty}, TypeKind::Float).kind, ValueKind::Float);
  EXPECT_EQ(call_builtin(NativeId::SumInt, {ints({1, 2, 3})}, TypeKind::Int).i, 6);
  // A list<float> built from ints: its minimum is a float.
  Value m = call_builtin(NativeId::MinInt, {ints({4, 2, 9})}, TypeKind::Float);
  EXPECT_EQ(m.kind, ValueKind::Float);
  EXPECT_EQ(m.f, 2.0);
  EXPECT_EQ(call_builtin(NativeId::MinInt, {ints({4, 2, 9})}, TypeKind::Int).i, 2);
  EXPECT_EQ(call_builtin(NativeId::MaxInt, {ints({4, 2, 9})}, TypeKind::Int).i, 9);
  // Errors are values, as any failed call: an empty list's minimum, overflow, a float no
  // int holds, a share of nothing.
  EXPECT_TRUE(call_builtin(NativeId::MinInt, {empty}, TypeKind::Int).is_error());
  EXPECT_TRUE(call_builtin(NativeId::MaxInt, {empty}, TypeKind::Int).is_error());
  EXPECT_TRUE(call_builtin(NativeId::SumInt, {ints({INT64_MAX, 1})}, TypeKind::Int).is_error());
  EXPECT_TRUE(
      call_builtin(NativeId::AbsInt, {Value::integer(INT64_MIN)}, TypeKind::Int).is_error());
  EXPECT_TRUE(call_builtin(NativeId::Round, {Value::floating(1e300)}, TypeKind::Int).is_error());
  EXPECT_TRUE(
      call_builtin(NativeId::Round, {Value::floating(std::nan(""))}, TypeKind::Int).is_error());
  EXPECT_TRUE(
      call_builtin(NativeId::PercentOf, {Value::integer(1), Value::integer(0)}, TypeKind::Percent)
          .is_error());
  // A json list may hold anything: a non-number is named, not added.
  Value mixed = Value::list({Value::integer(1), Value::string("two")});
  EXPECT_EQ(call_builtin(NativeId::SumInt, {mixed}, TypeKind::Int).str(),
            "sum of a list with a string item: two");
  EXPECT_TRUE(call_builtin(NativeId::MaxInt, {mixed}, TypeKind::Int).is_error());
  EXPECT_TRUE(call_builtin(NativeId::Round, {Value::null()}, TypeKind::Int).is_error());
  EXPECT_EQ(call_builtin(NativeId::Round, {Value::floating(-2.5)}, TypeKind::Int).i, -3);
  EXPECT_EQ(call_builtin(NativeId::Floor, {Value::floating(-2.5)}, TypeKind::Int).i, -3);
  EXPECT_EQ(call_builtin(NativeId::Ceil, {Value::floating(-2.5)}, TypeKind::Int).i, -2);
  EXPECT_EQ(call_builtin(NativeId::AbsInt, {Value::duration(-300'000)}, TypeKind::Duration).kind,
            ValueKind::Duration);
  Value share = call_builtin(NativeId::PercentOf, {Value::integer(3), Value::integer(200)},
                             TypeKind::Percent);
  EXPECT_EQ(share.kind, ValueKind::Percent);
  EXPECT_DOUBLE_EQ(share.f, 1.5);
}

TEST(Builtins, UrlEncodingAndQueries) {
  EXPECT_EQ(call_builtin(NativeId::UrlEncode, {Value::string("up == 0 & Gerät/1")}).str(),
            "up%20%3D%3D%200%20%26%20Ger%C3%A4t%2F1");
  EXPECT_EQ(call_builtin(NativeId::UrlEncode, {Value::string("a-b_c.d~e")}).str(), "a-b_c.d~e");
  Value params = Value::record({"q", "limit", "region", "skip", "window"},
                               {Value::string("rate(x[5m]) > 0"), Value::integer(5),
                                Value::list({Value::string("eu"), Value::string("us")}),
                                Value::null(), Value::duration(300'000)});
  EXPECT_EQ(call_builtin(NativeId::UrlQuery, {params}).str(),
            "q=rate%28x%5B5m%5D%29%20%3E%200&limit=5&region=eu&region=us&window=5m");
  Value nested = Value::record({"filter"}, {Value::record({"a"}, {Value::integer(1)})});
  EXPECT_EQ(call_builtin(NativeId::UrlQuery, {nested}).str(),
            "url.query: parameter 'filter' is not text, a number, a bool or a list of them");
  EXPECT_TRUE(call_builtin(NativeId::UrlQuery, {Value::string("a=1")}).is_error());
}

TEST(Builtins, RegularExpressions) {
  auto re = [](NativeId id, std::vector<Value> args) { return call_builtin(id, args); };
  auto s = [](const char* x) { return Value::string(x); };
  const Value log = s("fw 2.4.0 on gw-7: err=17; fw 2.3.1 on gw-9: err=3");
  EXPECT_TRUE(re(NativeId::ReMatches, {log, s(R"(err=\d+)")}).b);
  EXPECT_FALSE(re(NativeId::ReMatches, {log, s("^err")}).b);
  // A group yields its text; without one, the whole match; none: null.
  EXPECT_EQ(re(NativeId::ReFind, {log, s(R"(err=(\d+))")}).str(), "17");
  EXPECT_EQ(re(NativeId::ReFind, {log, s(R"(gw-\d+)")}).str(), "gw-7");
  EXPECT_EQ(re(NativeId::ReFind, {log, s("timeout")}).kind, ValueKind::Null);
  Value all = re(NativeId::ReFindAll, {log, s(R"(fw (\S+))")});
  ASSERT_EQ(all.items().size(), 2u);
  EXPECT_EQ(all.items()[1].str(), "2.3.1");
  // Empty matches move on: one per position, and the loop ends.
  EXPECT_EQ(re(NativeId::ReFindAll, {s("abc"), s("x*")}).items().size(), 4u);
  EXPECT_EQ(re(NativeId::ReReplace, {log, s(R"(err=(\d+))"), s(R"(errors: \1)")}).str(),
            "fw 2.4.0 on gw-7: errors: 17; fw 2.3.1 on gw-9: errors: 3");
  // A bad pattern or replacement is an error value naming the problem.
  Value bad = re(NativeId::ReMatches, {log, s("(unclosed")});
  ASSERT_TRUE(bad.is_error());
  EXPECT_NE(bad.str().find("not a regular expression: missing )"), std::string::npos) << bad.str();
  EXPECT_TRUE(re(NativeId::ReReplace, {log, s("(x)"), s(R"(\2)")}).is_error());
  EXPECT_TRUE(re(NativeId::ReMatches, {log, Value::string(std::string(5000, 'a'))}).is_error());
  // Linear time: the pattern that makes a backtracking engine take 2^n steps.
  std::string as(100'000, 'a');
  EXPECT_FALSE(re(NativeId::ReMatches, {Value::string(as + "!"), s("^(a+)+$")}).b);
}

TEST(Run, NumberFunctionsByType) {
  Program program = compile((tests_dir() / "vm" / "numbers.rbk").string(), "numbers");
  Scenario sc;
  sc.probes = nlohmann::json::parse(
      R"({"nums.latencies": {"returns": ["10s", "20s", "60s"]},
          "nums.rates": {"returns": [1.5, 2.25]}, "nums.counts": {"returns": [1, 2, 3]}})");
  Collect trace;
  ScenarioHost host(program, sc, trace);
  Machine vm(program, host);
  RunResult r = vm.run({});
  ASSERT_EQ(r.status, RunStatus::Ended) << r.error;
  EXPECT_EQ(r.path, (std::vector<std::string>{"check", "urls", "ok"}));
}

}  // namespace
}  // namespace rbk::test

namespace rbk::test {
namespace {

// The action events of a run: each one's fields by key.
struct ActionEvents : TraceSink {
  std::vector<std::map<std::string, Value>> actions;
  std::string error;  // the reason of the last error event
  void event(const TraceEvent& e, int64_t) override {
    if (e.kind == TraceKind::Error)
      for (const auto& f : e.fields)
        if (f.key == "reason") error = f.value.str();
    if (e.kind != TraceKind::Action) return;
    auto& a = actions.emplace_back();
    for (const auto& f : e.fields) a[f.key] = f.value;
  }
};

RunResult run_job(const std::string& actions, const std::string& probes, ActionEvents& trace) {
  static Program program = compile((tests_dir() / "vm" / "action_results.rbk").string(), "job_run");
  Scenario sc;
  sc.actions = nlohmann::json::parse(actions);
  sc.probes = nlohmann::json::parse(probes);
  sc.start_ms = 0;
  ScenarioHost host(program, sc, trace);
  Machine vm(program, host);
  return vm.run({Value::string("gw-7")});
}

// do let job = jobs.create(…): the action's answer is the job a later wait polls.
TEST(ActionResults, ALaterNodeReadsTheResult) {
  ActionEvents trace;
  RunResult r = run_job(
      R"({"jobs.create": {"returns": {"id": "job-42", "state": "QUEUED"}}})",
      R"({"jobs.state": [{"args": ["job-42"], "sequence": ["QUEUED", "IN_PROGRESS", "SUCCEEDED"]}]})",
      trace);
  ASSERT_EQ(r.status, RunStatus::Ended) << r.error;
  EXPECT_EQ(r.path, (std::vector<std::string>{"create", "poll", "done"}));
  ASSERT_EQ(trace.actions.size(), 1u);
  EXPECT_EQ(to_source(trace.actions[0]["result"]), R"({id: "job-42", state: "QUEUED"})");
  EXPECT_FALSE(trace.actions[0].count("placeholder"));
}

// Recorded, not performed, and nothing says what it would return: the declared type's
// placeholder, and the trace says it is one.
TEST(ActionResults, ARecordedActionGivesThePlaceholder) {
  ActionEvents trace;
  RunResult r = run_job(
      "{}", R"({"jobs.state": [{"args": ["dry-run-placeholder"], "returns": "SUCCEEDED"}]})",
      trace);
  ASSERT_EQ(r.status, RunStatus::Ended) << r.error;
  EXPECT_EQ(r.path, (std::vector<std::string>{"create", "poll", "done"}));
  ASSERT_EQ(trace.actions.size(), 1u);
  EXPECT_EQ(to_source(trace.actions[0]["result"]),
            R"({id: "dry-run-placeholder", state: "dry-run-placeholder"})");
  EXPECT_TRUE(trace.actions[0]["placeholder"].b);
  EXPECT_FALSE(trace.actions[0]["performed"].b);
}

// An answer that is not of the declared type fails the action node (its on error edge),
// naming the action and the field, instead of failing a later node that reads it.
TEST(ActionResults, AResultOfAnotherTypeFailsTheActionNode) {
  ActionEvents trace;
  RunResult r =
      run_job(R"({"jobs.create": {"returns": {"id": 5, "state": "QUEUED"}}})", "{}", trace);
  ASSERT_EQ(r.status, RunStatus::Ended) << r.error;
  EXPECT_EQ(r.path, (std::vector<std::string>{"create", "failed"}));
  EXPECT_EQ(trace.error, "jobs.create: result.id: expected string, got int 5");
}

}  // namespace
}  // namespace rbk::test

namespace rbk::test {
namespace {

// map, filter, any, all, sort_by, group_by and count_by over a probe's typed list and over
// a json answer (tests/vm/lists.rbk says what each gives).
TEST(ListFunctions, TriageAFleetList) {
  Program program = compile((tests_dir() / "vm" / "lists.rbk").string(), "lists");
  Scenario sc;
  sc.probes = nlohmann::json::parse(R"({
    "fleetq.devices": {"returns": [
      {"id": "gw-1", "online": true, "firmware": "2.4.0", "age": "2m",
       "cohort": {"firmware": "2.4.0", "hardware": "rev-B"}},
      {"id": "gw-2", "online": false, "firmware": "2.4.0", "age": "45m",
       "cohort": {"firmware": "2.4.0", "hardware": "rev-B"}},
      {"id": "gw-3", "online": true, "firmware": "2.3.1", "age": "1m",
       "cohort": {"firmware": "2.3.1", "hardware": "rev-A"}},
      {"id": "gw-4", "online": false, "firmware": "2.4.0", "age": "3h",
       "cohort": {"firmware": "2.4.0", "hardware": "rev-B"}}]},
    "fleetq.raw": {"returns": [{"id": "a", "ok": true, "n": 3}, {"id": "b", "ok": false, "n": 1},
                               {"id": "c", "ok": true, "n": 2}]}})");
  Collect trace;
  ScenarioHost host(program, sc, trace);
  Machine vm(program, host);
  RunResult r = vm.run({});
  ASSERT_EQ(r.status, RunStatus::Ended) << r.error;
  EXPECT_EQ(r.path, (std::vector<std::string>{"raw", "triage", "ok"}));
}

// A lambda's failure (a json item without the field it compares) is the node's failure,
// with the reason; sorting keys of two kinds is one too.
TEST(ListFunctions, ALambdaThatFailsFailsTheNode) {
  Program program = compile((tests_dir() / "vm" / "lists.rbk").string(), "lists");
  Scenario sc;
  sc.probes = nlohmann::json::parse(R"({
    "fleetq.raw": {"returns": [{"id": "a", "ok": true, "n": 3}, {"id": "b", "ok": "yes", "n": "x"}]}})");
  Collect trace;
  ScenarioHost host(program, sc, trace);
  Machine vm(program, host);
  RunResult r = vm.run({});
  ASSERT_EQ(r.status, RunStatus::Failed);
  EXPECT_NE(r.error.find("x.ok: expected bool"), std::string::npos) << r.error;
}

}  // namespace
}  // namespace rbk::test

namespace rbk::test {
namespace {

// A call node reads what its sub-runbook found (its outputs) to choose the next node.
TEST(CallOutputs, TheCallerReadsWhatTheSubRunFound) {
  Program program = compile((tests_dir() / "vm" / "call_outputs.rbk").string(), "fleet_check");
  for (auto [firmware, end] : {std::pair{"2.3.1", "update"}, std::pair{"2.5.0", "done"}}) {
    Scenario sc;
    sc.probes = nlohmann::json{{"gw.firmware", {{"returns", firmware}}}};
    Collect trace;
    ScenarioHost host(program, sc, trace);
    Machine vm(program, host);
    RunResult r = vm.run({});
    ASSERT_EQ(r.status, RunStatus::Ended) << r.error;
    EXPECT_EQ(r.path, (std::vector<std::string>{"inspect", "decide_update", end})) << firmware;
  }
}

}  // namespace
}  // namespace rbk::test
