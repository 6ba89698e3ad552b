#!/usr/bin/env bash
# rbk serve replicas on PostgreSQL, side by side with one server on SQLite: child runs per
# second of dry-run fan-outs (tests/replicas/fleet_reboot.rbk: a recorded reboot and a real
# probe a device, concurrency 8) against tools/fleet-sim on loopback, and the time another
# replica takes to take a SIGKILLed one's run over.
#
# Throughput: RUNS fan-outs of DEVICES children each, started at once, spread over the
# replicas (round robin); child runs per second = RUNS × DEVICES / the time until the last
# ends. For SQLite one server; for PostgreSQL 1, 2 and 3 replicas (a throwaway cluster,
# tests/pg_cluster.sh).
#
#   bench/replicas_bench.sh [DEVICES] [RUNS] [TRIALS]   (default 5000 devices, 6 runs, 5 trials)
#
# Builds rbk and fleet-sim (scripts/build.sh default); writes only to temporary folders.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
devices=${1:-5000}
runs=${2:-6}
trials=${3:-5}
"$root/scripts/build.sh" default rbk fleet-sim > /dev/null
rbk="$root/build/default/cli/rbk"
sim="$root/build/default/tools/fleet-sim/fleet-sim"
export RBK_STDLIB="$root/stdlib"

work=$(mktemp -d)
pgdir=$(mktemp -d /tmp/rbk-pg.XXXXXX)  # (its own: the cluster's user must reach it)
sim_pid=""
declare -a pids ports
stop_replicas() {
  for p in "${pids[@]}"; do if [ -n "$p" ]; then kill -9 "$p" 2> /dev/null || true; fi; done
  for p in "${pids[@]}"; do if [ -n "$p" ]; then wait "$p" 2> /dev/null || true; fi; done
  pids=()
  return 0
}
cleanup() {
  stop_replicas
  [ -n "$sim_pid" ] && kill "$sim_pid" 2> /dev/null
  "$root/tests/pg_cluster.sh" stop "$pgdir" 2> /dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
tmp=$work src=$root
. "$root/tests/test_lib.sh" # start_fleet_sim, free_port
start_fleet_sim "$sim" --devices "$devices"
pg=$("$root/tests/pg_cluster.sh" start "$pgdir")

# start_replicas STORE N LEASE: N replicas on STORE.
start_replicas() {
  local store=$1 n=$2 lease=$3
  for i in $(seq 1 "$n"); do
    ports[$i]=$(free_port)
    "$rbk" serve --runbooks "$root/tests/replicas" --policy "$tmp/policy.json" --config "$tmp/config.json" \
      --store "$store" --listen "127.0.0.1:${ports[$i]}" --lease "$lease" --workers 8 \
      > "$work/r$i.out" 2>> "$work/r$i.log" &
    pids[$i]=$!
    for _ in $(seq 1 100); do grep -q listening "$work/r$i.out" 2> /dev/null && break; sleep 0.1; done
  done
}
start_run() { # start_run REPLICA: a dry-run of fleet_reboot through it; prints its id
  curl -s --max-time 10 -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
    --data-binary '{"runbook": "fleet_reboot", "mode": "dry-run"}' "http://127.0.0.1:${ports[$1]}/api/runs" |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["id"])'
}
status() { curl -s --max-time 10 -H "Authorization: Bearer $token" "http://127.0.0.1:${ports[1]}/api/runs/$1" |
  python3 -c 'import json, sys; print(json.load(sys.stdin)["status"])'; }
fresh_pg() { psql -q "$pg" -c 'DROP SCHEMA public CASCADE; CREATE SCHEMA public;' 2> /dev/null; }

# throughput STORE N: RUNS fan-outs over N replicas; prints child runs per second.
throughput() {
  local store=$1 n=$2
  start_replicas "$store" "$n" 15s
  token=$("$rbk" token create --name alice --roles ops --store "$store" 2> /dev/null)
  local t0 ids=() i
  t0=$(date +%s%3N)
  for i in $(seq 1 "$runs"); do ids+=("$(start_run $(((i - 1) % n + 1)))"); done
  for id in "${ids[@]}"; do
    for _ in $(seq 1 6000); do [ "$(status "$id")" = ended ] && break; sleep 0.05; done
  done
  local ms=$(($(date +%s%3N) - t0))
  stop_replicas
  echo $((runs * devices * 1000 / ms))
}

echo "== child runs per second: $runs dry-run fan-outs of $devices devices at once (fleet-sim on loopback)"
printf '%-28s %16s\n' store "child runs/s"
rm -f "$work"/sqlite.db*
printf '%-28s %16s\n' "SQLite, 1 server" "$(throughput "sqlite:$work/sqlite.db" 1)"
for n in 1 2 3; do
  fresh_pg
  printf '%-28s %16s\n' "PostgreSQL, $n replica(s)" "$(throughput "$pg" "$n")"
done

echo "== takeover: the replica executing a fan-out SIGKILLed; ms until another owns the run"
printf '%-10s %s\n' lease "ms (each trial)"
for lease in 2s 5s; do
  fresh_pg
  start_replicas "$pg" 2 "$lease"
  token=$("$rbk" token create --name alice --roles ops --store "$pg" 2> /dev/null)
  samples=""
  for _ in $(seq 1 "$trials"); do
    id=$(start_run 1)
    sleep 0.5
    owner_pid() { psql -At "$pg" -c "SELECT split_part(owner, '/', 2) FROM runs WHERE id = '$id'"; }
    victim=""
    for i in 1 2; do if [ "$(owner_pid)" = "${pids[$i]}" ]; then victim=$i; fi; done
    [ -n "$victim" ] || continue
    kill -9 "${pids[$victim]}"
    wait "${pids[$victim]}" 2> /dev/null || true
    t0=$(date +%s%3N)
    for _ in $(seq 1 600); do
      p=$(owner_pid)
      if [ -n "$p" ] && [ "$p" != "${pids[$victim]}" ]; then break; fi
      sleep 0.02
    done
    samples="$samples $(($(date +%s%3N) - t0))"
    # the killed replica back, on the same port (it takes back nothing: the run moved)
    "$rbk" serve --runbooks "$root/tests/replicas" --policy "$tmp/policy.json" --config "$tmp/config.json" \
      --store "$pg" --listen "127.0.0.1:${ports[$victim]}" --lease "$lease" --workers 8 \
      > "$work/r$victim.out" 2>> "$work/r$victim.log" &
    pids[$victim]=$!
    for _ in $(seq 1 100); do grep -q listening "$work/r$victim.out" 2> /dev/null && break; sleep 0.1; done
    for _ in $(seq 1 6000); do [ "$(psql -At "$pg" -c "SELECT status FROM runs WHERE id = '$id'")" = ended ] && break; sleep 0.05; done
  done
  stop_replicas
  printf '%-10s %s\n' "$lease" "$samples"
  stuck=$(psql -At "$pg" -c "SELECT count(*) FROM runs WHERE status = 'running'")
  [ "$stuck" = 0 ] || echo "  (!) $stuck run(s) left running: $(psql -At "$pg" -c "SELECT id, owner, lease_until FROM runs WHERE status = 'running'")"
done
