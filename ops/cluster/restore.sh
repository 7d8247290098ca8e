#!/usr/bin/env bash
# Point-in-time restore into a fresh cluster: stops everything, deletes the three PostgreSQL data directories and
# etcd's state, restores the pgBackRest backup before <time> into node1 and replays the archived WAL up to <time>
# (transactions committed after it are not replayed), promotes it, hands it to Patroni (node2 and node3 are cloned
# from it anew), takes a new full backup, then starts the Dossier nodes again.
# The audit witnesses: each node's witness file saw checkpoints and the last entry it wrote; compared with the restored
# chain they name the entries the restore lost. They are then set aside (witness-before-restore-*.jsonl) and the nodes
# start a new witness from the restored chain's last signed checkpoint. Report: $CLUSTER_DIR/restores/<stamp>/.
# Usage: ops/cluster/restore.sh '2026-12-07 05:10:00+00'     (any time PostgreSQL reads; UTC if no zone)
set -euo pipefail
. "$(dirname "$0")/env.sh"
load_secrets
[ $# -ge 1 ] || die "usage: $0 <time>, e.g. '$(date -u '+%F %T')+00'"
target="$1"
stamp=$(date -u +%Y%m%dT%H%M%SZ)
out="$CLUSTER_DIR/restores/$stamp"; mkdir -p "$out"; chown postgres "$out"  # PostgreSQL writes its recovery log there
PGBR=(runuser -u postgres -- pgbackrest --config="$CLUSTER_DIR/backup/pgbackrest.conf" --stanza="$STANZA")
"${PGBR[@]}" info --output=json > "$out/backup-info.json" || die "no pgBackRest repository"
jq -e '.[0].backup | length > 0' "$out/backup-info.json" >/dev/null || die "no backup to restore from"
log "restoring to $target (report in $out)"

# 1. Stop everything, keeping the backups, the secrets and the Dossier nodes' audit directories.
"$(dirname "$0")/down.sh" 2>&1 | sed 's/^/  /' >&2
for n in 1 2 3; do rm -rf "$CLUSTER_DIR/pg/node$n"; done
rm -rf "$CLUSTER_DIR/etcd/data" "$CLUSTER_DIR/tokens"

# 2. Restore into node1 and replay the WAL up to the target, then promote.
mkdir -p "$CLUSTER_DIR/pg/node1"; chmod 700 "$CLUSTER_DIR/pg/node1"; chown postgres:postgres "$CLUSTER_DIR/pg/node1"
t0=$(date +%s)
"${PGBR[@]}" --pg1-path="$CLUSTER_DIR/pg/node1" --type=time --target="$target" --target-action=promote restore
log "backup restored in $(( $(date +%s) - t0 ))s; replaying WAL up to $target"
mkdir -p "$CLUSTER_DIR/run"; chown postgres:postgres "$CLUSTER_DIR/run"
# The files came back with the settings Patroni wrote for the node the backup was taken from (its port, its paths):
# this replay runs with node1's own, and the archive settings, so that the new timeline's WAL is archived too.
# Patroni writes its own again when it takes the directory over.
rm -f "$CLUSTER_DIR/pg/node1/standby.signal"
cat > "$CLUSTER_DIR/pg/node1/postgresql.conf" <<CONF
include_if_exists 'postgresql.base.conf'
listen_addresses = '127.0.0.1'
port = ${PG_PORTS[0]}
unix_socket_directories = '$CLUSTER_DIR/run'
hba_file = '$CLUSTER_DIR/pg/node1/pg_hba.conf'
ident_file = '$CLUSTER_DIR/pg/node1/pg_ident.conf'
wal_level = replica
hot_standby = on
max_connections = 200
max_wal_senders = 10
max_replication_slots = 10
max_worker_processes = 8
max_prepared_transactions = 0
max_locks_per_transaction = 64
wal_log_hints = on
archive_mode = on
archive_command = 'pgbackrest --config=$CLUSTER_DIR/backup/pgbackrest.conf --stanza=$STANZA --pg1-path="\$PWD" archive-push %p'
shared_buffers = 256MB
CONF
[ -f "$CLUSTER_DIR/pg/node1/pg_hba.conf" ] || printf '%s\n' 'local all all trust' 'host all all 127.0.0.1/32 scram-sha-256' \
  'host replication replicator 127.0.0.1/32 scram-sha-256' > "$CLUSTER_DIR/pg/node1/pg_hba.conf"
touch "$CLUSTER_DIR/pg/node1/pg_ident.conf"
chown postgres:postgres "$CLUSTER_DIR/pg/node1/postgresql.conf" "$CLUSTER_DIR/pg/node1/pg_hba.conf" "$CLUSTER_DIR/pg/node1/pg_ident.conf"
runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$CLUSTER_DIR/pg/node1" -l "$out/recovery.log" -w -t 900 start >/dev/null
until [ "$(PGPORT_OVERRIDE=${PG_PORTS[0]} PGDATABASE_OVERRIDE=postgres psql_su -tAc 'select pg_is_in_recovery()' 2>/dev/null)" = f ]; do sleep 1; done
# pgBackRest's recovery settings must not outlive this recovery: a replica cloned from this node, or this node
# demoted later, would otherwise stop its replay at the same target.
PGPORT_OVERRIDE=${PG_PORTS[0]} PGDATABASE_OVERRIDE=postgres psql_su -c 'alter system reset restore_command' \
  -c 'alter system reset recovery_target_time' -c 'alter system reset recovery_target_action' >/dev/null
grep -E "recovery stopping|last completed transaction|selected new timeline|archive recovery complete" "$out/recovery.log" | sed 's/^/  /' >&2 || true
runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$CLUSTER_DIR/pg/node1" -m fast -w stop >/dev/null
log "recovery done in $(( $(date +%s) - t0 ))s"

# 3. A fresh cluster: etcd empty, Patroni takes node1's data directory over, node2 and node3 are cloned from it.
"$(dirname "$0")/up.sh" --db-only 2>&1 | sed 's/^/  /' >&2
head=$(psql_su -tAc "select last_seq || ' ' || last_hash from audit_head where id = 1")
read -r head_seq head_hash <<< "$head"
log "restored audit chain head: entry $head_seq"

# 4. What the restore lost, from each node's witness (kept outside the database), then set them aside.
for name in "${APP_NAMES[@]}"; do
  w="$CLUSTER_DIR/app/$name/audit/witness.jsonl"
  [ -s "$w" ] || continue
  last_cp=$(jq -c 'select(.type == "checkpoint") | [.seq, .hash]' "$w" | tail -1)
  last_any=$(jq -r '.seq' "$w" | sort -n | tail -1)
  # the witness's last checkpoint still in the restored chain, with the same hash: the chains are one up to there
  kept_cp=$(jq -c --argjson h "$head_seq" 'select(.type == "checkpoint" and .seq <= $h) | [.seq, .hash]' "$w" | tail -1)
  same="n/a"
  if [ -n "$kept_cp" ]; then
    s=$(echo "$kept_cp" | jq -r '.[0]'); hsh=$(echo "$kept_cp" | jq -r '.[1]')
    db=$(psql_su -tAc "select hash from audit_entry where seq = $s")
    [ "$db" = "$hsh" ] && same="entry $s has the witnessed hash" || same="ENTRY $s DIFFERS from the witness"
  fi
  {
    echo "node $name witness: last checkpoint $last_cp, highest entry named $last_any"
    echo "  restored chain ends at entry $head_seq; $same"
    if [ "${last_any:-0}" -gt "$head_seq" ]; then
      echo "  lost by the restore: entries $((head_seq + 1))..$last_any at least (as far as this node's witness knows)"
    else
      echo "  nothing this node's witness saw was lost"
    fi
  } | tee -a "$out/witness-report.txt" >&2
  mv "$w" "$CLUSTER_DIR/app/$name/audit/witness-before-restore-$stamp.jsonl"
done
echo "restored to $target: chain head entry $head_seq ($head_hash)" >> "$out/witness-report.txt"

# 5. A new full backup on the new timeline, then the Dossier nodes.
"$(dirname "$0")/backup.sh" full 2>&1 | sed 's/^/  /' >&2
DOSSIER_DEMO=false "$(dirname "$0")/up.sh" 2>&1 | sed 's/^/  /' >&2
log "restore done; report: $out"
