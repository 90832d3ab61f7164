#!/usr/bin/env bash
# Issue #16's figure: a nearest-neighbour list (10 of ROWS rows of vector(768), cosine, HNSW)
# through the API, against the same query run by pgbench with prepared statements on as many
# connections as the server's pool, in the same run on the same database.
#
# The CDSA specs become a workspace with `cargo xtask new` (its release server is what is
# measured) on PostgreSQL 18 with pgvector: the one the tests install under target/tools/pg18
# (`cargo test -p tests --test cdsa` installs it). Needs wrk, pgbench, psql and curl.
# ROWS (default 100000), DURATION (seconds per run, default 20), CONNECTIONS (default 8: the
# server's pool and pgbench's clients; wrk opens twice as many).
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT="$PWD"
ROWS="${ROWS:-100000}"
DURATION="${DURATION:-20}"
CONNECTIONS="${CONNECTIONS:-8}"
PORT=55487
API_PORT=18091
BIN="$ROOT/target/tools/pg18/pgserver/pginstall/bin"
[ -x "$BIN/postgres" ] || { echo "no PostgreSQL 18 under target/tools/pg18: run cargo test -p tests --test cdsa first" >&2; exit 2; }
WORK="$(mktemp -d)"
chmod 755 "$WORK"
server=""
cleanup() {
  [ -n "$server" ] && kill "$server" 2>/dev/null
  wait 2>/dev/null || true
  runuser -u postgres -- "$BIN/pg_ctl" -D "$WORK/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT

mkdir "$WORK/data" && chown postgres:postgres "$WORK/data"
runuser -u postgres -- "$BIN/initdb" -D "$WORK/data" -U postgres --auth=trust >/dev/null
runuser -u postgres -- "$BIN/pg_ctl" -D "$WORK/data" -l "$WORK/data/log" -w \
  -o "-p $PORT -k /tmp -c shared_buffers=1GB -c maintenance_work_mem=1GB -c max_connections=100" start >/dev/null
URL="postgres://postgres@127.0.0.1:$PORT/cdsa"
psql "postgres://postgres@127.0.0.1:$PORT/postgres" -qc "CREATE DATABASE cdsa"

# The CDSA schema migrated, then made a workspace of its own.
cargo build --release -q -p xtask
XTASK="$ROOT/target/release/xtask"
mkdir "$WORK/specs" && cp -r tests/fixtures/cdsa/model-spec "$WORK/specs/"
"$XTASK" generate --root "$WORK/specs" >/dev/null
"$XTASK" migrate --database-url "$URL" --migrations "$WORK/specs/migrations" >/dev/null
# A database made some other way, as `new` expects one: no migrations recorded.
psql "$URL" -qc "DROP TABLE _sqlx_migrations"
echo "## $ROWS chunks of vector(768), and the HNSW index (cosine, m = 16, ef_construction = 64)"
psql "$URL" -q -v ON_ERROR_STOP=1 <<SQL
SELECT setseed(0.16);
INSERT INTO app_user (id, created_at, email, password_hash, role) VALUES ('00000000-0000-0000-0000-000000000001', now(), 'a@x.io', 'h', 'USER');
INSERT INTO document (id, created_at, owner_id, title) VALUES ('00000000-0000-0000-0000-000000000002', now(), '00000000-0000-0000-0000-000000000001', 'd');
DROP INDEX ix_chunk_embedding;
INSERT INTO chunk (id, created_at, document_id, position, content, embedding)
SELECT gen_random_uuid(), now(), '00000000-0000-0000-0000-000000000002', n, 'chunk ' || n,
       (SELECT array_agg(random()::real - 0.5) FROM generate_series(1, 768) WHERE n > 0)::vector
FROM generate_series(1, $ROWS) n;
SET max_parallel_maintenance_workers = 1;
CREATE INDEX ix_chunk_embedding ON chunk USING hnsw (embedding vector_cosine_ops) WITH (m = 16, ef_construction = 64);
VACUUM ANALYZE chunk;
SQL
"$XTASK" new "$WORK/app" --database-url "$URL" > "$WORK/new.log" 2>&1 || { cat "$WORK/new.log" >&2; exit 1; }
(cd "$WORK/app" && CARGO_TARGET_DIR="$ROOT/target/projects" cargo build --release -q -p generated)
API="$ROOT/target/projects/release/$(sed -n '/\[\[bin\]\]/,/^path/s/^name = "\(.*\)"/\1/p' "$WORK/app/generated/Cargo.toml")"
export JWT_SECRET="bench-secret-of-at-least-thirty-two-bytes"
TOKEN="$("$XTASK" token --sub 00000000-0000-0000-0000-000000000001 --role admin)"
DATABASE_URL="$URL" BIND_ADDR="127.0.0.1:$API_PORT" DB_POOL_SIZE="$CONNECTIONS" LOG_LEVEL=warn "$API" &
server=$!
until curl -fs "http://127.0.0.1:$API_PORT/readyz" >/dev/null; do sleep 0.2; done

# One fixed query vector; the same statement for both (every column, as the API returns).
VECTOR="$(psql "$URL" -tAc "SELECT embedding::text FROM chunk WHERE position = 4242 % $ROWS + 1")"
VECTOR="$(python3 -c "import sys, json; print(json.dumps([round(x + 0.01, 4) for x in json.loads(sys.argv[1])], separators=(',', ':')))" "$VECTOR")"
COLUMNS="$(psql "$URL" -tAc "SELECT string_agg(quote_ident(attname), ', ' ORDER BY attnum) FROM pg_attribute WHERE attrelid = 'chunk'::regclass AND attnum > 0 AND NOT attisdropped")"
echo "SELECT $COLUMNS FROM chunk ORDER BY embedding <=> '$VECTOR' LIMIT 10;" > "$WORK/nearest.sql"
QUERY="order=embedding.cosine.$(python3 -c "import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=''))" "$VECTOR")&limit=10"
cat > "$WORK/nearest.lua" <<LUA
wrk.headers["Authorization"] = "Bearer $TOKEN"
request = function() return wrk.format("GET", "/api/v1/chunks?$QUERY") end
LUA
EXPLAIN="$(psql "$URL" -tAc "EXPLAIN $(cat "$WORK/nearest.sql")" | grep -o "Index Scan using [a-z_]*" || true)"
echo "plan: ${EXPLAIN:-no index scan}"
same="$(curl -fs -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$API_PORT/api/v1/chunks?$QUERY" | python3 -c "import sys, json; print(','.join(str(c['position']) for c in json.load(sys.stdin)))")"
sql="$(psql "$URL" -tAc "SELECT string_agg(position::text, ',') FROM ($(sed 's/;$//' "$WORK/nearest.sql")) t")"
[ "$same" = "$sql" ] || { echo "the API and SQL disagree: $same vs $sql" >&2; exit 1; }

echo "## pgbench -M prepared -c $CONNECTIONS, the same statement, ${DURATION}s"
pgbench -n -M prepared -c "$CONNECTIONS" -j 2 -T "$DURATION" -f "$WORK/nearest.sql" "$URL" 2>/dev/null | grep -E "^(tps|latency average)"
echo "## GET /api/v1/chunks?order=embedding.cosine.[…]&limit=10, wrk -c $((CONNECTIONS * 2)), pool $CONNECTIONS, ${DURATION}s"
wrk -t 2 -c $((CONNECTIONS * 2)) -d "${DURATION}s" --latency -s "$WORK/nearest.lua" "http://127.0.0.1:$API_PORT" \
  | grep -E "Requests/sec|^ +(50|99)%|Non-2xx"
