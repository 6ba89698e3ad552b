// `rbk lsp`: the Language Server Protocol server (https://microsoft.github.io/
// language-server-protocol/specifications/lsp/3.17/specification/).
//
// One thread reads messages into a queue; the main thread answers them in order. Edits
// only mark documents stale: the check runs when the queue is empty (so a burst of
// keystrokes costs one check) or when a request needs the document's current analysis.
// Answers never wait for anything but the check of the document asked about.
//
// Requests: initialize, shutdown, textDocument/{hover, definition, references, completion,
// documentSymbol, formatting, prepareRename, rename, codeLens}, workspace/executeCommand
// (rbk.showDiagram, rbk.dryRun). Notifications: initialized, exit, textDocument/{didOpen,
// didChange (incremental), didSave, didClose}, $/cancelRequest (requests finish quickly;
// nothing to cancel). The server publishes textDocument/publishDiagnostics.
#pragma once

#include <functional>
#include <istream>
#include <memory>
#include <ostream>
#include <string>

namespace rbk {
struct Program;
}

namespace rbk::lsp {

struct ServerOptions {
  std::string version;     // rbk's, for serverInfo
  std::string stdlib_dir;  // where imports of the stdlib resolve
  // Draws a compiled runbook as SVG (rbk.showDiagram): the driver passes the renderer,
  // which this floor does not include.
  std::function<std::string(const Program&)> draw_svg;
  // The rbk executable, for rbk.dryRun (which runs `rbk run --dry-run` beside the server).
  std::string rbk_path;
};

// The protocol's state for one client, without the transport: HANDLE takes each message
// body in order; IDLE is called when no message is waiting (stale documents are checked
// and their diagnostics published). SEND receives each outgoing message body; it may be
// called from a dry-run's thread too, so it must be safe to call concurrently.
class Server {
 public:
  Server(ServerOptions options, std::function<void(const std::string&)> send);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  void handle(const std::string& body);
  void idle();
  bool exited() const;
  int exit_code() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

// Serves one client on IN and OUT until `exit` or the end of IN. Returns the process exit
// code the protocol asks for: 0 after shutdown then exit, 1 otherwise.
int serve(std::istream& in, std::ostream& out, const ServerOptions& options);

}  // namespace rbk::lsp
