// The journaling host: wraps any host and writes every answer the world gives a run
// (probe results, the clock, waits, gate decisions, actions started and done) to the
// store before the run moves on. Resuming a run replays its journal: the VM is
// deterministic given those answers, so it arrives exactly where it stopped, without
// asking the world again. A completed action is never performed twice; an action that
// was started but whose completion was never journaled (the process died) is uncertain in
// a live run: the run pauses at a gate "NODE (uncertain)", and a person decides whether it
// happened. In a dry-run or a scenario run no action reaches the world (it is recorded or
// answered by the scenario), so an interrupted one is simply recorded again.
#pragma once

#include <string>
#include <vector>

#include "run/run_store.hpp"
#include "vm/host.hpp"

namespace rbk {

class JournalHost : public Host {
 public:
  // RECORDED is the journal so far (empty for a new run); ACTIONS_REACH_WORLD: a live run.
  // ANSWERS_REPEAT: the world answers the same again when asked again (a scenario: its
  // probes, clock and configuration), so only gates and actions are journaled; a fleet's
  // hundreds of thousands of probe answers then cost nothing.
  JournalHost(Host& inner, RunStore& store, std::string run_id, std::vector<JournalEntry> recorded,
              bool actions_reach_world, bool answers_repeat = false);

  std::optional<Value> call(const FunctionInfo& fn, const std::vector<Value>& args,
                            const Site& site) override;
  ActOutcome act(const PlannedCall& call, const Site& site) override;
  void acted(const PlannedCall& call, const Value& result, const Site& site) override;
  GateDecision gate(const GateRequest& request) override;
  int64_t now() override;
  void sleep(int64_t ms) override;
  Value config(const std::string& name) override;
  void trace(const TraceEvent& event) override { inner_.trace(event); }
  void child_started(size_t i, const Value& item) override { inner_.child_started(i, item); }
  void child_ended() override { inner_.child_ended(); }

  bool replaying() const { return next_ < recorded_.size(); }

 private:
  const JournalEntry* expect(const std::string& kind, const std::string& key);
  void record(const std::string& kind, const std::string& key, const std::string& value);

  Host& inner_;
  RunStore& store_;
  std::string run_;
  std::vector<JournalEntry> recorded_;
  size_t next_ = 0;
  int64_t seq_ = 0;
  long crash_after_ = -1;  // fault injection for the durability tests: RBK_CRASH_AFTER=N
  long writes_ = 0;
  bool actions_reach_world_;
  bool answers_repeat_;
  bool replayed_done_ = false;  // the last act() came from the journal, done already
};

}  // namespace rbk
