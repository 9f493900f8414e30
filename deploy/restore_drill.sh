#!/usr/bin/env bash
# Restore drill: restore a backup into a scratch database and check that every table came back with its rows.
#
#   deploy/restore_drill.sh [DUMP_FILE]
#
# DATABASE_URL names the source database (postgres://user:password@host:port/name). Without DUMP_FILE the drill
# first dumps the source itself (pg_dump -Fc); with one (the night's backup, see deploy/backup.sh) it restores
# that. The scratch database is <name>_restore_drill (RESTORE_DRILL_DB to change it); it is dropped at the end
# unless KEEP_SCRATCH=1. Each table's row count in the restore is compared with the source's:
#   - MAX_DRIFT_PERCENT (default 0): the difference allowed per table, for a dump of a database still in use;
#   - exit 0 when every table matches, 1 otherwise (the differences are listed), 2 on a usage error.
# Needs pg_dump, pg_restore and psql of the server's major version (or newer).
set -euo pipefail

usage() { sed -n '2,13p' "$0" >&2; exit 2; }
[ "${1:-}" = "-h" ] || [ "${1:-}" = "--help" ] && usage
: "${DATABASE_URL:?DATABASE_URL must name the source database}"
dump_file="${1:-}"
max_drift="${MAX_DRIFT_PERCENT:-0}"
export PGOPTIONS="${PGOPTIONS:-} -c client_min_messages=warning"

# postgres://user:password@host:port/name?params -> the server URL without the database, and the name.
base="${DATABASE_URL%%\?*}"
source_db="${base##*/}"
server="${base%/*}"
scratch="${RESTORE_DRILL_DB:-${source_db}_restore_drill}"
case "$scratch" in *[!a-zA-Z0-9_]*) echo "restore drill: unusable scratch database name: $scratch" >&2; exit 2;; esac
[ "$scratch" != "$source_db" ] || { echo "restore drill: the scratch database must not be the source" >&2; exit 2; }

workdir="$(mktemp -d)"
cleanup() {
  if [ "${KEEP_SCRATCH:-0}" != "1" ]; then
    psql "$server/postgres" -qAtX -v ON_ERROR_STOP=1 -c "DROP DATABASE IF EXISTS \"$scratch\"" >/dev/null 2>&1 || true
  fi
  rm -rf "$workdir"
}
trap cleanup EXIT

started=$(date +%s)
if [ -z "$dump_file" ]; then
  dump_file="$workdir/source.dump"
  echo "restore drill: dumping $source_db"
  pg_dump --format=custom --no-owner --no-privileges --file="$dump_file" "$DATABASE_URL"
fi
[ -r "$dump_file" ] || { echo "restore drill: cannot read $dump_file" >&2; exit 2; }

echo "restore drill: restoring $(basename "$dump_file") into $scratch"
psql "$server/postgres" -qAtX -v ON_ERROR_STOP=1 -c "DROP DATABASE IF EXISTS \"$scratch\"" -c "CREATE DATABASE \"$scratch\""
pg_restore --no-owner --no-privileges --exit-on-error --dbname="$server/$scratch" "$dump_file"

# Exact row counts of every ordinary table of the public schema, as "table<TAB>rows" lines, sorted.
count_rows() {
  psql "$1" -qAtX -v ON_ERROR_STOP=1 -F $'\t' <<'SQL'
SELECT format('SELECT %L, count(*) FROM %I.%I', c.relname, n.nspname, c.relname)
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p') AND n.nspname = 'public'
ORDER BY c.relname
\gexec
SQL
}
count_rows "$DATABASE_URL" | sort >"$workdir/source.counts"
count_rows "$server/$scratch" | sort >"$workdir/restored.counts"

tables=$(wc -l <"$workdir/source.counts")
rows=$(awk -F '\t' '{ total += $2 } END { print total + 0 }' "$workdir/restored.counts")
problems=$(join -t $'\t' -a 1 -a 2 -e MISSING -o 0,1.2,2.2 "$workdir/source.counts" "$workdir/restored.counts" |
  awk -F '\t' -v drift="$max_drift" '
    $2 == "MISSING" || $3 == "MISSING" { print "  " $1 ": source " $2 ", restored " $3; next }
    {
      diff = $2 - $3; if (diff < 0) diff = -diff
      allowed = ($2 > 0 ? $2 : 1) * drift / 100
      if (diff > allowed) print "  " $1 ": source " $2 ", restored " $3
    }')
seconds=$(( $(date +%s) - started ))
if [ -n "$problems" ]; then
  echo "restore drill: FAILED after ${seconds}s, tables whose rows differ:" >&2
  echo "$problems" >&2
  exit 1
fi
echo "restore drill: OK in ${seconds}s: ${tables} tables, ${rows} rows restored and counted"
