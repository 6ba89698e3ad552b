#!/usr/bin/env bash
# The README's main job (scripts/main.sh) as a new user runs it: it builds only the rbk
# command, calls its offline run a scenario run, and ends with the site built.
# Usage: main_job_test.sh SOURCE_DIR
set -u
src="$1"
tmp=$(mktemp -d)
. "$(dirname "$0")/test_lib.sh"
trap 'rm -rf "$tmp"' EXIT

cd "$src"
RBK_STORE="$tmp/runs.db" scripts/main.sh > "$tmp/out" 2> "$tmp/err"
check "main.sh succeeds" $? "$(tail -5 "$tmp/err")"
contains "builds the rbk command" "$tmp/out" "== build rbk"
lacks "builds no test program" "$tmp/out" "rbk_tests"
contains "a scenario run, named so" "$tmp/out" "== a scenario run of device_offline"
lacks "not called a dry-run" "$tmp/out" "dry-run device_offline"
contains "the run's outcome" "$tmp/out" "outcome: "
contains "every edge taken" "$tmp/out" "passed, 0 failed"
check "the site is built" "$(test -f build/site/index.html; echo $?)" "no build/site/index.html"
summary
