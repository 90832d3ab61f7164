#!/usr/bin/env bash
# `generate`'s wall time, this tree against an earlier commit, alternating in the same run (the
# machine is noisy: compare the ratio, not the absolute figures). Usage: compare_generate.sh BASE
# (e.g. 7f4ca2e, the commit before issue #14). Builds both release binaries; needs python3.
set -euo pipefail
cd "$(dirname "$0")/../.."
BASE="${1:?usage: compare_generate.sh BASE_COMMIT}"
WORK="$(mktemp -d)"
trap 'git worktree remove --force "$WORK/base" >/dev/null 2>&1 || true; rm -rf "$WORK"' EXIT
cargo build --release -q -p xtask
git worktree add -q "$WORK/base" "$BASE"
(cd "$WORK/base" && CARGO_TARGET_DIR="${BASE_TARGET:-$WORK/target}" cargo build --release -q -p xtask)
NEW="$(pwd)/target/release/xtask"; OLD="${BASE_TARGET:-$WORK/target}/release/xtask"
for who in new old; do
  X=$NEW; [ "$who" = old ] && X=$OLD
  "$X" synth --entities 1000 --fields 15 --out "$WORK/$who/model-spec" >/dev/null
  "$X" generate --root "$WORK/$who" --spec-dir "$WORK/$who/model-spec" >/dev/null
done
python3 - "$NEW" "$OLD" "$WORK" "$(pwd)" <<'PY'
import statistics, subprocess, sys, time
new, old, work, here = sys.argv[1:5]
def run(args, cwd):
    t = time.perf_counter()
    subprocess.run(args, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    return time.perf_counter() - t
def bench(label, a_cmd, b_cmd, runs):
    a, b = [], []
    for i in range(runs + 3):
        x, y = run(*a_cmd), run(*b_cmd)
        if i >= 3:
            a.append(x); b.append(y)
    ms = lambda v: f"{statistics.mean(v) * 1000:.1f} ms ± {statistics.stdev(v) * 1000:.1f}"
    print(f"{label}: now {ms(a)}, base {ms(b)}, ratio {statistics.mean(a) / statistics.mean(b):.2f}")
bench("generate VBWD (nothing to write)", ([new, "generate"], here), ([old, "generate"], f"{work}/base"), 30)
bench("generate 1000 x 15 (nothing to write)",
      ([new, "generate", "--root", f"{work}/new", "--spec-dir", f"{work}/new/model-spec"], work),
      ([old, "generate", "--root", f"{work}/old", "--spec-dir", f"{work}/old/model-spec"], work), 10)
PY
