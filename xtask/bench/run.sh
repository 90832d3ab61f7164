#!/usr/bin/env bash
# Reproduces the figures in BENCHMARKS.md: release build, whole-process wall time (hyperfine),
# and catalog round trips per `check` (transactions counted by pg_stat_database).
# Needs: hyperfine, psql, and a PostgreSQL server at $DATABASE_URL (default: the local one).
set -euo pipefail
cd "$(dirname "$0")/../.."
URL="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
BASE="${URL%/*}"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"; for d in bench_ref bench_1k; do psql "$URL" -qc "DROP DATABASE IF EXISTS $d WITH (FORCE)" >/dev/null 2>&1 || true; done' EXIT

cargo build --release -q -p xtask
X=target/release/xtask

echo "## generate"
for n in 1000 2000; do
  "$X" synth --entities "$n" --fields 15 --out "$WORK/s$n/model-spec" >/dev/null
done
hyperfine -N --warmup 3 --runs 30 \
  "$X generate" \
  "$X generate --root $WORK/s1000 --spec-dir $WORK/s1000/model-spec" \
  "$X generate --root $WORK/s2000 --spec-dir $WORK/s2000/model-spec"

echo "## check --database-url"
for d in bench_ref bench_1k; do
  psql "$URL" -qc "DROP DATABASE IF EXISTS $d WITH (FORCE)" -c "CREATE DATABASE $d" >/dev/null
done
psql "$BASE/bench_ref" -q -v ON_ERROR_STOP=1 -f tests/fixtures/vbwd_reference_schema.sql >/dev/null
"$X" migrate --database-url "$BASE/bench_1k" --migrations "$WORK/s1000/migrations" >/dev/null
REF="$X check --database-url $BASE/bench_ref"
K1="$X check --root $WORK/s1000 --spec-dir $WORK/s1000/model-spec --database-url $BASE/bench_1k"
hyperfine -N --warmup 3 --runs 30 "$REF" "$K1"

echo "## round trips per check (transactions seen by the server; independent of table count)"
for pair in "bench_ref|$REF" "bench_1k|$K1"; do
  db="${pair%%|*}"; cmd="${pair#*|}"
  q="SELECT xact_commit FROM pg_stat_database WHERE datname = '$db'"
  before=$(psql "$URL" -tAc "$q"); $cmd >/dev/null; sleep 1.5; after=$(psql "$URL" -tAc "$q")
  tables=$(psql "$BASE/$db" -tAc "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
  echo "$db: $tables tables, $((after - before)) transactions"
done

echo "## issue #3: repository get-by-id vs hand-written sqlx (same connection, same run)"
DATABASE_URL="$URL" cargo bench -q -p tests --bench get_by_id 2>/dev/null | tail -4

echo "## issue #3: build times of a generated crate for a 200-entity spec (debug)"
S="$WORK/s200"
"$X" synth --entities 200 --fields 15 --out "$S/model-spec" >/dev/null
"$X" generate --root "$S" --spec-dir "$S/model-spec" >/dev/null
ROOT="$(pwd)"
sed -e 's|^members = .*|members = ["generated"]|' -e "s|path = \"runtime\"|path = \"$ROOT/runtime\"|" \
    -e "s|path = \"codegen\"|path = \"$ROOT/codegen\"|" -e "s|path = \"runtime/wire\"|path = \"$ROOT/runtime/wire\"|" Cargo.toml > "$S/Cargo.toml"
cp Cargo.lock "$S/Cargo.lock"
export CARGO_TARGET_DIR="$S/target"
(cd "$S" && cargo build -q -p generated)              # dependencies (sqlx, …) built once
# The facade and its parts (generated/parts/*): a clean build of all the generated code.
(cd "$S" && cargo clean -q -p generated -p generated-enums $(for i in 0 1 2 3 4 5 6 7; do printf -- "-p generated-part%s " "$i"; done))
start=$(date +%s.%N); (cd "$S" && cargo build -q -p generated); end=$(date +%s.%N)
echo "clean build of the generated crate (dependencies built): $(echo "$end - $start" | bc) s"
sed -i 's/field_03: { type: /field_03: { nullable: true, type: /' "$S/model-spec/entities/thing00100.yaml"
"$X" generate --root "$S" --spec-dir "$S/model-spec" | tail -1
start=$(date +%s.%N); (cd "$S" && cargo build -q -p generated); end=$(date +%s.%N)
echo "incremental rebuild after changing one entity's spec: $(echo "$end - $start" | bc) s"
unset CARGO_TARGET_DIR
