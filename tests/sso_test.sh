#!/usr/bin/env bash
# Single sign-on, end to end on loopback: a real OpenID provider (oidc-provider, run by
# tools/test-oidc/provider.mjs), rbk serve as its client (authorization code with PKCE),
# and fleet-sim. Alice starts a live run with her token and may not approve it; Bob signs in
# through the provider (his group maps to the ops role), and his approval — only with the
# session's CSRF token, from the server's own origin — sends the action to the simulator
# exactly once. A sign-in's state works once; a return address elsewhere is not followed;
# signing out ends the session; the audit chain has the sign-in and the approval.
# This is the whole story of a team's approval: the webhook receiver gets the link when
# the gate starts waiting, and the audit chain fails once one byte of it is changed.
# Usage: sso_test.sh RBK FLEET_SIM SOURCE_DIR
set -u
rbk="$1"
sim="$2"
src="$3"
tmp=$(mktemp -d)
. "$(dirname "$0")/test_lib.sh"
export RBK_STORE="$tmp/runs.db"
sim_pid=""
srv_pid=""
idp_pid=""
hook_pid=""
cleanup() {
  for p in "$srv_pid" "$idp_pid" "$sim_pid" "$hook_pid"; do [ -n "$p" ] && kill "$p" 2>/dev/null; done
  rm -rf "$tmp"
}
trap cleanup EXIT
cd "$src"
start_fleet_sim "$sim"

# The provider must know where to send people back before rbk listens: a free port first.
port=$(free_port)
url="http://127.0.0.1:$port"
start_oidc_provider "$url/auth/callback" \
  '{"bob": {"groups": ["ops-team"]}, "mallory": {"groups": ["visitors"]}}'
start_webhook_receiver
cat > "$tmp/settings.json" <<JSON
{"public_url": "$url",
 "webhooks": [{"url": "http://127.0.0.1:$(cat "$tmp/hook.port")/team", "format": "json"}],
 "oidc": {"issuer": "$issuer", "client_id": "rbk", "client_secret_env": "TEST_OIDC_SECRET",
          "group_roles": {"ops-team": ["ops"]}}}
JSON
expect "the client secret comes from the environment" 2 "$rbk" serve --runbooks runbooks --settings "$tmp/settings.json"
contains "it names the variable" "$tmp/err" '$TEST_OIDC_SECRET, which is not set'
export TEST_OIDC_SECRET=rbk-test-secret
"$rbk" serve --runbooks runbooks --policy "$tmp/policy.json" --config "$tmp/config.json" \
  --settings "$tmp/settings.json" --listen "127.0.0.1:$port" > "$tmp/srv.out" 2> "$tmp/srv.log" &
srv_pid=$!
for i in $(seq 1 100); do grep -q listening "$tmp/srv.out" 2>/dev/null && break; sleep 0.1; done
check "rbk serve started" "$(grep -q listening "$tmp/srv.out"; echo $?)" "$(cat "$tmp/srv.log")"

alice=$("$rbk" token create --name alice --roles ops 2>/dev/null | head -1)
# call NAME WANT METHOD PATH [CURL_ARGS...]: the body in $tmp/body.
call() {
  local name=$1 want=$2 method=$3 path=$4
  shift 4
  local got
  got=$(curl -s -o "$tmp/body" -w '%{http_code}' --max-time 10 -X "$method" "$@" "$url$path")
  check "$name: HTTP $want" "$([ "$got" = "$want" ]; echo $?)" "HTTP $got: $(cat "$tmp/body")"
}
field() { python3 -c "import json; print($1)" 2>/dev/null; }
run_field() {  # run_field ID EXPR (of d, the run), polled until it prints WANT (bounded)
  for i in $(seq 1 300); do
    curl -s -H "Authorization: Bearer $alice" "$url/api/runs/$1" > "$tmp/run.json"
    v=$(python3 -c "import json; d = json.load(open('$tmp/run.json')); print($2)" 2>/dev/null)
    [ "$v" = "$3" ] && break
    sleep 0.1
  done
  check "run $1: $2 is $3" "$([ "$v" = "$3" ]; echo $?)" "it is $v"
}

call "alice starts a live run" 201 POST /api/runs -H "Authorization: Bearer $alice" \
  -d '{"runbook": "device_offline", "mode": "live", "params": {"device": "sensor-0042", "gateway": "gw-7"}}'
id=$(python3 -c "import json; print(json.load(open('$tmp/body'))['id'])")
run_field "$id" 'd["status"]' paused
plan=$(python3 -c "import json; print(json.load(open('$tmp/run.json'))['gate']['plan_hash'])")
for i in $(seq 1 50); do grep -q "$id" "$tmp/hooks.jsonl" 2>/dev/null && break; sleep 0.1; done
contains "the webhook has the link to approve" "$tmp/hooks.jsonl" "\"approve\": \"$url/api/runs/$id/approve\""
call "alice may not approve it" 403 POST "/api/runs/$id/approve" -H "Authorization: Bearer $alice" -d "{\"plan_hash\": \"$plan\"}"

# Bob signs in: rbk → the provider (PKCE, state, nonce) → back to rbk's callback, which
# exchanges the code, verifies the ID token and sets the session cookie → /api/whoami.
final=$(curl -s -L -c "$tmp/bob.jar" -b "$tmp/bob.jar" -o "$tmp/body" -w '%{url_effective}' --max-time 20 \
  "$url/auth/login?login_hint=bob&return=/api/whoami")
check "bob ends where he asked to go" "$([ "$final" = "$url/api/whoami" ]; echo $?)" "$final: $(cat "$tmp/body")"
contains "he is bob" "$tmp/body" '"name":"bob"'
contains "his group is the ops role" "$tmp/body" '"roles":["ops"]'
contains "signed in through the provider" "$tmp/body" '"via":"sign-in"'
csrf=$(python3 -c "import json; print(json.load(open('$tmp/body'))['csrf_token'])")
grep -q "#HttpOnly_127.0.0.1" "$tmp/bob.jar"; check "the cookie is HttpOnly" $? "$(cat "$tmp/bob.jar")"

call "without the CSRF token: refused" 403 POST "/api/runs/$id/approve" -b "$tmp/bob.jar" -d "{\"plan_hash\": \"$plan\"}"
contains "says why" "$tmp/body" "X-CSRF-Token"
call "from another site: refused" 403 POST "/api/runs/$id/approve" -b "$tmp/bob.jar" -H "X-CSRF-Token: $csrf" \
  -H "Origin: https://evil.example" -d "{\"plan_hash\": \"$plan\"}"
check "nothing done yet" "$([ "$(curl -s "$api/actions")" = "[]" ]; echo $?)" "$(curl -s "$api/actions")"
call "bob approves from his session" 200 POST "/api/runs/$id/approve" -b "$tmp/bob.jar" -H "X-CSRF-Token: $csrf" \
  -H "Origin: $url" -d "{\"plan_hash\": \"$plan\", \"comment\": \"signed in, checked\"}"
run_field "$id" 'd["status"]' ended
check "the action reached the simulator once" \
  "$([ "$(curl -s "$api/actions" | grep -o '"action":"certs.reprovision"' | wc -l)" = 1 ]; echo $?)" "$(curl -s "$api/actions")"
run_field "$id" 'd["approvals"][0]["by"]' bob

# Mallory signs in too, but her group maps to no role: she may read, not approve.
curl -s -L -c "$tmp/m.jar" -b "$tmp/m.jar" -o "$tmp/body" --max-time 20 "$url/auth/login?login_hint=mallory&return=/api/whoami"
contains "mallory holds no role" "$tmp/body" '"roles":[]'

# A sign-in's state works once; a made-up one not at all; a return address elsewhere is
# not followed.
curl -s -c "$tmp/c.jar" -b "$tmp/c.jar" -o /dev/null -D "$tmp/h1" "$url/auth/login?login_hint=bob&return=/api/whoami"
idp_url=$(grep -i '^location:' "$tmp/h1" | tr -d '\r' | cut -d' ' -f2)
check "rbk sends people to the provider with PKCE" "$(grep -q 'code_challenge_method=S256' <<< "$idp_url"; echo $?)" "$idp_url"
callback=$(curl -s -L -c "$tmp/c.jar" -b "$tmp/c.jar" -o /dev/null --max-redirs 10 -w '%{url_effective}' \
  --proto-redir =http -H 'Accept: text/html' "$idp_url" --max-time 20)
call "a callback with a made-up state" 401 GET "/auth/callback?code=abc&state=made-up"
contains "says so" "$tmp/body" "unknown or has expired"
call "the provider's refusal is told" 401 GET "/auth/callback?error=access_denied&state=x"
final=$(curl -s -L -c "$tmp/e.jar" -b "$tmp/e.jar" -o /dev/null -w '%{url_effective}' --max-time 20 \
  "$url/auth/login?login_hint=bob&return=//evil.example/x")
check "no redirect elsewhere after sign-in" "$([ "$final" = "$url/" ]; echo $?)" "$final"
code=$(curl -s -o "$tmp/body" -w '%{http_code}' "$callback")
check "a used sign-in cannot be replayed" "$([ "$code" = 401 ]; echo $?)" "HTTP $code $(cat "$tmp/body")"

# Signing out ends the session (with the CSRF token, like any change).
call "sign-out without the token" 403 POST /auth/logout -b "$tmp/bob.jar" -d ""
call "sign-out" 200 POST /auth/logout -b "$tmp/bob.jar" -H "X-CSRF-Token: $csrf" -d ""
call "the session is gone" 401 GET /api/whoami -b "$tmp/bob.jar"

expect "the audit chain verifies" 0 "$rbk" audit verify
expect "rbk audit" 0 "$rbk" audit
contains "bob's sign-in" "$tmp/out" "sign-in"
python3 - "$RBK_STORE" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
seq, detail = db.execute("SELECT seq, detail FROM audit WHERE action = 'approve'").fetchone()
db.execute("UPDATE audit SET detail = ? WHERE seq = ?", (detail[:-1] + "!", seq))  # one byte
db.commit()
PY
expect "one changed byte breaks the chain" 1 "$rbk" audit verify
lacks "no client secret in the log" "$tmp/srv.log" "rbk-test-secret"
lacks "no session cookie in the log" "$tmp/srv.log" "rbk_session="
summary
