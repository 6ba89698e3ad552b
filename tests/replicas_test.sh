#!/usr/bin/env bash
# Several rbk serve replicas sharing one PostgreSQL store (run under tests/with_postgres.sh),
# against tools/fleet-sim with 5,000 devices on loopback:
# - chaos: three replicas run a 5,000-child fan-out (a dry-run, then a live run); the
#   replica executing it is SIGKILLed every few seconds and restarted. The replicas share
#   the children (each claims what it has threads for); another replica takes the run, and
#   the children the killed one held, over from their journals; at the end every child ran
#   exactly once (the journal; for the
#   live run, the simulator's action log: an action cut off by a kill is sent again with its
#   Idempotency-Key, which the simulator honours), no run is left running, and the audit
#   chain verifies. One replica's API follows a run another executes.
# - the database restarted under a live run: connections re-made, no child lost.
# - a partition: a replica cut off from the database (through tests/tcp_proxy.py) stops
#   renewing; its lease runs out and another replica takes the run over; healed, the cut-off
#   one finds its writes refused and stops. Nothing is done twice.
# Usage: replicas_test.sh RBK FLEET_SIM SOURCE_DIR   (with $RBK_TEST_POSTGRES, $RBK_TEST_POSTGRES_DIR;
#        $RBK_REPLICAS_DEVICES: the fleet's size, 5,000 unless set)
set -u
rbk="$1"
sim="$2"
src="$3"
tmp=$(mktemp -d)
. "$(dirname "$0")/test_lib.sh"
[ -n "${RBK_TEST_POSTGRES:-}" ] || { echo "FAIL: run me under tests/with_postgres.sh"; exit 1; }
pg=$RBK_TEST_POSTGRES
n_dev=${RBK_REPLICAS_DEVICES:-5000}
export RBK_STORE=$pg
sim_pid=""
proxy_pid=""
declare -a pids ports stores
cleanup() {
  for p in "${pids[@]}"; do [ -n "$p" ] && kill -9 "$p" 2>/dev/null; done
  [ -n "$proxy_pid" ] && kill "$proxy_pid" 2>/dev/null
  [ -n "$sim_pid" ] && kill "$sim_pid" 2>/dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT
cd "$src"
sql() { psql -At -v ON_ERROR_STOP=1 "$pg" -c "$1"; }
lease=2s

# start_replica N: replica N on its port (the same each time), its store ${stores[N]}.
start_replica() {
  local n=$1
  : > "$tmp/r$n.out"
  "$rbk" serve --runbooks tests/replicas --policy "$tmp/policy.json" --config "$tmp/config.json" \
    --store "${stores[$n]}" --listen "127.0.0.1:${ports[$n]}" --lease "$lease" --workers 4 \
    > "$tmp/r$n.out" 2>> "$tmp/r$n.log" &
  pids[$n]=$!
  for i in $(seq 1 100); do
    grep -q "listening" "$tmp/r$n.out" 2>/dev/null && return 0
    kill -0 "${pids[$n]}" 2>/dev/null || break
    sleep 0.1
  done
  echo "FAIL: replica $n did not start"; cat "$tmp/r$n.log"; exit 1
}
url() { echo "http://127.0.0.1:${ports[$1]}"; }
# start N: a run of fleet_reboot (MODE) through replica N; prints its id.
start_run() {
  curl -s --max-time 10 -H "Authorization: Bearer $alice" -H 'Content-Type: application/json' \
    --data-binary "{\"runbook\": \"fleet_reboot\", \"mode\": \"$2\"}" "$(url "$1")/api/runs" |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["id"])'
}
# The replica whose process owns run ID now ("" when none of them).
executing_replica() {
  local owner pid
  owner=$(sql "SELECT owner FROM runs WHERE id = '$1' AND status = 'running'")
  pid=$(echo "$owner" | cut -d/ -f2)
  for n in "${!pids[@]}"; do [ -n "$pid" ] && [ "${pids[$n]}" = "$pid" ] && echo "$n"; done
}
# child_holder ID: the replica (index) holding a child of run ID now, or nothing.
child_holder() {
  local pid
  pid=$(sql "SELECT owner FROM child_tasks WHERE run = '$1' AND state = 'taken' LIMIT 1" | cut -d/ -f2)
  for n in "${!pids[@]}"; do [ -n "$pid" ] && [ "${pids[$n]}" = "$pid" ] && echo "$n"; done
}
# wait_ended ID SECONDS: until run ID is no longer running (bounded).
wait_ended() {
  for i in $(seq 1 $(($2 * 10))); do
    [ "$(sql "SELECT status FROM runs WHERE id = '$1'")" != running ] && return 0
    sleep 0.1
  done
  return 1
}
# chaos ID: SIGKILL the replica executing run ID every few seconds until the run ends
# (bounded). The killed one restarts only after its lease has run out, so one of the
# others takes the run over: how long that took (ms) is appended to $tmp/takeovers.
chaos() {
  kills=0 holder_kills=0
  for round in $(seq 1 30); do
    if [ "$round" = 1 ]; then sleep 0.3; else sleep 2.5; fi  # the first early, then room to go on
    [ "$(sql "SELECT status FROM runs WHERE id = '$1'")" = running ] || break
    local n t0 t1 m
    n=$(executing_replica "$1")
    # Once, a replica that holds children now, whether or not it executes the run: so that
    # some children are always taken over, however the run's owner was timed (under
    # sanitizers its children may all be done, or not yet handed out, when it dies).
    if [ "$round" = 2 ]; then
      local holder
      holder=$(child_holder "$1")
      if [ -n "$holder" ] && [ "$holder" != "$n" ]; then
        kill -9 "${pids[$holder]}"
        wait "${pids[$holder]}" 2>/dev/null
        pids[$holder]=""
        holder_kills=$((holder_kills + 1))
        start_replica "$holder"
        continue
      fi
    fi
    [ -n "$n" ] || continue  # between owners
    kill -9 "${pids[$n]}"
    wait "${pids[$n]}" 2>/dev/null
    t0=$(date +%s%3N)
    pids[$n]=""
    kills=$((kills + 1))
    for i in $(seq 1 100); do  # until another replica owns it (or it ended)
      m=$(executing_replica "$1")
      [ -n "$m" ] && { t1=$(date +%s%3N); echo $((t1 - t0)) >> "$tmp/takeovers"; break; }
      [ "$(sql "SELECT status FROM runs WHERE id = '$1'")" = running ] || break
      sleep 0.05
    done
    start_replica "$n"
  done
}
# Every child's record of run ID: "CHILDREN DISTINCT ACTIONS DISTINCT" — its end in the
# run's journal, its action in its own (the replicas share the children: child_journal).
children() {
  sql "SELECT (SELECT count(*) FROM journal WHERE run = '$1' AND kind = 'child_done'),
              (SELECT count(DISTINCT scope) FROM journal WHERE run = '$1' AND kind = 'child_done'),
              (SELECT count(*) FROM child_journal WHERE run = '$1' AND kind = 'act_done'),
              (SELECT count(DISTINCT scope) FROM child_journal WHERE run = '$1' AND kind = 'act_done')" | tr '|' ' '
}

# The simulator's reboots: "COUNT DISTINCT_DEVICES".
reboots() {
  curl -s "$api/actions" | python3 -c 'import json, sys
a = [x for x in json.load(sys.stdin) if x["action"] == "fleet.reboot"]
print(len(a), len({x["target"] for x in a}))'
}

# A fresh simulator of $n_dev devices. It honours Idempotency-Key, and the policy says so: an
# action cut off by a kill is sent again with its key.
start_sim() {
  start_fleet_sim "$sim" --devices "$n_dev"
  python3 -c 'import json, sys; p = json.load(open(sys.argv[1])); p["idempotent_actions"] = True; json.dump(p, open(sys.argv[1], "w"))' "$tmp/policy.json"
}
start_sim
# What exactly-once rests on: a request cut off mid-way (its sender killed) is not
# remembered by its key, so the whole one sent again is performed, once.
python3 - "$port" <<'PY' > "$tmp/cut" 2>&1
import socket, sys, urllib.request
port = int(sys.argv[1])
s = socket.create_connection(("127.0.0.1", port), timeout=5)
s.sendall(b"POST /devices/sensor-0002/reboot HTTP/1.1\r\nHost: x\r\nIdempotency-Key: cut\r\n"
          b"Content-Type: application/json\r\nContent-Length: 10\r\n\r\n{}")
s.close()
def post():
    r = urllib.request.Request(f"http://127.0.0.1:{port}/devices/sensor-0002/reboot", data=b"{}",
                               headers={"Idempotency-Key": "cut", "Content-Type": "application/json"})
    return urllib.request.urlopen(r, timeout=5).read().decode()
print(post(), post())
PY
contains "a cut-off request, then the whole one twice: performed" "$tmp/cut" '{"ok":true} {"ok":true}'
check "…once" "$([ "$(reboots)" = "1 1" ]; echo $?)" "$(reboots)"
start_sim
alice=$("$rbk" token create --name alice --roles ops 2>/dev/null)
for n in 1 2 3; do ports[$n]=$(free_port); stores[$n]=$pg; start_replica "$n"; done

# --- Chaos, dry-run ---------------------------------------------------------------------
id=$(start_run 1 dry-run)
check "a dry-run started" "$([ -n "$id" ]; echo $?)" "no id"
# Until the first wave's event arrives (bounded): replica 1 may be killed before it starts
# the wave, and under the sanitizers the new owner's replay takes seconds.
(
  set +o pipefail
  curl -sN --max-time 30 -H "Authorization: Bearer $alice" "$(url 3)/api/runs/$id/events" 2>/dev/null |
    tee "$tmp/stream" | grep -m1 -q '"event":"wave_started"'
) &
stream_pid=$!
chaos "$id"
wait "$stream_pid"
check "replica 3 streams the events of a run replica 1 executes" $? "$(head -c 300 "$tmp/stream")"
check "the dry-run's replica was killed" "$([ "$kills" -ge 1 ]; echo $?)" "$kills kills"
wait_ended "$id" 60
check "the dry-run ended" "$([ "$(sql "SELECT status, outcome FROM runs WHERE id = '$id'")" = "ended|resolved" ]; echo $?)" "$(sql "SELECT status, outcome, error FROM runs WHERE id = '$id'")"
read -r done_n done_d acted_n acted_d <<< "$(children "$id")"
check "every child ran once (journal)" "$([ "$done_n $done_d $acted_n $acted_d" = "$n_dev $n_dev $n_dev $n_dev" ]; echo $?)" \
  "$done_n children ($done_d distinct), $acted_n actions recorded ($acted_d distinct)"
check "no action left rbk in the dry-run" "$([ "$(reboots)" = "0 0" ]; echo $?)" "$(reboots)"
echo "dry-run: $kills kills of its replica, $holder_kills of another holding children"
dry_id=$id

# --- Chaos, live ------------------------------------------------------------------------
id=$(start_run 2 live)
check "a live run started" "$([ -n "$id" ]; echo $?)" "no id"
chaos "$id"
check "the live run's replica was killed" "$([ "$kills" -ge 1 ]; echo $?)" "$kills kills"
wait_ended "$id" 60
check "the live run ended" "$([ "$(sql "SELECT status FROM runs WHERE id = '$id'")" = ended ]; echo $?)" "$(sql "SELECT status, outcome, error FROM runs WHERE id = '$id'")"
read -r done_n done_d acted_n acted_d <<< "$(children "$id")"
read -r sent devices <<< "$(reboots)"
check "every child ran once, every device rebooted once" \
  "$([ "$done_n $done_d $acted_n $acted_d $sent $devices" = "$n_dev $n_dev $n_dev $n_dev $n_dev $n_dev" ]; echo $?)" \
  "$done_n children ($done_d distinct), $acted_n actions done ($acted_d distinct), $sent reboots for $devices devices; failed: $(sql "SELECT scope || ' ' || left(value, 400) FROM journal WHERE run = '$id' AND kind = 'child_done' AND (value LIKE '%\"k\":11%' OR value LIKE '%\"failed\"%') LIMIT 4")"
echo "live: $kills kills of its replica, $holder_kills of another holding children; actions sent again with their key and answered from the simulator's record: $(curl -s "$api/requests" | python3 -c 'import json, sys; print(json.load(sys.stdin)["replayed"])')"

taken_twice=$(sql "SELECT count(*) FROM child_tasks WHERE run IN ('$dry_id', '$id') AND attempts > 1")
check "children a killed replica held were taken over" "$([ "$taken_twice" -ge 1 ]; echo $?)" \
  "no child was taken twice"
echo "children taken over from a killed replica: $taken_twice"
check "other replicas took runs over" "$([ "$(cat "$tmp"/r*.log | grep -c 'taken over: the lease')" -ge 2 ]; echo $?)" "$(cat "$tmp"/r*.log | grep -c 'taken over: the lease') takeovers"
echo "takeover after a SIGKILL (lease $lease), ms: $(sort -n "$tmp/takeovers" | tr '\n' ' ')"
check "no run is left running" "$([ "$(sql "SELECT count(*) FROM runs WHERE status = 'running'")" = 0 ]; echo $?)" \
  "$(sql "SELECT id, owner FROM runs WHERE status = 'running'")"
expect "the audit chain verifies" 0 "$rbk" audit verify
contains "intact" "$tmp/out" "the chain is intact"

# --- The database restarted under a live run --------------------------------------------
start_sim
for n in 1 2 3; do kill "${pids[$n]}"; wait "${pids[$n]}" 2>/dev/null; start_replica "$n"; done
id=$(start_run 1 live)
sleep 1.5
expect "the database restarts" 0 "$src/tests/pg_cluster.sh" restart "$RBK_TEST_POSTGRES_DIR"
wait_ended "$id" 90
check "the run ended after the restart" "$([ "$(sql "SELECT status, outcome FROM runs WHERE id = '$id'")" = "ended|resolved" ]; echo $?)" "$(sql "SELECT status, outcome, error FROM runs WHERE id = '$id'")"
read -r done_n done_d acted_n acted_d <<< "$(children "$id")"
read -r sent devices <<< "$(reboots)"
check "no child lost, none twice" "$([ "$done_d $acted_d $sent $devices" = "$n_dev $n_dev $n_dev $n_dev" ]; echo $?)" \
  "$done_d children, $acted_d actions, $sent reboots for $devices devices"
# (no replica was killed during this run: each owner of its children is one of the three)
ran_by=$(sql "SELECT count(DISTINCT owner) FROM child_tasks WHERE run = '$id'")
check "the replicas shared the fan-out's children" "$([ "$ran_by" -ge 2 ]; echo $?)" "$ran_by replica(s) ran its children"
echo "children per replica: $(sql "SELECT count(*) FROM child_tasks WHERE run = '$id' GROUP BY owner" | tr '\n' ' ')"
# Each replica's metrics count the children it finished: together, every child once.
metric_done=0
for n in 1 2 3; do
  d=$(curl -s --max-time 5 "$(url "$n")/metrics" | sed -n 's/^rbk_children_total{result="done"} //p')
  metric_done=$((metric_done + ${d:-0}))
done
check "the replicas' metrics count every child once" "$([ "$metric_done" = "$n_dev" ]; echo $?)" \
  "rbk_children_total{result=\"done\"} adds up to $metric_done for $n_dev children"

# --- A partition ------------------------------------------------------------------------
# Replica 1 reaches the database through a proxy; replicas 2 and 3 directly.
start_sim
for n in 1 2 3; do kill "${pids[$n]}"; wait "${pids[$n]}" 2>/dev/null; done
proxy_port=$(free_port)
db_port=$(echo "$pg" | sed 's|.*:\([0-9]*\)/.*|\1|')
python3 "$src/tests/tcp_proxy.py" "$proxy_port" "$db_port" > "$tmp/proxy.log" 2>&1 &
proxy_pid=$!
for i in $(seq 1 50); do grep -q listening "$tmp/proxy.log" && break; sleep 0.1; done
stores[1]=$(echo "$pg" | sed "s|:$db_port/|:$proxy_port/|")
for n in 1 2 3; do start_replica "$n"; done
id=$(start_run 1 live)
sleep 1
kill -USR1 "$proxy_pid"  # replica 1 is cut off from the database
taken=""
for i in $(seq 1 150); do
  owner=$(sql "SELECT owner FROM runs WHERE id = '$id'")
  pid=$(echo "$owner" | cut -d/ -f2)
  if [ -n "$pid" ] && [ "$pid" != "${pids[1]}" ]; then taken=$pid; break; fi
  [ "$(sql "SELECT status FROM runs WHERE id = '$id'")" = running ] || break
  sleep 0.1
done
check "another replica took the run over" "$([ -n "$taken" ]; echo $?)" "owner $(sql "SELECT owner, status FROM runs WHERE id = '$id'")"
sleep 1
kill -USR2 "$proxy_pid"  # healed
wait_ended "$id" 90
check "the run ended on the other replica" "$([ "$(sql "SELECT status FROM runs WHERE id = '$id'")" = ended ]; echo $?)" "$(sql "SELECT status, outcome, error FROM runs WHERE id = '$id'")"
sleep 1
read -r sent devices <<< "$(reboots)"
check "nothing done twice across the partition" "$([ "$sent" = "$devices" ]; echo $?)" "$sent reboots for $devices devices"
for i in $(seq 1 100); do  # once it reaches the database again (its retries back off)
  grep -q "executed by another process now\|was taken over by" "$tmp/r1.log" && break
  sleep 0.1
done
check "the cut-off replica stopped its copy" "$(grep -q "executed by another process now\|was taken over by" "$tmp/r1.log"; echo $?)" "$(tail -5 "$tmp/r1.log")"
check "replica 1 is still up" "$(kill -0 "${pids[1]}"; echo $?)" "it died: $(tail -5 "$tmp/r1.log")"
expect "the audit chain still verifies" 0 "$rbk" audit verify
summary
