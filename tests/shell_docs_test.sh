#!/usr/bin/env bash
# What `rbk completion` and `rbk man` generate, in the real shells and in groff/man:
#  - bash: the completion function, called as bash calls it (COMP_WORDS, COMP_CWORD);
#  - fish: `complete -C`, fish's own answer for a command line;
#  - zsh: the script parses, and its function (with zsh's _describe and _files stood in
#    for by printers: they need an interactive line editor) offers the same words;
#  - man: a page per command, which groff reads without a warning and man renders, and
#    whose SEE ALSO names pages that exist.
# Usage: shell_docs_test.sh RBK
set -euo pipefail
rbk=$(realpath "$1")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0
expect() {  # NAME WANT GOT
  if [ "$2" != "$3" ]; then echo "FAIL: $1: expected '$2', got '$3'" >&2; failures=$((failures + 1)); fi
}
for tool in zsh fish groff man; do
  command -v "$tool" >/dev/null || { echo "shell_docs_test: $tool is not installed (scripts/install-test-tools.sh)" >&2; exit 1; }
done

"$rbk" completion bash > "$work/rbk.bash"
"$rbk" completion zsh > "$work/_rbk"
"$rbk" completion fish > "$work/rbk.fish"

bash_complete() {  # the words typed, the last one being completed
  bash -c 'source "$1"; shift; COMP_WORDS=(rbk "$@"); COMP_CWORD=$#; _rbk; echo "${COMPREPLY[*]}"' _ "$work/rbk.bash" "$@"
}
expect "bash: a command" "check" "$(bash_complete ch)"
expect "bash: a subcommand" "sync" "$(bash_complete docs s)"
expect "bash: an option" "--strict" "$(bash_complete check --st)"
expect "bash: the subcommands of token" "create list revoke" "$(bash_complete token '')"
expect "bash: an option's value is a file" "" "$(bash_complete run --policy '')"

fish_complete() { fish -c "source $work/rbk.fish; complete -C '$1'" | cut -f1 | tr '\n' ' ' | sed 's/ $//'; }
expect "fish: a subcommand" "sync" "$(fish_complete 'rbk docs s')"
expect "fish: an option of docs check, not of check" "--help --help-all" "$(fish_complete 'rbk docs check --')"
expect "fish: an option" "--strict" "$(fish_complete 'rbk check --st')"
expect "fish: with its description" "create	A new token for a person and roles" \
  "$(fish -c "source $work/rbk.fish; complete -C 'rbk token c'")"

zsh -n "$work/_rbk" || { echo "FAIL: zsh cannot parse the script" >&2; failures=$((failures + 1)); }
zsh_complete() {
  zsh -f -c '
    compdef() { :; }
    _describe() { local -a arr; arr=("${(@P)${@[-1]}}"); print -l -- "${arr[@]%%:*}" | grep -- "^${PREFIX}"; }
    _files() { print "(files)"; }
    source "$1"; shift
    words=(rbk "$@"); CURRENT=${#words}; PREFIX=${words[-1]}
    _rbk | tr "\n" " " | sed "s/ \$//"' _ "$work/_rbk" "$@"
}
expect "zsh: a command" "check" "$(zsh_complete ch)"
expect "zsh: a subcommand" "sync" "$(zsh_complete docs s)"
expect "zsh: an option" "--strict" "$(zsh_complete check --st)"
expect "zsh: a file after an option taking one" "(files)" "$(zsh_complete run --policy '')"

"$rbk" man "$work/man" > /dev/null
pages=$(ls "$work/man" | wc -l)
[ "$pages" -ge 25 ] || { echo "FAIL: only $pages man pages" >&2; failures=$((failures + 1)); }
warnings=$(groff -man -ww -z "$work"/man/*.1 2>&1 || true)
expect "groff reads every page without a warning" "" "$warnings"
man -l "$work/man/rbk-docs-check.1" 2>/dev/null | grep -Eq "rbk-docs-check +- Fail if a diagram block differs" ||
  { echo "FAIL: man does not render rbk-docs-check's NAME" >&2; failures=$((failures + 1)); }
man -l "$work/man/rbk-run.1" 2>/dev/null | grep -q "\-\-dry-run" ||
  { echo "FAIL: rbk-run(1) does not list --dry-run" >&2; failures=$((failures + 1)); }
for see in $(grep -o '^\.BR [a-z\\-]* (1)' "$work/man/rbk.1" | sed 's/^\.BR //; s/ (1)//; s/\\-/-/g'); do
  [ -f "$work/man/$see.1" ] || { echo "FAIL: rbk(1) names $see(1), which was not written" >&2; failures=$((failures + 1)); }
done
[ "$failures" -eq 0 ] || exit 1
echo "shell_docs_test: bash, zsh and fish complete; $pages man pages read cleanly"
