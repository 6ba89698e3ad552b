#!/usr/bin/env bash
# rbk serve under load, on loopback: 200 dry-runs of the seed runbooks at once against
# fleet-sim, their gates approved as they come, while 1,000 API reads a second go on for a
# minute (bench/server/load.py). Checks that nothing failed and no event was lost; prints
# p50/p99 of reads, approvals and starts, and the server's peak memory.
#
#   bench/server_load.sh [RUNS] [READS_PER_SECOND] [SECONDS]   (default 200 1000 60)
#
# Builds rbk and fleet-sim (scripts/build.sh default); writes only to a temporary folder.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/build.sh" default rbk fleet-sim >/dev/null
rbk="$root/build/default/cli/rbk"
sim="$root/build/default/tools/fleet-sim/fleet-sim"
export RBK_STDLIB="$root/stdlib"
work=$(mktemp -d)
export RBK_STORE="$work/runs.db"
sim_pid=""
srv_pid=""
trap '[ -n "$srv_pid" ] && kill "$srv_pid" 2>/dev/null; [ -n "$sim_pid" ] && kill "$sim_pid" 2>/dev/null; rm -rf "$work"' EXIT
tmp=$work src=$root
. "$root/tests/test_lib.sh"  # start_fleet_sim
start_fleet_sim "$sim"
starter=$("$rbk" token create --name alice --roles ops 2>/dev/null | head -1)
approver=$("$rbk" token create --name bob --roles ops,oncall,platform,security,release-manager 2>/dev/null | head -1)
cd "$root"
"$rbk" serve --runbooks runbooks --policy "$work/policy.json" --config "$work/config.json" \
  --listen 127.0.0.1:0 --workers 16 > "$work/srv.out" 2> "$work/srv.log" &
srv_pid=$!
for i in $(seq 1 100); do grep -q listening "$work/srv.out" 2>/dev/null && break; sleep 0.1; done
url=$(grep -o 'http://127.0.0.1:[0-9]*' "$work/srv.out")
echo "rbk serve at $url (16 workers), fleet-sim at $api" >&2
python3 "$root/bench/server/load.py" "$url" "$starter" "$approver" "$srv_pid" "${1:-200}" "${2:-1000}" "${3:-60}"
