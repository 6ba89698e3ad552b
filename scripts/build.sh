#!/usr/bin/env bash
# Configures and builds one CMake preset (default: "default"), all of it or only TARGETs.
#   scripts/build.sh [PRESET] [TARGET...]
# On a terminal the compiler's lines go to build/PRESET/build.log and one progress line
# shows instead; elsewhere (CI, a pipe) the full output is printed. A failed build prints
# the end of its log either way. Used by main.sh, test.sh and fuzz.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
preset="${1:-default}"
[ $# -gt 0 ] && shift
targets=()
for t in "$@"; do targets+=(--target "$t"); done
cmake --preset "$preset" >/dev/null
if [ ! -t 1 ]; then
  exec cmake --build --preset "$preset" -j "$(nproc)" "${targets[@]}"
fi
log="build/$preset/build.log"
mkdir -p "$(dirname "$log")"
set +e
cmake --build --preset "$preset" -j "$(nproc)" "${targets[@]}" 2>&1 | tee "$log" |
  while IFS= read -r line; do
    if [[ "$line" =~ ^\[\ *([0-9]+)%\] ]]; then
      printf '\r  building %s: %3s%%' "$preset" "${BASH_REMATCH[1]}"
    fi
  done
status=${PIPESTATUS[0]}
set -e
if [ "$status" -ne 0 ]; then
  printf '\n'
  tail -40 "$log" >&2
  echo "build.sh: the build of $preset failed (the whole log: $log)" >&2
  exit "$status"
fi
printf '\r  building %s: done (log: %s)\n' "$preset" "$log"
