#!/usr/bin/env bash
# The main job on a new machine: install dependencies, build, check every runbook, run
# device_offline offline against a bundled scenario (the path it takes and its outcome),
# and run the runbooks' scenario tests with edge coverage.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh default
rbk=build/default/cli/rbk
"$rbk" check --strict runbooks/*.rbk
# A store of its own, so the demo leaves nothing in the user's run history.
export RBK_STORE="${RBK_STORE:-build/demo-runs.db}"
"$rbk" run runbooks/device_offline.rbk --scenario runbooks/scenarios/device_offline/cert_expired.json \
  --trace build/device_offline.trace.jsonl
exec "$rbk" test runbooks/scenarios --coverage
