#!/usr/bin/env bash
# rbk serve's web pages in Debian's Chromium, on loopback, against a 60,000-device fleet-sim:
# how long until a page is useful — the catalogue listed, a runbook's diagram drawn, a live
# run's path drawn to its gate, and an offline_triage dry-run's fan-out (hundreds of
# children) drawn with its fleet overlay — over fresh loads (nothing cached), and what each
# page transferred (tools/browser-test/page-load.mjs).
#
#   bench/web_ui_bench.sh [LOADS] [DEVICES]   (default 7 60000)
#
# Builds rbk and fleet-sim; needs tools/browser-test's node_modules (scripts/install-test-tools.sh).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
loads="${1:-7}"
devices="${2:-60000}"
"$root/scripts/build.sh" default rbk fleet-sim >/dev/null
rbk="$root/build/default/cli/rbk"
sim="$root/build/default/tools/fleet-sim/fleet-sim"
work=$(mktemp -d)
export RBK_STORE="$work/runs.db"
sim_pid=""
srv_pid=""
trap '[ -n "$srv_pid" ] && kill "$srv_pid" 2>/dev/null; [ -n "$sim_pid" ] && kill "$sim_pid" 2>/dev/null; rm -rf "$work"' EXIT
tmp=$work src=$root
. "$root/tests/test_lib.sh"  # start_fleet_sim
start_fleet_sim "$sim" --devices "$devices"
token=$("$rbk" token create --name alice --roles ops 2>/dev/null | head -1)
cd "$root"
"$rbk" serve --runbooks runbooks --policy "$work/policy.json" --config "$work/config.json" \
  --listen 127.0.0.1:0 > "$work/srv.out" 2> "$work/srv.log" &
srv_pid=$!
for i in $(seq 1 100); do grep -q listening "$work/srv.out" 2>/dev/null && break; sleep 0.1; done
url=$(grep -o 'http://127.0.0.1:[0-9]*' "$work/srv.out")
start() {  # start RUNBOOK MODE PARAMS_JSON: prints the run's id
  curl -s -H "Authorization: Bearer $token" -d "{\"runbook\": \"$1\", \"mode\": \"$2\", \"params\": $3}" \
    "$url/api/runs" | python3 -c 'import json, sys; print(json.load(sys.stdin)["id"])'
}
wait_paused() {
  for i in $(seq 1 600); do
    curl -s -H "Authorization: Bearer $token" "$url/api/runs/$1" | grep -q '"status":"paused"' && return
    sleep 0.1
  done
  echo "run $1 did not pause" >&2
  exit 1
}
live=$(start device_offline live '{"device": "sensor-0042", "gateway": "gw-7"}')
fanout=$(start offline_triage dry-run '{"region": "eu-west"}')
wait_paused "$live"
wait_paused "$fanout"
children=$(curl -s -H "Authorization: Bearer $token" "$url/api/runs/$fanout/trace" |
  python3 -c 'import json, sys; print(sum(len(e["ids"]) for e in json.load(sys.stdin) if e["event"] == "children"))')
echo "fleet-sim: $devices devices; the fan-out ran $children children"
curl -s "$url/" > "$work/page.html"
for a in $(grep -o '/assets/[0-9a-f]*/[a-z_]*\.[a-z]*' "$work/page.html" | sort -u) /; do
  printf '%s: %s bytes\n' "$a" "$(curl -s "$url$a" | wc -c)"
done
node tools/browser-test/page-load.mjs "$url" "$token" "$loads" \
  / ".grid .card" \
  /runbooks/device_offline "#diagram svg g.node" \
  "/runs/$live" "#trace li.gate" \
  "/runs/$fanout" "#overlay-triage text.count"
