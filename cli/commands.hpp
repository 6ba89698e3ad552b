// The subcommands of `rbk`, one file each. Each returns the process exit code:
// 0 success, 1 the runbook or run failed, 2 bad usage or unreadable input, 3 paused
// (and 70 for an internal error: cli/internal_error.hpp).
#pragma once

#include <string>
#include <vector>

namespace rbk::cli {

enum ExitCode { kOk = 0, kFailed = 1, kUsage = 2, kPaused = 3, kInterrupted = 130 };

struct CheckOptions {
  std::vector<std::string> files;
  bool strict = false;
  bool json = false;
  bool explain = false;  // what each foreach node will do, on stdout
};
int run_check(const CheckOptions& opts);

struct FmtOptions {
  std::vector<std::string> files;
  bool write = false;
  bool check = false;
};
int run_fmt(const FmtOptions& opts);

struct CompileOptions {
  std::string file;
  std::string output;
  std::string runbook;
};
int run_compile(const CompileOptions& opts);
int run_disasm(const CompileOptions& opts);

struct RunOptions {
  std::string file, runbook, scenario, policy, config, trace, as, store;
  std::string summary;  // a foreach's results as JSON, to this file
  std::vector<std::string> params, deny;
  std::vector<std::string> answers;  // GATE.QUESTION=CHOICE, for --approve-all
  bool dry_run = false, approve_all = false;
};
int run_run(const RunOptions& opts);

struct ApproveOptions {
  std::string run, as, comment, store;
  std::vector<std::string> answers;  // QUESTION=CHOICE
  bool deny = false;
  bool wait = false;  // go on in this process, printing the run, instead of a detached one
};
int run_approve(const ApproveOptions& opts);

struct ResumeOptions {
  std::string run, store;
  bool detached = false;  // started by rbk approve: output only to the store
};
int run_resume(const ResumeOptions& opts);

struct RunsOptions {
  std::string run, store;
  bool json = false;
  bool follow = false;              // watch the run until it stops running
  std::string child;                // one child of a foreach: its index or id
  std::string status, waiting_for;  // filters of the list
};
int run_runs(const RunsOptions& opts);

struct AuditOptions {
  bool verify = false;
  std::string store;
};
int run_audit(const AuditOptions& opts);

struct StoreCopyOptions {
  std::string from, to;
};
int run_store_copy(const StoreCopyOptions& opts);

struct TokenOptions {
  std::string action;  // create, list, revoke
  std::string name, id, expires, as, store;
  std::vector<std::string> roles;
};
int run_token(const TokenOptions& opts);

struct SignalOptions {
  std::string run, name, value, as, store;
};
int run_signal(const SignalOptions& opts);

struct CancelOptions {
  std::string run, as, comment, store;
};
int run_cancel(const CancelOptions& opts);

struct TestOptions {
  std::vector<std::string> paths;
  bool edge_coverage = false;
  int fail_under = -1;  // exit 1 when fewer edges than this percentage were taken
  std::string junit;
};
int run_test(const TestOptions& opts);

struct ScenarioRecordOptions {
  std::string run, output, store;
};
int run_scenario_record(const ScenarioRecordOptions& opts);

struct SchemaOptions {
  std::string name;
};
int run_schema(const SchemaOptions& opts);

struct RenderOptions {
  std::string file, format = "dot", trace, output, runbook;
};
int run_render(const RenderOptions& opts);

struct DocsOptions {
  std::string action;               // sync, check or build
  std::vector<std::string> files;   // sync/check: Markdown files
  std::string runbook_dir, output;  // build
};
int run_docs_blocks(const DocsOptions& opts);  // sync and check
int run_docs_build(const DocsOptions& opts);

struct LspOptions {
  std::string version;
  bool stdio = true;  // --stdio, which editors pass: the only transport
};
int run_lsp(const LspOptions& opts);

// Whether stderr is a terminal that takes colours.
bool stderr_is_color_terminal();

}  // namespace rbk::cli
