#!/usr/bin/env bash
# The price of synchronous replication on this cluster: pgbench commits one small insert per transaction against the
# leader (through HAProxy), with synchronous_commit = on (the commit waits for the synchronous standby's flush, as
# Dossier's do) and = local (the leader's own flush only), 1 and 4 clients, SECONDS each (default 15).
# Writes only to a scratch database "bench" (created here), never to Dossier's. Prints one line per case.
set -euo pipefail
. "$(dirname "$0")/env.sh"
load_secrets
SECS=${SECONDS_EACH:-15}
if [ "$(psql_su -d postgres -tAc "select count(*) from pg_database where datname = 'bench'")" = 0 ]; then
  psql_su -d postgres -c 'create database bench'
fi
PGDATABASE_OVERRIDE=bench psql_su -c 'create table if not exists t (id bigserial primary key, at timestamptz default now(), payload text)'
script=$(mktemp); echo "insert into t (payload) values (repeat('x', 200));" > "$script"
for clients in 1 4; do
  for mode in on local; do
    out=$(PGPASSWORD="$SUPERUSER_PASSWORD" PGOPTIONS="-c synchronous_commit=$mode" "$PG_BIN/pgbench" -n -h 127.0.0.1 \
      -p "$HAPROXY_PG_PORT" -U postgres -c "$clients" -j "$clients" -T "$SECS" -f "$script" bench 2>&1)
    echo "synchronous_commit=$mode clients=$clients: $(echo "$out" | grep -E '^latency average' | sed 's/latency average = //') per commit, $(echo "$out" | grep -E '^tps' | sed -E 's/tps = ([0-9.]+).*/\1/') commits/s"
  done
done
rm -f "$script"
PGDATABASE_OVERRIDE=bench psql_su -c 'truncate t'
