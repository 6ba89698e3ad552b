#!/usr/bin/env bash
# Each rollout-service module (stdlib/aws_iot.rbk, azure_iot_hub.rbk, hawkbit.rbk,
# mender.rbk) against fleet-sim serving that service's own API (--platform NAME), with the
# authentication the service takes (SigV4, an IoT Hub SAS, HTTP Basic, a bearer token) as
# automatic credentials of the policy: a dry-run reads the rollout and stops nothing; the
# live run, approved by another person, stops it with one request in the service's shape
# and reads what failed. The simulated APIs refuse what the real ones refuse: no
# authentication, a field the endpoint does not take, a transition the state forbids.
# Usage: rollout_services_test.sh RBK FLEET_SIM SOURCE_DIR
set -u
rbk="$1"
sim="$2"
src="$3"
tmp=$(mktemp -d)
. "$(dirname "$0")/test_lib.sh"
export RBK_STORE="$tmp/runs.db"
sim_pid=""
cleanup() { [ -n "$sim_pid" ] && kill "$sim_pid" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
cd "$src"
actions() { curl -s "$api/actions"; }
status_of() { curl -s -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' "$@"; }

# The secrets, in files (never in the policy).
printf 'AKIDEXAMPLE\n' > "$tmp/aws-id"
printf 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY\n' > "$tmp/aws-secret"
printf 'c2hhcmVkLWFjY2Vzcy1rZXktb2YtdGhlLWh1Yg==\n' > "$tmp/hub-key"
printf 'hawkbit-pw-3301\n' > "$tmp/hawkbit-pw"
printf 'mender-pat-8812\n' > "$tmp/mender-token"

# run_guard NAME PLATFORM CONFIG_KEY CREDENTIAL_JSON READ_ONLY_PATH ARGS...: fleet-sim
# serving PLATFORM; the policy with the credential (automatic for the simulator); the
# guard dry-run, then live (paused at its gate, approved by bob). Output of the live run
# in $tmp/out.
run_guard() {
  local name=$1 platform=$2 key=$3 credential=$4 read_only=$5
  shift 5
  start_fleet_sim "$sim" --platform "$platform"
  edit_json "$tmp/config.json" "j['$key'] = '$api'"
  edit_json "$tmp/policy.json" \
    "j['credentials'] = {'service': dict(json.loads('${credential//TMP/$tmp}'), hosts=['${api#*://}'], automatic=True)}" \
    ${read_only:+"j['read_only_posts'] = ['$api$read_only']"}
  local args=(tests/platforms/$name.rbk --config "$tmp/config.json" --policy "$tmp/policy.json" "$@")
  expect "$name: dry-run" 0 "$rbk" run "${args[@]}" --dry-run --approve-all --as alice
  contains "$name: dry-run would stop the rollout" "$tmp/out" "would do "
  check "$name: the dry-run changed nothing" "$([ "$(actions)" = "[]" ]; echo $?)" "$(actions)"
  expect "$name: live, paused at its gate" 3 "$rbk" run "${args[@]}" --as alice
  cp "$tmp/out" "$tmp/live.out"
  check "$name: nothing before the approval" "$([ "$(actions)" = "[]" ]; echo $?)" "$(actions)"
  local id
  id=$("$rbk" runs | sed -n 2p | awk '{print $1}')
  expect "$name: approved" 0 "$rbk" approve "$id" --as bob --wait
  cat "$tmp/out" >> "$tmp/live.out"
  check "$name: one action reached the service" \
    "$([ "$(actions | grep -o '"action"' | wc -l)" -eq 1 ]; echo $?)" "$(actions)"
}

# AWS IoT: DescribeJob, CancelJob (PUT with reasonCode and comment), ListJobExecutionsForJob,
# SearchIndex (a POST that only reads, listed in read_only_posts).
run_guard aws_iot_guard aws-iot aws_iot_endpoint \
  '{"type": "aws_sigv4", "region": "eu-west-1", "service": "iot", "access_key_id_file": "TMP/aws-id", "secret_access_key_file": "TMP/aws-secret"}' \
  /indices/search --param job=fw-2.4.0 --param region=eu-west
contains "aws: the job's counts" "$tmp/live.out" 'aws_iot.job("fw-2.4.0") = {status: "IN_PROGRESS", succeeded: 290, failed: 36'
contains "aws: cancelled" "$tmp/live.out" 'did aws_iot.cancel_job("fw-2.4.0", "FAILURE_THRESHOLD"'
contains "aws: the body AWS takes" <(actions) '"body":{"comment":"rbk: failures past 5%","reasonCode":"FAILURE_THRESHOLD"}'
contains "aws: failed things by name" "$tmp/live.out" 'aws_iot.failed_things("fw-2.4.0", 20) = ["sensor-'
contains "aws: the fleet index" "$tmp/live.out" 'aws_iot.search_things("connectivity.connected:false AND attributes.region:eu-west", 100) = [{name: "sensor-'
contains "aws: outcome" "$tmp/live.out" "outcome: mitigated"
check "aws: unsigned is refused" "$([ "$(status_of "$api/jobs/fw-2.4.0")" = 403 ]; echo $?)" "not 403"
sig=(-H "Authorization: AWS4-HMAC-SHA256 Credential=x" -H "X-Amz-Date: 20261130T000000Z")
check "aws: an unknown field is a 400" \
  "$([ "$(status_of -X PUT "${sig[@]}" -d '{"reason": "x"}' "$api/jobs/fw-2.4.0/cancel")" = 400 ]; echo $?)" "not 400"
check "aws: cancelling twice is a conflict" \
  "$([ "$(status_of -X PUT "${sig[@]}" -d '{}' "$api/jobs/fw-2.4.0/cancel")" = 409 ]; echo $?)" "not 409"
expect "aws: the cancelled job is left alone" 0 "$rbk" run tests/platforms/aws_iot_guard.rbk --config "$tmp/config.json" \
  --policy "$tmp/policy.json" --param job=fw-2.4.0 --param region=eu-west --dry-run --as alice
contains "aws: not in progress" "$tmp/out" '→ idle'

# Azure IoT Hub: Get Job, Cancel Job, Query (a POST that only reads) with api-version.
run_guard azure_iot_hub_guard azure-iot-hub azure_iot_hub \
  '{"type": "azure_sas", "resource": "myhub.azure-devices.net", "key_name": "iothubowner", "key_file": "TMP/hub-key"}' \
  /devices/query --param job=fw-2.4.0 --param region=eu-west
contains "azure: the job's statistics" "$tmp/live.out" 'azure_iot_hub.job("fw-2.4.0") = {status: "running", devices: 400, failed: 36'
contains "azure: cancelled" "$tmp/live.out" 'did azure_iot_hub.cancel_job("fw-2.4.0")'
contains "azure: the twins query" "$tmp/live.out" "azure_iot_hub.twins(\"SELECT * FROM devices WHERE tags.region = 'eu-west' AND connectionState = 'Disconnected'\") = [{id: \"sensor-"
contains "azure: outcome" "$tmp/live.out" "outcome: mitigated"
check "azure: no SAS is refused" "$([ "$(status_of "$api/jobs/v2/fw-2.4.0?api-version=2021-04-12")" = 401 ]; echo $?)" "not 401"
sas=(-H "Authorization: SharedAccessSignature sr=x")
check "azure: the api-version is required" "$([ "$(status_of "${sas[@]}" "$api/jobs/v2/fw-2.4.0")" = 400 ]; echo $?)" "not 400"
check "azure: an unknown field is a 400" \
  "$([ "$(status_of -X POST "${sas[@]}" -d '{"query": "SELECT * FROM devices", "top": 5}' "$api/devices/query?api-version=2021-04-12")" = 400 ]; echo $?)" "not 400"

# hawkBit: the rollout, pause (no body), the deployment groups; then resume.
run_guard hawkbit_guard hawkbit hawkbit_api \
  '{"type": "password", "username": "rbk-runner", "password_file": "TMP/hawkbit-pw"}' \
  "" --param rollout=7
contains "hawkbit: the rollout's targets" "$tmp/live.out" 'hawkbit.rollout(7) = {name: "fw-2.4.0", status: "running", total: 400, running: 50, scheduled: 24, finished: 290, error: 36, cancelled: 0}'
contains "hawkbit: paused" "$tmp/live.out" "did hawkbit.pause(7)"
contains "hawkbit: the groups" "$tmp/live.out" 'hawkbit.groups(7) = [{name: "canary", status: "finished", total: 40, error: 2}'
contains "hawkbit: outcome" "$tmp/live.out" "outcome: mitigated"
basic=(-u rbk-runner:hawkbit-pw-3301)
check "hawkbit: no credentials are refused" "$([ "$(status_of "$api/rest/v1/rollouts/7")" = 401 ]; echo $?)" "not 401"
check "hawkbit: a body is a 400" \
  "$([ "$(status_of -X POST "${basic[@]}" -d '{"force": true}' "$api/rest/v1/rollouts/7/resume")" = 400 ]; echo $?)" "not 400"
check "hawkbit: pausing a paused rollout is refused" \
  "$([ "$(status_of -X POST "${basic[@]}" "$api/rest/v1/rollouts/7/pause")" = 400 ]; echo $?)" "not 400"
curl -s "$api/rest/v1/rollouts/7" "${basic[@]}" > "$tmp/rollout.json"
contains "hawkbit: the password went as HTTP Basic" "$tmp/rollout.json" '"status":"paused"'
# Paused with its failures put right (here: the simulator told so), the guard resumes it.
expect "hawkbit: the paused rollout" 0 "$rbk" run tests/platforms/hawkbit_guard.rbk --config "$tmp/config.json" \
  --policy "$tmp/policy.json" --param rollout=7 --dry-run --as alice
contains "hawkbit: paused, with failures: nothing to resume" "$tmp/out" '→ idle'

# Mender: the deployment and its statistics, abort ({"status": "aborted"}), the failed devices.
run_guard mender_guard mender mender_api \
  '{"type": "bearer", "token_file": "TMP/mender-token"}' \
  "" --param deployment=0c13a0e6-6b63-4cbd-9a1b-8d7a2ce1b0f1
contains "mender: the statistics" "$tmp/live.out" 'status: "inprogress", devices: 400, success: 290, failure: 36, in_progress: 50, pending: 24, aborted: 0}'
contains "mender: aborted" "$tmp/live.out" 'did mender.abort("0c13a0e6-6b63-4cbd-9a1b-8d7a2ce1b0f1")'
contains "mender: the body Mender takes" <(actions) '"body":{"status":"aborted"}'
contains "mender: failed devices" "$tmp/live.out" 'mender.failed_devices("0c13a0e6-6b63-4cbd-9a1b-8d7a2ce1b0f1", 20) = ["sensor-'
contains "mender: outcome" "$tmp/live.out" "outcome: mitigated"
bearer=(-H "Authorization: Bearer x")
check "mender: no token is refused" \
  "$([ "$(status_of "$api/api/management/v1/deployments/deployments/0c13a0e6-6b63-4cbd-9a1b-8d7a2ce1b0f1")" = 401 ]; echo $?)" "not 401"
check "mender: an unknown field is a 400" \
  "$([ "$(status_of -X PUT "${bearer[@]}" -d '{"status": "aborted", "force": true}' "$api/api/management/v1/deployments/deployments/0c13a0e6-6b63-4cbd-9a1b-8d7a2ce1b0f1/status")" = 400 ]; echo $?)" "not 400"
check "mender: aborting twice is refused" \
  "$([ "$(status_of -X PUT "${bearer[@]}" -d '{"status": "aborted"}' "$api/api/management/v1/deployments/deployments/0c13a0e6-6b63-4cbd-9a1b-8d7a2ce1b0f1/status")" = 422 ]; echo $?)" "not 422"

# No secret in any run's stored trace.
for run in $("$rbk" runs | awk 'NR > 1 {print $1}'); do "$rbk" runs "$run" --json; done > "$tmp/all-runs.json"
for secret in wJalrXUtnFEMI hawkbit-pw-3301 mender-pat-8812 c2hhcmVkLWFjY2Vzcy1rZXk; do
  lacks "no $secret in a trace" "$tmp/all-runs.json" "$secret"
done
# fleet-sim refuses a platform it does not know.
expect "an unknown platform" 2 "$sim" --platform balena
contains "names the platforms" "$tmp/err" "aws-iot, azure-iot-hub, hawkbit or mender"

summary
