#!/usr/bin/env bash
# Issue #5's figures: the release server under load on loopback (wrk, 32 connections), against
# the database's own ceiling on this machine (`pgbench -S -c 32`) measured in the same run on the
# same database, plus the server's peak RSS. Issue #7's: the same public GET with and without a
# bearer token (the token's verification is all that differs), and an owner reading their row. Needs wrk, pgbench, psql, curl and a PostgreSQL at
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
export JWT_SECRET="bench-secret-of-at-least-thirty-two-bytes"
ADMIN_TOKEN="$(cargo xtask token --sub 00000000-0000-0000-0000-000000000000 --role admin)"
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
INSERT INTO vbwd_tax_class (id, name, code, default_rate, is_default, created_at, updated_at, version)
SELECT gen_random_uuid(), 'class ' || i, 'C' || i, 19, false, now(), now(), 0 FROM generate_series(1, 10000) AS i;
ANALYZE vbwd_tax_class;
SQL
psql "$DB_URL" -tAc "SELECT id FROM vbwd_user" > "$WORK/ids"
psql "$DB_URL" -tAc "SELECT id FROM vbwd_tax_class" > "$WORK/tax_ids"
OWNER="$(psql "$DB_URL" -tAc "SELECT id FROM vbwd_user LIMIT 1")"
OWNER_TOKEN="$(cargo xtask token --sub "$OWNER" --role user)"
pgbench -i -q -s 10 "$DB_URL" >/dev/null 2>&1
# get.lua: random rows of a collection ($1 = id file, $2 = path, $3 = token or empty).
random_get() {
  cat <<LUA
local ids = {}
for line in io.lines("$1") do ids[#ids + 1] = line end
local headers = {}
if "$3" ~= "" then headers["Authorization"] = "Bearer $3" end
request = function() return wrk.format("GET", "$2/" .. ids[math.random(#ids)], headers) end
LUA
}
random_get "$WORK/ids" /api/v1/users "$ADMIN_TOKEN" > "$WORK/get.lua"
random_get "$WORK/tax_ids" /api/v1/tax_classes "" > "$WORK/public.lua"
random_get "$WORK/tax_ids" /api/v1/tax_classes "$ADMIN_TOKEN" > "$WORK/public_token.lua"

echo "## ceiling: pgbench -S -c 32 (select-only, simple protocol), ${DURATION}s"
pgbench -S -n -c 32 -j 2 -T "$DURATION" "$DB_URL" 2>/dev/null | grep -E "^(tps|latency average)"
load() { wrk -t 2 -c 32 -d "${DURATION}s" --latency "$@" | grep -E "Requests/sec|^ +(50|99)%|Non-2xx"; }
echo "## GET /api/v1/users/{random id} as admin (bearer token), wrk -c 32, ${DURATION}s"
load -s "$WORK/get.lua" "http://127.0.0.1:$PORT"
echo "## GET /api/v1/users?status=eq.ACTIVE&order=email&limit=50 as admin, wrk -c 32, ${DURATION}s"
load -H "Authorization: Bearer $ADMIN_TOKEN" "http://127.0.0.1:$PORT/api/v1/users?status=eq.ACTIVE&order=email&limit=50"
echo "## GET /api/v1/tax_classes/{random id}, public, no token, wrk -c 32, ${DURATION}s"
load -s "$WORK/public.lua" "http://127.0.0.1:$PORT"
echo "## GET /api/v1/tax_classes/{random id}, public, with a bearer token (verified), wrk -c 32, ${DURATION}s"
load -s "$WORK/public_token.lua" "http://127.0.0.1:$PORT"
echo "## GET /api/v1/users/{own id} as its owner (owner rule: key and owner in one query), wrk -c 32, ${DURATION}s"
load -H "Authorization: Bearer $OWNER_TOKEN" "http://127.0.0.1:$PORT/api/v1/users/$OWNER"
# A token registration issued: since #17 it holds to its account's state (checked per request,
# each subject's state remembered for a second). Run on a commit before #17 for the A side.
curl -fs -X POST -H 'content-type: application/json' -d '{"email":"bench@x.io","password":"bench password"}' \
  "http://127.0.0.1:$PORT/api/v1/auth/register" > "$WORK/registered"
SESSION_TOKEN="$(sed -E 's/.*"access_token":"([^"]+)".*/\1/' "$WORK/registered")"
SESSION_ID="$(psql "$DB_URL" -tAc "SELECT id FROM vbwd_user WHERE email = 'bench@x.io'")"
echo "## GET /api/v1/users/{own id} with the token registration issued (account state checked), wrk -c 32, ${DURATION}s"
load -H "Authorization: Bearer $SESSION_TOKEN" "http://127.0.0.1:$PORT/api/v1/users/$SESSION_ID"
echo "## server memory"
grep -E "VmHWM|VmRSS" "/proc/$server/status"
