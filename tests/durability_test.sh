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
echo "$passed passed, $failures failed"
[ "$failures" -eq 0 ] && [ "$passed" -ge 5 ]
