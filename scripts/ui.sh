#!/usr/bin/env bash
# The web UI on this machine, in one command: builds rbk and the fleet simulator, starts
# the simulator (127.0.0.1:8085, the address tools/fleet-sim's policy and configuration
# name), makes you an API token in a store of the demo's own (build/ui-runs.db), and runs
# rbk serve on http://127.0.0.1:8080 until Ctrl-C. Open that address and sign in with the
# token it prints. Usage: scripts/ui.sh [NAME] (default: $USER), with the ops role.
# The platforms the configuration also names are started when they are installed
# (scripts/install-test-tools.sh brings them) and their port is free: Prometheus on 9090
# scraping the simulator (telemetry_spike, data_gap), Redis on 6379 (data_gap's dedup
# store), Mosquitto on 1883 (cert_expiry's renewal). Without them those probes fail and
# the runbooks take their `on error` edges.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh default rbk fleet-sim
name="${1:-${USER:-operator}}"
export RBK_STORE="${RBK_STORE:-build/ui-runs.db}"
build/default/tools/fleet-sim/fleet-sim --port 8085 > build/ui-fleet-sim.log 2>&1 &
sim=$!
srv="" extra=()
trap 'kill $sim $srv ${extra[*]} 2>/dev/null' EXIT
free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
if command -v prometheus > /dev/null && free 9090; then
  mkdir -p build/ui-prometheus
  printf 'global: {scrape_interval: 5s}\nscrape_configs:\n  - job_name: fleet-sim\n    static_configs: [{targets: ["127.0.0.1:8085"]}]\n' \
    > build/ui-prometheus/prometheus.yml
  prometheus --config.file=build/ui-prometheus/prometheus.yml --storage.tsdb.path=build/ui-prometheus/data \
    --web.listen-address=127.0.0.1:9090 > build/ui-prometheus.log 2>&1 &
  extra+=($!)
fi
if command -v redis-server > /dev/null && free 6379; then
  redis-server --bind 127.0.0.1 --port 6379 --save "" --appendonly no > build/ui-redis.log 2>&1 &
  extra+=($!)
fi
if [ -x /usr/sbin/mosquitto ] && free 1883; then
  printf 'listener 1883 127.0.0.1\nallow_anonymous true\n' > build/ui-mosquitto.conf
  /usr/sbin/mosquitto -c build/ui-mosquitto.conf > build/ui-mosquitto.log 2>&1 &
  extra+=($!)
fi
trap 'exit 130' INT TERM
token=$(build/default/cli/rbk token create --name "$name" --roles ops --expires 12h | head -1)
cat <<TEXT

  Open http://127.0.0.1:8080 and sign in as $name with this API token:

    $token

  (Starting a live run is allowed to the ops role; approving it takes another person of
  ops — make one with: RBK_STORE=$RBK_STORE build/default/cli/rbk token create --name bob --roles ops)

TEXT
build/default/cli/rbk serve --runbooks runbooks --policy tools/fleet-sim/policy.json \
  --config tools/fleet-sim/config.json --listen 127.0.0.1:8080 &
srv=$!
wait "$srv"
