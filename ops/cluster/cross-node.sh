#!/usr/bin/env bash
# Nothing a node keeps alone (issue 20, item 2), proved on the running cluster, each node called directly:
#  1. A shared budget and a freeze seen everywhere: one account's refused attempts (another facility's patients, 404)
#     alternate between node a and node b; the guard freezes at the 5th refusal in a minute whichever node counts it,
#     so the count is one; the next request, on the other node, is refused (its token was revoked with the freeze).
#  2. A session (token) made on node a works on node b.
#  3. Two nodes append to the audit chain at once (reads on both, in parallel): the entries of both nodes interleave
#     in one chain, and the chain verifies.
# Prints PASS or FAIL with figures; exits 0 on PASS. Bounded: about a minute. Needs ops/cluster/up.sh first.
set -euo pipefail
. "$(dirname "$0")/env.sh"
load_secrets
A="http://127.0.0.1:${APP_PORTS[0]}"; B="http://127.0.0.1:${APP_PORTS[1]}"
fail=0; report=()
check() { if [ "$1" = ok ]; then report+=("ok    $2"); else report+=("FAIL  $2"); fail=1; fi; }
status_of() { curl -s -o /dev/null -w '%{http_code}' --max-time 10 -H "Authorization: Bearer $1" "$2"; }

# A generated nurse of facility 1 not frozen yet (each run freezes one: the demo has about a hundred).
user=$(psql_su -tAc "select s.username from staff s join staff_role r on r.staff_id = s.id join staff_facility f on f.staff_id = s.id
  where r.role = 'NURSE' and f.facility_id = 1 and s.status = 'ACTIVE' and s.username <> 'nurse' order by s.id limit 1")
[ -n "$user" ] || die "no active generated nurse left: restart from a fresh cluster"
log "account under test: $user"
token=$(api_token "$user" "$A")
[ -n "$token" ] || { sleep 31; token=$(api_token "$user" "$A"); }
[ -n "$token" ] || die "no token for $user"

# 2. the token made on a, used on b
sa=$(status_of "$token" "$A/api/inpatients"); sb=$(status_of "$token" "$B/api/inpatients")
[ "$sa" = 200 ] && [ "$sb" = 200 ] && check ok "token made on node a: 200 on a, 200 on b" || check no "token made on node a: $sa on a, $sb on b"

# 1. refusals alternating between nodes until frozen
mapfile -t others < <(psql_su -tAc "select id from patient where facility_id = 2 order by id limit 8")
frozen_at=""; trace=""
for k in 0 1 2 3 4 5 6 7; do
  node=$([ $((k % 2)) = 0 ] && echo a || echo b); base=$([ "$node" = a ] && echo "$A" || echo "$B")
  body=$(curl -s --max-time 10 -w ' %{http_code}' -H "Authorization: Bearer $token" "$base/api/patients/${others[$k]}")
  code=${body##* }; type=$(echo "${body% *}" | jq -r '.type // empty' 2>/dev/null | sed 's#.*/##')
  trace+="$((k + 1)):$node=$code${type:+($type)} "
  if [ "$type" = account-frozen ]; then frozen_at=$((k + 1)); frozen_node=$node; break; fi
done
log "refusals: $trace"
if [ -n "$frozen_at" ]; then
  check ok "frozen at refusal $frozen_at (on node $frozen_node) counting refusals made on both nodes"
  other=$([ "$frozen_node" = a ] && echo "$B" || echo "$A"); other_name=$([ "$frozen_node" = a ] && echo b || echo a)
  t0=$(date +%s%N)
  s=$(status_of "$token" "$other/api/inpatients")
  ms=$(( ($(date +%s%N) - t0) / 1000000 ))
  [ "$s" = 401 ] || [ "$s" = 403 ] && check ok "next request on node $other_name refused: $s (answered in $ms ms)" \
    || check no "next request on node $other_name after the freeze: $s"
  st=$(psql_su -tAc "select status from staff where username = '$user'")
  [ "$st" = FROZEN ] && check ok "account status in the database: $st" || check no "account status: $st"
else
  check no "no freeze after 8 refusals alternating between nodes: $trace"
fi

# 3. two writers on one chain
before=$(psql_su -tAc "select last_seq from audit_head where id = 1")
nurse=$(cached_token nurse)
mapfile -t mine < <(curl -s -H "Authorization: Bearer $nurse" "$A/api/inpatients" | jq -r '.[].patientId' | head -6)
rids="$CLUSTER_DIR/tmp-request-ids"; : > "$rids"
hammer() {  # node name, base url: 60 chart-section reads, request ids kept
  local i pid
  for i in $(seq 1 60); do
    pid=${mine[$((i % ${#mine[@]}))]}
    curl -s -o /dev/null -D - --max-time 10 -H "Authorization: Bearer $nurse" "$2/api/patients/$pid/observations" \
      | tr -d '\r' | awk -v n="$1" 'tolower($1) == "x-request-id:" {print n, $2}' >> "$rids"
  done
}
hammer a "$A" & p1=$!; hammer a "$A" & p2=$!; hammer b "$B" & p3=$!; hammer b "$B" & p4=$!
wait $p1 $p2 $p3 $p4
after=$(psql_su -tAc "select last_seq from audit_head where id = 1")
# which node wrote each new entry, in chain order: count the switches between nodes along the chain
switches=$(psql_su -tAc "select seq || ' ' || coalesce(request_id, '-') from audit_entry where seq > $before order by seq" \
  | awk 'NR == FNR {node[$2] = $1; next} ($2 in node) {n = node[$2]; if (prev != "" && n != prev) s++; prev = n; c[n]++}
         END {printf "%d %d %d\n", s, c["a"], c["b"]}' "$rids" -)
read -r sw ca cb <<< "$switches"
log "entries $((before + 1))..$after: $ca by node a, $cb by node b, $sw switches between nodes along the chain"
[ "$ca" -gt 0 ] && [ "$cb" -gt 0 ] && [ "$sw" -gt 1 ] && check ok "both nodes appended at once: $ca entries by a, $cb by b, interleaved ($sw switches)" \
  || check no "interleaving not shown: $ca by a, $cb by b, $sw switches"
v=$(audit_verification)
[ "$(echo "$v" | jq -r .intact)" = true ] && check ok "audit chain verifies: $(echo "$v" | jq -r '.entriesChecked') entries, $(echo "$v" | jq -r '.checkpointsChecked') checkpoints" \
  || check no "audit chain: $(echo "$v" | jq -c '{firstBrokenSeq, problem}')"
rm -f "$rids"

printf '%s\n' "${report[@]}"
if [ $fail = 0 ]; then echo "PASS cross-node ($(date -u +%FT%TZ))"; else echo "FAIL cross-node"; exit 1; fi
