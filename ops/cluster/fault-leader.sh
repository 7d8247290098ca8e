#!/usr/bin/env bash
# Fault (a): the PostgreSQL leader dies (Patroni and PostgreSQL SIGKILLed at once) under a write and read load through
# HAProxy. Target: writes resume within 30 s, no acknowledged write lost, the audit chain intact.
# Bounded: 75 s of load, then checks, then the killed node is started again (it rejoins as a replica).
# Usage: ops/cluster/fault-leader.sh      (the cluster up: ops/cluster/up.sh)
set -euo pipefail
. "$(dirname "$0")/faultlib.sh"
DURATION=${DURATION:-75}; KILL_AT=${KILL_AT:-15}

leader=$(leader_name); [ -n "$leader" ] || die "no leader"
n=${leader#node}
sync=$(curl -s "http://127.0.0.1:${PATRONI_PORTS[0]}/cluster" | jq -r '[.members[] | select(.role == "sync_standby") | .name] | join(",")')
log "leader $leader, synchronous standby $sync; load for ${DURATION}s, leader killed at ${KILL_AT}s"
start_load "$DURATION" 4 2
sleep "$KILL_AT"
kill_time=$(date +%s.%N)
kill_pg_node "$n"
log "killed $leader (Patroni and PostgreSQL, SIGKILL)"
t=0; new=""
while [ -z "$new" ] || [ "$new" = "$leader" ]; do
  sleep 0.5; t=$((t + 1)); new=$(leader_name); if [ $t -ge 120 ]; then break; fi
done
promoted=$(python3 -c "import time; print(round(time.time() - $kill_time, 1))")
log "new leader: ${new:-none} after ${promoted}s"
wait "$LOAD_PID" || true
ev=$(after_event "$kill_time"); echo "$ev" > "$RUN_DIR/after-kill.json"
first=$(echo "$ev" | jq -r .firstWriteAfter)
read -r held acked < <(acked_held)
[ -n "$new" ] && [ "$new" != "$leader" ] && check ok "new leader $new (was the synchronous standby: $sync) ${promoted}s after the kill" \
  || check no "no new leader"
# The outage as the users saw it: the longest time without a successful write, around the kill.
gap=$(jq -r .write.longestGapSeconds "$LOAD_SUMMARY"); gap_at=$(jq -r .write.longestGapFrom "$LOAD_SUMMARY")
python3 -c "import sys; sys.exit(0 if $gap <= 30 else 1)" \
  && check ok "writes interrupted ${gap}s (longest time without a successful write, from ${gap_at}s into the load; leader killed at ${KILL_AT}s; target <= 30 s)" \
  || check no "writes interrupted ${gap}s (target <= 30 s)"
[ "$held" = "$acked" ] && check ok "acknowledged writes held by the new leader: $held of $acked (0 lost)" \
  || check no "acknowledged writes held: $held of $acked ($((acked - held)) LOST)"
read -r obs audited unaudited < <(written_vs_audited)
failed_writes=$(jq -r '[.write.byStatus | to_entries[] | select(.key != "201") | .value] | add // 0' "$LOAD_SUMMARY")
[ "$unaudited" = 0 ] && [ $((audited - obs)) -ge 0 ] && [ $((audited - obs)) -le "$failed_writes" ] \
  && check ok "no half-written record: $obs records written (observations, notes), each patient's with its audit entries ($audited; $((audited - obs)) more: attempts audited whose write failed, of $failed_writes failed writes)" \
  || check no "records written $obs, audit entries $audited, patients with a record not audited: $unaudited, failed writes $failed_writes"
v=$(audit_verification)
[ "$(echo "$v" | jq -r .intact)" = true ] && check ok "audit chain intact: $(echo "$v" | jq -r .entriesChecked) entries, $(echo "$v" | jq -r .checkpointsChecked) checkpoints" \
  || check no "audit chain: $(echo "$v" | jq -c '{firstBrokenSeq, problem}')"
log "starting $leader again (rejoins as a replica)"
"$(dirname "$0")/up.sh" >/dev/null 2>&1 || log "up.sh did not finish: see $CLUSTER_DIR/log"
t=0; until [ "$(curl -s "http://127.0.0.1:${PATRONI_PORTS[$((n - 1))]}/cluster" | jq -r "[.members[] | select(.name == \"$leader\") | .state] | .[0]")" = running ] \
  || [ "$(curl -s "http://127.0.0.1:${PATRONI_PORTS[$((n - 1))]}/cluster" | jq -r "[.members[] | select(.name == \"$leader\") | .state] | .[0]")" = streaming ]; do
  sleep 1; t=$((t + 1)); if [ $t -ge 90 ]; then break; fi
done
check ok "$leader back in the cluster after ${t}s: $(patronictl -c "$CLUSTER_DIR/pg/node1.yml" list -f json 2>/dev/null | jq -c 'map({(.Member): .Role}) | add')"
finish
