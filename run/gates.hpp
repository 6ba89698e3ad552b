// Who decides a gate. (A decision given with `rbk approve` is journaled as the gate's
// answer, and replayed from the journal: it never reaches this decorator.) The world
// answers first where it can (a scenario's "approvals"; real systems never do); in front
// of it, one decorator applies, in this order:
//   1. --deny GATE, then the world's answer, then --approve-all (dry-run and scenario runs);
//   2. the person at the terminal, when there is one and the policy lets the person who
//      started the run decide its gates (their answer is recorded as an approval);
//   3. otherwise the gate stays pending and the run pauses for another person — except in a
//      scenario run, which never pauses: its scenario is the whole world, so a gate it
//      does not answer is an error naming the gate (and nobody at a terminal is asked).
#pragma once

#include <iosfwd>
#include <map>
#include <optional>
#include <set>

#include <nlohmann/json_fwd.hpp>
#include <string>

#include "run/policy.hpp"
#include "run/run_store.hpp"
#include "vm/host.hpp"

namespace rbk {

// A gate's answer as a journal entry and a scenario write it: the decision's name
// ("approved"), or {"decision", "picks": {question: choice}} when the approver picked
// answers; and back (nullopt: not a decided gate's answer).
std::string gate_answer_json(const GateAnswer& a);
std::optional<GateAnswer> read_gate_answer(const nlohmann::json& j);

// Gate decisions given on the command line (--approve-all, --deny GATE, and the picks
// --approve-all gives a gate that asks: --answer GATE.QUESTION=CHOICE).
struct GateFlags {
  bool approve_all = false;
  std::set<std::string> deny;
  std::map<std::string, GatePicks> picks;  // by gate
};

// A person asked about a gate, at a terminal.
class GatePrompt {
 public:
  virtual ~GatePrompt() = default;
  // Shows the plan and asks WHO to approve or deny it, and, approving, to pick an answer
  // to each of its questions; std::nullopt when no answer comes (end of input).
  virtual std::optional<GateAnswer> ask(const GateRequest& request, const std::string& who) = 0;
  // Tells the person why they are not asked (the policy does not let them decide).
  virtual void tell(const std::string& why) = 0;
};

// Prompts on a pair of streams (rbk run on a terminal: std::cin and std::cout).
class StreamPrompt : public GatePrompt {
 public:
  StreamPrompt(std::istream& in, std::ostream& out) : in_(in), out_(out) {}
  std::optional<GateAnswer> ask(const GateRequest& request, const std::string& who) override;
  void tell(const std::string& why) override;

 private:
  std::optional<std::string> pick(const GateQuestion& q);
  std::istream& in_;
  std::ostream& out_;
};

// The gate decisions of one run, as a decorator of its world host.
class GateDecisions : public HostDecorator {
 public:
  struct Setup {
    GateFlags flags{};
    GatePrompt* prompt = nullptr;  // null: nobody to ask
    const Policy* policy = nullptr;
    std::string started_by{};
    RunStore* store = nullptr;  // where a prompted decision is recorded (with RUN)
    std::string run{};
    bool may_pause = true;  // false: an undecided gate fails the run (scenario runs)
  };
  GateDecisions(Host& world, Setup setup) : HostDecorator(world), s_(std::move(setup)) {}
  GateAnswer gate(const GateRequest& request) override;

 private:
  GateAnswer ask(const GateRequest& request);
  Setup s_;
};

}  // namespace rbk
