#!/usr/bin/env bash
# The .deb on a clean Debian 12: CPack builds it from this build; mmdebstrap makes a
# minimal bookworm root; apt installs the package there (its dependencies from the Debian
# mirror); then, inside, with no source tree and no RBK_STDLIB: rbk --version, rbk check of
# the runbooks (the stdlib comes from the package), a scenario run, a live dry-run against
# fleet-sim on the host's loopback (a chroot shares the network), the language server's
# handshake, the man pages through man, bash completion; then apt removes it all.
# Needs root (chroot, mount). Usage: package_test.sh BUILD_DIR FLEET_SIM SOURCE_DIR
set -uo pipefail
build=$(realpath "$1")
sim=$(realpath "$2")
src=$(realpath "$3")
if [ "$(id -u)" -ne 0 ]; then
  echo "package_test: needs root (chroot); skipped" >&2
  exit 77
fi
for tool in mmdebstrap cpack; do
  command -v "$tool" >/dev/null || { echo "package_test: $tool is not installed (scripts/install-test-tools.sh)" >&2; exit 1; }
done
tmp=$(mktemp -d)
root="$tmp/root"
sim_pid=""
cleanup() {
  [ -n "$sim_pid" ] && kill "$sim_pid" 2>/dev/null
  mountpoint -q "$root/proc" && umount "$root/proc"
  rm -rf "$tmp"
}
trap cleanup EXIT
source "$src/tests/test_lib.sh"
mirror="${RBK_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
inside() { chroot "$root" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 "$@"; }

(cd "$build" && cpack -G DEB > "$tmp/cpack.log" 2>&1) || { cat "$tmp/cpack.log"; echo "FAIL: cpack"; exit 1; }
deb=$(ls "$build"/packages/rbk_*_amd64.deb | head -1)
echo "package_test: $(basename "$deb"), $(du -k "$deb" | cut -f1) KiB"

mmdebstrap --variant=minbase --mode=root --quiet bookworm "$root" "$mirror" > "$tmp/strap.log" 2>&1 ||
  { tail -20 "$tmp/strap.log"; echo "FAIL: mmdebstrap could not make a Debian 12 root"; exit 1; }
cp /etc/resolv.conf "$root/etc/resolv.conf"
mount -t proc proc "$root/proc"
mkdir -p "$root/work"
cp "$deb" "$root/tmp/rbk.deb"
cp -r "$src/runbooks" "$root/work/"

expect "apt installs the package and its dependencies" 0 \
  inside sh -c 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends /tmp/rbk.deb man-db bash-completion'
expect "rbk --version" 0 inside rbk --version
contains "version and bytecode format" "$tmp/out" "rbk 0.1.0 (bytecode format 1)"
expect "rbk check with the packaged stdlib" 0 inside sh -c 'rbk check /work/runbooks/*.rbk'
contains "every runbook checks" "$tmp/err" "no problems"
expect "a scenario run" 0 inside rbk run /work/runbooks/device_offline.rbk \
  --scenario /work/runbooks/scenarios/device_offline/cert_expired.json
contains "the run ends" "$tmp/out" "outcome"

start_fleet_sim "$sim"
cp "$tmp/config.json" "$tmp/policy.json" "$root/work/"
expect "a live dry-run against fleet-sim" 0 inside rbk run /work/runbooks/device_offline.rbk --dry-run \
  --approve-all --policy /work/policy.json --config /work/config.json \
  --param device=sensor-0042 --param gateway=gw-7
contains "it is a dry-run" "$tmp/out" "dry-run"
reboots=$(curl -s "$api/actions" | grep -c reboot || true)
check "the dry-run performed no action" "$([ "$reboots" -eq 0 ]; echo $?)" "fleet-sim saw $reboots"

printf 'Content-Length: 58\r\n\r\n{"jsonrpc":"2.0","id":1,"method":"initialize","params":{}}Content-Length: 44\r\n\r\n{"jsonrpc":"2.0","id":2,"method":"shutdown"}Content-Length: 33\r\n\r\n{"jsonrpc":"2.0","method":"exit"}' > "$root/tmp/lsp.in"
expect "rbk lsp answers and exits" 0 inside sh -c 'rbk lsp < /tmp/lsp.in'
contains "the server's capabilities" "$tmp/out" '"hoverProvider":true'

expect "man rbk-check" 0 inside sh -c 'MANPAGER=cat MANWIDTH=100 man rbk-check'
contains "the page" "$tmp/out" "rbk-check - Parse and check runbooks"
expect "man rbk" 0 inside sh -c 'MANPAGER=cat man rbk'
contains "lists the commands" "$tmp/out" "rbk-docs-check(1)"
expect "bash completes" 0 inside bash -c 'source /usr/share/bash-completion/completions/rbk; COMP_WORDS=(rbk docs s); COMP_CWORD=2; _rbk; echo "${COMPREPLY[*]}"'
contains "the subcommand" "$tmp/out" "sync"
for f in /usr/share/zsh/vendor-completions/_rbk /usr/share/fish/vendor_completions.d/rbk.fish \
         /usr/share/nvim/site/syntax/rbk.vim /usr/share/rbk/stdlib/fleet.rbk; do
  check "installed: $f" "$([ -f "$root$f" ]; echo $?)" "missing"
done

expect "apt removes it" 0 inside sh -c 'DEBIAN_FRONTEND=noninteractive apt-get remove -y -qq rbk'
for f in /usr/bin/rbk /usr/share/rbk /usr/share/man/man1/rbk-check.1.gz /usr/share/bash-completion/completions/rbk; do
  check "removed: $f" "$([ ! -e "$root$f" ]; echo $?)" "still there"
done
summary
