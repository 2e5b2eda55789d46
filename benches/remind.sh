#!/usr/bin/env bash
# `itaku remind` at prefecture scale: seeds 100,000 contracts (10,000 vendors, each with a contact
# address, an officer per department and a CISO), then times a dry run and a real run through a local
# SMTP server (tests/smtp/smtp_sink.py), with peak memory from /usr/bin/time.
#   bash benches/remind.sh [CONTRACTS]          (REMIND_SEND=0: the dry run only)
set -euo pipefail
cd "$(dirname "$0")/.."
contracts="${1:-100000}"
work="$(mktemp -d)"
trap 'kill "${sink:-0}" 2>/dev/null || true; rm -rf "$work"' EXIT
db="sqlite://$work/remind.db"
bin=target/release/itaku
cargo build --release --quiet
"$bin" --database-url "$db" migrate >/dev/null
"$bin" --database-url "$db" seed --vendors $((contracts / 10)) --contracts "$contracts" --json >/dev/null
python3 - "$work/remind.db" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
db.execute("UPDATE vendors SET email = 'vendor' || id || '@vendor.example.jp'")
db.commit()
PY
python3 -c "import sqlite3; print('\n'.join(r[0] for r in sqlite3.connect('$work/remind.db').execute('SELECT name FROM departments')))" |
while IFS= read -r department; do
  "$bin" --database-url "$db" user add --email "officer-$(echo "$department" | md5sum | cut -c1-8)@city.example.jp" \
    --role officer --department "$department" >/dev/null
done
"$bin" --database-url "$db" user add --email ciso@city.example.jp --role ciso >/dev/null
port=$(python3 -c "import socket; s=socket.socket(); s.bind(('127.0.0.1',0)); print(s.getsockname()[1])")
mkdir -p "$work/mail"
python3 tests/smtp/smtp_sink.py --port "$port" --dir "$work/mail" > "$work/sink.log" & sink=$!
sleep 1
export ITAKU_SMTP_URL="smtp://127.0.0.1:$port" ITAKU_MAIL_FROM=itaku@city.example.jp ITAKU_PUBLIC_URL=https://itaku.city.example.jp
as_of=$(date -u +%F)
echo "== dry run at $contracts contracts"
/usr/bin/time -f "%e s, peak RSS %M KiB" "$bin" --database-url "$db" remind --as-of "$as_of" --dry-run --json > "$work/dry.json"
python3 -c "import json; r=json.load(open('$work/dry.json')); print('would send', len(r['messages']))"
if [ "${REMIND_SEND:-1}" = 0 ]; then exit 0; fi
echo "== real run (messages to the local SMTP server)"
/usr/bin/time -f "%e s, peak RSS %M KiB" "$bin" --database-url "$db" remind --as-of "$as_of" --json > "$work/real.json"
python3 -c "import json; r=json.load(open('$work/real.json')); print('queued', r['queued'], 'sent', r['sent'], 'failed', r['failed'], 'pending', r['pending'])"
echo "received $(ls "$work/mail" | grep -c json) messages"
echo "== the same day again (nothing new)"
/usr/bin/time -f "%e s, peak RSS %M KiB" "$bin" --database-url "$db" remind --as-of "$as_of" --json | python3 -c "import json,sys; r=json.load(sys.stdin); print('queued', r['queued'], 'sent', r['sent'])"
