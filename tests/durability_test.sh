#!/usr/bin/env bash
# Durability: a run killed with SIGKILL at every point of its journal resumes to the same
# end, and never records an action twice. (A scenario's actions never reach the world, so
# one interrupted half-way is simply recorded again; a live run's pauses at an
# "(uncertain)" gate instead, which tests/live_test.sh kills one against fleet-sim to see.)
# Usage: durability_test.sh RBK SOURCE_DIR
set -u
rbk="$1"
src="$2"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$src/tests/vm"
cat > "$tmp/s.json" <<'JSON'
{ "runbook": "gates", "params": {"device": "sensor-1"},
  "probes": {"dev.errors": {"returns": 9}, "dev.online": {"sequence": [false, false, true]}},
  "approvals": {"restart": "approved"} }
JSON
failures=0
passed=0
fail() { echo "FAIL $*"; failures=$((failures + 1)); }
. "$(dirname "$0")/test_lib.sh"

# The reference: the same run, never interrupted.
export RBK_STORE="$tmp/ref.db"
"$rbk" run gates.rbk --scenario "$tmp/s.json" > /dev/null || { echo "reference run failed"; exit 1; }
ref=$("$rbk" runs | sed -n 2p | awk '{print $1}')
trace_lines "$rbk" runs "$ref" | grep -o '"event":"node_entered"[^}]*"node":"[a-z_]*"' | grep -o '"node":"[a-z_]*"' > "$tmp/ref.path"

for n in $(seq 1 60); do
  export RBK_STORE="$tmp/run$n.db"
  # (the shell reports each kill; that is the point)
  RBK_CRASH_AFTER=$n "$rbk" run gates.rbk --scenario "$tmp/s.json" > "$tmp/first.out" 2>&1
  code=$?
  if [ "$code" -ne 137 ]; then
    [ "$code" -eq 0 ] || fail "uninterrupted run exited $code"
    break  # the run needs fewer journal writes than n: every point was covered
  fi
  id=$("$rbk" runs | sed -n 2p | awk '{print $1}')
  "$rbk" resume "$id" > "$tmp/resume.out" 2>&1
  code=$?
  if [ "$code" -ne 0 ]; then
    fail "crash after write $n: resume exited $code (a scenario run never pauses)"
    sed 's/^/  | /' "$tmp/resume.out"
    continue
  fi
  { "$rbk" runs "$id"; trace_lines "$rbk" runs "$id"; } > "$tmp/show.out"
  grep -q "status     ended" "$tmp/show.out" || fail "crash after write $n: run not ended"
  grep -q "outcome    resolved" "$tmp/show.out" || fail "crash after write $n: outcome not resolved"
  for action in dev.restart dev.notify; do
    count=$(grep -c "\"event\":\"action\".*\"function\":\"$action\"" "$tmp/show.out")
    [ "$count" -eq 1 ] || fail "crash after write $n: $action performed $count times"
  done
  grep -o '"event":"node_entered"[^}]*"node":"[a-z_]*"' "$tmp/show.out" | grep -o '"node":"[a-z_]*"' > "$tmp/path"
  cmp -s "$tmp/path" "$tmp/ref.path" || fail "crash after write $n: the path differs from the uninterrupted run"
  passed=$((passed + 1))
done
echo "durability: $passed crash points resumed"

# A foreach over 1,000 devices, each child restarting its device: killed at 25 points
# spread over its journal and resumed, it ends like the uninterrupted run, and no child's
# completed action is journaled twice (each device restarted exactly once).
python3 -c 'import json; print(json.dumps({"runbook": "fleet_restart", "params": {"devices": ["d%04d" % i for i in range(1000)]}, "approvals": {"restart_each": "approved"}}))' > "$tmp/fleet.json"
export RBK_STORE="$tmp/fleet-ref.db"
"$rbk" run fleet.rbk --runbook fleet_restart --scenario "$tmp/fleet.json" > "$tmp/fleet-ref.out" || { echo "reference fleet run failed"; exit 1; }
writes=$(python3 -c 'import sqlite3, sys; print(sqlite3.connect(sys.argv[1]).execute("SELECT count(*) FROM journal").fetchone()[0])' "$tmp/fleet-ref.db")
restarts() {  # restarts DB: "COMPLETED DISTINCT" act_done entries of dev.restart
  python3 -c 'import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
n, d = db.execute("SELECT count(*), count(DISTINCT key) FROM journal WHERE kind = ? AND key LIKE ?", ("act_done", "dev.restart%")).fetchone()
print(n, d)' "$1"
}
fleet_passed=0
for k in $(seq 1 25); do
  n=$((k * writes / 26))
  export RBK_STORE="$tmp/fleet$k.db"
  RBK_CRASH_AFTER=$n "$rbk" run fleet.rbk --runbook fleet_restart --scenario "$tmp/fleet.json" > /dev/null 2>&1
  [ $? -eq 137 ] || { fail "fleet crash after write $n: the run was not killed"; continue; }
  id=$("$rbk" runs | sed -n 2p | awk '{print $1}')
  "$rbk" resume "$id" > "$tmp/fleet-resume.out" 2>&1 || { fail "fleet crash after write $n: resume failed"; sed 's/^/  | /' "$tmp/fleet-resume.out" | tail -5; continue; }
  grep -q "1000 of 1000 children ran: done 1000" "$tmp/fleet-resume.out" || { fail "fleet crash after write $n: not every child ended"; continue; }
  [ "$(restarts "$RBK_STORE")" = "1000 1000" ] || { fail "fleet crash after write $n: restarts journaled $(restarts "$RBK_STORE")"; continue; }
  fleet_passed=$((fleet_passed + 1))
done
passed=$((passed + fleet_passed))
echo "durability: $fleet_passed crash points of a 1,000-device foreach resumed ($writes journal writes)"
echo "$passed passed, $failures failed"
[ "$failures" -eq 0 ] && [ "$passed" -ge 5 ]
