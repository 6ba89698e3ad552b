#!/usr/bin/env bash
# Runs the libFuzzer harnesses (tests/fuzz/, docs/robustness.md) in the `fuzz` preset.
#
#   scripts/fuzz.sh [--merge] [SECONDS] [HARNESS...]
#   scripts/fuzz.sh --ci [HARNESS...]
#
# Each harness (default: all of source fmt rbc json net lsp resp) first executes every saved finding
# (tests/fuzz/regressions/; fmt shares source's), its corpus (tests/fuzz/corpus/NAME) and
# the repository's own inputs, then fuzzes for SECONDS (default 60), from a random seed.
# --ci (scripts/test.sh, CI) fuzzes a fixed number of inputs per harness from seed 1
# instead, starting from the committed corpus only: a commit that passes passes again,
# and a finding there reproduces with the same command. New inputs go to build/fuzz/corpus/NAME;
# a finding is written to build/fuzz/findings/ and makes the script exit 1 once every
# harness has run. --merge then adds to tests/fuzz/corpus/NAME the fewest new inputs that
# reach code its seeds and corpus do not, to be committed. Each run's figures (executions,
# executions per second, coverage) are printed and appended to build/fuzz/ledger.tsv.
set -euo pipefail
cd "$(dirname "$0")/.."

merge=0 ci=0
if [ "${1:-}" = "--merge" ]; then merge=1; shift; fi
if [ "${1:-}" = "--ci" ]; then ci=1; shift; fi
seconds=60
if [ $ci = 0 ] && [ $# -gt 0 ] && [[ "$1" =~ ^[0-9]+$ ]]; then seconds="$1"; shift; fi
harnesses=("$@")
[ ${#harnesses[@]} -gt 0 ] || harnesses=(source fmt rbc json net lsp resp)

scripts/install-deps.sh
scripts/build.sh fuzz
out=build/fuzz
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}"
mkdir -p "$out/findings" "$out/seeds/rbc"

# The rbc harness mutates payloads of real programs: those of the runbook library.
for f in runbooks/*.rbk; do
  name=$(basename "$f" .rbk)
  if "$out/cli/rbk" compile "$f" -o "$out/seeds/rbc/$name.rbc" 2>/dev/null; then
    # Header (12 bytes) and hash (32 bytes) off: the harness seals the payload itself.
    size=$(stat -c %s "$out/seeds/rbc/$name.rbc")
    tail -c +13 "$out/seeds/rbc/$name.rbc" | head -c $((size - 44)) > "$out/seeds/rbc/$name.payload"
  fi
  rm -f "$out/seeds/rbc/$name.rbc"
done

seeds() {
  case "$1" in
    source) echo tests/fuzz/regressions/source runbooks stdlib tests/check ;;
    fmt) echo tests/fuzz/regressions/source runbooks stdlib tests/check tests/fmt ;;
    rbc) echo tests/fuzz/regressions/rbc "$out/seeds/rbc" ;;
    json) echo tests/fuzz/regressions/json runbooks/scenarios "$out/seeds/json" ;;
    net) echo tests/fuzz/regressions/net ;;
    lsp) echo tests/fuzz/regressions/lsp runbooks stdlib tests/check ;;
    resp) echo tests/fuzz/regressions/resp ;;
  esac
}
mkdir -p "$out/seeds/json"
cp tools/fleet-sim/policy.json tools/fleet-sim/config.json "$out/seeds/json/"

# --ci: inputs per harness, about a minute each on one loaded core (ASan+UBSan).
ci_runs() {
  case "$1" in
    source | fmt) echo 15000 ;;
    rbc) echo 250000 ;;
    json) echo 150000 ;;
    net) echo 400000 ;;
    lsp) echo 3000 ;;
    resp) echo 300000 ;;
  esac
}

dict() {
  case "$1" in
    source | fmt | lsp) echo "-dict=tests/fuzz/rbk.dict" ;;
    json) echo "-dict=tests/fuzz/json.dict" ;;
  esac
}

# Adds to tests/fuzz/corpus/NAME the fewest new inputs that reach code its seeds and corpus
# do not (libFuzzer's merge into a copy of what is there already; only the additions stay).
merge_new_inputs() {
  local h="$1" bin="$2" base="$out/merge/$1"
  rm -rf "$base" && mkdir -p "$base"
  # shellcheck disable=SC2046
  find "tests/fuzz/corpus/$h" $(seeds "$h") -type f -exec cp --backup=numbered -t "$base" {} +
  ls "$base" | sort > "$out/merge/$h.before"
  # Edges only (-use_counters=0): a corpus that reaches every edge stays small enough to keep.
  "$bin" -merge=1 -use_counters=0 -timeout=10 "$base" "$out/corpus/$h" > "$out/merge_$h.log" 2>&1
  ls "$base" | sort | comm -13 "$out/merge/$h.before" - | while read -r f; do
    cp "$base/$f" "tests/fuzz/corpus/$h/"
  done
  echo "$h: $(ls "tests/fuzz/corpus/$h" | wc -l) inputs in tests/fuzz/corpus/$h"
}

failed=()
for h in "${harnesses[@]}"; do
  bin="$out/tests/fuzz/fuzz_$h"
  [ -x "$bin" ] || { echo "fuzz.sh: no harness '$h' (source fmt rbc json net lsp resp)" >&2; exit 2; }
  corpus="$out/corpus/$h"
  if [ $ci = 1 ]; then
    corpus="$out/ci-corpus/$h"
    rm -rf "$corpus"
    budget=(-seed=1 -runs="$(ci_runs "$h")")
    echo "== fuzz $h: $(ci_runs "$h") inputs from seed 1"
  else
    budget=(-max_total_time="$seconds")
    echo "== fuzz $h for ${seconds}s"
  fi
  mkdir -p "$corpus"
  log="$out/fuzz_$h.log"
  # -timeout: an input that runs 10 s is a hang; -rss_limit_mb/-malloc_limit_mb: one that
  # needs 2 GB is a finding too (the limits a user's machine would hit). -entropic=0: with
  # the ~100,000 coverage features the text harnesses reach, the entropic scheduler's
  # bookkeeping took three quarters of the time (four times fewer executions).
  # shellcheck disable=SC2046
  if "$bin" "${budget[@]}" -timeout=10 -rss_limit_mb=2048 -malloc_limit_mb=2048 -entropic=0 \
      -print_final_stats=1 -artifact_prefix="$out/findings/$h-" $(dict "$h") \
      "$corpus" "tests/fuzz/corpus/$h" $(seeds "$h") \
      > "$log" 2>&1; then
    status=clean
  else
    status=FINDING
    failed+=("$h")
  fi
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
  ft=$(grep -o 'ft: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
  echo "$h: $status; ${runs:-?} executions, ${speed:-?}/s, coverage ${cov:-?} edges, ${ft:-?} features"
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$(date -u +%FT%TZ)" "$h" "$([ $ci = 1 ] && echo ci || echo "$seconds")" "${runs:-0}" \
    "${speed:-0}" "${cov:-0}" "$status" >> "$out/ledger.tsv"
  if [ "$status" = FINDING ]; then
    # The finding's own report (a sanitizer's stack, a broken property with its input).
    sed -n '/^==[0-9]*==ERROR\|fuzz: property broken\|terminate called\|runtime error/,/Test unit written/p' \
      "$log" | head -150
    echo "full log: $log; reproduce: $bin FILE (the file named above)"
  elif [ "$merge" = 1 ]; then
    merge_new_inputs "$h" "$bin"
  fi
done

if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz.sh: findings in ${failed[*]} (build/fuzz/findings/)" >&2
  exit 1
fi
echo "fuzz.sh: every harness ran clean"
