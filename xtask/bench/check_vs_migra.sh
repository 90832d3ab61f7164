#!/usr/bin/env bash
# `check --database-url` against migra in one run (issue #15's speed target): the VBWD reference
# database and a 1,000-table one, each timed N times by a Python loop (no hyperfine here), migra
# comparing the reference database with itself (its introspection and diff, as check's).
# Needs: psql, python3 with venv (migra is installed into target/tools/migra-venv), a server at
# $DATABASE_URL (default: the local one). Usage: xtask/bench/check_vs_migra.sh [RUNS]
set -euo pipefail
cd "$(dirname "$0")/../.."
RUNS="${1:-20}"
URL="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
BASE="${URL%/*}"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"; for d in bench_ref bench_1k; do psql "$URL" -qc "DROP DATABASE IF EXISTS $d WITH (FORCE)" >/dev/null 2>&1 || true; done' EXIT

cargo build --release -q -p xtask
X=target/release/xtask
VENV=target/tools/migra-venv
if [ ! -x "$VENV/bin/migra" ]; then
  python3 -m venv "$VENV" && "$VENV/bin/pip" install -q "migra[pg]==3.0.1663481299" "psycopg2-binary==2.9.13"
fi

for d in bench_ref bench_1k; do
  psql "$URL" -qc "DROP DATABASE IF EXISTS $d WITH (FORCE)" -c "CREATE DATABASE $d" >/dev/null
done
psql "$BASE/bench_ref" -q -v ON_ERROR_STOP=1 -f tests/fixtures/vbwd_reference_schema.sql >/dev/null
"$X" synth --entities 1000 --fields 15 --out "$WORK/s1000/model-spec" >/dev/null
"$X" generate --root "$WORK/s1000" --spec-dir "$WORK/s1000/model-spec" >/dev/null
"$X" migrate --database-url "$BASE/bench_1k" --migrations "$WORK/s1000/migrations" >/dev/null

python3 - "$RUNS" "$X" "$BASE" "$WORK" "$VENV/bin/migra" <<'PY'
import statistics, subprocess, sys, time
runs, x, base, work, migra = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5]
pg = base.replace("postgres://", "postgresql://")
cases = {
    "check, VBWD reference": [x, "check", "--database-url", f"{base}/bench_ref"],
    # Without the last rendering of the generated files (XTASK_RENDER_CACHE=off): rendered again.
    "check, VBWD reference, cold": ["env", "XTASK_RENDER_CACHE=off", x, "check", "--database-url", f"{base}/bench_ref"],
    "check, 1,000 tables": [x, "check", "--root", f"{work}/s1000", "--spec-dir", f"{work}/s1000/model-spec", "--database-url", f"{base}/bench_1k"],
    "migra, VBWD reference": [migra, "--unsafe", f"{pg}/bench_ref", f"{pg}/bench_ref"],
}
results = {}
for _ in range(runs):  # interleaved, so the machine's noise falls on every case alike
    for name, cmd in cases.items():
        start = time.perf_counter()
        subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        results.setdefault(name, []).append(time.perf_counter() - start)
for name, times in results.items():
    print(f"{name}: median {statistics.median(times)*1000:.1f} ms, min {min(times)*1000:.1f} ms ({runs} runs)")
ratio = statistics.median(results["migra, VBWD reference"]) / statistics.median(results["check, VBWD reference"])
print(f"migra / check on the reference: {ratio:.1f}x")
cold = statistics.median(results["migra, VBWD reference"]) / statistics.median(results["check, VBWD reference, cold"])
print(f"migra / check on the reference, cold: {cold:.1f}x")
PY
