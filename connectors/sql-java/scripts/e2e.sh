#!/usr/bin/env bash
# The SQL connector through the host and the `ecma2` CLI, against a throw-away PostgreSQL:
#   conformance; full import of 100,000 rows over two object types; delta import after inserts,
#   updates and deletes made with psql; an export round trip with a multi-valued reference,
#   confirmed by delta import; a unique violation that fails its entry while the batch commits.
# Usage: e2e.sh ECMA2_BINARY   (run from anywhere; needs target/ecma2-sql.jar built)
# Prints one line per check and "sql e2e: N passed, N failed".
set -uo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ECMA2="${1:?usage: e2e.sh ECMA2_BINARY}"
JAR="$HERE/target/ecma2-sql.jar"
[ -f "$JAR" ] || { echo "e2e.sh: $JAR is missing: run mvn package in sdk/java" >&2; exit 2; }

PGDIR="$("$HERE/scripts/pg.sh" start)" || exit 2
WORK="$(mktemp -d)"
trap '"$HERE/scripts/pg.sh" stop "$PGDIR"; rm -rf "$WORK"' EXIT
# shellcheck disable=SC1091
. "$PGDIR/env"
# The password reaches psql and the connector through a password file, never a command line.
(umask 077 && echo "127.0.0.1:$PGPORT:*:ecma2:$(cat "$PGDIR/password")" >"$WORK/pgpass")
export PGPASSFILE="$WORK/pgpass"
PSQL=("$PGBIN/psql" -q -X -v ON_ERROR_STOP=1 -h "$PGHOST" -p "$PGPORT" -U ecma2 -d ecma2)
"${PSQL[@]}" -f "$HERE/sql/sample.sql" >/dev/null || exit 1

cat >"$WORK/host.toml" <<TOML
[engine]
listen = "unix:$WORK/engine.sock"
[[connector]]
name = "sql"
command = "java"
args = ["-jar", "$JAR"]
env = { PGPASSFILE = "$WORK/pgpass" }
[connector.limits]
close_grace = "3s"
TOML
PARAMS=(--param "JDBC URL=$JDBC_URL" --param "User=ecma2"
    --param "Object types=person table=people anchor=id dn=cn; group table=groups anchor=id dn=cn"
    --param "Multi-valued attributes=group.member table=group_members owner=group_id value=member_id")
E=("$ECMA2" --config "$WORK/host.toml" --state "$WORK/state")

passed=0
failed=0
check() { # name, then a command that succeeds when the check passes
    local name="$1"
    shift
    if "$@"; then
        echo "PASS $name"
        passed=$((passed + 1))
    else
        echo "FAIL $name"
        failed=$((failed + 1))
    fi
}
field() { python3 -c 'import json,sys; print(json.loads(sys.stdin.read().strip().splitlines()[-1])[sys.argv[1]])' "$1"; }
q() { "${PSQL[@]}" -At -c "$1"; }

# 1. Conformance on a small data set.
q "INSERT INTO people (display_name, cn, mail, title) SELECT 'Person ' || g, 'p' || g, 'p' || g || '@example.com', 'Engineer' FROM generate_series(1, 40) g; INSERT INTO groups (description, cn) VALUES ('Everyone', 'all'); INSERT INTO group_members SELECT 1, id FROM people"
"$ECMA2" --config "$WORK/host.toml" --state "$WORK/conformance" conformance --connector sql "${PARAMS[@]}" >"$WORK/conformance.txt" 2>"$WORK/conformance.err"
check "conformance (sql connector)" grep -Eq "conformance: [0-9]+ passed, 0 failed" "$WORK/conformance.txt"
grep -q "0 failed" "$WORK/conformance.txt" || cat "$WORK/conformance.txt"

# 2. 100,000 rows over two object types: 90,000 people and 10,000 groups of 3 members each.
q "TRUNCATE people, groups, group_members RESTART IDENTITY"
q "TRUNCATE ecma2_changes"
q "INSERT INTO people (display_name, cn, mail, title, manager_id) SELECT 'Person ' || g, 'u' || g, 'u' || g || '@example.com', 'Title ' || (g % 50), NULL FROM generate_series(1, 90000) g"
q "INSERT INTO groups (description, cn) SELECT 'Group ' || g, 'g' || g FROM generate_series(1, 10000) g"
q "INSERT INTO group_members SELECT g, m FROM generate_series(1, 10000) g, LATERAL (VALUES (g), (g + 10000), (g + 20000)) v(m)"
start=$(date +%s.%N)
"${E[@]}" import --connector sql --page-size 5000 --json "${PARAMS[@]}" >"$WORK/full.json" 2>"$WORK/full.err"
tail -4 "$WORK/full.err" | sed "s/^/  /"
secs=$(python3 -c "import time; print(round(time.time() - $start, 1))")
check "full import of 100,000 rows over two types (${secs}s)" [ "$(field objects <"$WORK/full.json")" = 100000 ]
check "full import had no object errors" [ "$(field errors <"$WORK/full.json")" = 0 ]
"${E[@]}" show --connector sql --dn "CN=g10000,OU=group" >"$WORK/g10000.json" 2>/dev/null
check "the last group is in the connector space with its 3 member references" python3 -c '
import json, sys
o = json.load(open(sys.argv[1]))
m = [v["value"]["ref"] for a in o["attributes"] if a["name"] == "member" for v in a["values"]]
sys.exit(0 if sorted(m) == ["CN=u10000,OU=person", "CN=u20000,OU=person", "CN=u30000,OU=person"] else 1)' "$WORK/g10000.json"
"${E[@]}" show --connector sql --dn "CN=u90000,OU=person" >"$WORK/u90000.json" 2>/dev/null
check "the last person is in the connector space" grep -q '"u90000@example.com"' "$WORK/u90000.json"

# 3. Delta import after inserts, updates and deletes made with psql (people outside any group).
q "INSERT INTO people (display_name, cn) SELECT 'New ' || g, 'new' || g FROM generate_series(1, 5) g"
q "UPDATE people SET title = 'Changed' WHERE cn IN ('u40001', 'u40002', 'u40003')"
q "DELETE FROM people WHERE cn IN ('u50001', 'u50002')"
"${E[@]}" import --delta --connector sql --json "${PARAMS[@]}" >"$WORK/delta.json" 2>"$WORK/delta.err"
check "delta import: 5 adds" [ "$(field adds <"$WORK/delta.json")" = 5 ]
check "delta import: 3 updates" [ "$(field updates <"$WORK/delta.json")" = 3 ]
check "delta import: 2 deletes" [ "$(field deletes <"$WORK/delta.json")" = 2 ]
"${E[@]}" show --connector sql --dn "CN=u40001,OU=person" >"$WORK/u40001.json" 2>/dev/null
check "the updated title is in the connector space" grep -q '"Changed"' "$WORK/u40001.json"

# 4. Export round trip with a multi-valued reference, confirmed by delta import.
cat >"$WORK/round.jsonl" <<'JSONL'
{"op":"add","type":"group","dn":"CN=ops,OU=group","attrs":{"description":"Operations","member":["CN=u1,OU=person","CN=u2,OU=person"]}}
{"op":"update","dn":"CN=g1,OU=group","add":{"member":["CN=u4,OU=person"]},"remove":{"member":["CN=u1,OU=person"]}}
JSONL
"${E[@]}" stage --connector sql --changes "$WORK/round.jsonl" "${PARAMS[@]}" >/dev/null 2>&1
"${E[@]}" export --connector sql --json "${PARAMS[@]}" >"$WORK/export1.json" 2>"$WORK/export1.err"
check "export of an add and a membership update: no errors" [ "$(field errors <"$WORK/export1.json")" = 0 ]
check "the new group's member rows are in PostgreSQL" [ "$(q "SELECT string_agg(p.cn, ',' ORDER BY p.cn) FROM group_members m JOIN groups g ON g.id = m.group_id JOIN people p ON p.id = m.member_id WHERE g.cn = 'ops'")" = "u1,u2" ]
check "g1's members changed in PostgreSQL" [ "$(q "SELECT string_agg(p.cn, ',' ORDER BY p.cn) FROM group_members m JOIN people p ON p.id = m.member_id WHERE m.group_id = 1")" = "u10001,u20001,u4" ]
"${E[@]}" import --delta --connector sql --json "${PARAMS[@]}" >"$WORK/delta2.json" 2>"$WORK/delta2.err"
check "the delta import confirmed both exported changes" [ "$(field confirmed <"$WORK/delta2.json")" = 2 ]
"${E[@]}" show --connector sql --dn "CN=ops,OU=group" >"$WORK/ops.json" 2>/dev/null
check "the confirmed group holds both references" python3 -c '
import json, sys
o = json.load(open(sys.argv[1]))
m = [v["value"]["ref"] for a in o["attributes"] if a["name"] == "member" for v in a["values"]]
sys.exit(0 if sorted(m) == ["CN=u1,OU=person", "CN=u2,OU=person"] else 1)' "$WORK/ops.json"

# 5. A unique violation is that entry's error; the rest of the batch commits.
cat >"$WORK/dup.jsonl" <<'JSONL'
{"op":"add","type":"person","dn":"CN=fresh1,OU=person","attrs":{"display_name":"Fresh One"}}
{"op":"add","type":"person","dn":"CN=u7,OU=person","attrs":{"display_name":"Duplicate"}}
{"op":"add","type":"person","dn":"CN=fresh2,OU=person","attrs":{"display_name":"Fresh Two"}}
JSONL
"${E[@]}" stage --connector sql --changes "$WORK/dup.jsonl" "${PARAMS[@]}" >/dev/null 2>&1
"${E[@]}" export --connector sql --batch-size 10 --json "${PARAMS[@]}" >"$WORK/export2.json" 2>"$WORK/export2.err"
check "the batch has exactly one object error" [ "$(field errors <"$WORK/export2.json")" = 1 ]
check "the error is the duplicate's, as ExistingObject" grep -q "CN=u7,OU=person: ExportErrorConnectedDirectoryExistingObject sql-23505" "$WORK/export2.err"
check "the rest of the batch committed" [ "$(q "SELECT count(*) FROM people WHERE cn IN ('fresh1', 'fresh2')")" = 2 ]
check "the duplicate changed nothing" [ "$(q "SELECT display_name FROM people WHERE cn = 'u7'")" = "Person 7" ]

echo "sql e2e: $passed passed, $failed failed"
[ "$failed" = 0 ]
