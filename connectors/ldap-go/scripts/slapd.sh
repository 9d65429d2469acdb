#!/usr/bin/env bash
# A throw-away OpenLDAP slapd for the LDAP connector's tests and demos.
#
#   scripts/slapd.sh start DIR   config, databases and sockets under DIR (created); prints
#                                LDAP_URL=ldap://127.0.0.1:PORT, LDAPI_URL=ldapi://..., ADMIN_DN
#                                and ADMIN_PASSWORD as shell assignments
#   scripts/slapd.sh start DIR FILE.ldif
#                                the same, with the entries of FILE.ldif loaded offline first
#                                (slapadd: fast, and not in the accesslog)
#   scripts/slapd.sh stop DIR    stops the slapd started with DIR
#
# Two naming contexts (dc=example,dc=com and dc=example,dc=org, both mdb), plus the accesslog
# database cn=accesslog that records every successful write of both: the connector's delta
# import reads it (see connectors/ldap-go/README.md, "Delta import"). One admin,
# cn=admin,dc=example,dc=com, may manage all three. slapd.conf (not cn=config) keeps the setup
# in one readable file; slapd listens on 127.0.0.1 (a free port) and on ldapi:// in DIR.
set -euo pipefail

cmd="${1:-}"
dir="${2:-}"
seed="${3:-}"
if [ -z "$cmd" ] || [ -z "$dir" ]; then
    echo "usage: $0 start|stop DIR" >&2
    exit 2
fi

SLAPD="${SLAPD:-$(command -v slapd || echo /usr/sbin/slapd)}"
ADMIN_DN="cn=admin,dc=example,dc=com"
ADMIN_PASSWORD="${SLAPD_ADMIN_PASSWORD:-admin-secret}"

stop() {
    if [ -f "$dir/slapd.pid" ]; then
        pid="$(cat "$dir/slapd.pid")"
        kill "$pid" 2>/dev/null || true
        for _ in $(seq 1 100); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.05
        done
        kill -9 "$pid" 2>/dev/null || true
        rm -f "$dir/slapd.pid"
    fi
}

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

start() {
    if [ ! -x "$SLAPD" ]; then
        echo "slapd is not installed (Debian: apt-get install slapd ldap-utils)" >&2
        exit 2
    fi
    mkdir -p "$dir"
    dir="$(cd "$dir" && pwd)"
    stop
    rm -rf "$dir/db" && mkdir -p "$dir/db/accesslog" "$dir/db/com" "$dir/db/org"
    cat >"$dir/slapd.conf" <<CONF
include /etc/ldap/schema/core.schema
include /etc/ldap/schema/cosine.schema
include /etc/ldap/schema/inetorgperson.schema
include /etc/ldap/schema/nis.schema
modulepath /usr/lib/ldap
moduleload back_mdb
moduleload accesslog
moduleload syncprov
pidfile $dir/slapd.pid
argsfile $dir/slapd.args
password-hash {SSHA}
sizelimit unlimited

access to attrs=userPassword
    by dn.exact="$ADMIN_DN" manage
    by self write
    by anonymous auth
    by * none
access to *
    by dn.exact="$ADMIN_DN" manage
    by self read
    by users read
    by * none

database mdb
suffix "cn=accesslog"
directory $dir/db/accesslog
maxsize 1073741824
dbnosync
index default eq
index entryCSN,objectClass,reqEnd,reqResult,reqStart,reqEntryUUID eq
overlay syncprov
syncprov-nopresent TRUE
syncprov-reloadhint TRUE

database mdb
suffix "dc=example,dc=com"
rootdn "$ADMIN_DN"
rootpw $ADMIN_PASSWORD
directory $dir/db/com
maxsize 1073741824
dbnosync
index objectClass,entryUUID,entryCSN eq
index cn,uid eq,sub
overlay syncprov
overlay accesslog
logdb cn=accesslog
logops writes
logsuccess TRUE
logold (objectClass=*)
logoldattr objectClass entryUUID

database mdb
suffix "dc=example,dc=org"
directory $dir/db/org
maxsize 1073741824
dbnosync
index objectClass,entryUUID,entryCSN eq
index cn,uid eq,sub
overlay syncprov
overlay accesslog
logdb cn=accesslog
logops writes
logsuccess TRUE
logold (objectClass=*)
logoldattr objectClass entryUUID
CONF
    # The naming contexts' root entries and the admin entry, loaded offline.
    cat >"$dir/base.ldif" <<LDIF
dn: dc=example,dc=com
objectClass: dcObject
objectClass: organization
dc: example
o: Example Com

dn: cn=admin,dc=example,dc=com
objectClass: organizationalRole
objectClass: simpleSecurityObject
cn: admin
userPassword: $ADMIN_PASSWORD

LDIF
    cat >"$dir/org.ldif" <<LDIF
dn: dc=example,dc=org
objectClass: dcObject
objectClass: organization
dc: example
o: Example Org

LDIF
    "$SLAPD" -T add -f "$dir/slapd.conf" -b "dc=example,dc=com" -l "$dir/base.ldif" -q >/dev/null 2>&1 \
        || "${SLAPD%slapd}slapadd" -f "$dir/slapd.conf" -b "dc=example,dc=com" -l "$dir/base.ldif" -q
    "$SLAPD" -T add -f "$dir/slapd.conf" -b "dc=example,dc=org" -l "$dir/org.ldif" -q >/dev/null 2>&1 \
        || "${SLAPD%slapd}slapadd" -f "$dir/slapd.conf" -b "dc=example,dc=org" -l "$dir/org.ldif" -q
    if [ -n "$seed" ]; then
        # slapadd wants the entries of one database at a time, parents first.
        for suffix in "dc=example,dc=com" "dc=example,dc=org"; do
            python3 - "$seed" "$suffix" >"$dir/seed-part.ldif" <<'PY'
import sys
path, suffix = sys.argv[1], sys.argv[2].lower()
for block in open(path).read().split("\n\n"):
    first = block.strip().split("\n", 1)[0]
    if first.lower().startswith("dn:") and first.lower().rstrip().endswith(suffix):
        print(block.strip() + "\n")
PY
            "$SLAPD" -T add -f "$dir/slapd.conf" -b "$suffix" -l "$dir/seed-part.ldif" -q
        done
    fi
    local port ldapi
    ldapi="ldapi://$(python3 -c 'import sys,urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$dir/ldapi")"
    for _ in 1 2 3 4 5; do
        port="$(free_port)"
        if "$SLAPD" -f "$dir/slapd.conf" -h "ldap://127.0.0.1:$port/ $ldapi" -s 0 2>"$dir/slapd.log"; then
            # slapd forks; wait for the socket with a deadline.
            for _ in $(seq 1 200); do
                if [ -S "$dir/ldapi" ] && [ -f "$dir/slapd.pid" ]; then
                    echo "LDAP_URL=ldap://127.0.0.1:$port"
                    echo "LDAPI_URL=$ldapi"
                    echo "ADMIN_DN=$ADMIN_DN"
                    echo "ADMIN_PASSWORD=$ADMIN_PASSWORD"
                    return 0
                fi
                sleep 0.05
            done
        fi
        stop
    done
    echo "slapd did not start; see $dir/slapd.log" >&2
    cat "$dir/slapd.log" >&2
    exit 1
}

case "$cmd" in
start) start ;;
stop) stop ;;
*)
    echo "usage: $0 start|stop DIR" >&2
    exit 2
    ;;
esac
