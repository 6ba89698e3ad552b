// rbk: runbooks as code. The command line in the style of git and cargo: one binary,
// subcommands, `rbk help [SUBCOMMAND]`. Exit codes are in cli/commands.hpp.
#include <CLI/CLI.hpp>

#include <iostream>

#include "cli/commands.hpp"
#include "cli/internal_error.hpp"
#include "cli/shell_docs.hpp"
#include "lang/closest_name.hpp"
#include "server/serve.hpp"
#include "vm/program.hpp"

#ifndef RBK_VERSION
#define RBK_VERSION "unknown"
#endif

namespace {

// The end of a command's help: an example, and what its exit codes mean.
void example(CLI::App* cmd, const std::string& lines, const std::string& exits) {
  cmd->footer("\nExample:\n" + lines + "\n\nExit codes: " + exits);
}

const char* const kStoreHelp =
    "The run store: a file (sqlite:PATH) or postgresql://… (default: $RBK_STORE, else "
    "~/.local/state/rbk/runs.db)";
const char* const kCheckExits = "0 no problems, 1 errors (or warnings with --strict), 2 bad usage";
const char* const kRunExits =
    "0 the run ended (not failed), 1 it failed, 2 bad usage or unreadable input, 3 paused at "
    "a gate (approve it with rbk approve)";

void add_check(CLI::App& app, rbk::cli::CheckOptions& opts) {
  auto* cmd = app.add_subcommand("check", "Parse and check runbooks; print diagnostics");
  example(cmd, "  rbk check --strict runbooks/*.rbk", kCheckExits);
  cmd->add_option("files", opts.files, "The .rbk files to check (their imports are checked too)")
      ->required();
  cmd->add_flag("--strict", opts.strict, "Treat warnings as errors");
  cmd->add_flag("--explain", opts.explain,
                "Say what each foreach node will do: waves, abort rule, what each child may do, "
                "the worst case before the abort fires");
  cmd->add_option_function<std::string>(
         "--diagnostics", [&opts](const std::string& v) { opts.json = v == "json"; },
         "Output format of diagnostics: text (default, on stderr) or json (on stdout)")
      ->check(CLI::IsMember({"text", "json"}));
}

void add_fmt(CLI::App& app, rbk::cli::FmtOptions& opts) {
  auto* cmd = app.add_subcommand("fmt", "Print runbooks in the canonical layout");
  example(cmd, "  rbk fmt -w runbooks/*.rbk\n  rbk fmt --check runbooks/*.rbk",
          "0 done (or formatted, with --check), 1 a file is not formatted or does not parse, 2 bad "
          "usage");
  cmd->add_option("files", opts.files, "The .rbk files to format")->required();
  cmd->add_flag("-w,--write", opts.write, "Rewrite the files in place");
  cmd->add_flag("--check", opts.check,
                "Change nothing; fail (exit 1) if any file is not formatted");
}

void add_compile(CLI::App& app, rbk::cli::CompileOptions& opts, rbk::cli::CompileOptions& disasm) {
  auto* cmd = app.add_subcommand("compile", "Check a runbook and write its bytecode graph (.rbc)");
  example(cmd, "  rbk compile runbooks/device_offline.rbk -o device_offline.rbc", kCheckExits);
  cmd->add_option("file", opts.file, "The .rbk file")->required();
  cmd->add_option("-o,--output", opts.output, "Where to write the .rbc file (default: stdout)");
  cmd->add_option("--runbook", opts.runbook,
                  "Which runbook of the file (default: the one named like the file)");
  auto* dis = app.add_subcommand(
      "disasm", "Print a bytecode graph readably: nodes, edges, code with source lines");
  example(dis, "  rbk disasm device_offline.rbc",
          "0 printed, 1 the file does not compile or verify, 2 bad usage");
  dis->add_option("file", disasm.file,
                  "A .rbc file (verified first) or a .rbk file (compiled first)")
      ->required();
  dis->add_option("--runbook", disasm.runbook, "Which runbook of a .rbk file");
}

void add_render(CLI::App& app, rbk::cli::RenderOptions& o) {
  auto* cmd = app.add_subcommand(
      "render", "Draw the compiled graph: Mermaid, Graphviz DOT, or SVG laid out in-process");
  example(cmd,
          "  rbk render runbooks/device_offline.rbk --format svg -o device_offline.svg\n"
          "  rbk render runbooks/device_offline.rbk --format mermaid --trace t.jsonl",
          "0 drawn, 1 the runbook does not compile, 2 bad usage or an unreadable trace");
  cmd->add_option("file", o.file, "A .rbk file (compiled first) or a .rbc file (verified first)")
      ->required();
  cmd->add_option("--format", o.format, "mermaid, dot or svg (default: dot)")
      ->check(CLI::IsMember({"mermaid", "dot", "svg"}));
  cmd->add_option("--trace", o.trace, "Overlay a run: highlight the nodes and edges it took");
  cmd->add_option("-o,--output", o.output, "Where to write (default: stdout)");
  cmd->add_option("--runbook", o.runbook, "Which runbook of the file");
}

void add_docs(CLI::App& app, rbk::cli::DocsOptions& o) {
  auto* docs = app.add_subcommand(
      "docs", "Generated documentation: diagram blocks in Markdown, and the static site");
  docs->require_subcommand(1);
  auto* sync = docs->add_subcommand(
      "sync", "Rewrite the generated diagram blocks of Markdown files (and nothing else)");
  sync->add_option("docs", o.files, "Markdown files, or folders of them")->required();
  example(sync, "  rbk docs sync docs/runbooks/*.md",
          "0 done, 1 a runbook does not compile, 2 bad usage");
  sync->callback([&o] { o.action = "sync"; });
  auto* check = docs->add_subcommand(
      "check", "Fail if a diagram block differs from what its runbook compiles to");
  check->add_option("docs", o.files, "Markdown files, or folders of them")->required();
  example(
      check, "  rbk docs check docs/runbooks/*.md",
      "0 every block is up to date, 1 a block differs or a runbook does not compile, 2 bad usage");
  check->callback([&o] { o.action = "check"; });
  auto* build = docs->add_subcommand(
      "build", "Build the static documentation site of a directory of runbooks");
  build->add_option("runbook_dir", o.runbook_dir, "Directory of .rbk files")->required();
  example(build, "  rbk docs build runbooks -o build/site",
          "0 built, 1 a runbook does not compile, 2 bad usage");
  build
      ->add_option("-o,--output", o.output,
                   "The site's directory (created; its generated files are replaced)")
      ->required();
  build->callback([&o] { o.action = "build"; });
}

void add_serve(CLI::App& app, rbk::server::ServeOptions& o) {
  auto* serve = app.add_subcommand(
      "serve", "The team server: start, watch and approve runs over a JSON API (docs/server.md)");
  serve->add_option("--runbooks", o.runbooks, "The folder of .rbk files it offers")->required();
  serve->add_option("--policy", o.policy,
                    "The policy of its runs: capabilities, roles, who may start live runs");
  serve->add_option("--config", o.config, "The configuration of its runs (JSON)");
  serve->add_option("--settings", o.settings,
                    "The server's settings (JSON): public URL, webhooks (docs/server.md)");
  serve->add_option("--store", o.store, kStoreHelp);
  serve
      ->add_option("--lease", o.lease,
                   "How long this replica holds its runs without renewing; another takes "
                   "them over after")
      ->capture_default_str();
  serve->add_option("--listen", o.listen, "HOST:PORT to listen on (port 0: any free port)")
      ->capture_default_str();
  serve->add_option("--tls-cert", o.tls_cert, "A PEM certificate (chain): serve HTTPS");
  serve->add_option("--tls-key", o.tls_key, "Its PEM private key");
  serve->add_option("--workers", o.workers, "Runs that execute at once")
      ->capture_default_str()
      ->check(CLI::Range(1, 256));
  serve
      ->add_option("--child-workers", o.child_workers,
                   "With a PostgreSQL store: children of fan-outs (any replica's) run here at once")
      ->capture_default_str()
      ->check(CLI::Range(1, 1024));
  serve->add_option("--max-body", o.max_body, "Largest request body, in bytes")
      ->capture_default_str()
      ->check(CLI::Range(1024, 64 << 20));
  example(serve,
          "  rbk serve --runbooks runbooks --policy policy.json --listen 127.0.0.1:8080\n"
          "  rbk serve --runbooks runbooks --tls-cert cert.pem --tls-key key.pem --listen "
          "0.0.0.0:8443\n"
          "  rbk serve --runbooks runbooks --store postgresql://rbk@db.internal/rbk --lease 15s",
          "0 stopped by SIGINT or SIGTERM, 2 it cannot start (a runbook does not compile, the "
          "address is taken, a file is unreadable)");
}

struct RunCommands {
  rbk::cli::RunOptions run;
  rbk::cli::ApproveOptions approve;
  rbk::cli::ResumeOptions resume;
  rbk::cli::RunsOptions runs;
  rbk::cli::CancelOptions cancel;
  rbk::cli::SignalOptions signal;
  rbk::cli::AuditOptions audit;
  rbk::cli::TokenOptions token;
  rbk::cli::StoreCopyOptions store_copy;
  rbk::cli::TestOptions test;
};

void add_run(CLI::App& app, RunCommands& o) {
  auto* run = app.add_subcommand("run", "Execute a runbook; prints the path taken and the outcome");
  example(run,
          "  rbk run runbooks/device_offline.rbk --scenario "
          "runbooks/scenarios/device_offline/cert_expired.json\n"
          "  rbk run runbooks/device_offline.rbk --dry-run --policy policy.json --param "
          "device=sensor-0042 --param gateway=gw-7",
          kRunExits);
  run->add_option("file", o.run.file,
                  "A .rbk file (compiled first) or a .rbc file (verified first)")
      ->required();
  run->add_option("--runbook", o.run.runbook, "Which runbook of the file");
  run->add_option("--param", o.run.params, "A parameter, NAME=VALUE (repeatable)");
  auto* scenario =
      run->add_option("--scenario", o.run.scenario, "Run offline against a scenario file");
  run->add_flag("--dry-run", o.run.dry_run, "Probes real, actions only recorded")
      ->excludes(scenario);
  run->add_option("--policy", o.run.policy,
                  "The sandbox policy (capabilities, hosts, roles, budgets); live runs need one");
  run->add_option("--config", o.run.config,
                  "Configuration values for config.NAME (JSON); RBK_CONFIG_NAME overrides");
  run->add_option("--summary", o.run.summary,
                  "Write what the foreach nodes did as JSON to this file: children by end node, "
                  "outcome and cohort, the waves, whether it aborted");
  run->add_option("--trace", o.run.trace,
                  "Write the trace, one JSON object per event, to this file");
  auto* all = run->add_flag("--approve-all", o.run.approve_all,
                            "Approve every gate the scenario does not decide");
  run->add_option("--deny", o.run.deny, "Deny this gate (repeatable)")->excludes(all);
  run->add_option("--answer", o.run.answers,
                  "What --approve-all picks for a gate that asks: GATE.QUESTION=CHOICE "
                  "(repeatable)")
      ->needs(all);
  run->add_option("--as", o.run.as, "Who starts the run (default: $USER)");
  run->add_option("--store", o.run.store, kStoreHelp);

  auto* approve = app.add_subcommand(
      "approve", "Decide a paused run's gate; the run goes on in a process of its own");
  example(approve,
          "  rbk approve r20261122-183055-4f2a9c1e --as bob --comment \"checked the plan\"\n"
          "  rbk runs r20261122-183055-4f2a9c1e --follow",
          "0 decided (the run goes on), 1 the policy does not let this person decide or the gate "
          "was decided meanwhile, 2 bad usage or no such run waiting; with --wait, those of rbk "
          "run");
  approve->add_option("run", o.approve.run, "The run id")->required();
  approve->add_option("--as", o.approve.as, "Who decides")->required();
  auto* deny = approve->add_flag("--deny", o.approve.deny, "Deny instead of approve");
  approve
      ->add_option("--answer", o.approve.answers,
                   "The choice picked for a question the gate asks: QUESTION=CHOICE "
                   "(repeatable; rbk runs RUN shows the questions)")
      ->excludes(deny);
  approve->add_option("--comment", o.approve.comment, "Why, for the record");
  approve->add_flag("--wait", o.approve.wait,
                    "Go on with the run in this process, printing it, until it ends or pauses");
  approve->add_option("--store", o.approve.store, kStoreHelp);

  auto* resume = app.add_subcommand(
      "resume", "Continue an interrupted run, whose process stopped (replays its journal)");
  resume->add_option("run", o.resume.run, "The run id")->required();
  example(resume, "  rbk runs --status interrupted\n  rbk resume r20261122-183055-4f2a9c1e",
          kRunExits);
  resume->add_option("--store", o.resume.store, kStoreHelp);
  // How rbk approve starts the process that goes on with a run (hidden: not for people).
  resume->add_flag("--detached", o.resume.detached)->group("");

  auto* cancel = app.add_subcommand(
      "cancel", "Cancel a run: paused, interrupted, or running (its process is stopped)");
  cancel->add_option("run", o.cancel.run, "The run id")->required();
  cancel->add_option("--as", o.cancel.as, "Who cancels (default: $USER)");
  cancel->add_option("--comment", o.cancel.comment, "Why, for the record");
  cancel->add_option("--store", o.cancel.store, kStoreHelp);
  example(cancel, "  rbk cancel r20261122-183055-4f2a9c1e --comment \"fixed by hand\"",
          "0 cancelled, 1 it could not be stopped, 2 no such run, or it has finished");

  auto* signal = app.add_subcommand(
      "signal", "Send a signal to a run: a wait node's until signal \"NAME\" takes it");
  signal->add_option("run", o.signal.run, "The run id")->required();
  signal->add_option("name", o.signal.name, "The signal's name, as the wait node writes it")
      ->required();
  signal->add_option("--value", o.signal.value, "Its value, JSON (default: null)");
  signal->add_option("--as", o.signal.as, "Who sends it (default: $USER)");
  signal->add_option("--store", o.signal.store, kStoreHelp);
  example(signal,
          "  rbk signal r20261122-183055-4f2a9c1e device_connected --value '{\"rssi\": -71}'",
          "0 sent (it waits until the run takes it), 2 no such run, finished, a bad name or "
          "value");

  auto* audit = app.add_subcommand(
      "audit", "The audit log: who started, approved, denied, resumed or cancelled which run");
  audit->add_option("--store", o.audit.store, kStoreHelp);
  auto* verify = audit->add_subcommand(
      "verify", "Check the audit log's hash chain; name an entry edited, deleted or moved");
  verify->add_option("--store", o.audit.store, kStoreHelp);
  verify->callback([&o] { o.audit.verify = true; });
  auto* token = app.add_subcommand("token", "API tokens: create (shown once), list, revoke");
  token->require_subcommand(1);
  auto* token_create = token->add_subcommand("create", "A new token for a person and roles");
  token_create->add_option("--name", o.token.name, "Who it stands for")->required();
  token_create
      ->add_option("--roles", o.token.roles,
                   "Their roles (as the policy names them; none: they may read and dry-run)")
      ->delimiter(',');
  token_create->add_option("--expires", o.token.expires,
                           "How long it is valid (30d); default: no expiry");
  token_create->add_option("--as", o.token.as,
                           "Who creates it, for the audit log (default: $USER)");
  token_create->add_option("--store", o.token.store, kStoreHelp);
  token_create->callback([&o] { o.token.action = "create"; });
  auto* token_list = token->add_subcommand("list", "The tokens, never their secrets");
  token_list->add_option("--store", o.token.store, kStoreHelp);
  token_list->callback([&o] { o.token.action = "list"; });
  auto* token_revoke = token->add_subcommand("revoke", "Revoke a token by its id");
  token_revoke->add_option("id", o.token.id, "The token's id (rbk token list)")->required();
  token_revoke->add_option("--as", o.token.as,
                           "Who revokes it, for the audit log (default: $USER)");
  token_revoke->add_option("--store", o.token.store, kStoreHelp);
  token_revoke->callback([&o] { o.token.action = "revoke"; });
  example(token,
          "  rbk token create --name bob --roles ops,oncall --expires 30d\n  rbk token list\n  rbk "
          "token revoke 4f2a9c1e",
          "0 done, 2 bad usage or no such token");

  auto* store = app.add_subcommand("store", "The run store: copy it to another");
  store->require_subcommand(1);
  auto* copy = store->add_subcommand(
      "copy", "Copy runs, journals, approvals, tokens and the audit chain into an empty store");
  copy->add_option("--from", o.store_copy.from, "The store to copy (sqlite:PATH, postgresql://…)")
      ->required();
  copy->add_option("--to", o.store_copy.to, "The empty store to copy into")->required();
  example(copy,
          "  rbk store copy --from sqlite:/var/lib/rbk/runs.db --to "
          "postgresql://rbk@db.internal/rbk",
          "0 copied and the copy's audit chain verified, 1 the copy failed, 2 a store cannot be "
          "opened, is not empty, or a run is executing");

  example(audit, "  rbk audit\n  rbk audit verify",
          "0 shown, or the chain is intact; 1 it is broken (each broken place named); 2 no store");

  auto* runs = app.add_subcommand(
      "runs", "List stored runs, or show one with its output (--follow: as it goes on)");
  runs->add_option("run", o.runs.run, "A run id");
  example(runs,
          "  rbk runs --waiting-for ops\n  rbk runs r20261122-183055-4f2a9c1e --follow\n  rbk runs "
          "--json --status failed",
          "0 shown, 2 no such run or store; with --follow, those of rbk run (1 also when the run "
          "was interrupted or cancelled)");
  runs->add_option("--store", o.runs.store, kStoreHelp);
  runs->add_flag("--json", o.runs.json,
                 "JSON: the list as an array, a run with its raw trace events");
  runs->add_option("--status", o.runs.status,
                   "Only runs in this state: running, paused, interrupted, ended, failed or "
                   "cancelled");
  runs->add_option("--child", o.runs.child,
                   "One child of the run's foreach: its item's index (from 0) or id; shows its "
                   "outcome and path");
  runs->add_flag("--follow,-f", o.runs.follow,
                 "Print the run's output as it comes, until it ends, pauses or is interrupted");
  runs->add_option("--waiting-for", o.runs.waiting_for,
                   "Only runs paused at a gate this role decides");

  auto* test = app.add_subcommand("test", "Run scenario tests and check their expectations");
  test->add_option("paths", o.test.paths, "Scenario files or directories (default: .)");
  example(test, "  rbk test runbooks/scenarios --edge-coverage --fail-under 100",
          "0 every scenario passed (and enough edges were taken), 1 a scenario failed or too few "
          "edges, 2 bad usage");
  // Edge coverage: which edges of the graph the scenarios took. (The checker's decision
  // coverage is another thing: which input values reach no branch of a decide node.)
  test->add_flag("--edge-coverage,--coverage", o.test.edge_coverage,
                 "Report every edge no scenario took, per runbook (--coverage: the older name)");
  test->add_option("--fail-under", o.test.fail_under,
                   "Fail (exit 1) when the scenarios take less than this percentage of all edges "
                   "(implies --edge-coverage)")
      ->check(CLI::Range(0, 100));
  test->add_option("--junit", o.test.junit, "Write JUnit XML to this file");
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"rbk: runbooks as code. Check, format, compile and run .rbk runbooks.", "rbk"};
  app.require_subcommand(1);
  app.set_help_all_flag("--help-all", "Help for every subcommand");

  rbk::cli::CheckOptions check;
  rbk::cli::FmtOptions fmt;
  add_check(app, check);
  add_fmt(app, fmt);
  rbk::cli::CompileOptions compile, disasm;
  add_compile(app, compile, disasm);
  RunCommands runs;
  rbk::server::ServeOptions serve;
  add_serve(app, serve);
  add_run(app, runs);
  rbk::cli::RenderOptions render;
  add_render(app, render);
  rbk::cli::DocsOptions docs;
  add_docs(app, docs);
  rbk::cli::ScenarioRecordOptions record;
  auto* scenario_cmd = app.add_subcommand("scenario", "Scenario files made from runs");
  scenario_cmd->require_subcommand(1);
  auto* record_cmd = scenario_cmd->add_subcommand(
      "record", "Write a stored run as a scenario file: its answers, decisions and path");
  record_cmd->add_option("run", record.run, "The run id")->required();
  record_cmd->add_option("-o,--output", record.output, "Where to write (default: stdout)");
  record_cmd->add_option("--store", record.store, kStoreHelp);
  example(record_cmd,
          "  rbk scenario record r20261122-183055-4f2a9c1e -o "
          "runbooks/scenarios/device_offline/seen_live.json\n  rbk test "
          "runbooks/scenarios/device_offline/seen_live.json",
          "0 written, 1 the stored program is damaged, 2 no such run or an unwritable file");
  rbk::cli::SchemaOptions schema;
  auto* schema_cmd = app.add_subcommand(
      "schema", "Print a JSON Schema of the files rbk reads, for editors (scenario)");
  schema_cmd->add_option("name", schema.name, "Which: scenario")->required();
  example(schema_cmd, "  rbk schema scenario > .vscode/rbk-scenario.schema.json",
          "0 printed, 2 no such schema");
  rbk::cli::LspOptions lsp{RBK_VERSION, true};
  auto* lsp_cmd = app.add_subcommand(
      "lsp",
      "The language server: diagnostics, hover, completion and more in editors (docs/editors.md)");
  lsp_cmd->add_flag("--stdio", lsp.stdio,
                    "Talk over stdin and stdout (the default, and the only way)");
  example(lsp_cmd, "  rbk lsp   (started by the editor, not by hand)",
          "0 the client shut the server down, 1 the input ended without shutdown and exit");
  std::string completion_shell, man_dir;
  auto* completion_cmd = app.add_subcommand(
      "completion", "Print the shell's completion script for rbk (installed with the package)");
  completion_cmd->add_option("shell", completion_shell, "bash, zsh or fish")
      ->required()
      ->check(CLI::IsMember({"bash", "zsh", "fish"}));
  example(completion_cmd,
          "  source <(rbk completion bash)\n  rbk completion fish > "
          "~/.config/fish/completions/rbk.fish",
          "0 printed, 2 bad usage");
  // The build writes the man pages with it (cli/shell_docs.hpp); not for people.
  auto* man_cmd = app.add_subcommand("man", "Write the man pages into a folder")->group("");
  man_cmd->add_option("dir", man_dir, "The folder")->required();
  std::vector<std::string> help_topic;
  auto* help = app.add_subcommand("help", "Show help for rbk or for one subcommand");
  help->add_option("subcommand", help_topic, "The subcommand to describe (rbk help docs build)");
  app.set_version_flag("--version", std::string("rbk ") + RBK_VERSION + " (bytecode format " +
                                        std::to_string(rbk::Program::kFormatVersion) + ")");

  // A word where a subcommand belongs that names none: say so, with the closest name
  // (CLI11 would say only that the argument was not expected).
  {
    CLI::App* at = &app;
    std::string path = "rbk";
    for (int i = 1; i < argc && !at->get_subcommands({}).empty(); ++i) {
      std::string word = argv[i];
      if (word.empty() || word[0] == '-') break;
      CLI::App* next = nullptr;
      std::vector<std::string> names;
      for (CLI::App* sub : at->get_subcommands({})) {
        names.push_back(sub->get_name());
        if (sub->get_name() == word) next = sub;
      }
      if (!next) {
        std::string near = rbk::closest_name(word, names);
        std::cerr << path << ": no command '" << word << "'"
                  << (near.empty() ? "" : "; did you mean '" + near + "'?") << " (see " << path
                  << " --help)\n";
        return rbk::cli::kUsage;
      }
      at = next;
      path += " " + word;
      if (word == "help") break;  // its words are topics, checked below
    }
  }

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return rbk::cli::kUsage;  // CLI11 reports parse errors with its own codes; ours is 2
  }

  if (help->parsed()) {
    if (help_topic.empty()) {
      // app.help() would describe the selected subcommand (help itself).
      std::cout << app.get_formatter()->make_help(&app, "rbk", CLI::AppFormatMode::Normal);
      return rbk::cli::kOk;
    }
    CLI::App* topic = &app;
    std::string path = "rbk", parent;
    for (const auto& word : help_topic) {
      try {
        topic = topic->get_subcommand(word);
      } catch (const CLI::OptionNotFound&) {
        std::vector<std::string> names;
        for (CLI::App* sub : topic->get_subcommands({})) names.push_back(sub->get_name());
        std::string near = rbk::closest_name(word, names);
        std::cerr << "rbk help: no subcommand '" << word << "' of " << path
                  << (near.empty() ? "" : "; did you mean '" + near + "'?") << "\n";
        return rbk::cli::kUsage;
      }
      parent = path;
      path += " " + word;
    }
    std::cout << topic->help(parent);  // CLI11 adds the command's own name
    return rbk::cli::kOk;
  }
  // Exactly one subcommand was parsed: its name labels an internal error.
  const char* command = app.get_subcommands().front()->get_name().c_str();
  return rbk::cli::guarded(command, [&]() -> int {
    if (app.got_subcommand("check")) return rbk::cli::run_check(check);
    if (app.got_subcommand("fmt")) return rbk::cli::run_fmt(fmt);
    if (app.got_subcommand("compile")) return rbk::cli::run_compile(compile);
    if (app.got_subcommand("disasm")) return rbk::cli::run_disasm(disasm);
    if (app.got_subcommand("run")) return rbk::cli::run_run(runs.run);
    if (app.got_subcommand("approve")) return rbk::cli::run_approve(runs.approve);
    if (app.got_subcommand("resume")) return rbk::cli::run_resume(runs.resume);
    if (app.got_subcommand("runs")) return rbk::cli::run_runs(runs.runs);
    if (app.got_subcommand("cancel")) return rbk::cli::run_cancel(runs.cancel);
    if (app.got_subcommand("signal")) return rbk::cli::run_signal(runs.signal);
    if (app.got_subcommand("audit")) return rbk::cli::run_audit(runs.audit);
    if (app.got_subcommand("token")) return rbk::cli::run_token(runs.token);
    if (app.got_subcommand("store")) return rbk::cli::run_store_copy(runs.store_copy);
    if (app.got_subcommand("test")) return rbk::cli::run_test(runs.test);
    if (app.got_subcommand("serve")) return rbk::server::serve(serve);
    if (app.got_subcommand("render")) return rbk::cli::run_render(render);
    if (app.got_subcommand("lsp")) return rbk::cli::run_lsp(lsp);
    if (app.got_subcommand("completion")) return rbk::cli::run_completion(app, completion_shell);
    if (app.got_subcommand("man")) return rbk::cli::run_man(app, man_dir, RBK_VERSION);
    if (app.got_subcommand("schema")) return rbk::cli::run_schema(schema);
    if (record_cmd->parsed()) return rbk::cli::run_scenario_record(record);
    if (docs.action == "build") return rbk::cli::run_docs_build(docs);
    if (!docs.action.empty()) return rbk::cli::run_docs_blocks(docs);
    return rbk::cli::kUsage;
  });
}
