#!/usr/bin/env bash
# The seed runbooks against the platforms teams run, started here on loopback: the
# certificate renewal of seed 16.3 over a real Mosquitto (a password the policy names,
# given automatically for the broker's host) with a device simulated by Mosquitto's own
# clients, which reads the certificate it is sent with openssl and reports its serial on
# {device}/config/reported. A dry-run publishes nothing; the approved live run publishes
# once, and the device's report ends the wait.
# Then the fleet-level signals: a real Prometheus scraping fleet-sim's /metrics every
# second, and a real Redis holding the deduplication store; telemetry_spike and data_gap
# dry-run against them and branch on what PromQL and Redis answer.
# Usage: platforms_test.sh RBK FLEET_SIM SOURCE_DIR
set -u
rbk="$1"
sim="$2"
src="$3"
tmp=$(mktemp -d)
. "$(dirname "$0")/test_lib.sh"
export RBK_STORE="$tmp/runs.db"
sim_pid="" broker_pid="" watcher_pid="" device_pid="" dry_pid="" prom_pid="" redis_pid=""
cleanup() {
  for p in $dry_pid $device_pid $watcher_pid $broker_pid $prom_pid $redis_pid $sim_pid; do
    kill "$p" 2>/dev/null
  done
  wait 2>/dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT
for tool in /usr/sbin/mosquitto mosquitto_sub mosquitto_pub mosquitto_passwd prometheus redis-server redis-cli; do
  command -v "$tool" > /dev/null || { echo "FAIL: $tool is not installed (scripts/install-test-tools.sh)"; exit 1; }
done

start_fleet_sim "$sim"
cd "$src"

# The broker: passwords only, on a free port; the runner's and the device's accounts.
mport=$(free_port)
mosquitto_passwd -b -c "$tmp/passwd" rbk-runner runner-pw-7731 2>/dev/null
mosquitto_passwd -b "$tmp/passwd" device device-pw 2>/dev/null
cat > "$tmp/mosquitto.conf" <<EOF
listener $mport 127.0.0.1
allow_anonymous false
password_file $tmp/passwd
persistence false
user root
EOF
/usr/sbin/mosquitto -c "$tmp/mosquitto.conf" > "$tmp/mosquitto.log" 2>&1 &
broker_pid=$!
for i in $(seq 1 100); do
  python3 -c "import socket; socket.create_connection(('127.0.0.1', $mport), 0.2)" 2>/dev/null && break
  sleep 0.1
done
sub=(mosquitto_sub -h 127.0.0.1 -p "$mport" -u device -P device-pw)
pub=(mosquitto_pub -h 127.0.0.1 -p "$mport" -u device -P device-pw)

# The runner's configuration and policy: the broker's URL; net.mqtt to it; the password as
# an automatic credential for that host and port (in a file, never in the policy).
printf 'runner-pw-7731\n' > "$tmp/runner.pw"
edit_json "$tmp/config.json" "j['mqtt_broker'] = 'mqtt://127.0.0.1:$mport'"
edit_json "$tmp/policy.json" "j['capabilities']['net.mqtt'] = ['127.0.0.1:$mport']" \
  "j['credentials'] = {'broker': {'type': 'password', 'hosts': ['127.0.0.1:$mport'],
    'username': 'rbk-runner', 'password_file': '$tmp/runner.pw', 'automatic': True}}"

# Everything published on any device's config/desired, as it arrives.
"${sub[@]}" -v -t '+/config/desired' > "$tmp/desired.log" 2>&1 &
watcher_pid=$!

# A device whose certificate has 31 to 59 days left (the simulator's fleet is seeded).
dev=""
for i in $(seq -w 1 300); do
  d="sensor-0$i"
  after=$(curl -s "$api/devices/$d/certificate" | sed -n 's/.*"not_after":"\([^"]*\)".*/\1/p')
  [ -n "$after" ] || continue
  days=$(( ($(date -d "$after" +%s) - $(date +%s)) / 86400 ))
  if [ "$days" -gt 30 ] && [ "$days" -lt 60 ]; then dev="$d"; break; fi
done
check "a device due for renewal" "$([ -n "$dev" ]; echo $?)" "none among sensor-0001..0300"

# The device: waits for its desired configuration, checks the certificate in it with
# openssl and reports the serial it read (retained, as its reported state).
(
  "${sub[@]}" -C 1 -W 120 -t "$dev/config/desired" > "$tmp/received.json" || exit 1
  python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["certificate"]["pem"], end="")' \
    "$tmp/received.json" > "$tmp/device-cert.pem" || exit 1
  serial=$(openssl x509 -noout -serial -in "$tmp/device-cert.pem" | sed 's/^serial=//')
  subject=$(openssl x509 -noout -subject -nameopt RFC2253 -in "$tmp/device-cert.pem")
  [ "$subject" = "subject=CN=$dev" ] || serial="wrong-subject"
  "${pub[@]}" -r -q 1 -t "$dev/config/reported" \
    -m "{\"certificate_serial\": \"$serial\", \"certificate_status\": \"ok\"}"
) &
device_pid=$!

renew=(runbooks/cert_expiry.rbk --config "$tmp/config.json" --policy "$tmp/policy.json" --param device="$dev")

# Dry-run: the renewal is only recorded; its wait then polls the real broker with the
# placeholder serial, for an hour. Watched until the wait begins, then stopped.
"$rbk" run "${renew[@]}" --dry-run --approve-all --as alice > "$tmp/dry.out" 2>&1 &
dry_pid=$!
for i in $(seq 1 150); do
  grep -q "● confirm_renewal" "$tmp/dry.out" 2>/dev/null && break
  sleep 0.2
done
contains "the dry-run records the renewal" "$tmp/dry.out" "would do certs.start_renewal(\"$dev\") = \"dry-run-placeholder\""
kill "$dry_pid" 2>/dev/null
wait "$dry_pid" 2>/dev/null
dry_pid=""
check "the dry-run published nothing" "$([ ! -s "$tmp/desired.log" ]; echo $?)" "$(cat "$tmp/desired.log")"
check "nothing issued by the dry-run" "$(curl -s "$api/actions" | grep -q certs.issue; [ $? -ne 0 ]; echo $?)" "$(curl -s "$api/actions")"

# Live: paused at the gate; approved by another person, the certificate is issued and
# published once, the device reports its serial, the wait ends.
expect "renewal pauses at its gate" 3 "$rbk" run "${renew[@]}" --as alice
check "nothing published before the approval" "$([ ! -s "$tmp/desired.log" ]; echo $?)" "$(cat "$tmp/desired.log")"
id=$("$rbk" runs | sed -n 2p | awk '{print $1}')
expect "renewal approved" 0 "$rbk" approve "$id" --as bob --wait
serial=$(sed -n 's/.*did certs.start_renewal("'"$dev"'") = "\([0-9A-F]*\)".*/\1/p' "$tmp/out")
check "the action returned the certificate's serial" "$([ -n "$serial" ]; echo $?)" "$(cat "$tmp/out")"
contains "the device's report ended the wait" "$tmp/out" "certs.renewal_acknowledged(\"$dev\", \"$serial\", 1m) = true"
contains "renewed" "$tmp/out" "outcome: resolved"
wait "$device_pid"
check "the device read the certificate" "$?" "the simulated device failed"
device_pid=""
sleep 0.3  # the watcher's last line
check "published exactly once" "$([ "$(grep -c "^$dev/config/desired " "$tmp/desired.log")" -eq 1 ]; echo $?)" "$(cat "$tmp/desired.log")"
contains "a real certificate went out" "$tmp/desired.log" "BEGIN CERTIFICATE"
check "issued once" "$([ "$(curl -s "$api/actions" | grep -o '"action":"certs.issue"' | wc -l)" -eq 1 ]; echo $?)" "$(curl -s "$api/actions")"
"$rbk" runs "$id" --json > "$tmp/run.json"
lacks "the password is in no trace" "$tmp/run.json" "runner-pw-7731"
check "the desired state is retained for a device that is offline" \
  "$("${sub[@]}" -C 1 -W 3 -t "$dev/config/desired" | grep -q "$serial"; echo $?)" "not retained"

# A wrong password: the broker's refusal is the probe's error, and the runbook's on error
# edge is taken (a report that cannot be read); a policy without net.mqtt stops the run.
printf 'not-the-password\n' > "$tmp/runner.pw"
expect "renewal with a wrong password pauses" 3 "$rbk" run "${renew[@]}" --as alice
id=$("$rbk" runs | sed -n 2p | awk '{print $1}')
expect "approved" 0 "$rbk" approve "$id" --as bob --wait
contains "the broker refused" "$tmp/out" "the broker refused the connection: not authorized"
contains "followed up" "$tmp/out" "outcome: mitigated"
lacks "no password in the output" "$tmp/out" "not-the-password"


# --- Prometheus and Redis ---------------------------------------------------------------
# fleet-sim's exposition passes Prometheus's own linter.
curl -s "$api/metrics" > "$tmp/metrics.txt"
expect "promtool checks fleet-sim's /metrics" 0 promtool check metrics < "$tmp/metrics.txt"
lacks "no lint warning" "$tmp/err" "should"
use_prometheus
promql() {  # promql QUERY: the first value of an instant query
  curl -s "http://127.0.0.1:$pport/api/v1/query" --data-urlencode "query=$1" |
    python3 -c 'import json, sys; r = json.load(sys.stdin)["data"]["result"]; print(round(float(r[0]["value"][1])) if r else "none")'
}
check "a reconnect storm in eu-west" "$([ "$(promql 'sum(irate(mqtt_client_reconnects_total{region="eu-west"}[5m]))')" = 140 ]; echo $?)" \
  "$(promql 'sum(irate(mqtt_client_reconnects_total{region="eu-west"}[5m]))')"
check "the registry's 200 devices, by cohort" "$([ "$(promql 'sum(fleet_devices)')" = 200 ]; echo $?)" \
  "$(promql 'sum(fleet_devices)')"
check "sensor-0042 and sensor-0007 offline" "$([ "$(promql 'sum(fleet_devices) - sum(fleet_devices_connected)')" -ge 2 ]; echo $?)" \
  "$(promql 'sum(fleet_devices) - sum(fleet_devices_connected)')"
rport=$(free_port)
redis-server --bind 127.0.0.1 --port "$rport" --requirepass dedup-pw-5512 --save "" \
  --appendonly no --dir "$tmp" > "$tmp/redis.log" 2>&1 &
redis_pid=$!
printf 'dedup-pw-5512\n' > "$tmp/redis.pw"
rcli() { redis-cli -p "$rport" --no-auth-warning -a dedup-pw-5512 "$@" > /dev/null 2>&1; }
for i in $(seq 1 100); do rcli PING && break; sleep 0.1; done
edit_json "$tmp/config.json" "j['redis_url'] = 'redis://127.0.0.1:$rport/0'"
edit_json "$tmp/policy.json" "j['capabilities']['net.redis'] = ['127.0.0.1:$rport']" \
  "j['credentials']['dedup'] = {'type': 'password', 'hosts': ['127.0.0.1:$rport'],
    'password_file': '$tmp/redis.pw', 'automatic': True}"
common=(--config "$tmp/config.json" --dry-run --policy "$tmp/policy.json" --approve-all --as alice)

# telemetry_spike: PromQL finds the spike in eu-west and the cohort behind 78% of it.
expect "telemetry_spike dry-run" 0 "$rbk" run runbooks/telemetry_spike.rbk "${common[@]}" --param region=eu-west
contains "the cohort and its share, from PromQL" "$tmp/out" 'top_cohort: {firmware: "2.4.0", hardware: "rev-C", region: "eu-west"}, top_share: 78%}'
contains "would limit the cohort" "$tmp/out" 'would do broker.set_rate_limit({firmware: "2.4.0", hardware: "rev-C", region: "eu-west"}, 10)'
contains "the lag from kafka_exporter's gauge" "$tmp/out" 'ingest.consumer_lag("ingestion") = 12'
contains "telemetry_spike outcome" "$tmp/out" "outcome: mitigated"
expect "telemetry_spike elsewhere" 0 "$rbk" run runbooks/telemetry_spike.rbk "${common[@]}" --param region=us-east
contains "no spike in us-east" "$tmp/out" "→ no_spike"

# data_gap: a device on firmware 2.4.0 is rejected by the schema; one on 2.3.1 reaches
# the deduplication check, which Redis answers (seeded as the dedup service keeps it).
on_firmware() {  # the first device (from sensor-0001) on firmware $1 with a gateway
  for i in $(seq -w 1 199); do
    d="sensor-0$i"
    curl -s "$api/devices/$d" | grep -q "\"firmware\":\"$1\"" && { echo "$d"; return; }
  done
}
new_fw=$(on_firmware 2.4.0)
old_fw=$(on_firmware 2.3.1)
gw_of() { curl -s "$api/devices/$1" | sed -n 's/.*"gateway":"\([^"]*\)".*/\1/p'; }
expect "data_gap dry-run, firmware 2.4.0" 0 "$rbk" run runbooks/data_gap.rbk "${common[@]}" \
  --param device="$new_fw" --param gateway="$(gw_of "$new_fw")"
contains "the lag from Prometheus" "$tmp/out" 'ingest.consumer_lag("ingestion") = 12'
contains "schema rejections found" "$tmp/out" "→ schema_mismatch"
rcli SADD "dedup:seen:$old_fw" 01J9ZX 01J9ZY 01J9ZZ
rcli EXPIRE "dedup:seen:$old_fw" 45
rcli SADD "dedup:rejected:$old_fw" 01J9ZX 01J9ZY
expect "data_gap dry-run, firmware 2.3.1" 0 "$rbk" run runbooks/data_gap.rbk "${common[@]}" \
  --param device="$old_fw" --param gateway="$(gw_of "$old_fw")"
contains "the dedup store read from Redis" "$tmp/out" "ingest.dedup(\"$old_fw\") = {rejected: 2, window: 4"
contains "duplicates found" "$tmp/out" "→ dedup_issue"
contains "the alert quotes Redis" "$tmp/out" "(2 msg_ids rejected; the dedup window has 4"
rcli DEL "dedup:rejected:$old_fw"
rcli PERSIST "dedup:seen:$old_fw"
expect "data_gap dry-run, no duplicates" 0 "$rbk" run runbooks/data_gap.rbk "${common[@]}" \
  --param device="$old_fw" --param gateway="$(gw_of "$old_fw")"
contains "an empty rejected set, a set without expiry" "$tmp/out" "ingest.dedup(\"$old_fw\") = {rejected: 0, window: null}"
contains "on to the deadband" "$tmp/out" "→ check_deadband"
lacks "no password in the output" "$tmp/out" "dedup-pw-5512"

summary
