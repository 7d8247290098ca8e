#!/usr/bin/env bash
# Fault (e): a rolling restart of the two Dossier nodes under a read and write load through HAProxy: each node in turn
# is drained in HAProxy (no new request), stopped gracefully (SIGTERM: in-flight requests finish, the audit writer
# flushes), started again, and put back once ready. Target: 0 failed requests beyond those in flight.
# Bounded: the load stops when both nodes are back (at most 8 minutes).
# Usage: ops/cluster/fault-rolling.sh     (the cluster up: ops/cluster/up.sh)
set -euo pipefail
. "$(dirname "$0")/faultlib.sh"
start_load 480 4 2
sleep 10
server_field() {  # server name, field name of "show stat" (scur: current sessions, status)
  haproxy_cmd "show stat" | awk -F, -v s="$1" -v f="$2" 'NR == 1 {for (i = 1; i <= NF; i++) if ($i == f || $i == "# " f) c = i}
    $1 == "dossier_nodes" && $2 == s {print $c}'
}
for i in 0 1; do
  name=${APP_NAMES[$i]}; t0=$(date +%s.%N)
  haproxy_cmd "set server dossier_nodes/$name state drain" >/dev/null
  t=0; while [ "$(server_field "$name" scur)" != 0 ] && [ $t -lt 20 ]; do sleep 0.5; t=$((t + 1)); done
  pid=$(cat "$CLUSTER_DIR/app/$name/pid")
  log "node $name drained ($(server_field "$name" scur) requests left); stopping it gracefully (pid $pid)"
  kill -TERM "$pid"
  t=0; while kill -0 "$pid" 2>/dev/null && [ $t -lt 60 ]; do sleep 0.5; t=$((t + 1)); done
  kill -0 "$pid" 2>/dev/null && { log "node $name did not stop in 30 s: SIGKILL"; kill -KILL "$pid"; }
  rm -f "$CLUSTER_DIR/app/$name/pid"
  stopped=$(python3 -c "import time; print(round(time.time() - $t0, 1))")
  DOSSIER_DEMO=false "$(dirname "$0")/up.sh" >/dev/null 2>&1 || die "node $name did not come back (see $CLUSTER_DIR/log/app-$name.log)"
  haproxy_cmd "set server dossier_nodes/$name state ready" >/dev/null
  t=0; until [ "$(server_field "$name" status)" = UP ] || [ $t -ge 60 ]; do sleep 0.5; t=$((t + 1)); done
  log "node $name back in HAProxy ($(server_field "$name" status)): stopped after ${stopped}s, $(python3 -c "import time; print(round(time.time() - $t0, 1))")s in all"
  check ok "node $name restarted: drained and stopped in ${stopped}s, back after $(python3 -c "import time; print(round(time.time() - $t0, 1))")s"
done
sleep 10
touch "$RUN_DIR/stop"; wait "$LOAD_PID" || true
log "load: $(jq -c '{requests, seconds, write: .write.byStatus, read: .read.byStatus}' "$LOAD_SUMMARY")"
ev=$(after_event "$(jq -r .t0 "$LOAD_SUMMARY")")
failed=$(echo "$ev" | jq -r .failed)
[ "$failed" = 0 ] && check ok "0 failed requests of $(jq -r .requests "$LOAD_SUMMARY") during the rolling restart" \
  || check no "$failed failed requests of $(jq -r .requests "$LOAD_SUMMARY"): $(echo "$ev" | jq -c .failedBy)"
read -r held acked < <(acked_held)
[ "$held" = "$acked" ] && check ok "acknowledged writes held: $held of $acked" || check no "acknowledged writes held: $held of $acked"
read -r obs audited unaudited < <(written_vs_audited)
failed_writes=$(jq -r '[.write.byStatus | to_entries[] | select(.key != "201") | .value] | add // 0' "$LOAD_SUMMARY")
[ "$unaudited" = 0 ] && [ $((audited - obs)) -ge 0 ] && [ $((audited - obs)) -le "$failed_writes" ] \
  && check ok "no half-written record: $obs records written (observations, notes), each patient's with its audit entries ($audited; $((audited - obs)) more: attempts audited whose write failed, of $failed_writes failed writes)" \
  || check no "records written $obs, audit entries $audited, patients with a record not audited: $unaudited, failed writes $failed_writes"
v=$(audit_verification)
[ "$(echo "$v" | jq -r .intact)" = true ] && check ok "audit chain intact: $(echo "$v" | jq -r .entriesChecked) entries" \
  || check no "audit chain: $(echo "$v" | jq -c '{firstBrokenSeq, problem}')"
finish
