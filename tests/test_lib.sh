# Shared by the shell tests: run a command and check its exit code and output.
# Each test script sets $tmp, then calls expect/contains/lacks/check and finally summary.
failures=0
passed=0

expect() {  # expect NAME CODE CMD...: output in $tmp/out and $tmp/err
  local name="$1" want="$2"
  shift 2
  "$@" >"$tmp/out" 2>"$tmp/err"
  local got=$?
  if [ "$got" -ne "$want" ]; then
    echo "FAIL $name: exit $got, expected $want"; sed 's/^/  | /' "$tmp/out" "$tmp/err" | tail -30
    failures=$((failures + 1))
  else
    passed=$((passed + 1))
  fi
}

contains() {  # contains NAME FILE TEXT
  if grep -qF -- "$3" "$2"; then passed=$((passed + 1)); else
    echo "FAIL $1: output lacks: $3"; sed 's/^/  | /' "$2" | tail -30; failures=$((failures + 1)); fi
}

lacks() {  # lacks NAME FILE TEXT
  if grep -qF -- "$3" "$2"; then echo "FAIL $1: output has: $3"; failures=$((failures + 1)); else passed=$((passed + 1)); fi
}

check() {  # check NAME STATUS DETAIL: STATUS 0 passes
  if [ "$2" -eq 0 ]; then passed=$((passed + 1)); else echo "FAIL $1: $3"; failures=$((failures + 1)); fi
}

summary() {  # the closing line CI reads
  echo "$passed passed, $failures failed"
  [ "$failures" -eq 0 ]
}

# trace_lines CMD...: the stored trace of `CMD --json` (rbk runs RUN), one compact JSON
# object a line, for grep.
trace_lines() {
  "$@" --json | python3 -c 'import json, sys
for e in json.load(sys.stdin)["trace"]: print(json.dumps(e, separators=(",", ":")))'
}
