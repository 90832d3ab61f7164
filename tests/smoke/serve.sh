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
export JWT_SECRET="smoke-test-secret-of-at-least-32-bytes"
cargo xtask serve --database-url "$url" --bind "127.0.0.1:$port" >"$log" 2>&1 &
server=$!
# Up to a minute: `cargo xtask serve` may still link the binaries on a cold CI machine.
for _ in $(seq 1 300); do
  curl -fs "http://127.0.0.1:$port/readyz" >/dev/null && break
  sleep 0.2
done
curl -fs "http://127.0.0.1:$port/readyz" | grep -q '"ready"' || { cat "$log"; echo "smoke: server never became ready"; exit 1; }
api="http://127.0.0.1:$port/api/v1"
status() { curl -s -o /dev/null -w '%{http_code}' "$@"; }
[ "$(status "$api/users")" = 401 ] || { echo "smoke: anonymous list of users was not 401"; exit 1; }
token=$(curl -fs -H 'content-type: application/json' -d '{"email":"smoke@x.io","password":"correct horse"}' \
  "$api/auth/register" | sed -E 's/.*"access_token":"([^"]+)".*/\1/')
[ "$(status -H "authorization: Bearer $token" "$api/user_details")" = 200 ] || { echo "smoke: a registered user's token was refused"; exit 1; }
admin_token=$(cargo xtask token --sub 00000000-0000-0000-0000-000000000000 --role admin)
[ "$(status -H "authorization: Bearer $admin_token" "$api/users")" = 200 ] || { echo "smoke: cargo xtask token's admin token was refused"; exit 1; }
kill -TERM "$server"
code=0; wait "$server" || code=$?
[ "$code" -eq 0 ] || { cat "$log"; echo "smoke: exit $code after SIGTERM, expected 0"; exit 1; }
grep -q "stopped" "$log" || { cat "$log"; echo "smoke: no clean-stop log line"; exit 1; }

code=0; err=$(cargo xtask serve --database-url "postgres://postgres@127.0.0.1:1/nowhere" 2>&1 >/dev/null) || code=$?
[ "$code" -eq 2 ] || { echo "smoke: unreachable database gave exit $code, expected 2: $err"; exit 1; }
[ "$(printf '%s\n' "$err" | wc -l)" -eq 1 ] || { echo "smoke: expected one line, got: $err"; exit 1; }
code=0; err=$(JWT_SECRET= cargo xtask serve --database-url "$url" 2>&1 >/dev/null) || code=$?
[ "$code" -eq 2 ] && printf '%s' "$err" | grep -q JWT_SECRET || { echo "smoke: no JWT_SECRET gave exit $code: $err"; exit 1; }
echo "smoke: serve ready, 401 without a token, register + token work, SIGTERM exit 0, no database or no secret exit 2"
