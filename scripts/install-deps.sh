#!/usr/bin/env bash
# Installs the Debian packages rbk builds and tests with (clang and its compiler-rt for
# the libFuzzer harnesses of the fuzz preset, clang-format for scripts/format.sh, file and
# dpkg-dev for the .deb CPack builds).
# Idempotent: when every package is already installed it only asks dpkg and returns (well
# under a second).
set -euo pipefail

packages=(
  build-essential cmake pkg-config git file dpkg-dev
  tao-pegtl-dev libfmt-dev nlohmann-json3-dev libcli11-dev
  libcpp-httplib-dev libssl-dev openssl libsqlite3-dev libpq-dev postgresql libmosquitto-dev libgraphviz-dev libre2-dev curl bsdutils
  libgtest-dev libgmock-dev libbenchmark-dev
  clang libclang-rt-14-dev clang-format
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  sudo="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
