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

# The store the tests use: the throwaway PostgreSQL of tests/with_postgres.sh when it runs
# them, else an SQLite file in $tmp. store_sql SQL runs a statement on it.
test_store() { echo "${RBK_TEST_POSTGRES:-$tmp/runs.db}"; }
store_sql() {
  if [ -n "${RBK_TEST_POSTGRES:-}" ]; then
    psql -q -v ON_ERROR_STOP=1 "$RBK_TEST_POSTGRES" -c "$1" > /dev/null
  else
    python3 -c 'import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); c.execute(sys.argv[2]); c.commit()' "$RBK_STORE" "$1"
  fi
}
# store_dump: everything the store holds, as text (to look for what must not be there).
store_dump() {
  if [ -n "${RBK_TEST_POSTGRES:-}" ]; then pg_dump "$RBK_TEST_POSTGRES"; else cat "$RBK_STORE"*; fi
}

# trace_lines CMD...: the stored trace of `CMD --json` (rbk runs RUN), one compact JSON
# object a line, for grep.
trace_lines() {
  "$@" --json | python3 -c 'import json, sys
for e in json.load(sys.stdin)["trace"]: print(json.dumps(e, separators=(",", ":")))'
}

# start_fleet_sim SIM [ARGS...]: tools/fleet-sim on a free loopback port (bounded tries,
# bounded wait), stopping the one this script started before; sets sim_pid, port and api,
# and writes $tmp/config.json and $tmp/policy.json pointing at it (from $src/tools/fleet-sim).
start_fleet_sim() {
  local sim=$1
  shift
  [ -n "${sim_pid:-}" ] && { kill "$sim_pid" 2>/dev/null; wait "$sim_pid" 2>/dev/null; }
  sim_pid=""
  for try in 1 2 3 4 5; do
    port=$((20000 + RANDOM % 20000))
    "$sim" --port "$port" "$@" > "$tmp/sim.log" 2>&1 &
    sim_pid=$!
    for i in $(seq 1 100); do
      curl -s "http://127.0.0.1:$port/requests" > /dev/null 2>&1 && break 2
      kill -0 "$sim_pid" 2>/dev/null || break
      sleep 0.1
    done
    kill "$sim_pid" 2>/dev/null
    sim_pid=""
  done
  [ -n "$sim_pid" ] || { echo "FAIL: fleet-sim did not start"; exit 1; }
  api="http://127.0.0.1:$port"
  sed "s|http://127.0.0.1:8085|$api|g" "$src/tools/fleet-sim/config.json" > "$tmp/config.json"
  sed "s|127.0.0.1:8085|127.0.0.1:$port|g" "$src/tools/fleet-sim/policy.json" > "$tmp/policy.json"
}

# edit_json FILE STATEMENT...: runs each Python STATEMENT on FILE's JSON (bound to j) and
# writes it back: how a test points a run's configuration and policy at what it started.
edit_json() {
  python3 - "$@" <<'EOF'
import json, sys
path = sys.argv[1]
j = json.load(open(path))
for statement in sys.argv[2:]:
    exec(statement)
json.dump(j, open(path, "w"), indent=2)
EOF
}

# use_prometheus: Debian's Prometheus scraping the fleet-sim start_fleet_sim started, every
# second or every $prom_interval (started once, in $tmp; re-pointed with SIGHUP when
# fleet-sim moves to another port, the old one's series deleted: a range query would still
# sum them for minutes); points $tmp/config.json's prometheus_url at it and lets the policy
# reach it. Waits (bounded) until the new target's rates can be read (two scrapes). Sets
# prom_pid, pport.
use_prometheus() {
  cat > "$tmp/prometheus.yml" <<EOF
global:
  scrape_interval: ${prom_interval:-1s}
scrape_configs:
  - job_name: fleet-sim
    static_configs:
      - targets: ["127.0.0.1:$port"]
EOF
  if [ -z "${prom_pid:-}" ]; then
    pport=$(free_port)
    prometheus --config.file="$tmp/prometheus.yml" --storage.tsdb.path="$tmp/prometheus" \
      --web.listen-address="127.0.0.1:$pport" --web.enable-admin-api > "$tmp/prometheus.log" 2>&1 &
    prom_pid=$!
  else
    kill -HUP "$prom_pid"
    curl -s -X POST "http://127.0.0.1:$pport/api/v1/admin/tsdb/delete_series" \
      --data-urlencode "match[]={instance=\"127.0.0.1:$prom_target\"}" > /dev/null
  fi
  prom_target=$port
  edit_json "$tmp/config.json" "j['prometheus_url'] = 'http://127.0.0.1:$pport'"
  edit_json "$tmp/policy.json" "j['capabilities']['net.http'].append('127.0.0.1:$pport')"
  local query="sum(irate(mqtt_messages_received_total{instance=\"127.0.0.1:$port\"}[5m])) > 0"
  for i in $(seq 1 150); do
    curl -s "http://127.0.0.1:$pport/api/v1/query" --data-urlencode "query=$query" |
      grep -q '"value"' && return 0
    sleep 0.2
  done
  echo "FAIL: Prometheus did not scrape fleet-sim on port $port"; tail -5 "$tmp/prometheus.log"
  exit 1
}

# free_port: a TCP port of 127.0.0.1 free now (for a server that must be named before it
# listens, as an OpenID provider's redirect address needs).
free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# start_oidc_provider REDIRECT_URI ACCOUNTS_JSON: the test OpenID provider
# (tools/test-oidc) on a free port; sets idp_pid and issuer (bounded wait).
start_oidc_provider() {
  node "$src/tools/test-oidc/provider.mjs" "$tmp/issuer" "$1" "$2" > "$tmp/idp.log" 2>&1 &
  idp_pid=$!
  for i in $(seq 1 100); do [ -s "$tmp/issuer" ] && break; sleep 0.1; done
  issuer=$(cat "$tmp/issuer" 2>/dev/null)
  check "the provider started" "$([ -n "$issuer" ]; echo $?)" "$(cat "$tmp/idp.log")"
}

# start_webhook_receiver: tests/webhook_receiver.py, recording into $tmp/hooks.jsonl; sets
# hook_pid, its port in $tmp/hook.port (bounded wait).
start_webhook_receiver() {
  python3 "$src/tests/webhook_receiver.py" "$tmp" &
  hook_pid=$!
  for i in $(seq 1 50); do [ -s "$tmp/hook.port" ] && break; sleep 0.1; done
}
