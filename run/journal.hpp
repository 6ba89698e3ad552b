// The journaling host: wraps any host and writes every answer the world gives a run
// (probe results, the clock, waits, gate decisions, actions started and done) to the
// store before the run moves on. Resuming a run replays its journal: the VM is
// deterministic given those answers, so it arrives exactly where it stopped, without
// asking the world again. A completed action is never performed twice; an action that
// was started but whose completion was never journaled (the process died) is uncertain in
// a live run: the run pauses at a gate "NODE (uncertain)", and a person decides whether it
// happened — unless the policy says the services the actions reach honour idempotency
// keys (`"idempotent_actions": true`): each action's requests carry one
// (stdlib/action_keys.hpp), the same when the action is sent again, so it is simply sent
// again. In a dry-run or a scenario run no action reaches the world (it is recorded or
// answered by the scenario), so an interrupted one is simply recorded again.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "run/journal_writer.hpp"
#include "run/run_store.hpp"
#include "vm/host.hpp"

namespace rbk {

class JournalHost : public Host {
 public:
  // RECORDED is the journal so far (empty for a new run; the entries of every scope);
  // ACTIONS_REACH_WORLD: a live run. ANSWERS_REPEAT: the world answers the same again
  // when asked again (a scenario: its probes, clock and configuration), so only gates and
  // actions are journaled; a fleet's hundreds of thousands of probe answers then cost
  // nothing.
  // RESEND_UNCERTAIN: an action cut off mid-way is sent again with its idempotency key.
  JournalHost(Host& inner, RunStore& store, std::string run_id, std::vector<JournalEntry> recorded,
              bool actions_reach_world, bool answers_repeat = false, bool resend_uncertain = false);

  std::optional<Value> call(const FunctionInfo& fn, const std::vector<Value>& args,
                            const Site& site) override;
  ActOutcome act(const PlannedCall& call, const Site& site) override;
  void acted(const PlannedCall& call, const Value& result, const Site& site) override;
  GateAnswer gate(const GateRequest& request) override;
  int64_t now() override;
  void sleep(int64_t ms) override;
  std::optional<Value> await_signal(const std::string& name, int64_t deadline_ms,
                                    const std::function<bool()>& stop) override;
  Value config(const std::string& name) override;
  void trace(const TraceEvent& event) override { inner_.trace(event); }
  void progress(const FleetProgress& p) override { inner_.progress(p); }
  void child_started(size_t i, const Value& item) override { inner_.child_started(i, item); }
  void child_ended() override { inner_.child_ended(); }

  // A fleet's children beside each other: each journals under its own scope, through the
  // run's writer, and replays its own entries when resumed.
  bool runs_children_beside() override { return inner_.runs_children_beside(); }
  std::unique_ptr<Host> child_host(const std::string& scope) override;
  void child_began() override;
  void child_finished(const Value& result) override;
  std::vector<ChildJournal> journaled_children(const std::string& prefix) override;

  // The run's children are handed to QUEUE (a store a team's processes share) instead of
  // running on this process's threads; their hosts here journal their start and end.
  void share_children(std::shared_ptr<ChildQueue> queue) { queue_ = std::move(queue); }
  std::shared_ptr<ChildQueue> child_queue() override { return queue_; }
  // The host of a child another process handed out and this one took: WORLD is the world's
  // host for it, WRITER journals its entries under SCOPE, RECORDED is what earlier takers
  // of it journaled.
  static std::unique_ptr<JournalHost> for_child(std::unique_ptr<Host> world,
                                                std::shared_ptr<JournalWriter> writer,
                                                std::string scope,
                                                std::vector<JournalEntry> recorded,
                                                bool actions_reach_world, bool resend_uncertain);

  bool replaying() const { return next_ < recorded_.size(); }
  JournalWriter::Stats journal_stats() { return writer_->stats(); }
  void flush() { writer_->flush(); }

 private:
  // A child's host: INNER is the world's host for it; RECORDED its own entries.
  JournalHost(std::unique_ptr<Host> inner, std::shared_ptr<JournalWriter> writer, std::string scope,
              std::vector<JournalEntry> recorded, bool actions_reach_world, bool answers_repeat,
              bool resend_uncertain);
  // Performs CALL through the world's host with its idempotency key set for the thread
  // (kept while the action's body runs, until acted()).
  ActOutcome perform(const PlannedCall& call, const Site& site, std::string key);
  const JournalEntry* expect(const std::string& kind, const std::string& key);
  void record(const std::string& kind, const std::string& key, const std::string& value);

  std::unique_ptr<Host> owned_inner_;  // a child's (before inner_, which may refer to it)
  Host& inner_;
  std::shared_ptr<JournalWriter> writer_;
  std::string scope_;                   // "" for the run itself
  std::vector<JournalEntry> recorded_;  // this scope's entries
  // The run's host: the entries of its children's scopes, until each child's host takes them.
  std::map<std::string, std::vector<JournalEntry>> children_;
  size_t next_ = 0;
  bool actions_reach_world_;
  bool answers_repeat_;
  bool resend_uncertain_;
  bool replayed_done_ = false;  // the last act() came from the journal, done already
  size_t acts_ = 0;             // actions of this scope so far: the idempotency key's ordinal
  std::shared_ptr<ChildQueue> queue_;
};

}  // namespace rbk
