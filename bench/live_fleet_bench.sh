#!/usr/bin/env bash
# A live fan-out against tools/fleet-sim on loopback, at concurrency 1, 16 and 64:
# bench/fleet/live_check.rbk (four HTTP probes a device) over one cohort of a simulated
# fleet, as a dry-run (probes real, journaled; no action). Prints, per concurrency, the
# devices per second of the foreach, and the journal's share of its time (the time one
# commit or another was running: commits are one at a time, so a share near 100% would
# make the journal the bottleneck), with entries and commits (a commit holds every entry
# that arrived while the one before it ran).
#
#   bench/live_fleet_bench.sh [DEVICES] [RUNS]   (default 60000 devices, 3 runs: medians)
#
# Builds rbk and fleet-sim (scripts/build.sh default); writes only to a temporary folder.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
devices=${1:-60000}
runs=${2:-3}
"$root/scripts/build.sh" default rbk fleet-sim >/dev/null
rbk="$root/build/default/cli/rbk"
sim="$root/build/default/tools/fleet-sim/fleet-sim"
export RBK_STDLIB="$root/stdlib"

work=$(mktemp -d)
sim_pid=""
trap '[ -n "$sim_pid" ] && kill "$sim_pid" 2>/dev/null; rm -rf "$work"' EXIT
tmp=$work src=$root
. "$root/tests/test_lib.sh"  # start_fleet_sim
start_fleet_sim "$sim" --devices "$devices"
cohort='{"firmware": "2.3.1", "hardware": "rev-A", "region": "eu-west"}'
items=$(curl -s "$api/devices?firmware=2.3.1&hardware=rev-A&region=eu-west" |
  python3 -c 'import json, sys; print(len(json.load(sys.stdin)))')
echo "== a live fan-out (dry-run) over $items devices of a $devices-device fleet; medians of $runs runs"
printf '%-12s %12s %12s %14s %10s %10s\n' concurrency devices/s "eval ms" "journal share" entries commits
for c in 1 16 64; do
  sed "s/concurrency 1$/concurrency $c/" "$root/bench/fleet/live_check.rbk" > "$work/live_check.rbk"
  : > "$work/samples"
  for _ in $(seq 1 "$runs"); do
    rm -f "$work"/runs.db*
    "$rbk" run "$work/live_check.rbk" --dry-run --store "$work/runs.db" --policy "$tmp/policy.json" \
      --config "$tmp/config.json" --param "cohort=$cohort" --summary "$work/summary.json" > "$work/out" ||
      { echo "FAIL at concurrency $c:"; tail -5 "$work/out"; exit 1; }
    python3 - "$work/summary.json" "$items" >> "$work/samples" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
items = int(sys.argv[2])
assert s["started"] == items, f"{s['started']} of {items} children started"
j = s["journal"]
print(s["eval_ms"], items / (s["eval_ms"] / 1000), j["commit_ms"] / s["eval_ms"], j["entries"], j["commits"])
PY
  done
  sort -g "$work/samples" | awk -v c="$c" '{a[NR]=$0} END {split(a[int((NR+1)/2)], m, " ");
    printf "%-12s %12.0f %12.1f %13.0f%% %10d %10d\n", c, m[2], m[1], m[3] * 100, m[4], m[5]}'
done
