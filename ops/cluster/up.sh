#!/usr/bin/env bash
# Brings the whole cluster up on loopback: one etcd, three PostgreSQL 15 nodes under Patroni (synchronous_mode: an
# acknowledged commit is on two nodes), pgBackRest archiving their WAL, HAProxy routing the database connections to
# the leader and HTTP to the two Dossier nodes, and the two Dossier nodes. Idempotent: what already runs is kept.
# Usage: ops/cluster/up.sh            (state in ./cluster-data; DOSSIER_DEMO_PATIENTS=2000 by default here)
#        ops/cluster/up.sh --db-only  (etcd, Patroni, HAProxy, pgBackRest: no Dossier node)
# See docs/operations-cluster.md and docs/decisions/0034-cluster-shape.md.
set -euo pipefail
. "$(dirname "$0")/env.sh"
DB_ONLY=false; if [ "${1:-}" = "--db-only" ]; then DB_ONLY=true; fi

install_packages() {
  local missing=()
  command -v patroni >/dev/null || missing+=(patroni)
  command -v etcd >/dev/null || missing+=(etcd-server)
  command -v haproxy >/dev/null || missing+=(haproxy)
  command -v pgbackrest >/dev/null || missing+=(pgbackrest)
  command -v socat >/dev/null || missing+=(socat)
  command -v jq >/dev/null || missing+=(jq)
  command -v hey >/dev/null || missing+=(hey)
  [ -x "$PG_BIN/postgres" ] || missing+=(postgresql-15)
  if [ ${#missing[@]} -gt 0 ]; then
    log "installing ${missing[*]} from Debian"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q >/dev/null
    # policy-rc.d keeps Debian from starting its own services on install where it is set; stop them otherwise below.
    apt-get install -y -q "${missing[@]}" >/dev/null
  fi
  # The packages' own services (a default etcd, HAProxy, PostgreSQL cluster) are not ours: never started by us.
}

gen_secret() { head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n'; }

make_secrets() {
  mkdir -p "$SECRETS"; chmod 700 "$SECRETS"
  if [ ! -f "$SECRETS/cluster.env" ]; then
    log "generating the cluster's passwords and the audit signing key in $SECRETS"
    [ -f "$ROOT/target/dossier.jar" ] || (cd "$ROOT" && ./mvnw -q -DskipTests package)
    local key
    key=$(java -cp "$ROOT/target/dossier.jar" -Dloader.main=org.dossier.audit.AuditKeys \
      org.springframework.boot.loader.launch.PropertiesLauncher | grep '^DOSSIER_AUDIT_SIGNING_KEY=' | cut -d= -f2-)
    umask 077
    cat > "$SECRETS/cluster.env" <<ENV
SUPERUSER_PASSWORD=$(gen_secret)
REPLICATION_PASSWORD=$(gen_secret)
REWIND_PASSWORD=$(gen_secret)
OWNER_PASSWORD=$(gen_secret)
APP_PASSWORD=$(gen_secret)
DOSSIER_SECRET_KEY=$(head -c 32 /dev/urandom | base64)
DOSSIER_AUDIT_SIGNING_KEY=$key
ENV
  fi
  load_secrets
}

start_etcd() {
  if curl -s --max-time 1 "http://127.0.0.1:$ETCD_CLIENT_PORT/health" | grep -q true; then return; fi
  mkdir -p "$CLUSTER_DIR/etcd" "$CLUSTER_DIR/log"
  log "starting etcd on 127.0.0.1:$ETCD_CLIENT_PORT"
  ETCD_UNSUPPORTED_ARCH= setsid etcd --name etcd1 --data-dir "$CLUSTER_DIR/etcd/data" \
    --listen-client-urls "http://127.0.0.1:$ETCD_CLIENT_PORT" --advertise-client-urls "http://127.0.0.1:$ETCD_CLIENT_PORT" \
    --listen-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" --initial-advertise-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" \
    --initial-cluster "etcd1=http://127.0.0.1:$ETCD_PEER_PORT" --enable-v2=true \
    > "$CLUSTER_DIR/log/etcd.log" 2>&1 < /dev/null &
  echo $! > "$CLUSTER_DIR/etcd/pid"
  wait_http_200 "http://127.0.0.1:$ETCD_CLIENT_PORT/health" 30 || die "etcd did not start (see $CLUSTER_DIR/log/etcd.log)"
}

pgbackrest_conf() {
  mkdir -p "$CLUSTER_DIR/backup/repo" "$CLUSTER_DIR/backup/log" "$CLUSTER_DIR/backup/spool"
  # Node-specific options (which data directory, which port) are given on each command line: the leader changes.
  cat > "$CLUSTER_DIR/backup/pgbackrest.conf" <<CONF
[global]
repo1-path=$CLUSTER_DIR/backup/repo
repo1-retention-full=2
log-path=$CLUSTER_DIR/backup/log
lock-path=$CLUSTER_DIR/backup/spool
spool-path=$CLUSTER_DIR/backup/spool
log-level-file=info
log-level-console=warn
start-fast=y
compress-type=lz4
process-max=1

[$STANZA]
pg1-socket-path=$CLUSTER_DIR/run
pg1-user=postgres
CONF
  chown -R postgres:postgres "$CLUSTER_DIR/backup"
}

patroni_conf() {
  local n="$1" i=$(( $1 - 1 ))
  local dir="$CLUSTER_DIR/pg/node$n"
  mkdir -p "$dir" "$CLUSTER_DIR/run"
  chmod 700 "$dir"
  cat > "$CLUSTER_DIR/pg/node$n.yml" <<CONF
scope: $SCOPE
name: node$n
restapi:
  listen: 127.0.0.1:${PATRONI_PORTS[$i]}
  connect_address: 127.0.0.1:${PATRONI_PORTS[$i]}
etcd3:
  hosts: 127.0.0.1:$ETCD_CLIENT_PORT
bootstrap:
  dcs:
    # A leader that stops answering loses the lock after ttl; a standby takes over within ttl + loop_wait.
    ttl: 10
    loop_wait: 2
    retry_timeout: 5
    maximum_lag_on_failover: 1048576
    # An acknowledged commit exists on two nodes; only a synchronous standby may be promoted.
    synchronous_mode: true
    synchronous_mode_strict: false
    postgresql:
      use_pg_rewind: true
      use_slots: true
      parameters:
        wal_level: replica
        hot_standby: "on"
        max_connections: 200
        max_wal_senders: 10
        max_replication_slots: 10
        wal_log_hints: "on"
        archive_mode: "on"
        # Runs in the data directory of whichever node is primary: \$PWD tells pgBackRest which one.
        archive_command: 'pgbackrest --config=$CLUSTER_DIR/backup/pgbackrest.conf --stanza=$STANZA --pg1-path="\$PWD" archive-push %p'
        archive_timeout: 60
        shared_buffers: 256MB
        synchronous_commit: "on"
        work_mem: 16MB
        max_wal_size: 1GB
  initdb:
    - encoding: UTF8
    - locale: C.UTF-8
    - data-checksums
  pg_hba:
    - local all all trust
    - host replication replicator 127.0.0.1/32 scram-sha-256
    - host all all 127.0.0.1/32 scram-sha-256
postgresql:
  listen: 127.0.0.1:${PG_PORTS[$i]}
  connect_address: 127.0.0.1:${PG_PORTS[$i]}
  data_dir: $dir
  bin_dir: $PG_BIN
  pgpass: $CLUSTER_DIR/run/pgpass-node$n
  authentication:
    superuser:
      username: postgres
      password: $SUPERUSER_PASSWORD
    replication:
      username: replicator
      password: $REPLICATION_PASSWORD
    rewind:
      username: rewinder
      password: $REWIND_PASSWORD
  parameters:
    unix_socket_directories: $CLUSTER_DIR/run
    port: ${PG_PORTS[$i]}
    # PostgreSQL's log is copied with the node's disk and sealed by nothing (issue 22): an error without its DETAIL (a
    # refused row's DETAIL is the whole row in clear), statements never logged with their values. Set here, on each
    # node, so that a cluster made before takes them at its next start; the embedded server runs with the same
    # (platform/database/DatabaseConfiguration.LOG_SETTINGS, PostgresLogSettingsTest).
    log_error_verbosity: terse
    log_statement: none
    log_parameter_max_length: 0
    log_parameter_max_length_on_error: 0
  create_replica_methods:
    - basebackup
  basebackup:
    - checkpoint: fast
tags:
  nofailover: false
  noloadbalance: false
  clonefrom: false
  nosync: false
CONF
  chmod 600 "$CLUSTER_DIR/pg/node$n.yml"
  chown postgres:postgres "$dir" "$CLUSTER_DIR/pg/node$n.yml" "$CLUSTER_DIR/run"
}

start_patroni() {
  local n="$1" i=$(( $1 - 1 ))
  if curl -s -o /dev/null --max-time 1 "http://127.0.0.1:${PATRONI_PORTS[$i]}/health"; then return; fi
  if [ -f "$CLUSTER_DIR/pg/node$n.pid" ] && kill -0 "$(cat "$CLUSTER_DIR/pg/node$n.pid")" 2>/dev/null; then return; fi
  log "starting Patroni node$n (PostgreSQL on 127.0.0.1:${PG_PORTS[$i]}, REST on ${PATRONI_PORTS[$i]})"
  touch "$CLUSTER_DIR/log/patroni-node$n.log"; chown postgres:postgres "$CLUSTER_DIR/log/patroni-node$n.log"
  setsid runuser -u postgres -- patroni "$CLUSTER_DIR/pg/node$n.yml" >> "$CLUSTER_DIR/log/patroni-node$n.log" 2>&1 < /dev/null &
  echo $! > "$CLUSTER_DIR/pg/node$n.pid"
}

haproxy_conf() {
  mkdir -p "$CLUSTER_DIR/haproxy"
  # HAProxy's own answer when no Dossier node is ready: the same problem document and Retry-After as a node's.
  printf '%s\r\n' 'HTTP/1.1 503 Service Unavailable' 'Cache-Control: no-store' 'Connection: close' \
    'Content-Type: application/problem+json' 'Retry-After: 5' '' \
    '{"type":"https://dossier.example/problems/database-unavailable","title":"Temporarily unavailable","status":503,"detail":"No Dossier node is available for a moment; nothing was read or changed. Try again in 5 seconds.","retryAfterSeconds":5}' \
    > "$CLUSTER_DIR/haproxy/503.http"
  local pg_servers="" app_servers="" i
  for i in 0 1 2; do
    pg_servers+="    server node$((i + 1)) 127.0.0.1:${PG_PORTS[$i]} check port ${PATRONI_PORTS[$i]}"$'\n'
  done
  for i in 0 1; do
    app_servers+="    server ${APP_NAMES[$i]} 127.0.0.1:${APP_PORTS[$i]} check"$'\n'
  done
  cat > "$CLUSTER_DIR/haproxy/haproxy.cfg" <<CONF
global
    maxconn 2000
    stats socket $HAPROXY_SOCKET mode 600 level admin
    pidfile $CLUSTER_DIR/haproxy/haproxy.pid

defaults
    timeout connect 2s
    timeout client 30m
    timeout server 30m
    timeout check 2s

# Writes and reads go to the leader only: Patroni answers 200 on /primary on the leader, 503 elsewhere. A node that
# stops being leader has its connections cut at once, so that no client keeps writing to a demoted server.
listen postgres_primary
    bind 127.0.0.1:$HAPROXY_PG_PORT
    mode tcp
    option httpchk GET /primary
    http-check expect status 200
    default-server inter 1s fastinter 500ms downinter 1s fall 2 rise 1 on-marked-down shutdown-sessions
$pg_servers
# The Dossier nodes: readiness (not liveness) decides, so that a node whose database is unreachable, or that is
# shutting down, leaves the rotation. A connection refused is retried on the other node (nothing was sent yet).
frontend dossier
    bind 127.0.0.1:$APP_LB_PORT
    mode http
    timeout client 60s
    option forwardfor
    errorfile 503 $CLUSTER_DIR/haproxy/503.http
    default_backend dossier_nodes

backend dossier_nodes
    mode http
    balance roundrobin
    timeout server 60s
    option httpchk GET /actuator/health/readiness
    http-check expect status 200
    retries 2
    retry-on conn-failure
    option redispatch 1
    default-server inter 1s fastinter 500ms downinter 1s fall 2 rise 2
$app_servers
listen stats
    bind 127.0.0.1:$HAPROXY_STATS_PORT
    mode http
    stats enable
    stats uri /
CONF
}

start_haproxy() {
  if [ -f "$CLUSTER_DIR/haproxy/haproxy.pid" ] && kill -0 "$(cat "$CLUSTER_DIR/haproxy/haproxy.pid")" 2>/dev/null; then return; fi
  log "starting HAProxy: PostgreSQL leader on 127.0.0.1:$HAPROXY_PG_PORT, Dossier on $APP_LB_PORT, stats on $HAPROXY_STATS_PORT"
  haproxy -f "$CLUSTER_DIR/haproxy/haproxy.cfg" -D
}

wait_leader() {
  local t=0
  until [ -n "$(leader_name)" ]; do sleep 1; t=$((t + 1)); if [ $t -ge 120 ]; then die "no PostgreSQL leader after 120 s"; fi; done
}

# Roles and database, once: the owner runs Flyway, the application role is neither owner nor superuser.
create_database() {
  until psql_su -d postgres -c 'select 1' >/dev/null 2>&1; do sleep 1; done
  psql_su -d postgres <<SQL
do \$\$ begin
  if not exists (select 1 from pg_roles where rolname = 'dossier') then
    create role dossier login password '$OWNER_PASSWORD';
  end if;
  if not exists (select 1 from pg_roles where rolname = 'dossier_app') then
    create role dossier_app login nosuperuser nocreatedb nocreaterole nobypassrls password '$APP_PASSWORD';
  end if;
end \$\$;
SQL
  if [ "$(psql_su -d postgres -tAc "select count(*) from pg_database where datname = 'dossier'")" = 0 ]; then
    log "creating database dossier (owner dossier)"
    psql_su -d postgres -c 'create database dossier owner dossier'
    # the application role's login, granted to nobody: the owner may still SET ROLE it (V13) only if granted
    psql_su -d postgres -c 'grant dossier_app to dossier'
  fi
}

setup_pgbackrest() {
  local leader; leader=$(leader_name); local i=$(( ${leader#node} - 1 ))
  if [ ! -d "$CLUSTER_DIR/backup/repo/backup/$STANZA" ]; then
    log "creating the pgBackRest stanza $STANZA"
    runuser -u postgres -- pgbackrest --config="$CLUSTER_DIR/backup/pgbackrest.conf" --stanza=$STANZA \
      --pg1-path="$CLUSTER_DIR/pg/$leader" --pg1-port="${PG_PORTS[$i]}" stanza-create
  fi
  if ! runuser -u postgres -- pgbackrest --config="$CLUSTER_DIR/backup/pgbackrest.conf" --stanza=$STANZA info --output=json \
      | jq -e '.[0].backup | length > 0' >/dev/null; then
    log "first full backup"
    "$(dirname "$0")/backup.sh" full
  fi
}

start_app() {
  local i="$1" name="${APP_NAMES[$1]}" port="${APP_PORTS[$1]}" demo="${2:-true}"
  if curl -s -o /dev/null --max-time 1 "http://127.0.0.1:$port/actuator/health/liveness"; then return; fi
  mkdir -p "$CLUSTER_DIR/app/$name/data" "$CLUSTER_DIR/app/$name/audit" "$CLUSTER_DIR/log"
  log "starting Dossier node $name on 127.0.0.1:$port"
  (
    cd "$CLUSTER_DIR/app/$name"
    export SERVER_PORT="$port"
    export DOSSIER_DATA_DIR="$CLUSTER_DIR/app/$name/data"
    # One signing key for the group's chain (from secrets), one witness file per node: each witnesses what it signed.
    export DOSSIER_AUDIT_DIR="$CLUSTER_DIR/app/$name/audit"
    export DOSSIER_AUDIT_SIGNING_KEY
    # One server key for the group: it seals the second factors' secrets that every node must open.
    export DOSSIER_SECRET_KEY
    # One key-encryption key for the group (ADR 0041): the nodes share the host, so one key file outside their data
    # directories; a group on several hosts uses an HSM (DOSSIER_KEYS_PKCS11_CONFIG) instead.
    export DOSSIER_KEYS_DIR="$CLUSTER_DIR/keys"
    export DOSSIER_DB_URL="jdbc:postgresql://127.0.0.1:$HAPROXY_PG_PORT/dossier?tcpKeepAlive=true"
    export DOSSIER_DB_USER=dossier DOSSIER_DB_PASSWORD="$OWNER_PASSWORD"
    export DOSSIER_DB_APP_USER=dossier_app DOSSIER_DB_APP_PASSWORD="$APP_PASSWORD"
    export DOSSIER_DEMO="$demo" DOSSIER_DEMO_PATIENTS="${DOSSIER_DEMO_PATIENTS:-2000}"
    export DOSSIER_FORWARD_HEADERS=native
    setsid java ${DOSSIER_JAVA_OPTS:--Xmx768m} -jar "$ROOT/target/dossier.jar" >> "$CLUSTER_DIR/log/app-$name.log" 2>&1 < /dev/null &
    echo $! > "$CLUSTER_DIR/app/$name/pid"
  )
}

main() {
  [ "$(id -u)" = 0 ] || die "run as root (packages, and PostgreSQL runs as the postgres user)"
  install_packages
  mkdir -p "$CLUSTER_DIR/log" "$CLUSTER_DIR/pg"
  chmod 755 "$CLUSTER_DIR"
  make_secrets
  start_etcd
  pgbackrest_conf
  for n in 1 2 3; do patroni_conf "$n"; done
  haproxy_conf
  for n in 1 2 3; do start_patroni "$n"; done
  start_haproxy
  wait_leader
  log "PostgreSQL leader: $(leader_name)"
  create_database
  setup_pgbackrest
  if ! $DB_ONLY; then
    [ -f "$ROOT/target/dossier.jar" ] || (cd "$ROOT" && ./mvnw -q -DskipTests package)
    # Both at once: Flyway's lock lets one migrate while the other waits; only node a loads the demo hospital
    # (two loaders would both find the organization empty).
    # a database never migrated: node a will load the demo hospital, to be waited for below
    local fresh; fresh=$(psql_su -tAc "select count(*) = 0 from pg_tables where tablename = 'flyway_schema_history'")
    start_app 0 "${DOSSIER_DEMO:-true}"
    start_app 1 false
    wait_http_200 "http://127.0.0.1:${APP_PORTS[0]}/actuator/health/readiness" 300 || die "node a not ready (see $CLUSTER_DIR/log/app-a.log)"
    wait_http_200 "http://127.0.0.1:${APP_PORTS[1]}/actuator/health/readiness" 300 || die "node b not ready (see $CLUSTER_DIR/log/app-b.log)"
    wait_http_200 "$BASE_URL/actuator/health/readiness" 30 || die "HAProxy does not reach the Dossier nodes"
    if [ "${DOSSIER_DEMO:-true}" = true ] && [ "$fresh" = t ]; then
      # The demo hospital is loaded after readiness, then announced: wait for the announcement.
      local t=0
      until grep -q "Demo accounts, password" "$CLUSTER_DIR/log/app-a.log"; do
        sleep 2; t=$((t + 2)); if [ $t -ge 300 ]; then die "the demo hospital was not loaded (see $CLUSTER_DIR/log/app-a.log)"; fi
      done
    fi
  fi
  log "cluster up: Dossier at $BASE_URL, PostgreSQL leader at 127.0.0.1:$HAPROXY_PG_PORT, HAProxy stats at http://127.0.0.1:$HAPROXY_STATS_PORT/"
}
main
