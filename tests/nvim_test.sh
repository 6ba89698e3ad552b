#!/usr/bin/env bash
# rbk in Neovim (Debian's neovim, headless), with editors/nvim:
#  - its colours: the syntax file against the TextMate grammar's tokens of the same sample
#    (tests/nvim/highlight_test.lua);
#  - rbk lsp with Neovim's own LSP client on a copy of the runbooks: diagnostics as it
#    edits, hover, jumps, completion, formatting, rename, a code lens (tests/nvim/lsp_test.lua).
# Skipped (77) only when nvim is not installed.
# Usage: nvim_test.sh RBK SOURCE_DIR
set -euo pipefail
rbk=$(realpath "$1")
src=$(realpath "$2")
if ! command -v nvim >/dev/null; then
  echo "nvim_test: nvim is not installed (scripts/install-test-tools.sh installs it)" >&2
  exit 77
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/ws" "$work/home"
cp "$src"/runbooks/*.rbk "$work/ws/"
export HOME="$work/home" XDG_CONFIG_HOME="$work/home/.config" XDG_DATA_HOME="$work/home/.local/share"
export XDG_STATE_HOME="$work/home/.local/state" TMPDIR="$work"
export RBK="$rbk" RBK_EDITORS="$src/editors/nvim" WORKSPACE="$work/ws"
export RBK_STDLIB="${RBK_STDLIB:-$src/stdlib}" RBK_SOURCE="$src"
timeout 60 nvim --headless -u NONE -i NONE -n -c "luafile $src/tests/nvim/highlight_test.lua" </dev/null
timeout 120 nvim --headless -u NONE -i NONE -n --cmd 'set noswapfile' \
  -c "luafile $src/tests/nvim/lsp_test.lua" </dev/null
