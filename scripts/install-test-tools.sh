#!/usr/bin/env bash
# Installs what the tests read rbk's output with, beyond the build's packages:
#   - Node.js and Mermaid's own parser, Ajv and swagger-parser (tools/diagram-check), and
#     oidc-provider, a real OpenID provider (tools/test-oidc), each pinned by its lock file;
#   - Debian's Chromium, which opens the built documentation site headless, and
#     playwright-core (which downloads no browser) with axe-core, which drive it through
#     rbk serve's web pages (tools/browser-test);
#   - promtool (Debian's prometheus), which reads rbk serve's /metrics;
#   - Neovim, whose built-in LSP client drives rbk lsp (tests/nvim_test.sh);
#   - pre-commit, which runs the hooks of .pre-commit-hooks.yaml (tests/pre_commit_test.sh),
#     and brings python3-yaml, which reads the CI recipe (tests/ci_recipe_test.sh);
#   - zsh, fish, man-db and groff, which read the completions and man pages, and
#     mmdebstrap, which makes the clean Debian 12 root the .deb is installed in;
#   - Mosquitto with its clients and redis-server, which the mqtt.* and redis.* natives and
#     the seed runbooks talk to in tests/brokers_test.cpp and tests/platforms_test.sh.
# Idempotent: each part is skipped when it is already in place.
set -euo pipefail
cd "$(dirname "$0")/.."

sudo=""
if [ "$(id -u)" -ne 0 ]; then
  sudo="sudo"
fi
apt_missing=()
command -v node >/dev/null || apt_missing+=(nodejs)
command -v npm >/dev/null || apt_missing+=(npm)
command -v chromium >/dev/null || apt_missing+=(chromium)
command -v promtool >/dev/null || apt_missing+=(prometheus)  # promtool checks /metrics
command -v nvim >/dev/null || apt_missing+=(neovim)  # a real LSP client for rbk lsp
command -v pre-commit >/dev/null || apt_missing+=(pre-commit)  # runs .pre-commit-hooks.yaml
command -v zsh >/dev/null || apt_missing+=(zsh)                 # the completion scripts,
command -v fish >/dev/null || apt_missing+=(fish)               # each in its shell
command -v man >/dev/null || apt_missing+=(man-db)              # the man pages
command -v groff >/dev/null || apt_missing+=(groff-base)
command -v mmdebstrap >/dev/null || apt_missing+=(mmdebstrap)   # a clean Debian 12 for the .deb
command -v mkdocs >/dev/null || apt_missing+=(mkdocs)           # builds rbk docs build's Markdown
[ -x /usr/sbin/mosquitto ] || apt_missing+=(mosquitto)          # the mqtt.* natives' broker,
command -v mosquitto_sub >/dev/null || apt_missing+=(mosquitto-clients)  # a device's clients
command -v redis-server >/dev/null || apt_missing+=(redis-server)  # the redis.* natives' server
if [ ${#apt_missing[@]} -gt 0 ]; then
  echo "install-test-tools: installing ${apt_missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${apt_missing[@]}"
fi

# npm ci installs exactly the lock file; a copy of the lock beside node_modules says
# which lock the installed tree came from.
for tool in tools/diagram-check tools/test-oidc tools/browser-test editors/vscode; do
  if ! cmp -s "$tool/package-lock.json" "$tool/node_modules/.rbk-installed-lock" 2>/dev/null; then
    echo "install-test-tools: npm ci in $tool"
    (cd "$tool" && npm ci --no-audit --no-fund --loglevel=error)
    cp "$tool/package-lock.json" "$tool/node_modules/.rbk-installed-lock"
  fi
done
