#!/usr/bin/env bash
# Side-by-side benchmark, one run: ours (openbadges-proof), badgecheck (the OB 2.0 reference
# verifier), ob3-py (openbadgeslib) and ob3-js (Digital Credentials Consortium JS stack) on the
# same inputs (OB 2.0: the served fixtures; OB 3.0: credentials signed by us once), every
# implementation in process with every document served from memory, plus the raw ring
# signature operation of each signed input, timed with batches alternating with ours.
#
# usage: bench/side-by-side/run.sh [OUTDIR]      (from anywhere; OUTDIR defaults to a temp dir)
# needs: cargo, node >= 18, the peers installed by shared/peers/setup.sh into
#        ${OB_PEERS_DIR:-$HOME/.cache/openbadges-peers} (py37-badgecheck, py311-ob3, node-ob3).
# env:   SAMPLES (15), BATCH_MS (200), WARM_MS (1000): the timing method, shared by the four
#        harnesses (warm-up that sizes a batch of ~BATCH_MS, SAMPLES batches, median per op).
# Prints machine info, one markdown table and the issue #18 goals as measured; the raw JSON
# lines are kept in OUTDIR. Any failed verification aborts the run (each harness asserts).
# Load-independent cross-check of the ratios: bench/side-by-side/instructions.sh (callgrind).
# Not part of CI: timings depend on the machine.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
PEERS="${OB_PEERS_DIR:-$HOME/.cache/openbadges-peers}"
export OB_PEERS_DIR="$PEERS"
PY="$PEERS/py311-ob3/bin/python"
PY37="$PEERS/py37-badgecheck/bin/python"
OUT="${1:-$(mktemp -d)}"
mkdir -p "$OUT"
OUT="$(cd "$OUT" && pwd)"
CMD="bench/side-by-side/run.sh $OUT"
for v in WARM_MS BATCH_MS SAMPLES; do
  if [[ -n "${!v:-}" ]]; then CMD="$v=${!v} $CMD"; fi
done
T0=$SECONDS

if [[ ! -x "$PY" || ! -x "$PY37" || ! -d "$PEERS/node-ob3/node_modules" ]]; then
  echo "run.sh: peers not installed in $PEERS; run shared/peers/setup.sh (see its README)" >&2
  exit 2
fi
command -v node >/dev/null || { echo "run.sh: node not found" >&2; exit 2; }

cd "$REPO"
echo "building the Rust harness (cargo bench profile)..." >&2
cargo bench -q -p openbadges-proof --bench side_by_side --no-run >&2
ours() { cargo bench -q -p openbadges-proof --bench side_by_side -- "$@"; }

INPUTS="$OUT/inputs"
ours gen "$INPUTS" >&2

load() { cut -d' ' -f1-3 /proc/loadavg; }
LOAD_START="$(load)"
echo "ours..." >&2
ours run "$INPUTS" > "$OUT/ours.jsonl"
LOAD_OURS="$(load)"
echo "badgecheck..." >&2
"$PY37" "$HERE/ob2_py_bench.py" "$INPUTS" > "$OUT/badgecheck.jsonl"
LOAD_BC="$(load)"
echo "ob3-py..." >&2
"$PY" "$HERE/ob3_py_bench.py" "$INPUTS" > "$OUT/ob3-py.jsonl"
LOAD_PY="$(load)"
echo "ob3-js..." >&2
node "$HERE/ob3_js_bench.mjs" "$INPUTS" > "$OUT/ob3-js.jsonl"
LOAD_END="$(load)"

echo "- date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
echo "- machine: $(nproc) CPUs ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')), $(uname -sr)"
echo "- load average (1/5/15 min): start $LOAD_START; after ours $LOAD_OURS; after badgecheck $LOAD_BC; after ob3-py $LOAD_PY; after ob3-js $LOAD_END"
echo "- ours: $(rustc --version), openbadges-proof $(git -C "$REPO" describe --always --dirty)"
echo "- badgecheck: $("$PY37" --version 2>&1), $("$PY37" -c 'import pkg_resources as p; print(", ".join(n + " " + p.get_distribution(n).version for n in ("openbadges", "PyLD", "python-jose", "pycryptodome", "requests", "requests-cache", "urllib3")))')"
echo "- ob3-py: $("$PY" --version 2>&1), openbadgeslib $("$PY" -c 'import importlib.metadata as m; print(m.version("openbadgeslib"))'), pyld $("$PY" -c 'import importlib.metadata as m; print(m.version("PyLD"))' 2>/dev/null || echo '?'), cryptography $("$PY" -c 'import importlib.metadata as m; print(m.version("cryptography"))')"
echo "- ob3-js: node $(node --version), $(node -e 'const p=require(process.argv[1]);console.log(Object.entries(p.dependencies).map(([k,v])=>k.replace("@digitalcredentials/","")+"@"+v).join(", "))' "$PEERS/node-ob3/package.json")"
echo "- command: \`$CMD\` (measuring took $((SECONDS - T0)) s, build included)"
echo "- method: ${SAMPLES:-15} batches of ~${BATCH_MS:-200} ms after ${WARM_MS:-1000} ms warm-up, median per operation; inputs and raw results in $OUT"
echo
"$PY" "$HERE/table.py" "$OUT/ours.jsonl" "$OUT/badgecheck.jsonl" "$OUT/ob3-py.jsonl" "$OUT/ob3-js.jsonl"
