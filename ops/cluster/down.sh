#!/usr/bin/env bash
# Stops what up.sh started (the Dossier nodes first, gracefully, then HAProxy, Patroni and its PostgreSQL, etcd), by
# the process ids it recorded. Keeps the state: up.sh starts the same cluster again. --wipe also deletes $CLUSTER_DIR.
set -euo pipefail
. "$(dirname "$0")/env.sh"

stop_pid() {  # pid file, name, seconds before SIGKILL
  local f="$1" name="$2" limit="${3:-30}" pid t=0
  [ -f "$f" ] || return 0
  pid=$(cat "$f")
  if kill -0 "$pid" 2>/dev/null; then
    log "stopping $name (pid $pid)"
    kill -TERM "$pid" 2>/dev/null || true
    while kill -0 "$pid" 2>/dev/null; do
      sleep 1; t=$((t + 1))
      if [ $t -ge "$limit" ]; then log "$name still running after ${limit}s: SIGKILL"; kill -KILL "$pid" 2>/dev/null || true; fi
    done
  fi
  rm -f "$f"
}

for name in "${APP_NAMES[@]}"; do stop_pid "$CLUSTER_DIR/app/$name/pid" "Dossier node $name" 40; done
stop_pid "$CLUSTER_DIR/haproxy/haproxy.pid" HAProxy 10
for n in 3 2 1; do
  # The pid file names runuser, whose child is Patroni: Patroni is asked to stop (it stops its PostgreSQL first);
  # runuser would SIGKILL it a few seconds after a SIGTERM of its own.
  if [ -f "$CLUSTER_DIR/pg/node$n.pid" ]; then
    for child in $(ps -o pid= --ppid "$(cat "$CLUSTER_DIR/pg/node$n.pid")" 2>/dev/null); do kill -TERM "$child" 2>/dev/null || true; done
  fi
  stop_pid "$CLUSTER_DIR/pg/node$n.pid" "Patroni node$n" 60
  # a PostgreSQL left behind by a killed Patroni (fault tests) is stopped by its own pid file
  if [ -f "$CLUSTER_DIR/pg/node$n/postmaster.pid" ]; then
    pgpid=$(head -1 "$CLUSTER_DIR/pg/node$n/postmaster.pid")
    if kill -0 "$pgpid" 2>/dev/null; then log "stopping PostgreSQL node$n (pid $pgpid)"; runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$CLUSTER_DIR/pg/node$n" -m fast stop >/dev/null || true; fi
  fi
done
stop_pid "$CLUSTER_DIR/etcd/pid" etcd 10
if [ "${1:-}" = "--wipe" ]; then
  log "deleting $CLUSTER_DIR"
  rm -rf "$CLUSTER_DIR"
fi
log "cluster down"
