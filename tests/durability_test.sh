#!/usr/bin/env bash
# Durability: a run killed with SIGKILL at every point of its journal resumes to the same
# end, and never performs an action twice. An action started but not confirmed when the
# process died pauses the run at an "(uncertain)" gate until a person decides.
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

# The reference: the same run, never interrupted.
export RBK_STORE="$tmp/ref.db"
"$rbk" run gates.rbk --scenario "$tmp/s.json" > /dev/null || { echo "reference run failed"; exit 1; }
ref=$("$rbk" runs | sed -n 2p | awk '{print $1}')
"$rbk" runs "$ref" | grep -o '"event":"node_entered"[^}]*"node":"[a-z_]*"' | grep -o '"node":"[a-z_]*"' > "$tmp/ref.path"

uncertain=0
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
  done_ok=0
  for attempt in 1 2 3 4 5; do
    "$rbk" resume "$id" > "$tmp/resume.out" 2>&1
    code=$?
    if [ "$code" -eq 3 ]; then
      grep -q "(uncertain)" "$tmp/resume.out" || { fail "crash after write $n: paused, but not at an uncertain action"; break; }
      uncertain=$((uncertain + 1))
      "$rbk" approve "$id" --as bob --comment "checked: it was performed" > "$tmp/resume.out" 2>&1
      code=$?
    fi
    if [ "$code" -eq 0 ]; then done_ok=1; break; fi
    [ "$code" -eq 137 ] && continue
    fail "crash after write $n: resume exited $code"; sed 's/^/  | /' "$tmp/resume.out"; break
  done
  [ "$done_ok" -eq 1 ] || { fail "crash after write $n: the run did not finish"; continue; }
  "$rbk" runs "$id" > "$tmp/show.out"
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
[ "$uncertain" -ge 1 ] || fail "no crash point left an action uncertain"
echo "durability: $passed crash points resumed, $uncertain of them at an uncertain action"
echo "$passed passed, $failures failed"
[ "$failures" -eq 0 ] && [ "$passed" -ge 5 ]
