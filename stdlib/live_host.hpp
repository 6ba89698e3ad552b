// The hosts that reach real systems. LiveHost runs probes and performs actions (declared
// ones by running their bodies, whose natives act); DryRunHost runs probes the same way
// and records actions as "would do" with their evaluated arguments, never performing
// them. Both check the policy on every native call (natives.hpp), read configuration
// resolved before the run started, use the real clock, and keep secrets out of traces.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>

#include "stdlib/natives.hpp"

namespace rbk {

class LiveHost : public Host {
 public:
  // ALLOWED must outlive the host. CREDENTIALS: the run's (shared with its fleet's
  // children), made from ALLOWED's when the run starts; null when it names none.
  LiveHost(const Capabilities& allowed, std::map<std::string, Value> config, TraceSink& sink,
           std::shared_ptr<Credentials> credentials = nullptr);

  std::optional<Value> call(const FunctionInfo& fn, const std::vector<Value>& args,
                            const Site& site) override;
  ActOutcome act(const PlannedCall& call, const Site& site) override;
  // Real systems have no answer for a gate: people give it (run/gates.hpp).
  GateAnswer gate(const GateRequest&) override { return GateDecision::Pending; }
  int64_t now() override;
  void sleep(int64_t ms) override;
  // Looks for the signal twice a second (TAKE_SIGNAL: the run's queue in the store).
  std::optional<Value> await_signal(const std::string& name, int64_t deadline_ms,
                                    const std::function<bool()>& stop) override;
  void receive_signals(std::function<std::optional<Value>(const std::string&)> take_signal) {
    take_signal_ = std::move(take_signal);
  }
  Value config(const std::string& name) override;
  void trace(const TraceEvent& event) override;
  void progress(const FleetProgress& p) override { sink_.progress(p); }
  // A fleet's children run beside each other, each on a host like this one that traces
  // nothing (the run traces its children) and shares the policy and configuration.
  bool runs_children_beside() override { return true; }
  std::unique_ptr<Host> child_host(const std::string& scope) override;

 protected:
  const Capabilities& allowed_;
  std::shared_ptr<Credentials> credentials_;
  Natives natives_;
  std::map<std::string, Value> config_;
  std::vector<std::string> secrets_;
  TraceSink& sink_;
  std::function<std::optional<Value>(const std::string&)> take_signal_;  // none: never arrives
};

class DryRunHost : public LiveHost {
 public:
  using LiveHost::LiveHost;
  ActOutcome act(const PlannedCall&, const Site&) override {
    return ActOutcome{ActOutcome::Kind::WouldDo, {}};
  }
  std::unique_ptr<Host> child_host(const std::string& scope) override;
};

}  // namespace rbk
