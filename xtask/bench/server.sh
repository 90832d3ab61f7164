#!/usr/bin/env bash
# Issue #5's figures: the release server under load on loopback (wrk, 32 connections), against
# the database's own ceiling on this machine (`pgbench -S -c 32`) measured in the same run on the
# same database, plus the server's peak RSS. Needs wrk, pgbench, psql, curl and a PostgreSQL at
# $DATABASE_URL (default: the local one). DURATION (seconds per run, default 20), LOG_LEVEL (the
# server's, default warn: one log line per request is measured separately with LOG_LEVEL=info).
set -euo pipefail
cd "$(dirname "$0")/../.."
URL="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
DB=bench_api
DB_URL="${URL%/*}/$DB"
PORT=18090
DURATION="${DURATION:-20}"
WORK="$(mktemp -d)"
server=""
trap '[ -n "$server" ] && kill "$server" 2>/dev/null; wait 2>/dev/null; psql "$URL" -qc "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null 2>&1; rm -rf "$WORK"' EXIT

cargo build --release -q -p generated
psql "$URL" -qc "DROP DATABASE IF EXISTS $DB WITH (FORCE)" -c "CREATE DATABASE $DB"
DATABASE_URL="$DB_URL" BIND_ADDR="127.0.0.1:$PORT" LOG_LEVEL="${LOG_LEVEL:-warn}" target/release/vbwd-api &
server=$!
until curl -fs "http://127.0.0.1:$PORT/readyz" >/dev/null; do sleep 0.2; done

# 10,000 users (a third ACTIVE), and pgbench's own tables at scale 10, in the same database.
psql "$DB_URL" -q -v ON_ERROR_STOP=1 <<'SQL'
INSERT INTO vbwd_user (id, email, password_hash, status, role, has_used_trial, created_at, updated_at, version)
SELECT gen_random_uuid(), 'user' || i || '@example.com', 'h', (ARRAY['ACTIVE','PENDING','SUSPENDED'])[1 + i % 3]::userstatus,
       'USER', false, now(), now(), 0
FROM generate_series(1, 10000) AS i;
ANALYZE vbwd_user;
SQL
psql "$DB_URL" -tAc "SELECT id FROM vbwd_user" > "$WORK/ids"
pgbench -i -q -s 10 "$DB_URL" >/dev/null 2>&1
cat > "$WORK/get.lua" <<LUA
local ids = {}
for line in io.lines("$WORK/ids") do ids[#ids + 1] = line end
request = function() return wrk.format("GET", "/api/v1/users/" .. ids[math.random(#ids)]) end
LUA

echo "## ceiling: pgbench -S -c 32 (select-only, simple protocol), ${DURATION}s"
pgbench -S -n -c 32 -j 2 -T "$DURATION" "$DB_URL" 2>/dev/null | grep -E "^(tps|latency average)"
echo "## GET /api/v1/users/{random id}, wrk -c 32, ${DURATION}s"
wrk -t 2 -c 32 -d "${DURATION}s" --latency -s "$WORK/get.lua" "http://127.0.0.1:$PORT" | grep -E "Requests/sec|^ +(50|99)%|Non-2xx"
echo "## GET /api/v1/users?status=eq.ACTIVE&order=email&limit=50, wrk -c 32, ${DURATION}s"
wrk -t 2 -c 32 -d "${DURATION}s" --latency "http://127.0.0.1:$PORT/api/v1/users?status=eq.ACTIVE&order=email&limit=50" \
  | grep -E "Requests/sec|^ +(50|99)%|Non-2xx"
echo "## server memory"
grep -E "VmHWM|VmRSS" "/proc/$server/status"
