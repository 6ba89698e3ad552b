#!/usr/bin/env bash
# rbk serve's web pages in Debian's Chromium (tools/browser-test/ui-flow.mjs, playwright-core)
# on loopback, with real parts around them: fleet-sim for the live run, a real OpenID
# provider (tools/test-oidc) for Bob's sign-in, and a webhook receiver for the notification
# whose link Bob follows. Screenshots are kept in ARTIFACTS (default: build/web-ui-artifacts).
# Usage: web_ui_test.sh RBK FLEET_SIM SOURCE_DIR [ARTIFACTS]
set -u
rbk="$1"
sim="$2"
src="$3"
artifacts="${4:-$src/build/web-ui-artifacts}"  # ctest passes build/<preset>/tests/artifacts/web-ui
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
if [ ! -d tools/browser-test/node_modules/playwright-core ] || ! command -v chromium >/dev/null; then
  echo "FAIL: playwright-core or chromium is missing (scripts/install-test-tools.sh installs them)"
  exit 1
fi
start_fleet_sim "$sim"
sim_url="$api"

port=$(free_port)
url="http://127.0.0.1:$port"
start_oidc_provider "$url/auth/callback" \
  '{"bob": {"groups": ["ops-team"]}}'
start_webhook_receiver
cat > "$tmp/settings.json" <<JSON
{"public_url": "$url",
 "webhooks": [{"url": "http://127.0.0.1:$(cat "$tmp/hook.port")/team", "format": "json"}],
 "oidc": {"issuer": "$issuer", "client_id": "rbk", "client_secret_env": "TEST_OIDC_SECRET",
          "group_roles": {"ops-team": ["ops"]}}}
JSON
export TEST_OIDC_SECRET=rbk-test-secret
"$rbk" serve --runbooks runbooks --policy "$tmp/policy.json" --config "$tmp/config.json" \
  --settings "$tmp/settings.json" --listen "127.0.0.1:$port" > "$tmp/srv.out" 2> "$tmp/srv.log" &
srv_pid=$!
for i in $(seq 1 100); do grep -q listening "$tmp/srv.out" 2>/dev/null && break; sleep 0.1; done
check "rbk serve started" "$(grep -q listening "$tmp/srv.out"; echo $?)" "$(cat "$tmp/srv.log")"

# The pages' headers: a content security policy, and assets a browser may keep.
curl -s -D "$tmp/page.h" -o "$tmp/page.html" --max-time 10 "$url/runs/r1"
contains "a page has a content security policy" "$tmp/page.h" "Content-Security-Policy: default-src 'none'; script-src 'self'"
contains "and is not to be framed" "$tmp/page.h" "X-Frame-Options: DENY"
asset=$(grep -o '/assets/[0-9a-f]*/app\.js' "$tmp/page.html" | head -1)
curl -s -D "$tmp/asset.h" -o /dev/null --max-time 10 "$url$asset"
contains "an asset is kept a year (its name changes with it)" "$tmp/asset.h" "Cache-Control: public, max-age=31536000, immutable"
code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 "$url/assets/000000000000/app.js")
check "an unknown asset is a 404" "$([ "$code" = 404 ]; echo $?)" "HTTP $code"
code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 "$url/runs/a/b/c")
check "a path that is no page is a 404" "$([ "$code" = 404 ]; echo $?)" "HTTP $code"
code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 -X POST -H 'Content-Type: text/plain' -d 'token=x' "$url/auth/token")
check "a token sign-in must be JSON (no cross-site form)" "$([ "$code" = 415 ]; echo $?)" "HTTP $code"

alice=$("$rbk" token create --name alice --roles ops 2>/dev/null | head -1)
# bad_ota's security and release-manager gates (the policy names Dana and Erin for them)
export DANA_TOKEN=$("$rbk" token create --name dana --roles security 2>/dev/null | head -1)
export ERIN_TOKEN=$("$rbk" token create --name erin --roles release-manager 2>/dev/null | head -1)
rm -rf "$artifacts"
ISSUER="$issuer" timeout 240 node tools/browser-test/ui-flow.mjs "$url" "$alice" "$tmp/hooks.jsonl" "$sim_url" "$artifacts" \
  > "$tmp/flow.log" 2>&1
status=$?
cat "$tmp/flow.log"
check "the browser flow passed" "$status" "see above; screenshots in $artifacts"
lacks "no token in the server's log" "$tmp/srv.log" "$alice"
summary
