#!/usr/bin/env bash
# The device-offline flow on the peers' 60,000-device fleet, side by side in one run: the
# hand-written Lua 5.4 and CPython baselines of ../shared/peers, and rbk (bench/fleet: a
# registry module, the per-device runbook, a foreach over a fleet snapshot). Each must
# reproduce expected_counts.json exactly (the run stops otherwise). Prints, per
# implementation, the evaluation time per device (JSON loading excluded, as the peers
# measure it), the whole process's time and peak memory, and rbk's ratios to Lua; then the
# same for a one-device fleet (start-up).
#
#   bench/fleet_bench.sh [PEERS_DIR] [RUNS]     (default ../shared/peers, 5 runs: medians)
#
# Installs lua5.4 and lua-cjson when they are missing (Debian packages), builds rbk
# (scripts/build.sh default rbk) and never writes to PEERS_DIR (it is read-only where it
# is mounted): the fleet is generated in a temporary folder.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
peers=$(cd "${1:-$root/../shared/peers}" && pwd)
runs=${2:-5}
py=/usr/bin/python3
if ! command -v lua5.4 >/dev/null || [ ! -e /usr/lib/x86_64-linux-gnu/lua/5.4/cjson.so ]; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq lua5.4 lua-cjson >/dev/null
fi
"$root/scripts/build.sh" default rbk >/dev/null
rbk="$root/build/default/cli/rbk"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp "$peers"/gen_fleet.py "$peers"/impl_lua.lua "$peers"/impl_python.py "$peers"/fleet1.json \
  "$peers"/expected_counts_1.json "$work/"
(cd "$work" && "$py" gen_fleet.py >/dev/null)  # fleet.json (60,000 devices, seed 42), expected_counts.json

# The bench/fleet scenario, pointed at a snapshot, expecting the reference counts.
scenario() {  # scenario SNAPSHOT EXPECTED OUT
  "$py" - "$root/bench/fleet/fleet1.scenario.json" "$1" "$2" "$3" "$root/bench/fleet/fleet_triage.rbk" <<'PY'
import json, sys
base, snapshot, expected, out, rbk = sys.argv[1:]
s = json.load(open(base))
s["file"] = rbk
s["probes"]["registry.offline_devices"]["records"] = snapshot
s["expect"]["ends"] = json.load(open(expected))
json.dump(s, open(out, "w"), indent=1)
PY
}
scenario "$work/fleet.json" "$work/expected_counts.json" "$work/fleet.scenario.json"
scenario "$work/fleet1.json" "$work/expected_counts_1.json" "$work/fleet1.scenario.json"

# One measured process: prints "EVAL_MS WALL_S RSS_KIB" (EVAL_MS from its own report).
measure() {  # measure NAME CMD...
  local name=$1
  shift
  local t0 t1
  t0=$(date +%s%N)
  /usr/bin/time -f '%M' -o "$work/time" "$@" >"$work/out" 2>"$work/err" || {
    echo "FAIL $name:"
    sed 's/^/  | /' "$work/out" "$work/err" | tail -20
    exit 1
  }
  t1=$(date +%s%N)
  local eval_ms
  case "$name" in
    rbk) eval_ms=$("$py" -c 'import json, sys; print(json.load(open(sys.argv[1]))["eval_ms"])' "$work/summary.json") ;;
    *) grep -q '"ok":true' "$work/out" || { echo "FAIL $name: counts differ"; cat "$work/out"; exit 1; }
       eval_ms=$("$py" -c 'import json, sys; print(json.loads(open(sys.argv[1]).read().splitlines()[-1])["eval_ms"])' "$work/out") ;;
  esac
  echo "$eval_ms $(awk -v ns=$((t1 - t0)) 'BEGIN { printf "%.4f", ns / 1e9 }') $(cat "$work/time")"
}


median() { sort -g | awk '{a[NR]=$0} END {print a[int((NR+1)/2)]}'; }

report() {  # report FLEET DEVICES
  local fleet=$1 devices=$2
  printf '%-8s %14s %14s %12s %12s\n' impl "eval ms" "ns/device" "process ms" "peak MiB"
  declare -A eval wall rss
  # rbk's counts against the reference (expect.ends), once, outside the measurements
  "$rbk" test "$work/$fleet.scenario.json" >"$work/out" || { echo "FAIL rbk:"; cat "$work/out"; exit 1; }
  for impl in lua python rbk; do
    : >"$work/samples"
    for _ in $(seq 1 "$runs"); do
      case $impl in
        lua) measure lua lua5.4 "$work/impl_lua.lua" "$work/$fleet.json" "$work/${3}" ;;
        python) measure python "$py" "$work/impl_python.py" "$work/$fleet.json" "$work/${3}" ;;
        rbk) rm -f "$work"/runs.db*  # a scenario run with its store, as a user runs it
             measure rbk "$rbk" run "$root/bench/fleet/fleet_triage.rbk" --scenario \
               "$work/$fleet.scenario.json" --store "$work/runs.db" --summary "$work/summary.json" ;;
      esac >>"$work/samples"
    done
    eval[$impl]=$(awk '{print $1}' "$work/samples" | median)
    wall[$impl]=$(awk '{print $2}' "$work/samples" | median)
    rss[$impl]=$(awk '{print $3}' "$work/samples" | median)
    printf '%-8s %14.3f %14.1f %12.1f %12.1f\n' "$impl" "${eval[$impl]}" \
      "$(echo "${eval[$impl]} * 1000000 / $devices" | bc -l)" "$(echo "${wall[$impl]} * 1000" | bc -l)" \
      "$(echo "${rss[$impl]} / 1024" | bc -l)"
  done
  ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2fx", a / b; else printf "n/a (under the timer'"'"'s resolution)" }'; }
  echo "rbk / lua: eval $(ratio "${eval[rbk]}" "${eval[lua]}"), process $(ratio "${wall[rbk]}" "${wall[lua]}"), peak memory $(ratio "${rss[rbk]}" "${rss[lua]}")"
}

echo "== the device-offline flow on 60,000 devices (medians of $runs runs; every count checked)"
report fleet 60000 expected_counts.json
echo
echo "== one device (start-up: the whole process counts)"
report fleet1 1 expected_counts_1.json
