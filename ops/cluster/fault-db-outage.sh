#!/usr/bin/env bash
# Fault (c): the whole database stops for a minute (all three Patroni nodes and their PostgreSQL, stopped at once) under
# a light load. Target: both Dossier nodes answer 503 with Retry-After meanwhile, and recover alone (no restart) once
# the database is back. Bounded: about 2 minutes.
# Usage: ops/cluster/fault-db-outage.sh   (the cluster up: ops/cluster/up.sh)
set -euo pipefail
. "$(dirname "$0")/faultlib.sh"
OUTAGE=${OUTAGE:-60}; STOP_AT=${STOP_AT:-10}; AFTER=${AFTER:-40}
DURATION=$((STOP_AT + OUTAGE + AFTER))
app_pids="$(cat "$CLUSTER_DIR/app/a/pid") $(cat "$CLUSTER_DIR/app/b/pid")"
token=$(cached_token nurse)
log "load for ${DURATION}s, the database stopped at ${STOP_AT}s for ${OUTAGE}s"
start_load "$DURATION" 2 1
sleep "$STOP_AT"
stop_time=$(date +%s.%N)
pids=()
for n in 1 2 3; do  # Patroni itself (runuser's child) is asked to stop: it stops its PostgreSQL, fast mode
  pids+=("$(cat "$CLUSTER_DIR/pg/node$n.pid")")
  for child in $(ps -o pid= --ppid "$(cat "$CLUSTER_DIR/pg/node$n.pid")"); do kill -TERM "$child" 2>/dev/null || true; done
done
for p in "${pids[@]}"; do while kill -0 "$p" 2>/dev/null; do sleep 0.5; done; done
for n in 1 2 3; do rm -f "$CLUSTER_DIR/pg/node$n.pid"; done
log "database stopped (all three nodes) in $(python3 -c "import time; print(round(time.time() - $stop_time, 1))")s"
sleep 10
for i in 0 1; do
  h=$(curl -s -D - -o "$RUN_DIR/outage-${APP_NAMES[$i]}.json" --max-time 10 -H "Authorization: Bearer $token" \
      "http://127.0.0.1:${APP_PORTS[$i]}/api/inpatients" | tr -d '\r')
  code=$(echo "$h" | head -1 | awk '{print $2}'); ra=$(echo "$h" | awk -F': ' 'tolower($1) == "retry-after" {print $2}')
  [ "$code" = 503 ] && [ -n "$ra" ] && check ok "node ${APP_NAMES[$i]} during the outage: 503, Retry-After $ra, $(jq -r .type "$RUN_DIR/outage-${APP_NAMES[$i]}.json" | sed 's#.*/##')" \
    || check no "node ${APP_NAMES[$i]} during the outage: $code, Retry-After '${ra}'"
done
h=$(curl -s -D - -o /dev/null --max-time 10 -H "Authorization: Bearer $token" "$BASE_URL/api/inpatients" | tr -d '\r')
code=$(echo "$h" | head -1 | awk '{print $2}'); ra=$(echo "$h" | awk -F': ' 'tolower($1) == "retry-after" {print $2}')
[ "$code" = 503 ] && [ -n "$ra" ] && check ok "through HAProxy during the outage: 503, Retry-After $ra" || check no "through HAProxy: $code, Retry-After '${ra}'"
sleep "$(python3 -c "import time; print(max(0, $OUTAGE - (time.time() - $stop_time)))")"
start_time=$(date +%s.%N)
log "starting the database again"
"$(dirname "$0")/up.sh" --db-only >/dev/null 2>&1 || log "up.sh --db-only did not finish"
log "leader: $(leader_name) after $(python3 -c "import time; print(round(time.time() - $start_time, 1))")s"
wait "$LOAD_PID" || true
ev=$(after_event "$start_time"); echo "$ev" > "$RUN_DIR/after-start.json"
log "load: $(jq -c '{requests, write: .write.byStatus, read: .read.byStatus}' "$LOAD_SUMMARY")"
log "after the database came back: $ev"
out=$(python3 -c "
import json; rs=[json.loads(l) for l in open('$RUN_DIR/load.jsonl')]
o=[r for r in rs if $stop_time + 5 < r['start'] < $start_time]
print(len(o), sum(1 for r in o if r['status'] == 503), sum(1 for r in o if r['status'] == 503 and r.get('retryAfter')))")
read -r during d503 dra <<< "$out"
[ "$during" -gt 0 ] && [ "$during" = "$d503" ] && [ "$d503" = "$dra" ] && check ok "every request of the load during the outage: 503 with Retry-After ($d503 of $during)" \
  || check no "during the outage: $during requests, $d503 answered 503, $dra with Retry-After"
first=$(echo "$ev" | jq -r .firstWriteAfter)
[ "$first" != null ] && check ok "writes again ${first}s after the database was started (nodes not restarted)" || check no "no write succeeded after the database came back"
[ "$app_pids" = "$(cat "$CLUSTER_DIR/app/a/pid") $(cat "$CLUSTER_DIR/app/b/pid")" ] && kill -0 ${app_pids% *} && kill -0 ${app_pids#* } \
  && check ok "the Dossier nodes recovered alone (same processes: $app_pids)" || check no "a Dossier node was restarted or died"
read -r held acked < <(acked_held)
[ "$held" = "$acked" ] && check ok "acknowledged writes held: $held of $acked" || check no "acknowledged writes held: $held of $acked"
v=$(audit_verification)
[ "$(echo "$v" | jq -r .intact)" = true ] && check ok "audit chain intact: $(echo "$v" | jq -r .entriesChecked) entries" \
  || check no "audit chain: $(echo "$v" | jq -c '{firstBrokenSeq, problem}')"
finish
