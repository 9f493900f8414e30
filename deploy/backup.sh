#!/usr/bin/env bash
# Nightly backup: pg_dump (custom format, compressed) of DATABASE_URL into BACKUP_DIR, keeping BACKUP_KEEP_DAYS.
#
#   DATABASE_URL=postgres://... BACKUP_DIR=/backups deploy/backup.sh
#
# The file is written under a temporary name and renamed when complete, so a half-written dump is never taken
# for a backup. The `backup` service of docker-compose.yml (profile `backup`) runs it once a day; restore one with
# deploy/restore_drill.sh (into a scratch database) or pg_restore (see docs/operations.md).
set -euo pipefail
: "${DATABASE_URL:?DATABASE_URL must name the database to back up}"
dir="${BACKUP_DIR:-/backups}"
keep="${BACKUP_KEEP_DAYS:-14}"
mkdir -p "$dir"
name="luocun-$(date -u +%Y%m%dT%H%M%SZ).dump"
pg_dump --format=custom --compress=6 --no-owner --no-privileges --file="$dir/.$name.partial" "$DATABASE_URL"
mv "$dir/.$name.partial" "$dir/$name"
find "$dir" -maxdepth 1 -name 'luocun-*.dump' -mtime "+$keep" -delete
echo "backup: $dir/$name ($(du -h "$dir/$name" | cut -f1))"
