#!/bin/bash
# Usage: DB=bench.db benches/reports_after_change.sh  (or URL=postgres://…); PATHS, REPEAT, WARMUP and BIN are optional.
# WARMUP: requests of each path (each after a change) made and not timed first; a fresh server's first
# requests prepare every statement on each of its pooled connections.
# The database is seeded beforehand (`itaku seed`); a new administrator is added for each run.
# Each report right after a change, then once kept. A change is made from outside the server as a
# write commits one: the data version moves, and so do the versions of the tables named in CHANGED
# (default: every table, so nothing kept is reused; "checklist_standings" is what a check sheet's
# upload changes, "audit_standings" an audit report's, "contract_standings" a deletion certificate's);
# a standings table changed (and contracts, from migration 0041) is noted as touched by one contract.
BIN=${BIN:-target/release/itaku}; DB=${DB:-bench.db}; URL=${URL:-sqlite://$DB}; PORT=18777
EMAIL=bench-$$@example.jp; PASSWORD=$(head -c 18 /dev/urandom | base64)
TABLES=$(for t in ${CHANGED:-}; do printf "'%s'," $t; done)
WHICH=${CHANGED:+"WHERE name IN (${TABLES%,})"}
CHANGE="UPDATE table_versions SET version = version + 1 $WHICH; UPDATE audit_chain_head SET data_version = data_version + 1"
sql() { if [[ $URL == postgres* ]]; then psql "$URL" -qAtc "$1"; else sqlite3 $DB "$1"; fi; }
touch_one() {
  local contract=$RANDOM
  for t in ${CHANGED:-contract_standings audit_standings checklist_standings}; do
    [[ -n $TOUCHES && ( $t == *_standings || ( -n $CONTRACT_TOUCHES && $t == contracts ) ) ]] || continue
    printf "INSERT INTO standing_touches (name, version, department_id, vendor_id%s) SELECT '%s', (SELECT version FROM table_versions WHERE name = '%s'), department_id, vendor_id%s FROM contracts WHERE id = (SELECT MIN(id) FROM contracts) + %d;" "${CONTRACT_TOUCHES:+, contract_id}" $t $t "${CONTRACT_TOUCHES:+, id}" $contract
  done
}
bump() { sql "BEGIN; $CHANGE; $(touch_one) COMMIT" >/dev/null; }
printf '%s\n' "$PASSWORD" | $BIN --database-url $URL user add --email $EMAIL --role admin --password-stdin >/dev/null
# A write to a standings table notes the department and vendor of the contract it changed (migration 0040).
TOUCHES=$(sql "SELECT COUNT(*) FROM standing_touches" 2>/dev/null)
# … and, with the contract (migration 0041), a write to contracts does the same.
CONTRACT_TOUCHES=$(sql "SELECT COUNT(contract_id) FROM standing_touches" 2>/dev/null)
ITAKU_MFA_REQUIRED_ROLES='[]' ROCKET_PORT=$PORT ROCKET_SECRET_KEY=$(head -c 32 /dev/urandom | base64) ROCKET_LOG_LEVEL=critical \
  $BIN --database-url $URL serve > ${TMPDIR:-/tmp}/itaku-reports-server.log 2>&1 &
SERVER=$!
trap 'kill $SERVER' EXIT
for _ in $(seq 1 600); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.2; done
JAR=${TMPDIR:-/tmp}/itaku-reports-cookies; rm -f $JAR
curl -s -c $JAR -b $JAR "http://127.0.0.1:$PORT/login" > ${TMPDIR:-/tmp}/itaku-reports-login.html
TOKEN=$(grep -o 'name="csrf_token" value="[^"]*"' ${TMPDIR:-/tmp}/itaku-reports-login.html | head -1 | sed 's/.*value="//;s/"$//')
curl -s -c $JAR -b $JAR -o /dev/null --data-urlencode "email=$EMAIL" --data-urlencode "password=$PASSWORD" --data-urlencode "csrf_token=$TOKEN" "http://127.0.0.1:$PORT/login"
curl -s -b $JAR -o /dev/null "http://127.0.0.1:$PORT/dashboard"
( peak=0; while kill -0 $SERVER 2>/dev/null; do a=$(awk '/RssAnon/{print $2}' /proc/$SERVER/status 2>/dev/null); [ -n "$a" ] && [ "$a" -gt "$peak" ] && peak=$a && echo $peak > ${TMPDIR:-/tmp}/itaku-reports-anon.peak; sleep 0.05; done ) &
for path in ${PATHS:-/api/v1/reports/kpi /api/v1/reports/retention /api/v1/reports/audits /api/v1/reports/certifications /api/v1/reports/checklists /api/v1/reports/incidents /api/v1/reports/all /dashboard}; do
  for i in $(seq 1 ${WARMUP:-0}); do bump; curl -s -b $JAR -o /dev/null "http://127.0.0.1:$PORT$path"; done
  times=""; ticks=$(awk '{print $14 + $15}' /proc/$SERVER/stat)
  for i in $(seq 1 ${REPEAT:-5}); do
    bump
    t=$(curl -s -b $JAR -o ${TMPDIR:-/tmp}/itaku-reports-out -w "%{http_code}:%{time_total}" "http://127.0.0.1:$PORT$path")
    times="$times $t"
  done
  cpu=$(( ($(awk '{print $14 + $15}' /proc/$SERVER/stat) - ticks) * 1000 / $(getconf CLK_TCK) ))
  k=$(curl -s -b $JAR -o ${TMPDIR:-/tmp}/itaku-reports-out -w "%{time_total}" "http://127.0.0.1:$PORT$path")
  echo "$path after-change:$times kept:$k server-cpu-ms:$cpu ($(stat -c %s ${TMPDIR:-/tmp}/itaku-reports-out) bytes)"
done
echo "peak RssAnon $(( $(cat ${TMPDIR:-/tmp}/itaku-reports-anon.peak) / 1024 )) MiB, $(grep VmHWM /proc/$SERVER/status)"
