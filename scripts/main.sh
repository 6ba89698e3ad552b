#!/usr/bin/env bash
# The main job on a new machine: install dependencies, build the rbk command (only it: the
# tests and benchmarks are scripts/test.sh's), check every runbook, run device_offline
# offline against a bundled scenario (the path it takes and its outcome), draw its diagram
# with that path overlaid, run every runbook's scenario tests with edge coverage, check
# the generated docs and build the documentation site.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
echo "== build rbk"
scripts/build.sh default rbk
rbk=build/default/cli/rbk
echo "== check every runbook (warnings are errors)"
"$rbk" check --strict runbooks/*.rbk
# A store of its own, so the demo leaves nothing in the user's run history.
export RBK_STORE="${RBK_STORE:-build/demo-runs.db}"
echo
echo "== a scenario run of device_offline: offline, the probes answered by the scenario file,"
echo "   actions only recorded"
"$rbk" run runbooks/device_offline.rbk --scenario runbooks/scenarios/device_offline/cert_expired.json \
  --trace build/device_offline.trace.jsonl
"$rbk" render runbooks/device_offline.rbk --format svg --trace build/device_offline.trace.jsonl \
  -o build/device_offline.svg
"$rbk" render runbooks/device_offline.rbk --format mermaid --trace build/device_offline.trace.jsonl \
  -o build/device_offline.mmd
echo "diagram with this run's path: build/device_offline.svg (Mermaid: build/device_offline.mmd)"
echo
echo "== scenario tests of every runbook: every edge must be taken"
"$rbk" test runbooks/scenarios --fail-under 100
echo
echo "== documentation"
"$rbk" docs check docs/runbooks/*.md
"$rbk" docs build runbooks -o build/site
