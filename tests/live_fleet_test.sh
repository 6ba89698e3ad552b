#!/usr/bin/env bash
# Fleets live, end to end, against tools/fleet-sim on loopback (20,000 simulated devices, a
# cohort of rev-B devices whose rollback fails 30% of the time): children run eight at a
# time, a dry-run sends no action, a live run stops after its canary wave until another
# person approves and then aborts on the failing cohort with every rollback the simulator
# received accounted for, once; a run killed in its second wave and resumed repeats none.
# Usage: live_fleet_test.sh RBK FLEET_SIM SOURCE_DIR
set -u
rbk="$1"
sim="$2"
src="$3"
tmp=$(mktemp -d)
. "$(dirname "$0")/test_lib.sh"
export RBK_STORE="$tmp/runs.db"
sim_pid=""
devices=20000
sim_args=(--fail 'hardware=rev-B:rollback=30%')
prom_pid=""
cleanup() {
  [ -n "$sim_pid" ] && kill "$sim_pid" 2>/dev/null
  [ -n "$prom_pid" ] && kill "$prom_pid" 2>/dev/null
  wait 2>/dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT
start_sim() { start_fleet_sim "$sim" --devices "$devices" "${sim_args[@]}"; }
# cold_chain_release reads the broker's traffic from Prometheus, which scrapes fleet-sim
# (every 2 s: a scrape walks the 60,000 devices, which the children's requests wait for).
prom_interval=2s
start_cold_sim() { start_sim && use_prometheus; }
# The simulator's log of rollbacks: "COUNT FAILED DISTINCT" (DISTINCT devices).
rollbacks() {
  curl -s "$api/actions" | python3 -c 'import json, sys
a = [x for x in json.load(sys.stdin) if x["action"] == "ota.rollback_device"]
print(len(a), sum(1 for x in a if x["status"] != 200), len({x["target"] for x in a}))'
}
# How many children of the run ID started, from its stored trace.
started_children() {
  "$rbk" runs "$1" --json | python3 -c 'import json, sys
t = json.load(sys.stdin)["trace"]
print(sum(e["started"] for e in t if e["event"] == "foreach_ended"))'
}
run=("$rbk" run "$src/tests/live/fleet_rollback.rbk" --param region=eu-west --param hardware=rev-B)

start_sim
cohort=$(curl -s "$api/devices?firmware=2.4.0&hardware=rev-B&region=eu-west" | python3 -c 'import json, sys; print(len(json.load(sys.stdin)))')
check "the simulator has the cohort" "$([ "$cohort" -gt 100 ]; echo $?)" "$cohort devices"

# A dry-run: every child probes the real simulator; no rollback leaves rbk.
expect "dry-run" 0 "${run[@]}" --dry-run --approve-all --as alice --policy "$tmp/policy.json" --config "$tmp/config.json"
contains "the plan" "$tmp/out" "plan: $cohort items"
contains "every child ran" "$tmp/out" "$cohort of $cohort children ran"
contains "the cohort table" "$tmp/out" "d.model  still_off"
check "no action reached the simulator" "$([ "$(curl -s "$api/actions")" = "[]" ]; echo $?)" "$(curl -s "$api/actions")"

# Live: the canary wave, then a pause for the release manager; approved by another
# person, the second wave runs eight at a time and aborts on the failing revision.
expect "live: the canary, then the gate" 3 "${run[@]}" --as alice --policy "$tmp/policy.json" --config "$tmp/config.json"
contains "paused for the release manager" "$tmp/out" "paused at gate 'rollback' (role \"release-manager\")"
worst=$(grep -o 'worst case [0-9]*' "$tmp/out" | grep -o '[0-9]*')
canary=$(grep -o 'waves of [0-9]*' "$tmp/out" | grep -o '[0-9]*')
read -r sent failed distinct <<< "$(rollbacks)"
check "only the canary wave rolled back" "$([ "$sent" = "$canary" ]; echo $?)" "$sent rollbacks, canary $canary"
id=$("$rbk" runs | sed -n 2p | awk '{print $1}')
expect "who started it may not approve" 1 "$rbk" approve "$id" --as alice
expect "approved by the release manager" 0 "$rbk" approve "$id" --as erin --wait
contains "it aborted" "$tmp/out" "children ran, then it aborted"
contains "it ended at the abort edge" "$tmp/out" "● stopped"
started=$(started_children "$id")
read -r sent failed distinct <<< "$(rollbacks)"
check "every started child sent one rollback, none twice" \
  "$([ "$sent" = "$started" ] && [ "$distinct" = "$sent" ]; echo $?)" "$sent rollbacks ($distinct devices) for $started children"
check "the abort came before the cohort ended" "$([ "$started" -lt "$cohort" ]; echo $?)" "$started of $cohort started"
check "the plan's worst case is printed" "$([ -n "$worst" ]; echo $?)" "no worst case in the plan"
sleep 0.3
read -r later _ _ <<< "$(rollbacks)"
check "no rollback after the abort" "$([ "$later" = "$sent" ]; echo $?)" "$sent, then $later"

# Killed in the second wave (after a few more journal writes) and resumed: no device is
# rolled back twice, and the run ends as the uninterrupted one did.
start_sim
expect "live again: the canary" 3 "${run[@]}" --as alice --policy "$tmp/policy.json" --config "$tmp/config.json"
id=$("$rbk" runs | sed -n 2p | awk '{print $1}')
{ RBK_CRASH_AFTER=25 "$rbk" approve "$id" --as erin --wait > "$tmp/out" 2>&1; } 2>/dev/null
read -r before _ _ <<< "$(rollbacks)"
check "killed during the second wave" "$([ "$before" -gt "$canary" ]; echo $?)" "$before rollbacks at the kill (canary $canary)"
expect "resumed" 0 "$rbk" resume "$id"
contains "it aborted after resuming" "$tmp/out" "children ran, then it aborted"
read -r sent failed distinct <<< "$(rollbacks)"
check "no device rolled back twice" "$([ "$distinct" = "$sent" ]; echo $?)" "$sent rollbacks for $distinct devices"
started=$(started_children "$id")
check "no more rollbacks than children started" "$([ "$sent" -le "$started" ]; echo $?)" "$sent rollbacks, $started started"

# Ctrl-C while children are in flight (each answer slowed to 100 ms): the run stops once
# those finish, resumable; resumed, it runs only the children that never started.
sim_args=(--fail 'hardware=rev-B:rollback=30%' --fail 'region=eu-west:slow=100ms')
start_sim
"${run[@]}" --dry-run --approve-all --as alice --policy "$tmp/policy.json" --config "$tmp/config.json" > "$tmp/int.out" 2>&1 &
pid=$!
sleep 0.8
kill -INT "$pid"
wait "$pid"
code=$?
check "Ctrl-C: exit 130" "$([ "$code" = 130 ]; echo $?)" "exit $code: $(tail -3 "$tmp/int.out")"
contains "Ctrl-C: the children in flight finish" "$tmp/int.out" "interrupted: the children in flight finished; no other started"
first=$(grep -o 'no other started (1 node, [0-9]*' "$tmp/int.out" | grep -o '[0-9]*$')
id=$("$rbk" runs | sed -n 2p | awk '{print $1}')
expect "an interrupted run is listed so" 0 "$rbk" runs --status interrupted
contains "listed" "$tmp/out" "$id"
expect "resumed after Ctrl-C" 0 "$rbk" resume "$id"
contains "every child ran in the end" "$tmp/out" "$cohort of $cohort children ran"
rest=$(grep -o 'resolved (2 nodes, [0-9]*' "$tmp/out" | grep -o '[0-9]*$')
check "each child ran once across both processes" "$([ $((first + rest)) = "$cohort" ]; echo $?)" "$first + $rest children for $cohort"

# Approved without --wait, the run goes on in a process of its own; whoever follows it on a
# terminal sees its progress line too (kept in the store by that process).
expect "live, slowed: the canary, then the gate" 3 "${run[@]}" --as alice --policy "$tmp/policy.json" --config "$tmp/config.json"
id=$("$rbk" runs | sed -n 2p | awk '{print $1}')
expect "approved: it goes on elsewhere" 0 "$rbk" approve "$id" --as erin
script -qec "'$rbk' runs $id --follow" /dev/null > "$tmp/follow.out" 2>&1
contains "followed: the progress line" "$tmp/follow.out" "rollback: wave 2 of 2 · "
contains "followed: to the end" "$tmp/follow.out" "children ran"

# The seed's cold-chain incident, runbooks/cold_chain_release.rbk, over 60,000 simulated
# devices: rev-C floods the broker, rev-B fails signature verification.
devices=60000
cold=("$rbk" run "$src/runbooks/cold_chain_release.rbk" --param rollout=fw-2.4.0 --param region=eu-west --param settle=0s)
cold_cohort() { curl -s "$api/devices?firmware=2.4.0&hardware=rev-B&region=eu-west" | python3 -c 'import json, sys; print(len(json.load(sys.stdin)))'; }
# approve_all ID WHO...: each person approves in turn (each waits for the next pause).
approve_all() {
  local id=$1
  shift
  for who in "$@"; do "$rbk" approve "$id" --as "$who" --wait > "$tmp/out" 2>&1; done
}
sim_args=()
start_cold_sim
expect "cold chain: a dry-run over 60,000 devices" 0 "${cold[@]}" --dry-run --approve-all --as alice --policy "$tmp/policy.json" --config "$tmp/config.json"
contains "cold chain: the plan" "$tmp/out" "plan: $(cold_cohort) items"
check "cold chain: the dry-run sent no action" "$([ "$(curl -s "$api/actions")" = "[]" ]; echo $?)" "$(curl -s "$api/actions" | head -c 300)"

# Live, every step approved by the people the policy names: the broker protected, the
# cohort rolled back in three approved waves, the region recovered.
curl -s "$api/devices?firmware=2.4.0&hardware=rev-B&region=eu-west" | python3 -c 'import json, sys
print("\n".join(sorted(d["id"] for d in json.load(sys.stdin))))' > "$tmp/cohort_ids"
expect "cold chain live: paused for the platform team" 3 "${cold[@]}" --as alice --policy "$tmp/policy.json" --config "$tmp/config.json"
id=$("$rbk" runs | sed -n 2p | awk '{print $1}')
approve_all "$id" bob bob dana erin erin erin
contains "cold chain live: recovered" "$tmp/out" "● recovered"
read -r sent failed distinct <<< "$(rollbacks)"
cohort=$(cold_cohort)  # (rolled back: the cohort is now on 2.3.1)
check "cold chain live: each device of the cohort rolled back once" \
  "$([ "$sent" = "$distinct" ] && [ "$failed" = 0 ] && [ "$sent" -gt 100 ]; echo $?)" "$sent rollbacks, $distinct devices, $failed failed"
curl -s "$api/actions" | python3 -c 'import json, sys
print("\n".join(sorted(x["target"] for x in json.load(sys.stdin) if x["action"] == "ota.rollback_device")))' > "$tmp/rolled"
check "cold chain live: exactly the failing cohort rolled back, nothing else" \
  "$(cmp -s "$tmp/rolled" "$tmp/cohort_ids"; echo $?)" "$(diff "$tmp/rolled" "$tmp/cohort_ids" | head -5)"

# The rollback of rev-B fails for 30% of its devices: the canary catches it, the abort
# fires within the first wave, no more rollbacks than the plan's worst case, none after.
sim_args=(--fail 'hardware=rev-B:rollback=30%')
start_cold_sim
expect "cold chain failing: paused for the platform team" 3 "${cold[@]}" --as alice --policy "$tmp/policy.json" --config "$tmp/config.json"
id=$("$rbk" runs | sed -n 2p | awk '{print $1}')
approve_all "$id" bob bob dana erin
contains "cold chain failing: held" "$tmp/out" "● held"
worst=$("$rbk" runs "$id" | grep -o 'worst case [0-9]*' | grep -o '[0-9]*')
read -r sent failed distinct <<< "$(rollbacks)"
check "cold chain failing: no more rollbacks than the worst case" \
  "$([ -n "$worst" ] && [ "$sent" -le "$worst" ] && [ "$sent" -gt 0 ] && [ "$distinct" = "$sent" ]; echo $?)" "$sent rollbacks, worst case $worst"
contains "cold chain failing: within the canary" "$tmp/out" "then it aborted"
lacks "cold chain failing: never a second wave" "$tmp/out" "wave 2 of 3"
sleep 0.3
read -r later _ _ <<< "$(rollbacks)"
check "cold chain failing: none after the abort" "$([ "$later" = "$sent" ]; echo $?)" "$sent, then $later"

# offline_triage over 60,000 devices: every offline device of eu-west diagnosed (the
# failed gateways' devices among them), nothing sent in a dry-run.
sim_args=()
start_sim
expect "offline triage: a dry-run" 0 "$rbk" run "$src/runbooks/offline_triage.rbk" --dry-run --approve-all --as alice \
  --policy "$tmp/policy.json" --config "$tmp/config.json" --param region=eu-west
offline=$(curl -s "$api/devices?state=offline&region=eu-west" | python3 -c 'import json, sys; print(len(json.load(sys.stdin)))')
contains "offline triage: every offline device diagnosed" "$tmp/out" "$offline of $offline children ran"
contains "offline triage: the failed gateways found" "$tmp/out" 'gateway.unhealthy("eu-west") = [{id: "gw-'
check "offline triage: no action sent" "$([ "$(curl -s "$api/actions")" = "[]" ]; echo $?)" "$(curl -s "$api/actions" | head -c 300)"

# Killed during the second wave and resumed: the run goes on to its end, no device rolled
# back twice (the simulator's log).
sim_args=()
start_cold_sim
expect "cold chain killed: paused for the platform team" 3 "${cold[@]}" --as alice --policy "$tmp/policy.json" --config "$tmp/config.json"
id=$("$rbk" runs | sed -n 2p | awk '{print $1}')
approve_all "$id" bob bob dana erin
{ RBK_CRASH_AFTER=60 "$rbk" approve "$id" --as erin --wait > "$tmp/out" 2>&1; } 2>/dev/null
read -r at_kill _ _ <<< "$(rollbacks)"
expect "cold chain killed: resumed, it pauses before the last wave" 3 "$rbk" resume "$id"
approve_all "$id" erin
contains "cold chain killed: recovered after all" "$tmp/out" "● recovered"
read -r sent failed distinct <<< "$(rollbacks)"
check "cold chain killed: killed in the second wave" "$([ "$at_kill" -gt 25 ] && [ "$at_kill" -lt "$sent" ]; echo $?)" "$at_kill rollbacks at the kill, $sent in the end"
check "cold chain killed: no device rolled back twice" "$([ "$sent" = "$distinct" ]; echo $?)" "$sent rollbacks for $distinct devices"

summary
