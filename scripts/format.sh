#!/usr/bin/env bash
# clang-format over every C++ file of the repository (.clang-format at the top).
#
#   scripts/format.sh          rewrite the files that differ
#   scripts/format.sh --check  change nothing; list the files that differ and exit 1 if any
#
# ctest runs the check (test `format`), so an unformatted file fails the build's tests.
set -euo pipefail
cd "$(dirname "$0")/.."

check=0
[ "${1:-}" = "--check" ] && check=1
tool=$(command -v clang-format-14 || command -v clang-format || true)
if [ -z "$tool" ]; then
  echo "format.sh: clang-format is not installed (scripts/install-deps.sh installs it)" >&2
  exit 2
fi

differ=()
while IFS= read -r f; do
  if ! "$tool" --style=file "$f" | cmp -s - "$f"; then
    differ+=("$f")
    [ $check = 0 ] && "$tool" --style=file -i "$f"
  fi
done < <(git ls-files '*.cpp' '*.hpp' 2>/dev/null || find . -path ./build -prune -o \( -name '*.cpp' -o -name '*.hpp' \) -print)

if [ $check = 1 ] && [ ${#differ[@]} -gt 0 ]; then
  echo "format.sh: ${#differ[@]} file(s) are not formatted (scripts/format.sh rewrites them):" >&2
  printf '  %s\n' "${differ[@]}" >&2
  exit 1
fi
[ $check = 0 ] && [ ${#differ[@]} -gt 0 ] && echo "format.sh: formatted ${#differ[@]} file(s)"
exit 0
