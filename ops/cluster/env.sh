# Shared by the cluster scripts (sourced, not run): where everything lives and which loopback ports it uses.
# Everything the cluster writes is under $CLUSTER_DIR (default ./cluster-data beside the repository's root, gitignored).
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
CLUSTER_DIR="${CLUSTER_DIR:-$ROOT/cluster-data}"
PG_BIN="${PG_BIN:-/usr/lib/postgresql/15/bin}"
SCOPE=dossier
STANZA=dossier

# Fixed loopback ports (docs/operations-cluster.md).
ETCD_CLIENT_PORT=12379
ETCD_PEER_PORT=12380
PG_PORTS=(15432 15433 15434)          # PostgreSQL node 1..3
PATRONI_PORTS=(18008 18009 18010)     # Patroni REST API node 1..3 (HAProxy's health checks)
HAPROXY_PG_PORT=15000                 # writes: always the current leader
HAPROXY_STATS_PORT=17000              # HAProxy's statistics page
APP_LB_PORT=18080                     # the Dossier nodes behind HAProxy
APP_PORTS=(18081 18082)               # Dossier node A, B
APP_NAMES=(a b)

HAPROXY_SOCKET="$CLUSTER_DIR/haproxy/admin.sock"
SECRETS="$CLUSTER_DIR/secrets"
BASE_URL="http://127.0.0.1:$APP_LB_PORT"

log() { printf '%s %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# The cluster's secrets, generated once by up.sh (0600, under $CLUSTER_DIR/secrets, never in the repository).
load_secrets() {
  [ -f "$SECRETS/cluster.env" ] || die "no $SECRETS/cluster.env: run ops/cluster/up.sh first"
  # shellcheck disable=SC1091
  . "$SECRETS/cluster.env"
}

# psql as the superuser through HAProxy (the leader), or to one node with PGPORT_OVERRIDE.
psql_su() {
  PGPASSWORD="$SUPERUSER_PASSWORD" "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 \
    -p "${PGPORT_OVERRIDE:-$HAPROXY_PG_PORT}" -U postgres -d "${PGDATABASE_OVERRIDE:-dossier}" "$@"
}

# The member name of the current leader (node1..node3), empty when there is none.
leader_name() {
  local i
  for i in 0 1 2; do
    if [ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 1 "http://127.0.0.1:${PATRONI_PORTS[$i]}/primary")" = 200 ]; then
      echo "node$((i + 1))"; return 0
    fi
  done
  return 0
}

# Runs a HAProxy runtime command (e.g. "set server dossier/a state drain").
haproxy_cmd() { echo "$*" | socat stdio "unix-connect:$HAPROXY_SOCKET"; }

# Waits until a URL answers 200, at most $2 seconds; returns 1 on timeout.
wait_http_200() {
  local url="$1" limit="${2:-120}" t=0
  while [ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$url")" != 200 ]; do
    sleep 1; t=$((t + 1)); if [ "$t" -ge "$limit" ]; then return 1; fi
  done
  return 0
}

# An API token for a demo account through the load balancer (the TOTP code is accepted once per 30 s step: callers
# that need several tokens of one account wait for the next step, see fresh_code).
api_token() {
  local user="$1" base="${2:-$BASE_URL}" code body
  code=$("$ROOT/bin/demo-totp" "$user" | awk '{print $NF}' | tail -1)
  body=$(printf '{"username":"%s","password":"dossier-demo-2026","code":"%s"}' "$user" "$code")
  curl -s --max-time 10 -X POST "$base/api/auth/token" -H 'Content-Type: application/json' -d "$body" | jq -r '.token // empty'
}

# A token of a demo account, kept in $CLUSTER_DIR/tokens/<user> and reused while the server still takes it (a code is
# accepted once per 30 s step, so a new token may wait for the next step).
cached_token() {
  local user="$1" f="$CLUSTER_DIR/tokens/$1" t tries=0
  mkdir -p "$CLUSTER_DIR/tokens"; chmod 700 "$CLUSTER_DIR/tokens"
  if [ -s "$f" ] && [ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 -H "Authorization: Bearer $(cat "$f")" "$BASE_URL/api/auth/tokens")" = 200 ]; then
    cat "$f"; return 0
  fi
  while :; do
    t=$(api_token "$user")
    if [ -n "$t" ]; then (umask 077; echo "$t" > "$f"); echo "$t"; return 0; fi
    tries=$((tries + 1)); if [ $tries -ge 3 ]; then die "no token for $user"; fi
    sleep 31
  done
}

# The audit trail's verification by the running cluster (security officer): prints the JSON, returns 1 unless intact.
audit_verification() {
  local t; t=$(cached_token security)
  curl -s --max-time 300 -H "Authorization: Bearer $t" "$BASE_URL/api/audit/verification"
}
