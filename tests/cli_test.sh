#!/usr/bin/env bash
# Command-line behaviour a user relies on: exit codes (cli.md), --strict, JSON output,
# `rbk fmt` -w/--check never touching a file it cannot parse, help.
# Usage: cli_test.sh RBK SOURCE_DIR
set -u
rbk="$1"
src="$2"
tmp=$(mktemp -d)
. "$(dirname "$0")/test_lib.sh"
trap 'rm -rf "$tmp"' EXIT


cd "$src/tests/check"
expect "runbooks check clean" 0 "$rbk" check --strict "$src"/runbooks/*.rbk
contains "summary" "$tmp/err" "no problems"

expect "seed gap is a warning" 0 "$rbk" check seed_device_offline_literal.rbk
contains "seed gap named" "$tmp/err" "seed_device_offline_literal.rbk:10:10: warning: decide node 'LS' has no 'else': age in [5m, 30m] reaches no branch"
contains "caret under the node" "$tmp/err" "  decide LS \"Check last seen timestamp\" {"
expect "seed gap is an error under --strict" 1 "$rbk" check --strict seed_device_offline_literal.rbk
contains "strict error" "$tmp/err" "error: decide node 'LS' has no 'else': age in [5m, 30m] reaches no branch"

expect "errors exit 1" 1 "$rbk" check unknown_node.rbk
contains "hint" "$tmp/err" "hint: did you mean 'check_broker'?"
expect "syntax errors exit 1" 1 "$rbk" check syntax_recovery.rbk
expect "json diagnostics" 1 "$rbk" check --diagnostics=json unknown_node.rbk
contains "json on stdout" "$tmp/out" '"code": "unknown-node"'

expect "missing file exits 2" 2 "$rbk" check no_such_file.rbk
contains "names the file" "$tmp/err" "no_such_file.rbk"
expect "no files is bad usage" 2 "$rbk" check
expect "unknown subcommand" 2 "$rbk" frobnicate
expect "bad --diagnostics value" 2 "$rbk" check --diagnostics=xml unknown_node.rbk
expect "help" 0 "$rbk" help
contains "help lists check" "$tmp/out" "check"
expect "help for a subcommand" 0 "$rbk" help fmt
contains "fmt help" "$tmp/out" "--check"
expect "help for an unknown subcommand" 2 "$rbk" help nothing
expect "a mistyped command" 2 "$rbk" chek x.rbk
contains "did you mean the command" "$tmp/err" "no command 'chek'; did you mean 'check'?"
expect "a mistyped nested command" 2 "$rbk" docs biuld runbooks -o site
contains "did you mean the nested command" "$tmp/err" "rbk docs: no command 'biuld'; did you mean 'build'?"
expect "help of a nested command" 0 "$rbk" help docs build
contains "help names the nested command" "$tmp/out" "Usage: rbk docs build [OPTIONS]"
contains "help shows an example" "$tmp/out" "rbk docs build runbooks -o build/site"
contains "help shows the exit codes" "$tmp/out" "Exit codes: 0 built"
expect "help of a mistyped nested command" 2 "$rbk" help docs biuld
contains "help suggests" "$tmp/err" "did you mean 'build'?"
expect "version" 0 "$rbk" --version
contains "version names the bytecode format" "$tmp/out" "(bytecode format 1)"

# rbk fmt
cp "$src/tests/fmt/messy.rbk" "$tmp/messy.rbk"
expect "fmt --check fails on unformatted" 1 "$rbk" fmt --check "$tmp/messy.rbk"
expect "fmt prints" 0 "$rbk" fmt "$tmp/messy.rbk"
cp "$tmp/out" "$tmp/printed.rbk"
expect "fmt -w" 0 "$rbk" fmt -w "$tmp/messy.rbk"
if cmp -s "$tmp/messy.rbk" "$tmp/printed.rbk"; then passed=$((passed + 1)); else
  echo "FAIL fmt -w wrote something else than fmt printed"; failures=$((failures + 1)); fi
expect "fmt --check passes after -w" 0 "$rbk" fmt --check "$tmp/messy.rbk"
printf 'runbook r {\n  start ->\n' > "$tmp/broken.rbk"
cp "$tmp/broken.rbk" "$tmp/broken.orig"
expect "fmt -w refuses a file that does not parse" 1 "$rbk" fmt -w "$tmp/broken.rbk"
if cmp -s "$tmp/broken.rbk" "$tmp/broken.orig"; then passed=$((passed + 1)); else
  echo "FAIL fmt -w changed a file with syntax errors"; failures=$((failures + 1)); fi
expect "fmt of a missing file exits 2" 2 "$rbk" fmt "$tmp/none.rbk"

summary
