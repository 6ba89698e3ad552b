#!/usr/bin/env bash
# .pre-commit-hooks.yaml with Debian's pre-commit, on a scratch repository: a clean commit
# passes; an unformatted runbook, a runbook with an error and a page whose diagram drifted
# from its runbook are each caught by their hook, naming the file.
# Usage: pre_commit_test.sh RBK SOURCE_DIR
set -euo pipefail
rbk=$(realpath "$1")
src=$(realpath "$2")
if ! command -v pre-commit >/dev/null; then
  echo "pre_commit_test: pre-commit is not installed (scripts/install-test-tools.sh installs it)" >&2
  exit 1
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
bin="$work/bin"
mkdir -p "$bin" "$work/repo/runbooks" "$work/repo/docs"
ln -s "$rbk" "$bin/rbk"
export PATH="$bin:$PATH" PRE_COMMIT_HOME="$work/cache" HOME="$work"
export GIT_AUTHOR_NAME=test GIT_AUTHOR_EMAIL=test@example.invalid
export GIT_COMMITTER_NAME=test GIT_COMMITTER_EMAIL=test@example.invalid
export RBK_STDLIB="${RBK_STDLIB:-$src/stdlib}"
failures=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }

cd "$work/repo"
git init -q .
cat > runbooks/triage.rbk <<'RBK'
runbook triage "Triage" {
  param device: string

  start -> look

  decide look "Is it up?" {
    let up = device != ""
    when up -> fine
    else    -> down
  }

  end fine as resolved
  end down as escalated
}
RBK
printf '# Triage\n\n<!-- rbk:diagram runbook=../runbooks/triage.rbk format=mermaid -->\n<!-- rbk:end -->\n' > docs/triage.md
rbk docs sync docs/triage.md >/dev/null
cat > .pre-commit-config.yaml <<'YAML'
repos: []
YAML
git add -A && git commit -qm start

hooks() {  # runs every hook of the checkout's .pre-commit-hooks.yaml on all files
  pre-commit try-repo "$src" --all-files > "$work/out" 2>&1
}

if ! hooks; then cat "$work/out" >&2; fail "a clean repository does not pass"; fi
for id in "rbk check" "rbk fmt --check" "rbk docs check"; do
  grep -q "^$id\.*Passed" "$work/out" || fail "hook '$id' did not run and pass"
done

# An unformatted runbook.
sed -i 's/^  start -> look/  start->look/' runbooks/triage.rbk
if hooks; then fail "an unformatted runbook passed"; fi
grep -q "^rbk fmt --check\.*Failed" "$work/out" || fail "rbk fmt --check did not fail"
grep -q "runbooks/triage.rbk" "$work/out" || fail "the unformatted file is not named"
git checkout -q runbooks/triage.rbk

# A drifted diagram: the runbook changed, its page was not synced.
sed -i 's/"Is it up?"/"Is it reachable?"/' runbooks/triage.rbk
if hooks; then fail "a drifted diagram passed"; fi
grep -q "^rbk docs check\.*Failed" "$work/out" || fail "rbk docs check did not fail"
grep -q "docs/triage.md:3: the diagram block differs" "$work/out" || fail "the drifted page is not named"
rbk docs sync docs >/dev/null
hooks || { cat "$work/out" >&2; fail "after rbk docs sync the hooks do not pass"; }

# A runbook with an error.
sed -i 's/-> down/-> dwon/' runbooks/triage.rbk
if hooks; then fail "a runbook with an error passed"; fi
grep -q "^rbk check\.*Failed" "$work/out" || fail "rbk check did not fail"
grep -q "unknown node 'dwon'" "$work/out" || fail "the error is not shown"

if [ "$failures" -gt 0 ]; then
  echo "--- last pre-commit output:" >&2
  cat "$work/out" >&2
  exit 1
fi
echo "pre_commit_test: every hook passes a clean repository and catches its problem"
