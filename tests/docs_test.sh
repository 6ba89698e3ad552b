#!/usr/bin/env bash
# rbk docs sync / check / build as a writer of documentation uses them: blocks filled and
# rewritten and nothing else touched, a runbook edited without syncing caught with file,
# line and diff, SVG blocks with the SVG beside the page, bad markers refused with the
# line, and a site built from a directory of runbooks.
# Usage: docs_test.sh RBK SOURCE_DIR
set -u
rbk="$1"
src="$2"
tmp=$(mktemp -d)
. "$(dirname "$0")/test_lib.sh"
trap 'rm -rf "$tmp"' EXIT

mkdir -p "$tmp/runbooks" "$tmp/docs/pages"
cat > "$tmp/runbooks/triage.rbk" <<'RBK'
runbook triage "Triage a device" {
  param device: string
  start -> look
  decide look "Is it up?" {
    when device == "up" -> ok "Up"
    else                -> page_team "Down"
  }
  end ok "Fine" as resolved
  end page_team "Paged" as escalated
}
RBK
page="$tmp/docs/pages/triage.md"
cat > "$page" <<'MD'
# Triage

Some prose that stays as written.

<!-- rbk:diagram runbook=../../runbooks/triage.rbk format=mermaid -->
<!-- rbk:end -->

A block shown as an example inside a fence is text, not a block:

```markdown
<!-- rbk:diagram runbook=nowhere.rbk format=mermaid -->
<!-- rbk:end -->
```

<!-- rbk:diagram runbook=../../runbooks/triage.rbk format=svg -->
old picture
<!-- rbk:end -->

Closing prose.
MD
cp "$page" "$tmp/before.md"

expect "check finds empty blocks" 1 "$rbk" docs check "$page"
contains "names file and line" "$tmp/err" "pages/triage.md:5: the diagram block differs from what ../../runbooks/triage.rbk compiles to"
contains "diff shows the diagram" "$tmp/err" '+ flowchart TD'
contains "svg missing named" "$tmp/err" "triage.svg is missing"
expect "sync fills them" 0 "$rbk" docs sync "$page"
contains "sync reports" "$tmp/out" "2 blocks, 2 rewritten"
contains "mermaid block written" "$page" '  look{"Is it up?"}:::decideNode'
contains "hash recorded" "$page" "%% program sha256:"
contains "svg linked" "$page" "![Triage a device](triage.svg)"
check "svg written beside the page" "$(test -s "$tmp/docs/pages/triage.svg"; echo $?)" "no triage.svg"
contains "fenced example untouched" "$page" "<!-- rbk:diagram runbook=nowhere.rbk format=mermaid -->"
# Nothing but the blocks changed: the file minus its block bodies is what it was.
strip() { awk '/<!-- rbk:diagram/ && !f {print; skip=1; next} /<!-- rbk:end -->/ {skip=0} /^```markdown/ {f=1} /^```$/ {f=0} !skip {print}' "$1"; }
check "only blocks rewritten" "$(diff <(strip "$tmp/before.md") <(strip "$page") >/dev/null; echo $?)" "prose changed"
expect "check passes after sync" 0 "$rbk" docs check "$page"
contains "check reports" "$tmp/out" "2 diagram blocks in 1 file match their runbooks"
cp "$page" "$tmp/synced.md"
expect "sync again is a no-op" 0 "$rbk" docs sync "$page"
contains "nothing rewritten" "$tmp/out" "2 blocks, 0 rewritten"
check "file identical" "$(cmp -s "$page" "$tmp/synced.md"; echo $?)" "second sync changed the file"

# Editing the runbook without syncing its page fails the check.
sed -i 's/"Is it up?"/"Is it reachable?"/' "$tmp/runbooks/triage.rbk"
expect "edit caught" 1 "$rbk" docs check "$page"
contains "line of the stale block" "$tmp/err" "pages/triage.md:5:"
contains "diff old line" "$tmp/err" '-   look{"Is it up?"}:::decideNode'
contains "diff new line" "$tmp/err" '+   look{"Is it reachable?"}:::decideNode'
contains "svg stale named" "$tmp/err" "triage.svg differs from what ../../runbooks/triage.rbk compiles to"
contains "how to fix" "$tmp/err" "run: rbk docs sync"
expect "sync repairs" 0 "$rbk" docs sync "$page"
expect "check passes again" 0 "$rbk" docs check "$page"
# A folder stands for its Markdown files (a pre-commit hook names the docs folder once).
expect "check of a folder" 0 "$rbk" docs check "$tmp/docs/pages"
contains "folder's pages counted" "$tmp/out" "2 diagram blocks in 1 file match their runbooks"

# A runbook that no longer compiles: the block is left as it is, exit 1.
cp "$page" "$tmp/good.md"
echo "runbook broken {" >> "$tmp/runbooks/triage.rbk"
expect "broken runbook" 1 "$rbk" docs sync "$page"
contains "compile error shown" "$tmp/err" "triage.rbk:"
contains "block named" "$tmp/err" "pages/triage.md:5: error: the block's runbook ../../runbooks/triage.rbk does not compile"
check "page untouched" "$(cmp -s "$page" "$tmp/good.md"; echo $?)" "page changed"
sed -i '$d' "$tmp/runbooks/triage.rbk"

# Bad markers: exit 2 with the line; the file is never rewritten.
printf 'x\n<!-- rbk:diagram runbook=a.rbk format=png -->\n<!-- rbk:end -->\n' > "$tmp/docs/bad1.md"
expect "unknown format" 2 "$rbk" docs sync "$tmp/docs/bad1.md"
contains "format named" "$tmp/err" "bad1.md:2: unknown format 'png' (mermaid or svg)"
printf '<!-- rbk:diagram runbook=a.rbk -->\ntext\n' > "$tmp/docs/bad2.md"
expect "unterminated" 2 "$rbk" docs check "$tmp/docs/bad2.md"
contains "unterminated named" "$tmp/err" "bad2.md:1: the diagram block opened here has no <!-- rbk:end -->"
printf '<!-- rbk:diagram format=svg -->\n<!-- rbk:end -->\n<!-- rbk:end -->\n' > "$tmp/docs/bad3.md"
cp "$tmp/docs/bad3.md" "$tmp/bad3.before"
expect "no runbook, stray end" 2 "$rbk" docs sync "$tmp/docs/bad3.md"
contains "missing runbook named" "$tmp/err" "bad3.md:1: the marker names no runbook"
contains "stray end named" "$tmp/err" "bad3.md:3: <!-- rbk:end --> closes no diagram block"
check "bad file untouched" "$(cmp -s "$tmp/docs/bad3.md" "$tmp/bad3.before"; echo $?)" "bad file changed"
expect "missing markdown" 2 "$rbk" docs check "$tmp/docs/nope.md"
printf '<!-- rbk:diagram runbook=../runbooks/nope.rbk -->\n<!-- rbk:end -->\n' > "$tmp/docs/missing.md"
expect "missing runbook file" 1 "$rbk" docs check "$tmp/docs/missing.md"
contains "missing runbook named" "$tmp/err" "cannot read"

# CRLF pages keep their line ends.
printf '# T\r\n<!-- rbk:diagram runbook=../runbooks/triage.rbk -->\r\n<!-- rbk:end -->\r\nend\r\n' > "$tmp/docs/crlf.md"
expect "crlf sync" 0 "$rbk" docs sync "$tmp/docs/crlf.md"
check "crlf kept" "$(grep -c $'\r$' "$tmp/docs/crlf.md" | awk '{print ($1 > 10) ? 0 : 1}')" "line ends changed"
expect "crlf check" 0 "$rbk" docs check "$tmp/docs/crlf.md"

# The site of a directory of runbooks.
expect "site built" 0 "$rbk" docs build "$src/runbooks" -o "$tmp/site"
contains "site summary" "$tmp/out" "files in $tmp/site"
for f in index.html style.css device_offline.html device_offline.svg cert_expiry.html markdown/index.md markdown/device_offline.md; do
  check "site has $f" "$(test -s "$tmp/site/$f"; echo $?)" "$f missing"
done
contains "index links pages" "$tmp/site/index.html" '<a href="device_offline.html">'
contains "page links the called runbook" "$tmp/site/device_offline.html" '<a href="cert_expiry.html"><code>cert_expiry</code></a>'
contains "called-by link" "$tmp/site/cert_expiry.html" 'Called by: <a href="device_offline.html">'
contains "inline svg" "$tmp/site/device_offline.html" '<svg width='
contains "hash on page" "$tmp/site/device_offline.html" "program <code>sha256:"
contains "manifest" "$tmp/site/device_offline.html" "<h2>Capability manifest</h2>"
contains "markdown mermaid" "$tmp/site/markdown/device_offline.md" '```mermaid'
contains "markdown diagram image" "$tmp/site/markdown/device_offline.md" '![Flowchart of Device Goes Offline — Diagnosis Flow](device_offline.svg)'
# MkDocs (what Backstage TechDocs runs) builds the Markdown pages as they are, strictly:
# no missing page, link or image.
if command -v mkdocs >/dev/null; then
  expect "mkdocs builds the site's Markdown" 0 mkdocs build --strict -f "$tmp/site/mkdocs.yml" -d "$tmp/mkdocs-out"
  contains "mkdocs page shows the diagram" "$tmp/mkdocs-out/device_offline/index.html" 'src="../device_offline.svg"'
  check "mkdocs copied the diagram" "$(test -s "$tmp/mkdocs-out/device_offline.svg"; echo $?)" "no svg"
  contains "mkdocs links the called runbook" "$tmp/mkdocs-out/device_offline/index.html" 'href="../cert_expiry/"'
else
  check "mkdocs is installed (scripts/install-test-tools.sh)" 1 "no mkdocs"
fi
expect "site built again" 0 "$rbk" docs build "$src/runbooks" -o "$tmp/site-again"
check "the site is byte-identical each time" "$(diff -r "$tmp/site" "$tmp/site-again" >/dev/null; echo $?)" "two builds differ"
expect "site of nothing" 2 "$rbk" docs build "$tmp/docs" -o "$tmp/site2"
contains "no rbk files named" "$tmp/err" "no .rbk files in"

summary
