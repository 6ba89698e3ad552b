#!/usr/bin/env bash
# rbk's threads under ThreadSanitizer: builds rbk and fleet-sim in the tsan preset and runs
# tests/live_fleet_test.sh with them (children beside each other, the journal's group
# commits, Ctrl-C, kills and resumes, against 20,000 and 60,000 simulated devices), then
# the server's tests (tests/server_test.sh, tests/sso_test.sh: runs on worker threads,
# request threads, event streams, webhook deliveries; tests/web_ui_test.sh: the web pages,
# diagrams drawn on connection threads, the gates' stream), and rbk lsp with Neovim's
# client (tests/nvim_test.sh: the reader thread beside the requests). Any data race fails the run
# (halt_on_error). Not part of scripts/test.sh: the build takes minutes; run it after
# changing the VM's fleets, the journal writer, the store or the server.
#   scripts/tsan.sh
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh tsan
export TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1 suppressions=$PWD/tests/tsan.supp${TSAN_OPTIONS:+ $TSAN_OPTIONS}"
export RBK_STDLIB="$PWD/stdlib"
for t in live_fleet server sso web_ui; do
  echo "== tsan: $t"
  tests/${t}_test.sh build/tsan/cli/rbk build/tsan/tools/fleet-sim/fleet-sim "$PWD"
done
echo "== tsan: nvim"
tests/nvim_test.sh build/tsan/cli/rbk "$PWD"
