#!/usr/bin/env bash
# recipes/github-actions.yml, run here: its `run:` steps, in order, on a copy of this
# repository's runbooks, scenarios and docs, with the built rbk standing in for the
# installed one (the `install` step) and the `uses:` steps (GitHub's own actions) skipped.
# Every step must pass and leave a JUnit file with every scenario; then a runbook with an
# error must fail the workflow's first check.
# Usage: ci_recipe_test.sh RBK SOURCE_DIR
set -euo pipefail
rbk=$(realpath "$1")
src=$(realpath "$2")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/bin" "$work/repo"
ln -s "$rbk" "$work/bin/rbk"
export PATH="$work/bin:$PATH" RBK_STDLIB="${RBK_STDLIB:-$src/stdlib}"
cp -r "$src/runbooks" "$src/docs" "$work/repo/"

# The steps to run, one script per line (JSON-encoded), from the workflow's YAML.
/usr/bin/python3 - "$src/recipes/github-actions.yml" > "$work/steps" <<'PY'
import json, sys, yaml
workflow = yaml.safe_load(open(sys.argv[1]))
for job in workflow["jobs"].values():
    for step in job["steps"]:
        if "run" in step and step.get("id") != "install":
            print(json.dumps([step.get("name", ""), step["run"]]))
PY
run_steps() {
  while IFS= read -r line; do
    name=$(/usr/bin/python3 -c 'import json,sys; print(json.loads(sys.argv[1])[0])' "$line")
    script=$(/usr/bin/python3 -c 'import json,sys; print(json.loads(sys.argv[1])[1])' "$line")
    if ! (cd "$work/repo" && bash -e -c "$script") > "$work/step.out" 2>&1; then
      echo "step '$name' failed:"; cat "$work/step.out"
      return 1
    fi
  done < "$work/steps"
}
[ "$(wc -l < "$work/steps")" -eq 4 ] || { echo "ci_recipe_test: expected 4 run steps" >&2; exit 1; }
run_steps || { echo "ci_recipe_test: the workflow fails on this repository's runbooks" >&2; exit 1; }
scenarios=$(rbk test "$src/runbooks/scenarios" 2>&1 | tail -1 | sed -n 's/^\([0-9]*\) passed.*/\1/p')
tests=$(grep -o 'tests="[0-9]*"' "$work/repo/rbk-junit.xml" | head -1 | tr -dc 0-9)
[ "$tests" = "$scenarios" ] || { echo "ci_recipe_test: the JUnit file has $tests tests, not $scenarios" >&2; exit 1; }

sed -i '0,/-> check_broker/s//-> chek_broker/' "$work/repo/runbooks/device_offline.rbk"
if out=$(run_steps); then
  echo "ci_recipe_test: a runbook with an error passed the workflow" >&2; exit 1
fi
grep -q "step 'Check' failed" <<< "$out" || { echo "ci_recipe_test: the Check step did not fail first: $out" >&2; exit 1; }
grep -q "unknown node 'chek_broker'" <<< "$out" || { echo "ci_recipe_test: the error is not shown" >&2; exit 1; }
echo "ci_recipe_test: the workflow's steps pass ($tests scenarios in JUnit) and catch an error"
