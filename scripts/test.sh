#!/usr/bin/env bash
# Installs dependencies, builds, and runs every test: once in the normal build and once
# under AddressSanitizer + UndefinedBehaviorSanitizer.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/install-test-tools.sh
for preset in default asan; do
  echo "== build and test: $preset"
  scripts/build.sh "$preset"
  ctest --preset "$preset" -j "$(nproc)"
done
