#!/usr/bin/env bash
# The web UI on this machine, in one command: builds rbk and the fleet simulator, starts
# the simulator (127.0.0.1:8085, the address tools/fleet-sim's policy and configuration
# name), makes you an API token in a store of the demo's own (build/ui-runs.db), and runs
# rbk serve on http://127.0.0.1:8080 until Ctrl-C. Open that address and sign in with the
# token it prints. Usage: scripts/ui.sh [NAME] (default: $USER), with the ops role.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh default rbk fleet-sim
name="${1:-${USER:-operator}}"
export RBK_STORE="${RBK_STORE:-build/ui-runs.db}"
build/default/tools/fleet-sim/fleet-sim --port 8085 > build/ui-fleet-sim.log 2>&1 &
sim=$!
srv=""
trap 'kill $sim $srv 2>/dev/null' EXIT
trap 'exit 130' INT TERM
token=$(build/default/cli/rbk token create --name "$name" --roles ops --expires 12h | head -1)
cat <<TEXT

  Open http://127.0.0.1:8080 and sign in as $name with this API token:

    $token

  (Starting a live run is allowed to the ops role; approving it takes another person of
  ops — make one with: RBK_STORE=$RBK_STORE build/default/cli/rbk token create --name bob --roles ops)

TEXT
build/default/cli/rbk serve --runbooks runbooks --policy tools/fleet-sim/policy.json \
  --config tools/fleet-sim/config.json --listen 127.0.0.1:8080 &
srv=$!
wait "$srv"
