#!/usr/bin/env bash
# Issue #18 goal 5: `openbadges verify` of 10,000 mixed inputs (OB 2.0 signed and hosted, VC-JWT,
# eddsa-rdfc-2022, baked PNG and SVG) in one call, with 1 and with 2 worker threads.
# - generates the inputs once (crates/openbadges-backpack/examples/backpack_10k.rs `generate`,
#   which also writes the issuers' documents in the archive's `documents/` format);
# - times `--jobs 1` and `--jobs 2`, RUNS runs each, alternating; prints the median wall time,
#   the throughput, the ratio, and the CPU time (user + sys) of each run;
# - checks that the outputs of every run are identical byte for byte and all valid, and that a
#   sample of inputs verified one per process gives the same lines.
#
# usage (from the repository root): bench/side-by-side/verify_scaling.sh [DIR] [N]
#   DIR: where the inputs are generated (default /tmp/verify-scaling; reused when it holds N)
#   N:   how many inputs (default 10000)
# Env: OPENBADGES_BIN (prebuilt release CLI), BACKPACK_10K_BIN (prebuilt release example),
#      RUNS (default 3), SAMPLE (inputs checked one per process, default 60).
set -euo pipefail
ROOT=$PWD
DIR=${1:-/tmp/verify-scaling}
N=${2:-10000}
RUNS=${RUNS:-3}
SAMPLE=${SAMPLE:-60}
TGT=${CARGO_TARGET_DIR:-$ROOT/target}
if [ -z "${OPENBADGES_BIN:-}" ]; then
  cargo build -q --release -p openbadges-cli
  OPENBADGES_BIN=$TGT/release/openbadges
fi
if [ -z "${BACKPACK_10K_BIN:-}" ]; then
  cargo build -q --release -p openbadges-backpack --example backpack_10k
  BACKPACK_10K_BIN=$TGT/release/examples/backpack_10k
fi
OB=$OPENBADGES_BIN
[ -x /usr/bin/time ] || { echo "/usr/bin/time is needed (apt-get install time)" >&2; exit 2; }

if [ "$(ls "$DIR" 2>/dev/null | grep -c '^input-' || true)" != "$N" ] || [ ! -f "$DIR/documents/index.json" ]; then
  echo "== generating $N inputs in $DIR"
  "$BACKPACK_10K_BIN" generate "$DIR" "$N"
fi
LIST=$DIR/inputs.list
find "$DIR" -maxdepth 1 -name 'input-*' | sort > "$LIST"
OUT=$DIR/runs
rm -rf "$OUT" && mkdir -p "$OUT"
FLAGS=(--offline --json --documents "$DIR/documents" --recipient email:student@example.org
  --recipient id:did:example:learner --at 2026-06-01T00:00:00Z)

echo "== $(date -u '+%Y-%m-%d %H:%M:%S UTC'), $(nproc) cores, load:$(uptime | sed 's/.*load average://')"
echo "   $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?'), $OB ($(du -h "$OB" | cut -f1))"
echo "   command: $OB verify ${FLAGS[*]} --jobs J --inputs-from $LIST"
kinds=$(sed -E 's/.*\.//' "$LIST" | sort | uniq -c | tr -s ' ' | tr '\n' ',')
echo "   $(wc -l < "$LIST") inputs by extension:${kinds%,}"

# One run: wall seconds, user seconds, sys seconds on one line in $OUT/time-jJ-rR.
run() {
  local j=$1 r=$2 rc=0
  /usr/bin/time -f '%e %U %S' -o "$OUT/time-j$j-r$r" \
    "$OB" verify "${FLAGS[@]}" --jobs "$j" --inputs-from "$LIST" > "$OUT/out-j$j-r$r.jsonl" || rc=$?
  [ "$rc" = 0 ] || { echo "run --jobs $j #$r: exit $rc (not all valid)" >&2; exit 1; }
}
"$OB" verify "${FLAGS[@]}" --jobs 2 --inputs-from "$LIST" > /dev/null  # warm the page cache
for r in $(seq 1 "$RUNS"); do
  run 1 "$r"
  run 2 "$r"
  echo "   run $r: --jobs 1 $(cut -d' ' -f1 "$OUT/time-j1-r$r") s, --jobs 2 $(cut -d' ' -f1 "$OUT/time-j2-r$r") s (wall)"
done

python3 - "$OUT" "$RUNS" "$N" <<'PY'
import statistics, sys
out, runs, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
def times(j):
    return [tuple(map(float, open(f"{out}/time-j{j}-r{r}").read().split())) for r in range(1, runs + 1)]
t1, t2 = times(1), times(2)
m1, m2 = statistics.median(t[0] for t in t1), statistics.median(t[0] for t in t2)
c1, c2 = statistics.median(t[1] + t[2] for t in t1), statistics.median(t[1] + t[2] for t in t2)
print(f"== median of {runs}: --jobs 1 {m1:.2f} s = {n / m1:,.0f} inputs/s (CPU {c1:.2f} s); "
      f"--jobs 2 {m2:.2f} s = {n / m2:,.0f} inputs/s (CPU {c2:.2f} s)")
print(f"   ratio (throughput --jobs 2 / --jobs 1): {m1 / m2:.2f}x   (goal >= 1.8x)")
print(f"   CPU time --jobs 2 / --jobs 1: {c2 / c1:.2f} (1.00 = no parallel overhead); "
      f"CPU-bound bound on 2 free cores: {2 * c1 / c2:.2f}x")
PY

echo "== identical output"
for f in "$OUT"/out-*.jsonl; do
  cmp "$OUT/out-j1-r1.jsonl" "$f" || { echo "DIFFERENT: $f" >&2; exit 1; }
done
lines=$(wc -l < "$OUT/out-j1-r1.jsonl")
valid=$(grep -c '"status":"valid"' "$OUT/out-j1-r1.jsonl" || true)
echo "   all $((RUNS * 2)) outputs byte-identical: $lines lines, $valid valid"
[ "$lines" = "$N" ] && [ "$valid" = "$N" ] || { echo "expected $N valid lines" >&2; exit 1; }

echo "== one per process: $SAMPLE inputs spread over the list"
step=$(( N / SAMPLE > 0 ? N / SAMPLE : 1 ))
: > "$OUT/single.jsonl"; : > "$OUT/batch-sample.jsonl"
for i in $(seq 1 "$step" "$N" | head -n "$SAMPLE"); do
  input=$(sed -n "${i}p" "$LIST")
  "$OB" verify "${FLAGS[@]}" "$input" >> "$OUT/single.jsonl"
  sed -n "${i}p" "$OUT/out-j2-r1.jsonl" >> "$OUT/batch-sample.jsonl"
done
cmp "$OUT/single.jsonl" "$OUT/batch-sample.jsonl" || { echo "one-per-process output differs" >&2; exit 1; }
echo "   $(wc -l < "$OUT/single.jsonl") lines identical to the batch's"
