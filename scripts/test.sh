#!/usr/bin/env bash
# Installs dependencies, builds, and runs every test: once in the normal build and once
# under AddressSanitizer + UndefinedBehaviorSanitizer; then every fuzz harness replays its
# corpus and saved findings and fuzzes a fixed number of inputs from a fixed seed, about a
# minute each (scripts/fuzz.sh --ci: the same commit always fuzzes the same inputs;
# RBK_FUZZ=0 skips it).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/install-test-tools.sh
for preset in default asan; do
  echo "== build and test: $preset"
  scripts/build.sh "$preset"
  ctest --preset "$preset" -j "$(nproc)"
done
if [ "${RBK_FUZZ:-1}" != 0 ]; then
  echo "== fuzz: every harness, a fixed budget from a fixed seed"
  scripts/fuzz.sh --ci
fi
