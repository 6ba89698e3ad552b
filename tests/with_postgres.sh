#!/usr/bin/env bash
# Runs a command with a throwaway PostgreSQL cluster (tests/pg_cluster.sh) named in
# $RBK_TEST_POSTGRES (its URL) and $RBK_TEST_POSTGRES_DIR (its folder, for a restart),
# stopped and removed afterwards whatever the command does.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
dir=$(mktemp -d /tmp/rbk-pg.XXXXXX)
trap '"$here/pg_cluster.sh" stop "$dir"' EXIT
url=$("$here/pg_cluster.sh" start "$dir") || exit 1
RBK_TEST_POSTGRES=$url RBK_TEST_POSTGRES_DIR=$dir "$@"
