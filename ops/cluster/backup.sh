#!/usr/bin/env bash
# A pgBackRest backup of the cluster, taken from the current leader: full, diff or incr (default incr).
# Schedule (docs/operations-cluster.md): full every Sunday 01:00, incremental every day 01:00 and every 4 hours;
# WAL is archived continuously (archive_timeout 60 s), so any second since the oldest kept full can be restored.
# Usage: ops/cluster/backup.sh [full|diff|incr]
set -euo pipefail
. "$(dirname "$0")/env.sh"
type="${1:-incr}"
leader=$(leader_name)
[ -n "$leader" ] || die "no PostgreSQL leader: no backup"
i=$(( ${leader#node} - 1 ))
log "pgBackRest $type backup from $leader"
runuser -u postgres -- pgbackrest --config="$CLUSTER_DIR/backup/pgbackrest.conf" --stanza="$STANZA" \
  --pg1-path="$CLUSTER_DIR/pg/$leader" --pg1-port="${PG_PORTS[$i]}" --type="$type" backup
runuser -u postgres -- pgbackrest --config="$CLUSTER_DIR/backup/pgbackrest.conf" --stanza="$STANZA" info \
  | sed -n '/backup:/p' | tail -3 >&2
