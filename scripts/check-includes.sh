#!/usr/bin/env bash
# Fails when an #include breaks a rule of docs/architecture.md: a floor includes a floor it
# must not (the arrows point one way), or a heavy or engine header leaves the files that
# own it. ctest runs it (test `include_rules`); prints every broken rule with its file and
# line.
set -euo pipefail
cd "$(dirname "$0")/.."

# Floor -> the floors it may include (besides itself).
declare -A may=(
  [lang]=""
  [grammar]="lang"
  [vm]="lang"
  [stdlib]="lang vm"
  [run]="lang vm stdlib"
  [compiler]="lang grammar vm stdlib"
  [render]="lang vm"
  [publish]="lang vm render"
  [lsp]="lang grammar compiler vm stdlib"
  [server]="lang grammar compiler vm stdlib run render publish"
  [cli]="lang grammar compiler vm stdlib run render publish server lsp"
)
# Header pattern -> the only files that may include it.
declare -A owned=(
  ['sqlite3\.h']="run/sqlite_store.cpp"
  ['httplib\.h']="stdlib/natives_http.cpp server/http_server.cpp server/http_client.cpp"
  ['(gvc|cgraph)\.h|graphviz/']="render/graphviz.cpp"
  ['re2/']="vm/regex.cpp"
  ['tao/pegtl']="grammar/rules.hpp grammar/selector.hpp grammar/ast_builder.hpp grammar/parser.cpp"
)

broken=0
for floor in "${!may[@]}"; do
  [ -d "$floor" ] || continue
  while IFS=: read -r file line text; do
    target=$(sed -E 's/.*#include "([a-z_-]+)\/.*/\1/' <<< "$text")
    [ "$target" = "$floor" ] && continue
    if [[ " ${may[$floor]} " != *" $target "* ]]; then
      echo "$file:$line: $floor/ must not include $target/: $text"
      broken=1
    fi
  done < <(grep -rnE '^#include "[a-z_-]+/' --include='*.cpp' --include='*.hpp' --include='*.def' "$floor" || true)
done

# Sources of the product (tests, benchmarks and tools may include what they exercise).
for pattern in "${!owned[@]}"; do
  while IFS=: read -r file line text; do
    if [[ " ${owned[$pattern]} " != *" $file "* ]]; then
      echo "$file:$line: only ${owned[$pattern]} may include this: $text"
      broken=1
    fi
  done < <(grep -rnE "^#include [<\"]($pattern)" --include='*.cpp' --include='*.hpp' \
             lang grammar vm stdlib run compiler render publish lsp server cli || true)
done

if [ $broken = 1 ]; then
  echo "check-includes.sh: includes break the rules of docs/architecture.md" >&2
  exit 1
fi
echo "check-includes.sh: every include keeps the floors' rules"
