#!/usr/bin/env bash
# The VS Code extension (editors/vscode), with what VS Code itself would run:
#  - the TextMate grammar in vscode-textmate on vscode-oniguruma, on every runbook and stdlib
#    module (each ends outside any string or block; clause and node keywords coloured as
#    keywords) and on tests/highlight/sample.rbk against its golden tokens;
#  - the sample is a runbook that checks, and the grammar knows every reserved word and
#    written outcome of the language;
#  - `vsce package` builds the .vsix, which holds the manifest, the grammar, the language
#    configuration, the client and its vscode-languageclient.
# (VS Code itself is not installable here: the extension's activation is not run.)
# Usage: vscode_test.sh RBK SOURCE_DIR
set -euo pipefail
rbk=$(realpath "$1")
src=$(realpath "$2")
ext="$src/editors/vscode"
if [ ! -d "$ext/node_modules/vscode-textmate" ]; then
  echo "vscode_test: run scripts/install-test-tools.sh first (npm ci in editors/vscode)" >&2
  exit 1
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "vscode_test: $*" >&2; exit 1; }

(cd "$ext" && node test/grammar_test.js files "$src"/runbooks/*.rbk "$src"/stdlib/*.rbk "$src"/tests/highlight/sample.rbk)
(cd "$ext" && node test/grammar_test.js golden "$src/tests/highlight/sample.rbk" "$src/tests/highlight/sample.tokens")
"$rbk" check "$src/tests/highlight/sample.rbk" >/dev/null 2>&1 || fail "tests/highlight/sample.rbk does not check"

grammar="$ext/syntaxes/rbk.tmLanguage.json"
for word in $(sed -n '/kReservedWords = {/,/};/p' "$src/grammar/keywords.hpp" | grep -o '"[a-z]*"' | tr -d '"'); do
  grep -q "\b$word\b" "$grammar" || fail "the grammar does not know the reserved word '$word'"
done
for outcome in $(grep -o 'RBK_OUTCOME([A-Za-z]*, "[a-z]*", true)' "$src/lang/kinds.def" | sed 's/.*, "\([a-z]*\)", true)/\1/'); do
  grep -q "$outcome" "$grammar" || fail "the grammar does not know the outcome '$outcome'"
done

cp -r "$ext" "$work/ext"
(cd "$work/ext" && npx --no-install vsce package --skip-license --out "$work/rbk.vsix" >"$work/vsce.log" 2>&1) ||
  { cat "$work/vsce.log" >&2; fail "vsce package failed"; }
listing=$(unzip -l "$work/rbk.vsix")
for f in extension/package.json extension/extension.js extension/syntaxes/rbk.tmLanguage.json \
         extension/language-configuration.json extension/node_modules/vscode-languageclient/node.js; do
  grep -q " $f\$" <<< "$listing" || fail "the package lacks $f"
done
if grep -q "extension/node_modules/vscode-textmate\|extension/test/" <<< "$listing"; then
  fail "the package carries the tests' dependencies"
fi
echo "vscode_test: grammar and package ok ($(wc -c < "$work/rbk.vsix") bytes)"
