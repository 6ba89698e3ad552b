#!/usr/bin/env bash
# A run that authenticates to three clouds (tests/vm/cloud_auth.rbk), each with a credential
# of its policy: OAuth2 client credentials from a real OpenID provider (tools/test-oidc),
# AWS SigV4 and an Azure SAS, against a loopback API that answers with what it received
# (tests/echo_server.py). Checks what was sent, that no secret — read or made — reaches the
# readable output, the trace file or the store, and that a policy that writes a secret, or
# names one that cannot be read, stops the run before it starts.
# Usage: credentials_cli_test.sh RBK SOURCE_DIR
set -u
rbk="$1"
src="$2"
tmp=$(mktemp -d)
. "$(dirname "$0")/test_lib.sh"
export RBK_STORE="$tmp/runs.db"
idp_pid=""
echo_pid=""
cleanup() {
  for p in "$idp_pid" "$echo_pid"; do [ -n "$p" ] && kill "$p" 2>/dev/null; done
  rm -rf "$tmp"
}
trap cleanup EXIT
cd "$src"
latest_run() { "$rbk" runs | sed -n 2p | awk '{print $1}'; }

start_oidc_provider "http://127.0.0.1:1/unused" '{}'
python3 tests/echo_server.py "$tmp" &
echo_pid=$!
for i in $(seq 1 50); do [ -s "$tmp/echo.port" ] && break; sleep 0.1; done
api="http://127.0.0.1:$(cat "$tmp/echo.port")"

# The secrets, where a team keeps them: files and the environment.
printf 'rbk-runner-secret\n' > "$tmp/client-secret"
printf 'YSBzaGFyZWQgYWNjZXNzIGtleSBvZiBJb1QgSHViISE=' > "$tmp/hub-key"
export TEST_AWS_KEY_ID=AKIDTESTRUNNER
export TEST_AWS_SECRET='wJalrXUtnFEMI/TESTSECRETKEY+value'
cat > "$tmp/policy.json" <<JSON
{"capabilities": {"net.http": ["127.0.0.1"]},
 "credentials": {
   "fleet": {"type": "oauth2_client_credentials", "hosts": ["127.0.0.1"],
             "token_url": "$issuer/token", "client_id": "rbk-runner",
             "client_secret_file": "$tmp/client-secret"},
   "aws":   {"type": "aws_sigv4", "hosts": ["127.0.0.1"], "region": "eu-west-1", "service": "iot",
             "access_key_id_env": "TEST_AWS_KEY_ID", "secret_access_key_env": "TEST_AWS_SECRET"},
   "hub":   {"type": "azure_sas", "hosts": ["127.0.0.1"], "resource": "myhub.azure-devices.net",
             "key_name": "iothubowner", "key_file": "$tmp/hub-key", "ttl": "15m"}}}
JSON
run=(tests/vm/cloud_auth.rbk --policy "$tmp/policy.json" --param "aws_api=$api/aws"
     --param "hub_api=$api/hub" --param "fleet_api=$api/fleet" --trace "$tmp/trace.jsonl")
expect "a dry-run reads the three clouds with their credentials" 0 "$rbk" run "${run[@]}" --dry-run
contains "each answered" "$tmp/out" "outcome: resolved"
contains "the fleet API got the provider's token (redacted)" "$tmp/out" 'authorization: "Bearer [redacted]"'
contains "AWS got a SigV4 signature, its key id redacted too" "$tmp/out" '/eu-west-1/iot/aws4_request, SignedHeaders=host;x-amz-date, Signature='
contains "its signature redacted" "$tmp/out" 'Signature=[redacted]'
contains "IoT Hub got a SAS for its resource" "$tmp/out" 'SharedAccessSignature sr=myhub.azure-devices.net&sig=[redacted]&se='
id=$(latest_run)
"$rbk" runs "$id" --json > "$tmp/stored.json"
for f in "$tmp/out" "$tmp/trace.jsonl" "$tmp/stored.json"; do
  lacks "no client secret in $(basename "$f")" "$f" "rbk-runner-secret"
  lacks "no AWS secret in $(basename "$f")" "$f" "TESTSECRETKEY"
  lacks "no SAS key in $(basename "$f")" "$f" "YSBzaGFyZWQgYWNjZXNzIGtleSBvZiBJb1QgSHViISE"
  check "no access token in $(basename "$f")" "$(grep -qE 'Bearer [A-Za-z0-9_-]{20,}' "$f"; [ $? = 1 ]; echo $?)" "$(grep -oE 'Bearer [A-Za-z0-9_-]{20,}' "$f" | head -1)"
done
lacks "the policy stored with the run names files, not secrets" "$tmp/stored.json" "wJalrXUtnFEMI"

# The provider refuses a wrong secret: the run stops at the probe, naming the endpoint.
printf 'not-the-secret' > "$tmp/client-secret"
expect "a refused client secret" 1 "$rbk" run "${run[@]}" --dry-run
contains "names the token endpoint and its answer" "$tmp/out" "credential \"fleet\": its token endpoint $issuer/token answered status 401 (invalid_client: client authentication failed)"
lacks "not the secret" "$tmp/out" "not-the-secret"

# A secret written in the policy, or one that cannot be read: refused before anything runs.
sed 's|"client_secret_file": "[^"]*"|"client_secret": "rbk-runner-secret"|' "$tmp/policy.json" > "$tmp/inline.json"
expect "a secret in the policy" 2 "$rbk" run tests/vm/cloud_auth.rbk --policy "$tmp/inline.json" --dry-run --param aws_api=x --param hub_api=x --param fleet_api=x
contains "says where secrets go" "$tmp/err" 'credential "fleet": a secret is never written in the policy'
unset TEST_AWS_SECRET
expect "a secret that is not there" 2 "$rbk" run "${run[@]}" --dry-run
contains "names the variable" "$tmp/err" 'credential "aws": its secret_access_key: the environment variable TEST_AWS_SECRET is not set'

summary
