#!/usr/bin/env bash
# Installs dependencies, builds, and runs every test: once in the normal build and once
# under AddressSanitizer + UndefinedBehaviorSanitizer; then every fuzz harness replays its
# corpus and saved findings and fuzzes for a minute (RBK_FUZZ_SECONDS; 0 skips it).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/install-test-tools.sh
for preset in default asan; do
  echo "== build and test: $preset"
  scripts/build.sh "$preset"
  ctest --preset "$preset" -j "$(nproc)"
done
echo "== fuzz: every harness for ${RBK_FUZZ_SECONDS:-60}s"
if [ "${RBK_FUZZ_SECONDS:-60}" != 0 ]; then
  scripts/fuzz.sh "${RBK_FUZZ_SECONDS:-60}"
fi
