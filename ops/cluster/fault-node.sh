#!/usr/bin/env bash
# Fault (b): a Dossier node dies (SIGKILL) under a read and write load through HAProxy. Target: HAProxy sends
# everything to the other node within 5 s, the requests in flight fail cleanly (no record without its audit entry, no
# acknowledged write lost), sessions survive (the same token goes on working on the other node).
# Bounded: 50 s of load, then checks, then the killed node is started again.
# Usage: ops/cluster/fault-node.sh [a|b]   (default a; the cluster up: ops/cluster/up.sh)
set -euo pipefail
. "$(dirname "$0")/faultlib.sh"
victim=${1:-a}; DURATION=${DURATION:-50}; KILL_AT=${KILL_AT:-15}
pidfile="$CLUSTER_DIR/app/$victim/pid"; [ -f "$pidfile" ] || die "node $victim is not running"
log "load for ${DURATION}s through HAProxy, node $victim killed at ${KILL_AT}s"
start_load "$DURATION" 4 2
sleep "$KILL_AT"
kill_time=$(date +%s.%N)
kill -KILL "$(cat "$pidfile")"; rm -f "$pidfile"
log "killed Dossier node $victim (SIGKILL)"
wait "$LOAD_PID" || true
ev=$(after_event "$kill_time"); echo "$ev" > "$RUN_DIR/after-kill.json"
log "load: $(jq -c '{requests, write: .write.byStatus, read: .read.byStatus}' "$LOAD_SUMMARY")"
log "after the kill: $ev"
last=$(echo "$ev" | jq -r '.lastFailureAfter // 0'); failed=$(echo "$ev" | jq -r .failed)
python3 -c "import sys; sys.exit(0 if $last <= 5 else 1)" \
  && check ok "everything on the other node within ${last}s of the kill (last failed request; target <= 5 s): $failed failed, $(echo "$ev" | jq -c .failedBy)" \
  || check no "requests still failing ${last}s after the kill ($failed failed: $(echo "$ev" | jq -c .failedBy))"
read -r held acked < <(acked_held)
[ "$held" = "$acked" ] && check ok "acknowledged writes held: $held of $acked" || check no "acknowledged writes held: $held of $acked"
read -r obs audited unaudited < <(written_vs_audited)
failed_writes=$(jq -r '[.write.byStatus | to_entries[] | select(.key != "201") | .value] | add // 0' "$LOAD_SUMMARY")
[ "$unaudited" = 0 ] && [ $((audited - obs)) -ge 0 ] && [ $((audited - obs)) -le "$failed_writes" ] \
  && check ok "no half-written record: $obs records written (observations, notes), each patient's with its audit entries ($audited; $((audited - obs)) more: attempts audited whose write failed, of $failed_writes failed writes)" \
  || check no "records written $obs, audit entries $audited, patients with a record not audited: $unaudited, failed writes $failed_writes"
after=$(python3 -c "
import json; rs=[json.loads(l) for l in open('$RUN_DIR/load.jsonl')]
print(sum(1 for r in rs if r['start'] > $kill_time + 5 and r['status'] in (200, 201)), sum(1 for r in rs if r['start'] > $kill_time + 5 and r['status'] == 401))")
read -r ok_after unauth_after <<< "$after"
[ "$ok_after" -gt 0 ] && [ "$unauth_after" = 0 ] && check ok "session survived: the same token answered $ok_after requests on the other node, 0 refused as unknown" \
  || check no "session: $ok_after answered, $unauth_after refused (401) after the kill"
v=$(audit_verification)
[ "$(echo "$v" | jq -r .intact)" = true ] && check ok "audit chain intact: $(echo "$v" | jq -r .entriesChecked) entries" \
  || check no "audit chain: $(echo "$v" | jq -c '{firstBrokenSeq, problem}')"
log "starting node $victim again"
"$(dirname "$0")/up.sh" >/dev/null 2>&1 && check ok "node $victim back behind HAProxy" || check no "node $victim did not come back (see $CLUSTER_DIR/log/app-$victim.log)"
finish
