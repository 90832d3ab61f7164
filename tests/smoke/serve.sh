#!/usr/bin/env bash
# The real server binary, started the way users start it (`cargo xtask serve`): it becomes ready
# on a fresh database, stops on SIGTERM with exit 0, and an unreachable database is one line on
# stderr with exit 2. Needs psql and curl; DATABASE_URL names the server (default: local).
set -euo pipefail
cd "$(dirname "$0")/../.."
admin=${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}
db="smoke_serve_$$"
url="${admin%/*}/$db"
port=$((20000 + $$ % 20000))
log=$(mktemp)
psql "$admin" -qc "CREATE DATABASE $db"
trap 'psql "$admin" -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)"; rm -f "$log"' EXIT

cargo build --quiet --package generated
cargo xtask serve --database-url "$url" --bind "127.0.0.1:$port" >"$log" 2>&1 &
server=$!
for _ in $(seq 1 100); do
  curl -fs "http://127.0.0.1:$port/readyz" >/dev/null && break
  sleep 0.2
done
curl -fs "http://127.0.0.1:$port/readyz" | grep -q '"ready"' || { cat "$log"; echo "smoke: server never became ready"; exit 1; }
kill -TERM "$server"
code=0; wait "$server" || code=$?
[ "$code" -eq 0 ] || { cat "$log"; echo "smoke: exit $code after SIGTERM, expected 0"; exit 1; }
grep -q "stopped" "$log" || { cat "$log"; echo "smoke: no clean-stop log line"; exit 1; }

code=0; err=$(cargo xtask serve --database-url "postgres://postgres@127.0.0.1:1/nowhere" 2>&1 >/dev/null) || code=$?
[ "$code" -eq 2 ] || { echo "smoke: unreachable database gave exit $code, expected 2: $err"; exit 1; }
[ "$(printf '%s\n' "$err" | wc -l)" -eq 1 ] || { echo "smoke: expected one line, got: $err"; exit 1; }
echo "smoke: serve ready, SIGTERM exit 0, unreachable database exit 2 ($err)"
