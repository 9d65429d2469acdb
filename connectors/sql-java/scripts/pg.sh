#!/usr/bin/env bash
# A throw-away PostgreSQL cluster for the SQL connector's tests (Debian's postgresql package).
#
#   pg.sh start        creates a cluster in a new temp dir, starts it on 127.0.0.1 at a free port,
#                      creates database "ecma2" owned by user "ecma2" (random password, SCRAM),
#                      prints the dir; DIR/env holds PGHOST PGPORT PGUSER PGDATABASE JDBC_URL and
#                      DIR/password the password (mode 0600)
#   pg.sh stop DIR     stops that cluster and removes DIR
#
# PostgreSQL refuses to run as root: as root the server runs as the "postgres" user (runuser).
set -euo pipefail

pgbin() {
    local d
    d="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)"
    if [ -z "$d" ] || [ ! -x "$d/initdb" ]; then
        echo "pg.sh: PostgreSQL is not installed (apt-get install postgresql)" >&2
        exit 2
    fi
    echo "$d"
}

as_pg() {
    if [ "$(id -u)" = 0 ]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

start() {
    local bin dir port pw
    bin="$(pgbin)"
    dir="$(mktemp -d /tmp/ecma2-pg.XXXXXX)"
    chmod 0755 "$dir"
    mkdir -p "$dir/data" "$dir/sock"
    [ "$(id -u)" = 0 ] && chown -R postgres "$dir"
    pw="$(head -c 18 /dev/urandom | base64 | tr -d '/+=')"
    (umask 077 && printf '%s\n' "$pw" >"$dir/password")
    [ "$(id -u)" = 0 ] && chown postgres "$dir/password"
    as_pg "$bin/initdb" -D "$dir/data" -U ecma2 --auth=scram-sha-256 --pwfile="$dir/password" \
        --encoding=UTF8 --no-locale >"$dir/initdb.log" 2>&1 || {
        cat "$dir/initdb.log" >&2
        exit 1
    }
    local tries=0
    while :; do
        port="$(free_port)"
        if as_pg "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
            -o "-c listen_addresses=127.0.0.1 -p $port -k $dir/sock -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=50" \
            start >/dev/null; then
            break
        fi
        tries=$((tries + 1))
        if [ "$tries" -ge 3 ]; then
            cat "$dir/server.log" >&2
            exit 1
        fi
    done
    PGPASSWORD="$pw" "$bin/psql" -q -h 127.0.0.1 -p "$port" -U ecma2 -d postgres -v ON_ERROR_STOP=1 \
        -c "CREATE DATABASE ecma2" >/dev/null
    cat >"$dir/env" <<ENV
PGHOST=127.0.0.1
PGPORT=$port
PGUSER=ecma2
PGDATABASE=ecma2
PGBIN=$bin
JDBC_URL=jdbc:postgresql://127.0.0.1:$port/ecma2
ENV
    echo "$dir"
}

stop() {
    local dir="${1:?pg.sh stop DIR}"
    [ -f "$dir/env" ] || { echo "pg.sh: $dir is not a cluster made by pg.sh" >&2; exit 2; }
    as_pg "$(pgbin)/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
    rm -rf "$dir"
}

case "${1:-}" in
    start) start ;;
    stop) stop "${2:-}" ;;
    *) echo "usage: pg.sh start | pg.sh stop DIR" >&2; exit 2 ;;
esac
