#!/usr/bin/env bash
# The dry-run guarantee, end to end, against tools/fleet-sim on loopback: a dry-run sends
# no request to an action endpoint and records each action as "would do" with its
# evaluated arguments; the same live run, once approved, performs each action exactly
# once; a host the policy does not allow receives no connection at all.
# Usage: live_test.sh RBK FLEET_SIM SOURCE_DIR
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

start_sim() { start_fleet_sim "$sim"; }
start_sim
actions() { curl -s "$api/actions"; }
requests() { curl -s "$api/requests" | sed -n 's/.*"requests":\([0-9]*\).*/\1/p'; }
cd "$src"
args=(runbooks/device_offline.rbk --config "$tmp/config.json" --param device=sensor-0042 --param gateway=gw-7)

# Dry-run: probes real, actions recorded, none sent.
before=$(requests)
expect "dry-run" 0 "$rbk" run "${args[@]}" --dry-run --policy "$tmp/policy.json" --approve-all --as alice
contains "probe results shown" "$tmp/out" "fleet.last_seen_age(\"sensor-0042\") = 45m"
contains "would do, with arguments" "$tmp/out" 'would do certs.reprovision("sensor-0042")'
contains "would do the alert" "$tmp/out" 'would do ops.alert("certificate of sensor-0042 recovered'
after=$(requests)
check "the probes reached the simulator" $([ $((after - before)) -gt 5 ]; echo $?) "only $((after - before)) requests"
check "no action reached the simulator" $([ "$(actions)" = "[]" ]; echo $?) "$(actions)"
# "It happened" to "it is tested": the dry-run as a scenario, passing offline (beside a
# copy of the runbooks, since the recorded file names its runbook only).
dry_run=$("$rbk" runs | sed -n 2p | awk '{print $1}')
mkdir -p "$tmp/recorded/scenarios"
cp runbooks/*.rbk "$tmp/recorded/"
expect "the dry-run recorded" 0 "$rbk" scenario record "$dry_run" -o "$tmp/recorded/scenarios/seen_live.json"
contains "the declared probe's live answer" "$tmp/recorded/scenarios/seen_live.json" '"fleet.last_seen_age": {'
lacks "no natives inside probe bodies" "$tmp/recorded/scenarios/seen_live.json" '"http.get_json"'
expect "the recorded dry-run passes offline" 0 "$rbk" test "$tmp/recorded/scenarios/seen_live.json"

# The rest of the library, dry-run against the same simulator: real probes over HTTP, DNS
# and TLS, every action only recorded. (bad_ota is left out: with its rollback only
# recorded, its health check waits the full 30 minutes in real time, as it should.)
common=(--config "$tmp/config.json" --dry-run --policy "$tmp/policy.json" --approve-all --as alice)
# (data_gap and telemetry_spike read Prometheus and Redis: they run against real ones in
# tests/platforms_test.sh.)
expect "regional_outage dry-run" 0 "$rbk" run runbooks/regional_outage.rbk "${common[@]}" --param region=eu-west \
  --param broker_host=localhost --param broker_port="$port"
contains "regional_outage: drop measured" "$tmp/out" 'fleet.connected_drop("eu-west")'
contains "regional_outage outcome" "$tmp/out" "outcome: resolved"
check "still no action reached the simulator" $([ "$(actions)" = "[]" ]; echo $?) "$(actions)"

# Live: pauses at the gate, another person approves, each action happens exactly once.
expect "live run pauses at its gate" 3 "$rbk" run "${args[@]}" --policy "$tmp/policy.json" --as alice
check "nothing done before the approval" $([ "$(actions)" = "[]" ]; echo $?) "$(actions)"
id=$("$rbk" runs | sed -n 2p | awk '{print $1}')
expect "self-approval refused" 1 "$rbk" approve "$id" --as alice
expect "approved by bob" 0 "$rbk" approve "$id" --as bob --wait
contains "performed" "$tmp/out" 'did certs.reprovision("sensor-0042")'
contains "resolved" "$tmp/out" "outcome: resolved"
check "reprovision exactly once" $([ "$(actions | grep -o '"action":"certs.reprovision"' | wc -l)" -eq 1 ]; echo $?) "$(actions)"
check "alert exactly once" $([ "$(actions | grep -o '"action":"ops.alert"' | wc -l)" -eq 1 ]; echo $?) "$(actions)"
expect "approving again is refused" 2 "$rbk" approve "$id" --as bob
check "still exactly two actions" $([ "$(actions | grep -o '"action"' | wc -l)" -eq 2 ]; echo $?) "$(actions)"

# Killed just after it performed an action, before the journal said so: resumed, the live
# run does not perform it again but pauses at an "(uncertain)" gate; the person who checked
# says it was performed, and the run goes on.
reprovisions() { actions | grep -o '"action":"certs.reprovision"' | wc -l; }
start_sim  # sensor-0042's certificate expired again
expect "another live run pauses" 3 "$rbk" run "${args[@]}" --policy "$tmp/policy.json" --as alice
id=$("$rbk" runs | sed -n 2p | awk '{print $1}')
before=$(reprovisions)
# (its third journal write is the answer to the reprovision request)
RBK_CRASH_AFTER=3 "$rbk" approve "$id" --as bob --wait > "$tmp/out" 2>&1
check "killed after the action" "$([ $? = 137 ]; echo $?)" "the approval was not killed"
check "performed once before the kill" "$([ "$(reprovisions)" = $((before + 1)) ]; echo $?)" "$(actions)"
expect "the resumed run asks" 3 "$rbk" resume "$id"
contains "an uncertain gate" "$tmp/out" "paused at gate 'reprovision (uncertain)'"
expect "the person says it was performed" 0 "$rbk" approve "$id" --as bob --comment "seen in the fleet API" --wait
contains "the run went on" "$tmp/out" "outcome: resolved"
check "never performed twice" "$([ "$(reprovisions)" = $((before + 1)) ]; echo $?)" "$(actions)"

# (The renewal of cert_expiry, which publishes over MQTT, runs against a real broker in
# tests/platforms_test.sh.)

# A host the policy does not allow receives no connection at all.
printf '{"capabilities": {"net.http": ["127.0.0.1:1"], "notify": ["127.0.0.1:1"], "net.mqtt": ["127.0.0.1:1"]}}' > "$tmp/elsewhere.json"
before=$(requests)
expect "disallowed host" 1 "$rbk" run "${args[@]}" --dry-run --policy "$tmp/elsewhere.json"
contains "denial names call, capability and policy" "$tmp/out" "http.get_json: $tmp/elsewhere.json does not allow net.http to 127.0.0.1:$port"
after=$(requests)
check "no connection reached the simulator" $([ $((after - before)) -eq 1 ]; echo $?) "$((after - before - 1)) requests arrived"

# Configuration is checked before the run starts.
expect "missing configuration" 2 "$rbk" run runbooks/device_offline.rbk --dry-run --policy "$tmp/policy.json" --param device=x --param gateway=y
contains "names the value and the variable" "$tmp/err" "configuration value 'fleet_api' (string) is not set: add it to a --config file or set RBK_CONFIG_FLEET_API"
sed 's|"fleet_api": "[^"]*"|"fleet_api": "http://127.0.0.1:1"|' "$tmp/config.json" > "$tmp/wrong.json"
expect "environment overrides the file" 0 env RBK_CONFIG_FLEET_API="$api" "$rbk" run "${args[@]/$tmp\/config.json/$tmp/wrong.json}" --dry-run --policy "$tmp/policy.json" --approve-all
contains "the probes answered" "$tmp/out" 'fleet.last_seen_age("sensor-0042") = '
lacks "the readable path leaves out the natives inside probes" "$tmp/out" "http.get_json("
"$rbk" runs "$("$rbk" runs | sed -n 2p | awk '{print $1}')" --json > "$tmp/run.json"
contains "the fleet API of the environment answered (in the stored trace)" "$tmp/run.json" "\"$api/devices/sensor-0042\""
contains "the natives inside probes are marked" "$tmp/run.json" '"in_body": true' 
expect "live needs a policy" 2 "$rbk" run "${args[@]}"
contains "suggests a dry-run with a policy" "$tmp/err" "--dry-run --policy FILE"


# Cohorts: the bad rollout, live. Only the scoped cohort (rev-B in eu-west) is quarantined
# and rolled back, by its own endpoints; the rollout as a whole never moves.
start_sim
ota=(runbooks/bad_ota.rbk --config "$tmp/config.json" --policy "$tmp/policy.json" --param rollout=fw-2.4.0)
expect "bad_ota pauses at the quarantine" 3 "$rbk" run "${ota[@]}" --as alice
id=$("$rbk" runs | sed -n 2p | awk '{print $1}')
contains "the scope is one cohort" "$tmp/out" 'plan: ota.quarantine("fw-2.4.0", {firmware: "2.4.0", hardware: "rev-B", region: "eu-west"})'
expect "quarantine approved by security" 3 "$rbk" approve "$id" --as dana --wait
contains "the cohort's rollback planned" "$tmp/out" 'plan: ota.rollback_cohort("fw-2.4.0", {firmware: "2.4.0", hardware: "rev-B", region: "eu-west"}, "2.3.1", 10%)'
expect "first wave approved by the release manager" 3 "$rbk" approve "$id" --as erin --wait
contains "the cohort is healthy after its first wave" "$tmp/out" "gate continue_rollback asks"
contains "the gate shows how far the rollback got" "$tmp/out" "plan: 10% of rev-B in eu-west"
contains "and asks how far it goes next" "$tmp/out" "plan: ask reach: one of 25%, 50%, 100%"
expect "the rest approved, all of it" 0 "$rbk" approve "$id" --as erin --answer reach=100% --wait
contains "bad_ota rolled back" "$tmp/out" "outcome: mitigated"
# Each resume replays the journal without running again the bodies of the actions done
# before (ota.pause): the trace still has every decision, once, in order.
"$rbk" runs "$id" --json > "$tmp/ota-run.json"
decided=$(python3 -c "import json, sys; t = json.load(open(sys.argv[1]))['trace']; print(','.join(e['gate'] for e in t if e['event'] == 'gate_decided')); assert [e['seq'] for e in t] == list(range(1, len(t) + 1))" "$tmp/ota-run.json")
check "the trace keeps each gate's decision across resumes" "$([ "$decided" = quarantine_cohort,rollback_wave,continue_rollback ]; echo $?)" "$decided"
check "the cohort was rolled back by its own endpoint" "$(actions | grep -c '"action":"ota.rollback_cohort".*"target":"fw-2.4.0/2.4.0/rev-B/eu-west"' >/dev/null; echo $?)" "$(actions)"
check "the whole rollout never moved" "$(actions | grep -q '"action":"ota.rollback"'; [ $? = 1 ]; echo $?)" "$(actions)"
curl -s "$api/rollouts/fw-2.4.0/cohorts/2.4.0/rev-A/eu-west" > "$tmp/rev-a.json"
contains "rev-A still has its failures" "$tmp/rev-a.json" '"failed":2'
# The simulator refuses what it does not know, naming it, and records nothing.
code=$(curl -s -o "$tmp/refused.json" -w '%{http_code}' -X POST -d '{"firmware": "2.3.1", "wave": 10, "hardware": "rev-B"}' "$api/rollouts/fw-2.4.0/rollback")
check "an unknown request field is a 400" "$([ "$code" = 400 ]; echo $?)" "status $code"
contains "the field named" "$tmp/refused.json" 'unknown field \"hardware\" (this endpoint takes \"firmware\", \"wave\")'
check "nothing recorded for it" "$(actions | grep -q '"action":"ota.rollback"'; [ $? = 1 ]; echo $?)" "$(actions)"

summary
