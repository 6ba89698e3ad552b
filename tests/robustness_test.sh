#!/usr/bin/env bash
# Hostile input through the command line (docs/robustness.md): every saved fuzz finding
# gets a clear answer (exit 0, 1, 2 or 3), never a signal, an abort or the internal-error
# boundary (exit 70); the findings first reported by hand get the diagnostics they
# should. (The corpus is replayed through the same pipeline, without the boundary, by
# ctest's fuzz_replay_* tests.)
# Usage: robustness_test.sh RBK SOURCE_DIR
rbk=$(realpath "$1")
src="$2"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export RBK_STORE="$tmp/runs.db"
. "$src/tests/test_lib.sh"
fz="$src/tests/fuzz"

answered() {  # answered NAME CMD...: exit 0, 1, 2 or 3 (paused) and no internal error
  local name="$1"
  shift
  timeout 60 "$@" >"$tmp/out" 2>"$tmp/err"
  local got=$?
  if [ "$got" -gt 3 ] || grep -q "internal error" "$tmp/err"; then
    echo "FAIL $name: exit $got"
    sed 's/^/  | /' "$tmp/err" | tail -10
    failures=$((failures + 1))
  else
    passed=$((passed + 1))
  fi
}

# Source text: check, fmt and compile of every saved finding.
for f in "$fz"/regressions/source/*; do
  [ -f "$f" ] || continue
  cp "$f" "$tmp/input.rbk"
  answered "check $(basename "$f")" "$rbk" check "$tmp/input.rbk"
  answered "fmt $(basename "$f")" "$rbk" fmt "$tmp/input.rbk"
  answered "compile $(basename "$f")" "$rbk" compile "$tmp/input.rbk" -o "$tmp/input.rbc"
done

# JSON: as a scenario, a policy, a configuration, a trace to overlay, a scenario directory.
offline="$src/runbooks/device_offline.rbk"
for f in "$fz"/regressions/json/*; do
  [ -f "$f" ] || continue
  n=$(basename "$f")
  answered "scenario $n" "$rbk" run "$offline" --scenario "$f"
  answered "test $n" "$rbk" test "$f"
  answered "policy $n" "$rbk" run "$offline" --dry-run --policy "$f" \
    --config "$src/tools/fleet-sim/config.json" --param device=d --param gateway=g --deny restart
  answered "config $n" "$rbk" run "$offline" --dry-run --policy "$src/tools/fleet-sim/policy.json" \
    --config "$f" --param device=d --param gateway=g
  answered "trace $n" "$rbk" render "$offline" --format mermaid --trace "$f"
done

# .rbc files: disassembled and run (against a scenario that answers nothing: whatever the
# program calls first ends its run, after the verifier and the machine have had it).
echo '{}' > "$tmp/nothing.json"
for f in "$fz"/regressions/rbc/*; do
  [ -f "$f" ] || continue
  answered "disasm $(basename "$f")" "$rbk" disasm "$f"
  answered "run $(basename "$f")" "$rbk" run "$f" --scenario "$tmp/nothing.json"
done

# The findings first reported by hand (tests/fuzz/regressions), each with its answer.
r="$fz/regressions"
expect "unterminated string" 1 "$rbk" check "$r/source/check-segv-unterminated-string.rbk"
contains "unterminated string" "$tmp/err" "check-segv-unterminated-string.rbk:2:5: error: expected a runbook item"
expect "unclosed node" 1 "$rbk" check "$r/source/check-segv-unclosed-node.rbk"
contains "unclosed node" "$tmp/err" "check-segv-unclosed-node.rbk:5:2: error: expected a clause"
expect "runbook wait" 1 "$rbk" fmt "$r/source/check-segv-runbook-wait.rbk"
contains "runbook wait" "$tmp/err" "expected a runbook name after 'runbook', found 'wait'"
expect "long expression" 1 "$rbk" check "$r/source/check-segv-long-expression.rbk"
contains "long expression" "$tmp/err" "expression is nested too deeply (more than 200 levels)"
expect "1e309 scenario" 2 "$rbk" run "$offline" --scenario "$r/json/run-abort-1e309.scenario.json"
contains "1e309 scenario" "$tmp/err" "not valid JSON: the number 1e309 at line 1, column 14 is out of range"
expect "1e999 policy" 2 "$rbk" run "$offline" --dry-run --policy "$r/json/run-abort-number-overflow.json" \
  --config "$src/tools/fleet-sim/config.json" --param device=d --param gateway=g
contains "1e999 policy" "$tmp/err" "run-abort-number-overflow.json: not valid JSON: the number 1e999"
expect "huge locals" 1 "$rbk" disasm "$r/rbc/run-abort-huge-locals.rbc"
contains "huge locals" "$tmp/err" "4294967295 locals, more than the limit of 4096"

# A loop that wraps a value in a list on every pass stops at the depth limit (it would
# nest a million levels under a generous policy, and overflow the stack walking it).
echo '{"runbook": "deep"}' > "$tmp/deep-loop.json"
expect "value nested in a loop" 1 "$rbk" run "$r/source/run-value-nested-in-a-loop.rbk" --scenario "$tmp/deep-loop.json"
contains "value nested in a loop" "$tmp/out" "failed: a list or record nested more than 128 levels deep"

# The pathological inputs of make_pathological.py, made here (too large to keep).
python3 - "$tmp" <<'PY'
import sys
d = sys.argv[1]
D = 100000
open(f'{d}/deep.scenario.json', 'w').write('{"probes":{"x":' + '[' * D + ']' * D + '}}')
open(f'{d}/deep.config.json', 'w').write('{"api":' + '[' * D + ']' * D + '}')
PY
expect "deep scenario" 2 "$rbk" run "$offline" --scenario "$tmp/deep.scenario.json"
contains "deep scenario" "$tmp/err" "JSON nested more than 64 levels deep"
expect "deep test" 1 "$rbk" test "$tmp/deep.scenario.json"
contains "deep test" "$tmp/out" "JSON nested more than 64 levels deep"
expect "deep config" 2 "$rbk" run "$offline" --dry-run --policy "$src/tools/fleet-sim/policy.json" --config "$tmp/deep.config.json" --param device=d --param gateway=g
contains "deep config" "$tmp/err" "deep.config.json: JSON nested more than 64 levels deep"

# A stored run damaged after it paused: resuming names what is damaged, and runs nothing.
echo '{"api": "http://127.0.0.1:9"}' > "$tmp/api.json"
damage() {  # damage SQL: pause a dry-run of approvals.rbk, then change its stored record
  (cd "$src/tests/vm" && "$rbk" run approvals.rbk --dry-run --config "$tmp/api.json" \
    --param device=sensor-1 --param errors=9 --as alice >/dev/null 2>&1)
  python3 -c 'import sqlite3, sys; db = sqlite3.connect(sys.argv[1]); db.execute(sys.argv[2]); db.commit()' \
    "$RBK_STORE" "$1"
  "$rbk" runs | sed -n 2p | awk '{print $1}'
}
id=$(damage "UPDATE journal SET value = '{\"k\": 5, \"v\": \"ten\"}' WHERE seq = 1")
expect "damaged journal value" 1 "$rbk" approve "$id" --as bob --wait
contains "damaged journal value" "$tmp/out" "the journal entry 1 (now) is damaged: the clock is an integer of milliseconds"
id=$(damage "UPDATE journal SET value = '[[[' WHERE seq = 1")
expect "journal not JSON" 1 "$rbk" approve "$id" --as bob --wait
contains "journal not JSON" "$tmp/out" "is damaged: not valid JSON"
id=$(damage "UPDATE runs SET options = '{\"deny\": [1]}' WHERE status = 'paused'")
expect "damaged options" 1 "$rbk" approve "$id" --as bob
contains "damaged options" "$tmp/err" "cannot be resumed: its stored options are damaged"

summary
