#!/usr/bin/env bash
# rbk lsp with a real client: Neovim (Debian's neovim, headless) opens a copy of the
# runbooks, gets diagnostics as it edits, hovers, jumps, completes, formats, renames and
# runs a code lens (tests/nvim/lsp_test.lua). Skipped only when nvim is not installed.
# Usage: lsp_nvim_test.sh RBK SOURCE_DIR
set -euo pipefail
rbk=$(realpath "$1")
src=$(realpath "$2")
if ! command -v nvim >/dev/null; then
  echo "lsp_nvim_test: nvim is not installed (scripts/install-test-tools.sh installs it)" >&2
  exit 77
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/ws" "$work/home"
cp "$src"/runbooks/*.rbk "$work/ws/"
export HOME="$work/home" XDG_CONFIG_HOME="$work/home/.config" XDG_DATA_HOME="$work/home/.local/share"
export XDG_STATE_HOME="$work/home/.local/state" TMPDIR="$work"
export RBK="$rbk" RBK_EDITORS="$src/editors/nvim" WORKSPACE="$work/ws"
export RBK_STDLIB="${RBK_STDLIB:-$src/stdlib}"
timeout 120 nvim --headless -u NONE -i NONE -n --cmd 'set noswapfile' \
  -c "luafile $src/tests/nvim/lsp_test.lua" </dev/null
