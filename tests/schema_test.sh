#!/usr/bin/env bash
# The published scenario schema (docs/scenario.schema.json) read by a real validator
# (Ajv, from tools/diagram-check): every scenario of the runbook library is valid, the
# common mistakes are not, and `rbk schema scenario` prints the same schema.
# Usage: schema_test.sh RBK SOURCE_DIR
set -u
rbk="$1"
src="$2"
tmp=$(mktemp -d)
. "$(dirname "$0")/test_lib.sh"
trap 'rm -rf "$tmp"' EXIT

schema="$src/docs/scenario.schema.json"
tool="$src/tools/diagram-check"
if [ ! -d "$tool/node_modules/ajv" ]; then
  echo "FAIL ajv is not installed: run scripts/install-test-tools.sh"
  exit 1
fi
validate() { node "$tool/check-schema.mjs" "$schema" "$@"; }

expect "rbk schema scenario" 0 "$rbk" schema scenario
check "the built-in schema is the published one" "$(cmp -s "$tmp/out" "$schema"; echo $?)" \
  "rbk schema scenario differs from docs/scenario.schema.json"
expect "an unknown schema" 2 "$rbk" schema nothing

mapfile -t library < <(find "$src/runbooks/scenarios" "$src/bench/fleet" -name '*.json' | sort)
validate "${library[@]}" > "$tmp/library.jsonl"
valid=$(grep -c '"valid":true' "$tmp/library.jsonl")
check "every library scenario is valid (${#library[@]})" "$([ "$valid" = "${#library[@]}" ]; echo $?)" \
  "$(grep '"valid":false' "$tmp/library.jsonl" | head -3)"

# The mistakes rbk itself refuses, each refused by the schema too.
echo '{"runbook": "r", "aprovals": {}}' > "$tmp/top.json"
echo '{"runbook": "r", "probes": {"p.q": {"retuns": 1}}}' > "$tmp/form.json"
echo '{"runbook": "r", "approvals": {"g": "aproved"}}' > "$tmp/decision.json"
echo '{"runbook": "r", "expect": {"outcome": "resovled"}}' > "$tmp/outcome.json"
echo '{"runbook": "r", "probes": {"p.q": {"returns": 1, "error": "x"}}}' > "$tmp/two.json"
echo '{"runbook": "r", "actions": {"a.b": {"eror": "x"}}}' > "$tmp/action.json"
echo '{"runbook": "r", "approvals": {"g": {"timeline": {"soon": "approved"}}}}' > "$tmp/moment.json"
echo '{"runbook": "r", "approvals": {"g": {"timeline": {"0s": "aproved"}}}}' > "$tmp/timed.json"
for bad in top form decision outcome two action moment timed; do
  validate "$tmp/$bad.json" > "$tmp/bad.jsonl"
  contains "schema refuses $bad" "$tmp/bad.jsonl" '"valid":false'
done

# The forms of approvals: one, one per visit, by virtual time.
echo '{"runbook": "r", "approvals": {"a": "approved", "b": ["approved", "denied"],
  "c": {"timeline": {"0s": "timeout", "45m": "approved"}}}}' > "$tmp/forms.json"
validate "$tmp/forms.json" > "$tmp/forms.jsonl"
contains "schema takes every form of approval" "$tmp/forms.jsonl" '"valid":true'

summary
