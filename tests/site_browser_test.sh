#!/usr/bin/env bash
# The documentation site in a real browser: Debian's Chromium, headless, opens every page
# of `rbk docs build runbooks` from file://. Each runbook page must show its diagram laid
# out with a size (the page sets data-diagram="shown" once its SVG has a box), no page may
# log to the console (errors, failed scripts), and every relative link must lead to a file
# of the site. One screenshot is kept as a test artifact.
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

mkdir -p "$artifacts"
browser --window-size=1280,1800 --screenshot="$artifacts/site-device_offline.png" \
  "file://$tmp/site/device_offline.html" >"$tmp/out" 2>"$tmp/log"
check "screenshot taken" "$(test -s "$artifacts/site-device_offline.png"; echo $?)" "no screenshot: $(tail -3 "$tmp/log")"
echo "screenshot: $artifacts/site-device_offline.png"

summary
