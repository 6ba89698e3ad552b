#!/usr/bin/env bash
# The main job on a new machine: install dependencies, build, and check every runbook.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh default
exec build/default/cli/rbk check --strict runbooks/*.rbk
