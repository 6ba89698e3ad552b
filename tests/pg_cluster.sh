#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the tests: initdb in a temporary folder, pg_ctl
# listening on 127.0.0.1 only (a free port, its socket in the same folder), never the
# system service. Debian's binaries live in /usr/lib/postgresql/VERSION/bin.
#
#   tests/pg_cluster.sh start DIR   prints the connection URL of database "rbk" (started)
#   tests/pg_cluster.sh stop DIR    stops it (fast shutdown) and removes DIR
#   tests/pg_cluster.sh restart DIR stops and starts it again on the same port
#
# PostgreSQL refuses to run as root: as root, the cluster belongs to user "postgres".
set -euo pipefail

bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[ -x "$bin/initdb" ] || { echo "pg_cluster: no PostgreSQL server (apt-get install postgresql)" >&2; exit 2; }

as_owner() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

cmd=${1:?start, stop or restart}
dir=${2:?a folder}

pg_start() {
  local port=$1
  as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 30 \
    -o "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$dir -c fsync=off -c max_connections=200" \
    start > /dev/null
}

case "$cmd" in
  start)
    mkdir -p "$dir"
    [ "$(id -u)" -eq 0 ] && chown postgres "$dir"
    as_owner "$bin/initdb" -D "$dir/data" -U rbk --auth=trust -E UTF8 --locale=C.UTF-8 > "$dir/initdb.log" 2>&1 \
      || { cat "$dir/initdb.log" >&2; exit 1; }
    for try in 1 2 3 4 5; do
      port=$((40000 + RANDOM % 20000))
      if pg_start "$port" 2> "$dir/start.err"; then
        echo "$port" > "$dir/port"
        as_owner "$bin/createdb" -h 127.0.0.1 -p "$port" -U rbk rbk
        echo "postgresql://rbk@127.0.0.1:$port/rbk"
        exit 0
      fi
    done
    cat "$dir/start.err" "$dir/server.log" >&2
    exit 1
    ;;
  stop)
    as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w -t 30 stop > /dev/null 2>&1 || true
    rm -rf "$dir"
    ;;
  restart)
    as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w -t 30 stop > /dev/null
    pg_start "$(cat "$dir/port")"
    ;;
  *) echo "pg_cluster: start, stop or restart" >&2; exit 2 ;;
esac
