#!/usr/bin/env bash
# rbk serve, end to end on loopback, against tools/fleet-sim: identities (tokens: missing,
# unknown, expired, revoked), the catalogue, hostile requests (each a 4xx JSON error that
# stores nothing), a dry-run and its event stream, a live run that pauses at its gate and
# is approved by another person bound to the plan hash shown (the starter refused, a stale
# plan refused), the action reaching the simulator exactly once; a run paused by `rbk run`
# approved through the server; a server killed mid-run and restarted resuming it; cancel;
# the audit chain verified, then broken by one changed byte.
# Usage: server_test.sh RBK FLEET_SIM SOURCE_DIR
set -u
rbk="$1"
sim="$2"
src="$3"
tmp=$(mktemp -d)
. "$(dirname "$0")/test_lib.sh"
export RBK_STORE=$(test_store)
sim_pid=""
srv_pid=""
hook_pid=""
cleanup() {
  [ -n "$srv_pid" ] && kill -9 "$srv_pid" 2>/dev/null
  [ -n "$hook_pid" ] && kill "$hook_pid" 2>/dev/null
  [ -n "$sim_pid" ] && kill "$sim_pid" 2>/dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT
cd "$src"
# The simulator afresh (every device as it began); its policy lets ops start live runs.
start_sim() { start_fleet_sim "$sim"; }
start_sim

token() { "$rbk" token create "$@" 2>/dev/null | head -1; }
alice=$(token --name alice --roles ops)
bob=$(token --name bob --roles ops)
carol=$(token --name carol)
old=$(token --name dave --roles ops --expires 1s)
gone=$(token --name erin --roles ops)
"$rbk" token revoke "$(cut -d_ -f2 <<< "$gone")" > /dev/null

# A webhook receiver on loopback (its first delivery to /slack/… fails).
python3 "$(dirname "$0")/webhook_receiver.py" "$tmp" &
hook_pid=$!
for i in $(seq 1 50); do [ -s "$tmp/hook.port" ] && break; sleep 0.1; done
hooks="http://127.0.0.1:$(cat "$tmp/hook.port")"
cat > "$tmp/settings.json" <<JSON
{"public_url": "https://rbk.example.com/",
 "webhooks": [{"url": "$hooks/slack/T000/B000/secret-part", "format": "slack"},
              {"url": "$hooks/generic", "format": "json"}],
 "retry": {"attempts": 3, "first_delay": "300ms"}}
JSON
# hook_bodies PATH_PREFIX RUN: the bodies posted to PATH_PREFIX… about RUN, one a line.
hook_bodies() {
  python3 -c "import json, sys
for l in open('$tmp/hooks.jsonl'):
    h = json.loads(l)
    if h['path'].startswith('$1') and '$2' in json.dumps(h['body']): print(json.dumps(h['body']))" 2>/dev/null
}

# start_server [ENV...] [-- SERVE_ARGS...]: rbk serve on a free port; sets srv_pid and url.
start_server() {
  local envs=()
  while [ $# -gt 0 ] && [ "$1" != -- ]; do envs+=("$1"); shift; done
  [ "${1:-}" = -- ] && shift
  : > "$tmp/srv.out"
  env "${envs[@]}" "$rbk" serve --runbooks runbooks --policy "$tmp/policy.json" --config "$tmp/config.json" \
    --settings "$tmp/settings.json" --listen 127.0.0.1:0 "$@" > "$tmp/srv.out" 2>> "$tmp/srv.log" &
  srv_pid=$!
  url=""
  for i in $(seq 1 100); do
    url=$(grep -o 'https\?://127.0.0.1:[0-9]*' "$tmp/srv.out" 2>/dev/null | head -1)
    [ -n "$url" ] && break
    kill -0 "$srv_pid" 2>/dev/null || break
    sleep 0.1
  done
  [ -n "$url" ] || { echo "FAIL: rbk serve did not start"; cat "$tmp/srv.log"; exit 1; }
}
# api NAME WANT_STATUS METHOD PATH [TOKEN [BODY]]: the response body in $tmp/body.
api() {
  local name=$1 want=$2 method=$3 path=$4 tok=${5:-} body=${6:-}
  local args=(-s -o "$tmp/body" -w '%{http_code}' -X "$method" --max-time 10)
  [ -n "$tok" ] && args+=(-H "Authorization: Bearer $tok")
  [ -n "$body" ] && args+=(-H 'Content-Type: application/json' --data-binary "$body")
  local got
  got=$(curl "${args[@]}" "$url$path")
  # Kept for the OpenAPI check at the end: every JSON answer must match the document.
  python3 - "$method" "$path" "$got" "$tmp/body" >> "$tmp/responses.jsonl" <<'PY'
import json, sys
method, path, status, body = sys.argv[1:]
try:
    b = json.load(open(body))
except ValueError:
    sys.exit(0)
print(json.dumps({"method": method, "path": path.split("?")[0], "status": int(status), "body": b}))
PY
  if [ "$got" != "$want" ]; then
    echo "FAIL $name: HTTP $got, expected $want"; sed 's/^/  | /' "$tmp/body"; echo
    failures=$((failures + 1))
  else
    passed=$((passed + 1))
  fi
}
field() { python3 -c "import json, sys; d = json.load(open('$tmp/body')); print($1)"; }
# wait_status ID STATUS TOKEN: polls the run (bounded: 30 s).
wait_status() {
  local s=""
  for i in $(seq 1 300); do
    curl -s -H "Authorization: Bearer $3" "$url/api/runs/$1" > "$tmp/run.json"
    s=$(python3 -c "import json; print(json.load(open('$tmp/run.json'))['status'])" 2>/dev/null)
    [ "$s" = "$2" ] && break
    sleep 0.1
  done
  check "run $1 is $2" "$([ "$s" = "$2" ]; echo $?)" "it is $s: $(cat "$tmp/run.json")"
}
actions() { curl -s "$api/actions" | grep -o '"action":"[a-z_.]*"' | wc -l; }
stored_runs() { "$rbk" runs --json | python3 -c 'import json, sys; print(len(json.load(sys.stdin)))'; }

start_server
api "healthz" 200 GET /healthz
api "readyz" 200 GET /readyz
contains "ready" "$tmp/body" '"status":"ready"'
api "the OpenAPI document" 200 GET /openapi.json
contains "it is OpenAPI 3" "$tmp/body" '"openapi": "3.0.3"'

# Identities.
api "no token" 401 GET /api/runs
contains "says what is needed" "$tmp/body" "Authorization: Bearer TOKEN"
api "no token, no start" 401 POST /api/runs "" '{"runbook": "device_offline"}'
api "an unknown token" 401 GET /api/runs "rbk_00000000_$(printf '0%.0s' $(seq 64))"
sleep 1.1
api "an expired token" 401 GET /api/runs "$old"
contains "expired" "$tmp/body" "expired at"
api "a revoked token" 401 GET /api/runs "$gone"
contains "revoked" "$tmp/body" "is revoked"
api "whoami" 200 GET /api/whoami "$alice"
check "alice, with her roles" "$([ "$(field 'd["name"], d["roles"]')" = "alice ['ops']" ]; echo $?)" "$(cat "$tmp/body")"
contains "alice may start live runs" "$tmp/body" '"may_start_live":true'
api "whoami, carol" 200 GET /api/whoami "$carol"
contains "carol may not, and is told why" "$tmp/body" '"live_refused":'
# A browser signs in with a token: a session cookie, never the token; JSON only.
code=$(curl -s -c "$tmp/jar" -o "$tmp/body" -w '%{http_code}' --max-time 10 -H 'Content-Type: application/json' -d "{\"token\": \"$carol\"}" "$url/auth/token")
check "a token signs a browser in" "$([ "$code" = 200 ]; echo $?)" "HTTP $code $(cat "$tmp/body")"
curl -s -b "$tmp/jar" --max-time 10 "$url/auth/session" > "$tmp/body"
contains "the session is carol's" "$tmp/body" '"name":"carol"'
contains "with a CSRF token for the page" "$tmp/body" '"csrf_token":'
lacks "the cookie is not the token" "$tmp/jar" "$carol"
curl -s --max-time 10 "$url/auth/session" > "$tmp/body"
contains "without a cookie: signed out (200, for a page to ask)" "$tmp/body" '"signed_in":false'
code=$(curl -s -o "$tmp/body" -w '%{http_code}' --max-time 10 -H 'Content-Type: application/json' -d '{"token": "rbk_nope"}' "$url/auth/token")
check "a wrong token: 401" "$([ "$code" = 401 ]; echo $?)" "HTTP $code"
code=$(curl -s -o "$tmp/body" -w '%{http_code}' --max-time 10 -d "token=$carol" "$url/auth/token")
check "a form post (another site could send one): 415" "$([ "$code" = 415 ]; echo $?)" "HTTP $code"
code=$(curl -s -o "$tmp/body" -w '%{http_code}' --max-time 10 -H 'Content-Type: application/json' -d "{\"token\": \"$carol\", \"x\": 1}" "$url/auth/token")
check "an unknown field: 400" "$([ "$code" = 400 ]; echo $?)" "HTTP $code"
code=$(curl -s -o "$tmp/body" -w '%{http_code}' --max-time 10 -H 'Content-Type: application/json' -d '{"token": ""}' "$url/auth/token")
check "an empty token: 400" "$([ "$code" = 400 ]; echo $?)" "HTTP $code"
code=$(curl -s -o "$tmp/body" -w '%{http_code}' --max-time 10 -H 'Content-Type: application/json' -d '{"token": ' "$url/auth/token")
check "not JSON: 400" "$([ "$code" = 400 ]; echo $?)" "HTTP $code"

# The catalogue.
api "runbooks" 200 GET /api/runbooks "$carol"
contains "device_offline listed" "$tmp/body" '"name":"device_offline"'
contains "its parameters" "$tmp/body" '"name":"flap_window","required":false,"type":"duration"'
contains "its program hash" "$tmp/body" '"program_hash":"'
api "one runbook" 200 GET /api/runbooks/device_offline "$carol"
contains "its Mermaid diagram" "$tmp/body" 'flowchart TD'
api "its SVG" 200 GET /api/runbooks/device_offline/diagram.svg "$carol"
contains "SVG" "$tmp/body" "<svg"
api "a path for a name" 400 GET /api/runbooks/..%2F..%2Fetc%2Fpasswd "$carol"
api "no such runbook" 404 GET /api/runbooks/nope "$carol"

# Hostile requests: each a clear 4xx, nothing stored.
before=$(stored_runs)
api "malformed JSON" 400 POST /api/runs "$alice" '{"runbook": '
contains "says so" "$tmp/body" "not JSON"
api "an unknown field" 400 POST /api/runs "$alice" '{"runbook": "device_offline", "force": true}'
contains "names it" "$tmp/body" 'unknown field \"force\"'
api "a wrong type" 400 POST /api/runs "$alice" '{"runbook": 42}'
contains "names the type" "$tmp/body" '\"runbook\" must be a string'
api "a path as a runbook" 400 POST /api/runs "$alice" '{"runbook": "../../etc/passwd"}'
api "no such runbook" 404 POST /api/runs "$alice" '{"runbook": "nope"}'
api "a bad parameter" 400 POST /api/runs "$alice" '{"runbook": "device_offline", "params": {"device": "d", "gateway": "g", "flap_window": "soon"}}'
contains "names the forms" "$tmp/body" "a duration with its unit"
api "a missing parameter" 400 POST /api/runs "$alice" '{"runbook": "device_offline", "params": {"device": "d"}}'
contains "named as a request gives it" "$tmp/body" '\"gateway\": …  (string: any text)'
api "an unknown mode" 400 POST /api/runs "$alice" '{"runbook": "device_offline", "mode": "yolo"}'
api "live without the role" 403 POST /api/runs "$carol" '{"runbook": "device_offline", "mode": "live", "params": {"device": "sensor-0042", "gateway": "gw-7"}}'
python3 -c 'print("{\"runbook\": \"" + "x" * 2000000 + "\"}")' > "$tmp/huge.json"
code=$(curl -s -o "$tmp/body" -w '%{http_code}' -H "Authorization: Bearer $alice" -H 'Content-Type: application/json' --data-binary @"$tmp/huge.json" "$url/api/runs")
check "a body too large: 413" "$([ "$code" = 413 ]; echo $?)" "HTTP $code"
code=$(curl -s -o /dev/null -w '%{http_code}' -H "X-Big: $(head -c 20000 /dev/zero | tr '\0' a)" "$url/healthz")
check "a header too large is refused" "$([ "$code" -ge 400 ] && [ "$code" -lt 500 ]; echo $?)" "HTTP $code"
api "an unknown route" 404 GET /api/nothing "$alice"
api "a path that would forge a log line" 404 GET "/api/x%0Arbk%20serve:%20200%20POST%20/forged" "$alice"
api "a wrong method" 405 DELETE /api/runs "$alice"
check "nothing stored" "$([ "$(stored_runs)" = "$before" ]; echo $?)" "$before then $(stored_runs)"
api "still up" 200 GET /healthz

# A dry-run, by anyone with an identity: probes real, no action sent; its events streamed.
api "a dry-run starts" 201 POST /api/runs "$carol" '{"runbook": "device_offline", "params": {"device": "sensor-0042", "gateway": "gw-7"}}'
dry=$(field 'd["id"]')
wait_status "$dry" paused "$carol"  # a dry-run's gates wait for a person too
curl -sN --max-time 2 -H "Authorization: Bearer $carol" "$url/api/runs/$dry/events" > "$tmp/events"
check "a paused run's stream stays open" "$([ $? = 28 ]; echo $?)" "curl ended early"
contains "the stream has its trace" "$tmp/events" '"event":"node_entered"'
contains "and its state" "$tmp/events" '"status":"paused"'
check "no action sent by the dry-run" "$([ "$(actions)" = 0 ]; echo $?)" "$(curl -s "$api/actions")"
curl -sN --max-time 2 -H "Authorization: Bearer $carol" "$url/api/gates/events" > "$tmp/gate-events"
check "the gates' stream stays open" "$([ $? = 28 ]; echo $?)" "curl ended early"
contains "it lists the gate waiting" "$tmp/gate-events" "event: gates"
contains "by run and plan" "$tmp/gate-events" "{\"id\":\"$dry\",\"plan_hash\":"
code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$url/api/gates/events")
check "the gates' stream needs an identity" "$([ "$code" = 401 ]; echo $?)" "HTTP $code"
# Event streams hold a connection each: beyond 32 at once the server says to come back.
streams=()
for i in $(seq 1 32); do
  curl -sN --max-time 4 -H "Authorization: Bearer $alice" "$url/api/runs/$dry/events" > /dev/null 2>&1 &
  streams+=($!)
done
for i in $(seq 1 100); do  # until all 32 are open (readyz counts them); bounded: 10 s
  [ "$(curl -s "$url/readyz" | python3 -c 'import json, sys; print(json.load(sys.stdin)["streams"])')" = 32 ] && break
  sleep 0.1
done
code=$(curl -s -o "$tmp/body" -w '%{http_code}' --max-time 3 -H "Authorization: Bearer $alice" "$url/api/runs/$dry/events")
check "a 33rd stream: 503" "$([ "$code" = 503 ]; echo $?)" "HTTP $code $(cat "$tmp/body")"
api "the API still answers" 200 GET /api/runs "$alice"
wait "${streams[@]}"
api "carol cancels her own dry-run" 200 POST "/api/runs/$dry/cancel" "$carol" '{"comment": "seen enough"}'
contains "cancelled" "$tmp/body" '"status":"cancelled"'

# Live: alice starts it, it pauses before its action; alice may not approve it; a stale
# plan hash is refused; bob approves the plan he saw; the action happens once.
api "alice starts a live run" 201 POST /api/runs "$alice" '{"runbook": "device_offline", "mode": "live", "params": {"device": "sensor-0042", "gateway": "gw-7"}}'
live=$(field 'd["id"]')
wait_status "$live" paused "$alice"
api "the gates" 200 GET /api/gates "$bob"
contains "it waits there" "$tmp/body" "\"id\":\"$live\""
plan=$(python3 -c "import json; print(json.load(open('$tmp/run.json'))['gate']['plan_hash'])")
check "nothing done before the approval" "$([ "$(actions)" = 0 ]; echo $?)" "$(curl -s "$api/actions")"
# The webhooks are told: the generic one at once, Slack's after its first delivery failed.
for i in $(seq 1 50); do [ -n "$(hook_bodies /slack "$live")" ] && break; sleep 0.1; done
hook_bodies /generic "$live" > "$tmp/hook.json"
contains "the JSON webhook: the event" "$tmp/hook.json" '"event": "gate.waiting"'
contains "the JSON webhook: the plan hash" "$tmp/hook.json" "\"plan_hash\": \"$plan\""
contains "the JSON webhook: the link to approve" "$tmp/hook.json" "\"approve\": \"https://rbk.example.com/api/runs/$live/approve\""
hook_bodies /slack "$live" > "$tmp/hook.json"
contains "Slack: the headline" "$tmp/hook.json" "waits at gate 'reprovision' for role ops: certs.reprovision(\\\"sensor-0042\\\")"
contains "Slack: the plan" "$tmp/hook.json" 'certs.reprovision(\"sensor-0042\")'
contains "Slack: the link opens the gate's page" "$tmp/hook.json" "<https://rbk.example.com/gates/$live|Open the gate of run $live>"
contains "the failed delivery was retried" "$tmp/srv.log" "webhook 1 (slack): answered HTTP 500; trying again in 300 ms"
lacks "no webhook URL in the log" "$tmp/srv.log" "secret-part"
api "alice looks at her run at its gate" 200 GET "/api/runs/$live" "$alice"
contains "she is told she may not decide it" "$tmp/body" '"you_may_decide":false'
contains "and why, before she tries" "$tmp/body" '"you_may_not_because":"alice started this run and cannot approve its gates'
api "bob looks at it" 200 GET "/api/runs/$live" "$bob"
contains "he may decide it" "$tmp/body" '"you_may_decide":true'
api "alice may not approve her own run" 403 POST "/api/runs/$live/approve" "$alice" "{\"plan_hash\": \"$plan\"}"
contains "says why" "$tmp/body" "started this run"
api "a plan not shown" 409 POST "/api/runs/$live/approve" "$bob" '{"plan_hash": "0000"}'
api "no plan hash" 400 POST "/api/runs/$live/approve" "$bob" '{}'
api "bob approves" 200 POST "/api/runs/$live/approve" "$bob" "{\"plan_hash\": \"$plan\", \"comment\": \"checked the fleet API\"}"
wait_status "$live" ended "$bob"
check "the action reached the simulator once" "$([ "$(curl -s "$api/actions" | grep -o '"action":"certs.reprovision"' | wc -l)" = 1 ]; echo $?)" "$(curl -s "$api/actions")"
api "approving again" 409 POST "/api/runs/$live/approve" "$bob" "{\"plan_hash\": \"$plan\"}"
api "the run" 200 GET "/api/runs/$live" "$bob"
contains "the approval, bound to the plan" "$tmp/body" "\"by\":\"bob\",\"comment\":\"checked the fleet API\",\"decision\":\"approved\",\"gate\":\"reprovision\",\"picks\":{},\"plan_hash\":\"$plan\""
curl -sN --max-time 30 -H "Authorization: Bearer $bob" "$url/api/runs/$live/events" > "$tmp/events"
n_stream=$(grep -c '^event: trace' "$tmp/events")
api "the trace" 200 GET "/api/runs/$live/trace" "$bob"
n_trace=$(field 'len(d)')
check "the stream has every event" "$([ "$n_stream" = "$n_trace" ] && [ "$n_trace" -gt 5 ]; echo $?)" "$n_stream streamed, $n_trace stored"
contains "and the end" "$tmp/events" '"event":"run_ended"'
last=$(grep '^id:' "$tmp/events" | tail -3 | head -1 | cut -d' ' -f2)
curl -sN --max-time 30 -H "Authorization: Bearer $bob" -H "Last-Event-ID: $last" "$url/api/runs/$live/events" > "$tmp/events2"
check "Last-Event-ID: only the events after it" "$([ "$(grep -c '^event: trace' "$tmp/events2")" = 2 ]; echo $?)" "$(cat "$tmp/events2")"

# What the web pages read: the run's audit trail, its diagram from its own program, runs
# by person, who calls whom.
api "the run's audit trail" 200 GET "/api/runs/$live/audit" "$bob"
contains "it has bob's approval" "$tmp/body" '"action":"approve","actor":"bob"'
contains "and alice's start" "$tmp/body" '"action":"start","actor":"alice"'
contains "the chain is intact" "$tmp/body" '"chain_problems":[]'
api "an unknown run's audit" 404 GET "/api/runs/r0/audit" "$bob"
api "the run's diagram" 200 GET "/api/runs/$live/diagram.svg" "$bob"
contains "drawn with the ids a trace names" "$tmp/body" '<g id="edge_start" class="edge">'
api "a runbook its program calls" 200 GET "/api/runs/$live/diagram.svg?runbook=cert_expiry" "$bob"
contains "that runbook drawn" "$tmp/body" '<g id="node_reprovision" class="node">'
api "a runbook its program lacks" 404 GET "/api/runs/$live/diagram.svg?runbook=nothing" "$bob"
api "an unknown query parameter" 400 GET "/api/runs/$live/diagram.svg?size=9" "$bob"
api "runs by the person who started them" 200 GET "/api/runs?started_by=carol" "$bob"
contains "carol's run" "$tmp/body" "\"id\":\"$dry\""
lacks "not alice's" "$tmp/body" "\"id\":\"$live\""
api "who calls a runbook" 200 GET /api/runbooks/cert_expiry "$bob"
contains "device_offline calls cert_expiry" "$tmp/body" '"called_by":["device_offline"]'
api "a fan-out runs its child" 200 GET /api/runbooks/offline_triage "$bob"
contains "offline_triage runs diagnose_offline" "$tmp/body" '"calls":["diagnose_offline"'
contains "a parameter's default" "$tmp/body" '"default":'

# Metrics, in Prometheus' text format, read by promtool.
code=$(curl -s -o "$tmp/metrics" -w '%{http_code}' "$url/metrics")
check "metrics answer" "$([ "$code" = 200 ]; echo $?)" "HTTP $code"
contains "runs ended" "$tmp/metrics" 'rbk_runs_ended_total{runbook="device_offline",outcome="resolved"} 1'
contains "the action's latency" "$tmp/metrics" 'rbk_action_duration_seconds_count{function="certs.reprovision"} 1'
contains "probe latencies" "$tmp/metrics" 'rbk_probe_duration_seconds_bucket{function="fleet.last_seen_age",le="+Inf"}'
contains "the store's runs" "$tmp/metrics" 'rbk_runs{runbook="device_offline",status="cancelled"} 1'
contains "requests by route" "$tmp/metrics" 'route="/api/runs/{id}/approve",status="200"'
contains "journal commits" "$tmp/metrics" 'rbk_journal_commits_total'
expect "promtool reads them" 0 promtool check metrics < "$tmp/metrics"

# One store: a run paused by rbk run is approved through the server, which goes on with it.
start_sim  # sensor-0042's certificate expired again
expect "rbk run pauses" 3 "$rbk" run runbooks/device_offline.rbk --config "$tmp/config.json" --policy "$tmp/policy.json" \
  --param device=sensor-0042 --param gateway=gw-7 --as alice
cli=$("$rbk" runs | sed -n 2p | awk '{print $1}')
api "the server shows it waiting" 200 GET /api/gates "$bob"
contains "the CLI's run" "$tmp/body" "\"id\":\"$cli\""
for i in $(seq 1 50); do [ -n "$(hook_bodies /generic "$cli")" ] && break; sleep 0.1; done
check "its gate is announced too" "$([ -n "$(hook_bodies /generic "$cli")" ]; echo $?)" "no webhook for $cli"
plan=$(python3 -c "import json; print([g for g in json.load(open('$tmp/body'))['gates'] if g['id'] == '$cli'][0]['gate']['plan_hash'])")
api "bob approves it there" 200 POST "/api/runs/$cli/approve" "$bob" "{\"plan_hash\": \"$plan\"}"
wait_status "$cli" ended "$bob"
check "its action once" "$([ "$(curl -s "$api/actions" | grep -o '"action":"certs.reprovision"' | wc -l)" = 1 ]; echo $?)" "$(curl -s "$api/actions")"

# Killed mid-run (SIGKILL after its third journal write) and restarted: the run resumes
# from its journal, pauses at its gate, and once approved acts exactly once.
start_sim
kill "$srv_pid"; wait "$srv_pid"
check "SIGTERM stops it cleanly" $? "exit $?"
start_server RBK_CRASH_AFTER=3
# (The server may die before it answers: the run is in the store before it starts.)
code=$(curl -s -o "$tmp/body" -w '%{http_code}' --max-time 10 -H "Authorization: Bearer $alice" \
  -H 'Content-Type: application/json' -X POST "$url/api/runs" \
  --data-binary '{"runbook": "device_offline", "mode": "live", "params": {"device": "sensor-0042", "gateway": "gw-7"}}')
if [ "$code" = 201 ]; then crashed=$(field 'd["id"]'); else crashed=$("$rbk" runs --json | python3 -c 'import json, sys; print(json.load(sys.stdin)[0]["id"])'); fi
check "a live run starts" "$([ "$code" = 201 ] || [ "$code" = 000 ]; echo $?)" "HTTP $code"
check "it is stored" "$([ -n "$crashed" ]; echo $?)" "no run"
for i in $(seq 1 100); do kill -0 "$srv_pid" 2>/dev/null || break; sleep 0.1; done
check "the server was killed mid-run" "$(kill -0 "$srv_pid" 2>/dev/null; [ $? -ne 0 ]; echo $?)" "still up"
wait "$srv_pid" 2>/dev/null
start_server
contains "it resumed the run" "$tmp/srv.out" "1 run resumed"
wait_status "$crashed" paused "$alice"
plan=$(python3 -c "import json; print(json.load(open('$tmp/run.json'))['gate']['plan_hash'])")
api "approved after the restart" 200 POST "/api/runs/$crashed/approve" "$bob" "{\"plan_hash\": \"$plan\"}"
wait_status "$crashed" ended "$bob"
check "one action, none repeated" "$([ "$(actions)" = 2 ]; echo $?)" "$(curl -s "$api/actions")"

# Cancel: not by someone else without the role; by the starter, yes.
start_sim
kill "$srv_pid"; wait "$srv_pid"
start_server
api "another live run" 201 POST /api/runs "$alice" '{"runbook": "device_offline", "mode": "live", "params": {"device": "sensor-0042", "gateway": "gw-7"}}'
c=$(field 'd["id"]')
wait_status "$c" paused "$alice"
api "carol may not cancel it" 403 POST "/api/runs/$c/cancel" "$carol" '{}'
api "alice cancels it" 200 POST "/api/runs/$c/cancel" "$alice" '{"comment": "not now"}'
api "cancelling again" 409 POST "/api/runs/$c/cancel" "$alice" '{}'

# HTTPS: the same API behind TLS (a certificate made here); plain HTTP gets no answer; a
# key that is not the certificate's stops the server before it listens.
kill "$srv_pid"; wait "$srv_pid"
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$tmp/key.pem" -out "$tmp/cert.pem" -days 1 \
  -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 2> /dev/null
start_server -- --tls-cert "$tmp/cert.pem" --tls-key "$tmp/key.pem"
code=$(curl -s -o "$tmp/body" -w '%{http_code}' --cacert "$tmp/cert.pem" -H "Authorization: Bearer $bob" "$url/api/whoami")
check "HTTPS answers" "$([ "$code" = 200 ]; echo $?)" "HTTP $code"
contains "with who asks" "$tmp/body" '"name":"bob"'
code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "${url/https/http}/healthz")
check "plain HTTP on the TLS port gets nothing" "$([ "$code" = 000 ]; echo $?)" "HTTP $code"
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$tmp/other.pem" -out /dev/null -days 1 -subj /CN=x 2> /dev/null
expect "a key that does not match" 2 "$rbk" serve --runbooks runbooks --tls-cert "$tmp/cert.pem" --tls-key "$tmp/other.pem" --listen 127.0.0.1:0
contains "it says so" "$tmp/err" "as a TLS certificate and key"
mkdir "$tmp/bad" && printf 'runbook broken "x" {\n  start -> nowhere\n}\n' > "$tmp/bad/broken.rbk"
expect "a runbook that does not compile" 2 "$rbk" serve --runbooks "$tmp/bad" --listen 127.0.0.1:0
contains "names the file and the error" "$tmp/err" "broken.rbk:2:"

# A configuration secret never reaches an answer, a trace, the output or the log: a runbook
# whose probe carries one in its URL, run live through its own server.
kill "$srv_pid"; wait "$srv_pid"
mkdir "$tmp/secret" && cat > "$tmp/secret/secret_probe.rbk" <<'RBK'
config fleet_api: string
config fleet_token: string

runbook secret_probe "Look a device up with a secret" {
  param device: string

  start -> look

  decide look "Look the device up" {
    let d = http.get_json("{config.fleet_api}/devices/{device}?key={config.fleet_token}")
    when d.connected -> up "Up"
    else             -> down "Down"
  }

  end up   "Up"   as resolved
  end down "Down" as escalated
}
RBK
cat > "$tmp/secret/slow_poll.rbk" <<'RBK'
config fleet_api: string

runbook slow_poll "Poll a device for a minute" {
  param device: string

  start -> poll

  wait poll "Wait for a state that never comes" {
    until http.get_json("{config.fleet_api}/devices/{device}").id == "never" within 1m every 1s
    then    -> came     "Came"
    timeout -> gave_up  "Gave up"
  }

  end came    "Came"    as resolved
  end gave_up "Gave up" as escalated
}
RBK
cp "$src/tests/vm/signals.rbk" "$tmp/secret/reconnect.rbk"
cp "$src/tests/vm/asks.rbk" "$tmp/secret/update_gateway.rbk"
secret="s3cr3t-fleet-token-$RANDOM"
python3 -c "import json, sys; c = json.load(open('$tmp/config.json')); c['fleet_token'] = '$secret'; json.dump(c, open('$tmp/secret.json', 'w'))"
: > "$tmp/srv.out"
"$rbk" serve --runbooks "$tmp/secret" --policy "$tmp/policy.json" --config "$tmp/secret.json" \
  --listen 127.0.0.1:0 > "$tmp/srv.out" 2>> "$tmp/srv.log" &
srv_pid=$!
for i in $(seq 1 100); do grep -q listening "$tmp/srv.out" 2>/dev/null && break; sleep 0.1; done
url=$(grep -o 'http://127.0.0.1:[0-9]*' "$tmp/srv.out")
api "a run with a secret" 201 POST /api/runs "$alice" '{"runbook": "secret_probe", "mode": "live", "params": {"device": "sensor-0042"}}'
sid=$(field 'd["id"]')
wait_status "$sid" ended "$alice"
curl -s -H "Authorization: Bearer $alice" "$url/api/runs/$sid" > "$tmp/leak"
curl -s -H "Authorization: Bearer $alice" "$url/api/runs/$sid/trace" >> "$tmp/leak"
curl -sN --max-time 10 -H "Authorization: Bearer $alice" "$url/api/runs/$sid/events" >> "$tmp/leak"
curl -s -H "Authorization: Bearer $alice" "$url/api/runbooks" >> "$tmp/leak"
contains "the probe was traced" "$tmp/leak" "http.get_json"
lacks "no secret in answers, traces or events" "$tmp/leak" "$secret"
lacks "no secret in the log" "$tmp/srv.log" "$secret"

# A run the server executes is cancelled through the server, which stops the run between
# two polls of its wait; rbk cancel on the command line does not stop the server instead.
api "a run that waits" 201 POST /api/runs "$alice" '{"runbook": "slow_poll", "mode": "live", "params": {"device": "sensor-0042"}}'
slow=$(field 'd["id"]')
sleep 1.5
expect "rbk cancel refuses a run the server executes" 1 "$rbk" cancel "$slow" --as alice
contains "it says where to cancel it" "$tmp/err" "cancel it through the server"
api "the server is still up" 200 GET /healthz
api "cancelled through the server" 200 POST "/api/runs/$slow/cancel" "$alice" '{"comment": "enough"}'
contains "at once" "$tmp/body" '"status":"cancelled"'

# A signal through the API: queued for the run's wait node, which reads its value; only the
# starter or an operator sends one; a bad name, an unknown field and a finished run refused.
api "a run that waits for a signal" 201 POST /api/runs "$alice" '{"runbook": "reconnect", "mode": "dry-run"}'
sig=$(field 'd["id"]')
api "carol may not signal it" 403 POST "/api/runs/$sig/signals/device_connected" "$carol" '{}'
api "a bad signal name" 400 POST "/api/runs/$sig/signals/no%20way" "$alice" '{}'
api "an unknown field" 400 POST "/api/runs/$sig/signals/device_connected" "$alice" '{"valeu": 1}'
api "a signal without identity" 401 POST "/api/runs/$sig/signals/device_connected" "" '{}'
api "alice signals it" 200 POST "/api/runs/$sig/signals/device_connected" "$alice" '{"value": {"rssi": -60}}'
contains "who sent it" "$tmp/body" '"sent_by":"alice"'
wait_status "$sig" ended "$alice"
api "the run read it" 200 GET "/api/runs/$sig" "$alice"
contains "resolved by the signal's value" "$tmp/body" '"outcome":"resolved"'
api "its trace has the signal" 200 GET "/api/runs/$sig/trace" "$alice"
contains "the signal event" "$tmp/body" '"event":"signal"'
api "a finished run" 409 POST "/api/runs/$sig/signals/device_connected" "$alice" '{}'

# A gate that asks: the run shows the questions and their choices; approving needs a pick of
# a listed choice for each, which the run then reads; the approval records the picks.
api "a run whose gate asks" 201 POST /api/runs "$alice" '{"runbook": "update_gateway", "mode": "dry-run"}'
asks=$(field 'd["id"]')
wait_status "$asks" paused "$alice"
api "its gate" 200 GET "/api/runs/$asks" "$bob"
contains "shows what it says" "$tmp/body" 'gw-7 serves 40 devices; they go offline for about 10 minutes'
contains "and its questions" "$tmp/body" '"questions":[{"choices":["tonight 02:00","saturday 06:00"],"name":"window"},{"choices":["1","5","40"],"name":"batch"}]'
askplan=$(field 'd["gate"]["plan_hash"]')
api "approving without picks" 403 POST "/api/runs/$asks/approve" "$bob" "{\"plan_hash\": \"$askplan\"}"
contains "names the question" "$tmp/body" "gate 'plan' asks 'window': pick one of 'tonight 02:00', 'saturday 06:00'"
api "a pick that is no choice" 403 POST "/api/runs/$asks/approve" "$bob" "{\"plan_hash\": \"$askplan\", \"picks\": {\"window\": \"now\", \"batch\": \"5\"}}"
contains "says which are" "$tmp/body" "'now' is not one of its choices"
api "a pick that is not text" 400 POST "/api/runs/$asks/approve" "$bob" "{\"plan_hash\": \"$askplan\", \"picks\": {\"batch\": 5}}"
api "picks with a denial" 400 POST "/api/runs/$asks/deny" "$bob" "{\"plan_hash\": \"$askplan\", \"picks\": {\"batch\": \"5\"}}"
api "bob approves with picks" 200 POST "/api/runs/$asks/approve" "$bob" "{\"plan_hash\": \"$askplan\", \"picks\": {\"window\": \"saturday 06:00\", \"batch\": \"5\"}}"
wait_status "$asks" ended "$bob"
api "the run read the picks" 200 GET "/api/runs/$asks" "$bob"
contains "in the next node" "$tmp/body" 'first: 5, window: \"saturday 06:00\"'
contains "and the approval keeps them" "$tmp/body" '"picks":{"batch":"5","window":"saturday 06:00"}'

# The audit chain: every start, approval, resume and cancel, by who did it.
expect "rbk audit" 0 "$rbk" audit
contains "bob's approval" "$tmp/out" "approve"
expect "the chain verifies" 0 "$rbk" audit verify
store_sql "UPDATE audit SET actor = 'cob' WHERE seq = (SELECT MIN(seq) FROM audit WHERE action = 'approve')"
expect "one changed byte breaks it" 1 "$rbk" audit verify
cat "$tmp/out" "$tmp/err" > "$tmp/both"
contains "it names the entry" "$tmp/both" "approve by cob"
lacks "no secret in the server's log" "$tmp/srv.log" "rbk_"
lacks "no forged line in the log" "$tmp/srv.log" "rbk serve: 200 POST /forged"

# The OpenAPI document, read by a real validator (swagger-parser), and every JSON answer
# above checked against the schema it gives for that route and status.
curl -s --cacert "$tmp/cert.pem" "$url/openapi.json" > "$tmp/openapi.json"
expect "the OpenAPI document is valid, the answers match it" 0 \
  node tools/diagram-check/check-openapi.mjs "$tmp/openapi.json" "$tmp/responses.jsonl"
contains "answers checked" "$tmp/out" '"valid":true'
python3 -c 'import json; d = json.load(open("'"$tmp"'/openapi.json")); del d["paths"]["/api/runs"]["post"]["responses"]; json.dump(d, open("'"$tmp"'/broken.json", "w"))'
expect "a broken document is refused" 1 node tools/diagram-check/check-openapi.mjs "$tmp/broken.json"
summary
