#!/usr/bin/env bash
# Issue #7's cost of auth on a GET, isolated: the same public rows read with and without a bearer
# token (so verification is all that differs), on one release server, in alternating wrk runs
# (-t 2 -c 32). Needs wrk, psql, curl and a PostgreSQL at $DATABASE_URL (default: the local one).
# D (seconds per run, default 10), ROUNDS (pairs, default 5).
set -euo pipefail
cd "$(dirname "$0")/../.."
URL="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
DB=bench_auth_ab
DB_URL="${URL%/*}/$DB"
PORT=18091
WORK="$(mktemp -d)"
server=""
trap '[ -n "$server" ] && kill "$server" 2>/dev/null; wait 2>/dev/null; psql "$URL" -qc "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null 2>&1; rm -rf "$WORK"' EXIT

cargo build --release -q -p generated
export JWT_SECRET="bench-secret-of-at-least-thirty-two-bytes"
TOKEN="$(cargo xtask token --sub 00000000-0000-0000-0000-000000000000 --role admin)"
psql "$URL" -qc "DROP DATABASE IF EXISTS $DB WITH (FORCE)" -c "CREATE DATABASE $DB"
DATABASE_URL="$DB_URL" BIND_ADDR="127.0.0.1:$PORT" LOG_LEVEL=warn target/release/vbwd-api &
server=$!
until curl -fs "http://127.0.0.1:$PORT/readyz" >/dev/null; do sleep 0.2; done
psql "$DB_URL" -q -v ON_ERROR_STOP=1 <<'SQL'
INSERT INTO vbwd_tax_class (id, name, code, default_rate, is_default, created_at, updated_at, version)
SELECT gen_random_uuid(), 'class ' || i, 'C' || i, 19, false, now(), now(), 0 FROM generate_series(1, 10000) AS i;
ANALYZE vbwd_tax_class;
SQL
psql "$DB_URL" -tAc "SELECT id FROM vbwd_tax_class" > "$WORK/ids"
for name in anonymous token; do
  auth=""; [ "$name" = token ] && auth="$TOKEN"
  cat > "$WORK/$name.lua" <<LUA
local ids = {}
for line in io.lines("$WORK/ids") do ids[#ids + 1] = line end
local headers = {}
if "$auth" ~= "" then headers["Authorization"] = "Bearer $auth" end
request = function() return wrk.format("GET", "/api/v1/tax_classes/" .. ids[math.random(#ids)], headers) end
LUA
done
total_a=0; total_t=0
for _ in $(seq 1 "${ROUNDS:-5}"); do
  a=$(wrk -t 2 -c 32 -d "${D:-10}s" -s "$WORK/anonymous.lua" "http://127.0.0.1:$PORT" | awk '/Requests\/sec/ { print int($2) }')
  t=$(wrk -t 2 -c 32 -d "${D:-10}s" -s "$WORK/token.lua" "http://127.0.0.1:$PORT" | awk '/Requests\/sec/ { print int($2) }')
  echo "no token $a req/s, with a token $t req/s"
  total_a=$((total_a + a)); total_t=$((total_t + t))
done
awk -v a="$total_a" -v t="$total_t" 'BEGIN { printf "token cost: %.1f %% of the requests per second (%d vs %d in total)\n", 100 * (a - t) / a, a, t }'
