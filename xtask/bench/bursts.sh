#!/usr/bin/env bash
# Issue #17's bursts on the release server, fresh database: 300 parallel registrations with a
# taken email, then 300 with new ones (status counts and the server's peak RSS), and a stranger's
# PATCH of another's row with a `password` (latency over 50 sequential requests: no hash may be
# spent on it). Needs curl, psql and a PostgreSQL at $DATABASE_URL (default: the local one).
set -euo pipefail
cd "$(dirname "$0")/../.."
URL="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
DB=bench_bursts
DB_URL="${URL%/*}/$DB"
PORT=18091
BASE="http://127.0.0.1:$PORT"
WORK="$(mktemp -d)"
server=""
trap '[ -n "$server" ] && kill "$server" 2>/dev/null; wait 2>/dev/null; psql "$URL" -qc "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null 2>&1; rm -rf "$WORK"' EXIT

cargo build --release -q -p generated
export JWT_SECRET="bench-secret-of-at-least-thirty-two-bytes"
psql "$URL" -qc "DROP DATABASE IF EXISTS $DB WITH (FORCE)" -c "CREATE DATABASE $DB"
DATABASE_URL="$DB_URL" BIND_ADDR="127.0.0.1:$PORT" LOG_LEVEL=error target/release/vbwd-api &
server=$!
until curl -fs "$BASE/readyz" >/dev/null; do sleep 0.2; done

register() { curl -s -o /dev/null -w '%{http_code}\n' -X POST -H 'content-type: application/json' \
  -d "{\"email\":\"$1\",\"password\":\"bench password\"}" "$BASE/api/v1/auth/register"; }
export -f register
export BASE
token_of() { curl -s -X POST -H 'content-type: application/json' -d "{\"email\":\"$1\",\"password\":\"bench password\"}" \
  "$BASE/api/v1/auth/register" | sed -E 's/.*"access_token":"([^"]+)".*/\1/'; }
token_of ann@x.io > /dev/null
echo "## peak RSS after one registration: $(grep VmHWM "/proc/$server/status" | awk '{print $2/1024 " MB"}')"
echo "## 300 parallel registrations of a taken email (status × count)"
seq 300 | xargs -P 300 -I{} bash -c 'register ann@x.io' | sort | uniq -c
echo "## 300 parallel registrations of new emails (status × count)"
seq 300 | xargs -P 300 -I{} bash -c 'register new{}@x.io' | sort | uniq -c
echo "## peak RSS after both bursts: $(grep VmHWM "/proc/$server/status" | awk '{print $2/1024 " MB"}')"

EVE="$(token_of eve@x.io)"
ANN_ID="$(psql "$DB_URL" -tAc "SELECT id FROM vbwd_user WHERE email = 'ann@x.io'")"
for _ in $(seq 50); do
  curl -s -o /dev/null -w '%{http_code} %{time_total}\n' -X PATCH -H 'content-type: application/json' \
    -H "Authorization: Bearer $EVE" -d '{"password":"another password"}' "$BASE/api/v1/users/$ANN_ID"
done > "$WORK/patches"
echo "## a stranger's PATCH with a password, 50 sequential: statuses, then median and max seconds"
cut -d' ' -f1 "$WORK/patches" | sort | uniq -c
cut -d' ' -f2 "$WORK/patches" | sort -n | awk '{t[NR]=$1} END {print "median " t[int((NR+1)/2)] " s, max " t[NR] " s"}'
