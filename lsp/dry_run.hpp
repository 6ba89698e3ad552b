// rbk.dryRun, the code lens "▶ dry-run": runs `rbk run FILE --runbook NAME --dry-run`
// beside the server, as a separate process (a run may wait for minutes, and a crash or a
// hang in it must not take the editor's server with it). Its output goes to the client
// line by line as window/logMessage, and its end as window/showMessage.
//
// The policy and configuration come from the client's initializationOptions ("policy",
// "config": paths); the parameters from the command's argument ("values": {name: value}),
// which a client fills by asking its user (editors/vscode does).
#pragma once

#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

namespace rbk::lsp {

class DryRuns {
 public:
  using Notify = std::function<void(const std::string& method, nlohmann::json params)>;
  DryRuns(std::string rbk_path, Notify notify);
  ~DryRuns();  // stops runs still going (SIGTERM) and waits for them

  void configure(const nlohmann::json& initialization_options);
  // Starts a dry-run; returns {"pid", "command"} at once.
  nlohmann::json start(const nlohmann::json& arg);

 private:
  struct State;
  std::shared_ptr<State> state_;
};

}  // namespace rbk::lsp
