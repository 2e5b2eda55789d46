#!/usr/bin/env bash
# Load test against the running release server on a seeded database, signed in: the CISO dashboard, a
# contract page (a random contract per request), GET /api/v1/contracts and two reports. Prints requests/s,
# p50 and p99 latency, non-2xx answers and the server's peak private memory (RssAnon) for each, at two loads: a few clients
# (LATENCY_CONNECTIONS, for response times) and many (CONNECTIONS, for throughput; with a closed loop
# of 50 clients on 2 cores, latency is at least 50 / throughput whatever the server does).
#
#   benches/load.sh                                   # SQLite file in a temporary folder
#   benches/load.sh postgres://user@host/itaku_load   # an empty PostgreSQL database
#
# Environment: CONTRACTS (default 100000), VENDORS (CONTRACTS/10), DURATION (30s), CONNECTIONS (50),
# LATENCY_CONNECTIONS (4), PORT (8199). Installs wrk from Debian when it is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

CONTRACTS=${CONTRACTS:-100000}
VENDORS=${VENDORS:-$((CONTRACTS / 10))}
DURATION=${DURATION:-30s}
CONNECTIONS=${CONNECTIONS:-50}
LATENCY_CONNECTIONS=${LATENCY_CONNECTIONS:-4}
PORT=${PORT:-8199}
WORK=$(mktemp -d)
URL=${1:-sqlite://$WORK/load.db}
EMAIL=load@bench.itaku.example
PASSWORD=Kq7-Zeta-Harbor-2026-x

command -v wrk >/dev/null || { apt-get install -y wrk >/dev/null 2>&1 || { apt-get update >/dev/null && apt-get install -y wrk >/dev/null; }; }
cargo build --release --quiet
BIN=target/release/itaku

if "$BIN" --database-url "$URL" seed --vendors "$VENDORS" --contracts "$CONTRACTS" --seed 1 --json > "$WORK/seed.json" 2> "$WORK/seed.err"; then
  echo "seeded: $(tr -d '\n ' < "$WORK/seed.json")"
else
  grep -q 既にあります "$WORK/seed.err" || { cat "$WORK/seed.err"; exit 1; }
  echo "seed 1 already loaded"
fi
printf '%s\n' "$PASSWORD" | "$BIN" --database-url "$URL" user add --email "$EMAIL" --role admin --password-stdin >/dev/null 2>&1 || true

# The administrator signs in with a password alone: a second factor is not what is measured here.
ITAKU_MFA_REQUIRED_ROLES='[]' ROCKET_PORT=$PORT ROCKET_SECRET_KEY=$(head -c 32 /dev/urandom | base64) ROCKET_LOG_LEVEL=critical \
  "$BIN" --database-url "$URL" serve > "$WORK/server.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true; rm -rf "$WORK"' EXIT
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.2; done

JAR=$WORK/cookies
curl -s -c "$JAR" -b "$JAR" "http://127.0.0.1:$PORT/login" > "$WORK/login.html"
TOKEN=$(grep -o 'name="csrf_token" value="[^"]*"' "$WORK/login.html" | head -1 | sed 's/.*value="//;s/"$//')
curl -s -c "$JAR" -b "$JAR" -o /dev/null --data-urlencode "email=$EMAIL" --data-urlencode "password=$PASSWORD" \
  --data-urlencode "csrf_token=$TOKEN" "http://127.0.0.1:$PORT/login"
COOKIE=$(awk '$6 == "itaku_session" { print $6 "=" $7 }' "$JAR" | tail -1)
[ "$(curl -s -o /dev/null -w '%{http_code}' -H "Cookie: $COOKIE" "http://127.0.0.1:$PORT/dashboard")" = 200 ] \
  || { echo "could not sign in"; exit 1; }

cat > "$WORK/contract.lua" <<LUA
math.randomseed(7)
request = function()
  return wrk.format("GET", "/contracts/" .. math.random(1, $CONTRACTS))
end
LUA

peak_rss() {
  local peak=0 rss
  while kill -0 "$1" 2>/dev/null; do
    # The server's own memory: RssAnon. SQLite's memory-mapped database file counts in RSS once per
    # connection but is the kernel's page cache, shared and reclaimable.
    rss=$(awk '/^RssAnon:/ { print $2 }' "/proc/$SERVER/status" 2>/dev/null) || true
    [ -n "$rss" ] && [ "$rss" -gt "$peak" ] && peak=$rss
    sleep 0.5
  done
  echo $((peak / 1024))
}

for clients in "$LATENCY_CONNECTIONS" "$CONNECTIONS"; do
printf '\n%s connections, %s per endpoint\n' "$clients" "$DURATION"
printf '%-28s %10s %10s %10s %8s %9s\n' endpoint "req/s" p50 p99 non-2xx "anon MB"
for target in "/dashboard" "contract" "/api/v1/contracts" "/api/v1/reports/kpi" "/api/v1/reports/retention"; do
  args=(-t2 "-c$clients" "-d$DURATION" --latency --timeout 30s -H "Cookie: $COOKIE")
  [ "$target" = contract ] && args+=(-s "$WORK/contract.lua")
  path=$target; [ "$target" = contract ] && path=/
  wrk "${args[@]}" "http://127.0.0.1:$PORT$path" > "$WORK/wrk.out" &
  WRK=$!
  rss=$(peak_rss $WRK)
  wait $WRK
  rps=$(awk '/Requests\/sec/ { print $2 }' "$WORK/wrk.out")
  p50=$(awk '$1 == "50%" { print $2 }' "$WORK/wrk.out")
  p99=$(awk '$1 == "99%" { print $2 }' "$WORK/wrk.out")
  bad=$(awk '/Non-2xx/ { print $5 }' "$WORK/wrk.out"); bad=${bad:-0}
  errors=$(awk '/Socket errors/ { print $0 }' "$WORK/wrk.out")
  name=$target; [ "$target" = contract ] && name="/contracts/{random}"
  printf '%-28s %10s %10s %10s %8s %9s %s\n' "$name" "$rps" "$p50" "$p99" "$bad" "$rss" "$errors"
  # Let requests still queued in the server finish before the next endpoint is measured.
  until curl -sf -m 1 -o /dev/null -H "Cookie: $COOKIE" "http://127.0.0.1:$PORT/api/v1/me"; do sleep 1; done
  sleep 5
done
done
