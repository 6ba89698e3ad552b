#!/usr/bin/env bash
# The documentation site in a real browser: Debian's Chromium, headless, opens every page
# of `rbk docs build runbooks` from file://. Each runbook page must show its diagram laid
# out with a size (the page sets data-diagram="shown" once its SVG has a box), no page may
# log to the console (errors, failed scripts) or show markup as text (escaped twice), and
# every relative link must lead to a file of the site. Mermaid's own drawing of every runbook is checked in the same browser. One
# screenshot is kept as a test artifact.
# Usage: site_browser_test.sh RBK SOURCE_DIR ARTIFACT_DIR
set -u
rbk="$1"
src="$2"
artifacts="$3"
tmp=$(mktemp -d)
. "$(dirname "$0")/test_lib.sh"
trap 'rm -rf "$tmp"' EXIT

if ! command -v chromium >/dev/null; then
  echo "FAIL chromium is not installed: run scripts/install-test-tools.sh"
  exit 1
fi
# The flags this machine's closed network needs (no background connections), and a new
# empty profile per run.
browser() {
  rm -rf "$tmp/profile"
  timeout 60 chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --user-data-dir="$tmp/profile" --enable-logging=stderr --v=0 "$@"
}

expect "site built" 0 "$rbk" docs build "$src/runbooks" -o "$tmp/site"
pages=$(cd "$tmp/site" && ls *.html)
for page in $pages; do
  browser --dump-dom "file://$tmp/site/$page" >"$tmp/dom" 2>"$tmp/log"
  check "$page opens" $? "chromium failed: $(tail -3 "$tmp/log")"
  contains "$page rendered" "$tmp/dom" "</main>"
  # What the reader sees: markup escaped twice shows as text (the DOM then holds &lt;code&gt;).
  # Code blocks (the Mermaid source, the .rbk source) show source text, <br> included.
  shown=$(perl -0pe 's/<pre.*?<\/pre>//gs' "$tmp/dom" |
    grep -oE '&lt;/?(a|code|td|th|tr|table|p|span|strong|em|br|li|ul|h[1-6])( |&gt;)' | head -3 | tr '\n' ' ')
  check "$page shows no markup as text" "$([ -z "$shown" ]; echo $?)" "the page's text holds $shown"
  lacks "$page logs nothing to the console" "$tmp/log" ":CONSOLE"
  if [ "$page" != index.html ]; then
    contains "$page shows its diagram" "$tmp/dom" 'data-diagram="shown"'
  fi
  # Every relative link and stylesheet of the page is a file of the site.
  for target in $(grep -o '\(href\|src\)="[^"#:]*"' "$tmp/site/$page" | sed 's/^[a-z]*="//; s/"$//' | sort -u); do
    check "$page link $target" "$(test -f "$tmp/site/$target"; echo $?)" "$target is not in the site"
  done
done
count=$(echo "$pages" | wc -w)
check "a page per runbook and the index" "$([ "$count" -ge 3 ]; echo $?)" "only $count pages"

# Mermaid itself drawing every runbook's diagram in the browser, as GitHub draws the
# Markdown pages: mermaid.min.js from tools/diagram-check (no network), one diagram per
# runbook plus one with a run overlaid; each must draw as many nodes and edges as it
# declares.
mermaid_js="$src/tools/diagram-check/node_modules/mermaid/dist/mermaid.min.js"
check "mermaid.min.js installed" "$(test -f "$mermaid_js"; echo $?)" "run scripts/install-test-tools.sh"
"$rbk" run "$src/runbooks/device_offline.rbk" --scenario "$src/runbooks/scenarios/device_offline/cert_expired.json" \
  --trace "$tmp/overlay.jsonl" --store "$tmp/runs.db" >/dev/null
mkdir -p "$tmp/mermaid"
expected=""
{
  echo "<!doctype html><html><head><meta charset=\"utf-8\"><script src=\"file://$mermaid_js\"></script></head><body>"
  for f in "$src"/runbooks/*.rbk overlay; do
    if [ "$f" = overlay ]; then
      name=device_offline_overlay
      "$rbk" render "$src/runbooks/device_offline.rbk" --format mermaid --trace "$tmp/overlay.jsonl" -o "$tmp/mermaid/$name.mmd"
    else
      name=$(basename "$f" .rbk)
      "$rbk" render "$f" --format mermaid -o "$tmp/mermaid/$name.mmd"
    fi
    # declared: node lines carry a class (the overlay's outcome note is one more node)
    nodes=$(grep -c ':::' "$tmp/mermaid/$name.mmd")
    grep -q '^  run.outcome>' "$tmp/mermaid/$name.mmd" && nodes=$((nodes + 1))
    edges=$(grep -cE '^  [A-Za-z_.]+ (-->|-\.->)' "$tmp/mermaid/$name.mmd")
    expected="$expected $name:$nodes:$edges"
    echo "<pre class=\"mermaid\" id=\"$name\">"
    sed 's/&/\&amp;/g; s/</\&lt;/g; s/>/\&gt;/g' "$tmp/mermaid/$name.mmd"
    echo "</pre>"
  done
  cat <<'HTML'
<script>
mermaid.initialize({ startOnLoad: false });
mermaid.run({ querySelector: '.mermaid' }).then(() => {
  const drawn = [];
  for (const pre of document.querySelectorAll('pre.mermaid')) {
    const svg = pre.querySelector('svg');
    drawn.push(pre.id + ':' + (svg ? svg.querySelectorAll('g.node').length : 0) + ':' +
               (svg ? svg.querySelectorAll('path.flowchart-link').length : 0));
  }
  document.body.setAttribute('data-mermaid', ' ' + drawn.join(' '));
}).catch((e) => document.body.setAttribute('data-mermaid', 'error: ' + e.message));
</script></body></html>
HTML
} > "$tmp/mermaid/index.html"
browser --allow-file-access-from-files --virtual-time-budget=20000 --dump-dom "file://$tmp/mermaid/index.html" \
  >"$tmp/dom" 2>"$tmp/log"
drawn=$(grep -o 'data-mermaid="[^"]*"' "$tmp/dom" | sed 's/^data-mermaid="//; s/"$//')
check "Mermaid draws every runbook with its nodes and edges" "$([ "$drawn" = "$expected" ]; echo $?)" \
  "drew [$drawn], expected [$expected]"
lacks "Mermaid logs nothing to the console" "$tmp/log" ":CONSOLE"

mkdir -p "$artifacts"
browser --window-size=1280,1800 --screenshot="$artifacts/site-device_offline.png" \
  "file://$tmp/site/device_offline.html" >"$tmp/out" 2>"$tmp/log"
check "screenshot taken" "$(test -s "$artifacts/site-device_offline.png"; echo $?)" "no screenshot: $(tail -3 "$tmp/log")"
browser --allow-file-access-from-files --virtual-time-budget=20000 --window-size=1200,2400 \
  --screenshot="$artifacts/mermaid-runbooks.png" "file://$tmp/mermaid/index.html" >"$tmp/out" 2>"$tmp/log"
check "Mermaid screenshot taken" "$(test -s "$artifacts/mermaid-runbooks.png"; echo $?)" "no screenshot: $(tail -3 "$tmp/log")"
echo "screenshots: $artifacts/site-device_offline.png $artifacts/mermaid-runbooks.png"

summary
