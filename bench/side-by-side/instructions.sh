#!/usr/bin/env bash
# The side-by-side rows of ours as instruction counts (callgrind), which do not depend on the
# machine's load: for each row and each raw ring operation, the instructions of one operation =
# (Ir of the harness running it 1 + N times − Ir running it once) / N, so set-up, start-up and
# first-call initialisation cancel out. Prints one markdown table with ours / raw per row.
# Instructions are not time (cache misses, allocation latency and the memory system are not in
# them): a load-independent cross-check of run.sh's alternating ratios, not a replacement.
#
# usage: bench/side-by-side/instructions.sh [OUTDIR]   (OUTDIR/inputs reused if present)
# needs: cargo, valgrind. env: N (100).  About 2 minutes.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
OUT="${1:-$(mktemp -d)}"
mkdir -p "$OUT"
OUT="$(cd "$OUT" && pwd)"
N="${N:-100}"
command -v valgrind >/dev/null || { echo "instructions.sh: valgrind not found" >&2; exit 2; }

cd "$REPO"
echo "building the Rust harness (cargo bench profile)..." >&2
BIN="$(cargo bench -p openbadges-proof --bench side_by_side --no-run 2>&1 |
  sed -n 's/.*Executable benches\/side_by_side.rs (\(.*\))/\1/p' | tail -1)"
[[ -x "$BIN" ]] || { echo "instructions.sh: harness binary not found" >&2; exit 2; }
INPUTS="$OUT/inputs"
[[ -f "$INPUTS/ob2/documents.json" ]] || "$BIN" --bench gen "$INPUTS" >&2

# Instructions of `count INPUTS OP K` (the whole process).
ir() {
  valgrind --tool=callgrind --callgrind-out-file=/dev/null "$BIN" --bench count "$INPUTS" "$1" "$2" 2>&1 |
    sed -n 's/.*Collected : \([0-9]*\).*/\1/p'
}
# 1234567 -> 1,234,567
grp() { sed ':a;s/\B[0-9]\{3\}\>/,&/;ta' <<<"$1"; }
# Instructions of one OP.
per_op() {
  local one many
  one="$(ir "$1" 1)"
  many="$(ir "$1" $((N + 1)))"
  [[ -n "$one" && -n "$many" ]] || { echo "instructions.sh: callgrind failed for $1" >&2; exit 1; }
  echo $(((many - one) / N))
}

ROWS=(
  "ob2 verify signed RS256|raw ring verify RS256 (ob2 signed)"
  "ob2 verify hosted|"
  "vc-jwt verify RS256|raw ring verify RS256"
  "vc-jwt verify ES256|raw ring verify ES256"
  "vc-jwt verify EdDSA|raw ring verify EdDSA"
  "eddsa-rdfc-2022 verify|raw ring verify Ed25519 (eddsa-rdfc-2022 hash)"
  "eddsa-rdfc-2022 verify (proof only)|raw ring verify Ed25519 (eddsa-rdfc-2022 hash)"
  "eddsa-rdfc-2022 sign|raw ring sign Ed25519 (eddsa-rdfc-2022 hash)"
)
LOAD_START="$(cut -d' ' -f1-3 /proc/loadavg)"
declare -A RAW
TABLE=()
for row in "${ROWS[@]}"; do
  op="${row%%|*}"
  raw="${row#*|}"
  echo "  $op..." >&2
  ours="$(per_op "$op")"
  if [[ -n "$raw" ]]; then
    [[ -n "${RAW[$raw]:-}" ]] || RAW[$raw]="$(per_op "$raw")"
    ratio="$(awk -v a="$ours" -v b="${RAW[$raw]}" 'BEGIN { printf "%.2f×", a / b }')"
    TABLE+=("| $op | $(grp "$ours") | $(grp "${RAW[$raw]}") | $ratio |")
  else
    TABLE+=("| $op | $(grp "$ours") | — | — |")
  fi
done

echo "- date: $(date -u +%Y-%m-%dT%H:%M:%SZ); load average start $LOAD_START, end $(cut -d' ' -f1-3 /proc/loadavg) (instruction counts do not depend on it)"
echo "- ours: $(rustc --version), openbadges-proof $(git -C "$REPO" describe --always --dirty); $(valgrind --version)"
echo "- command: \`N=$N bench/side-by-side/instructions.sh $OUT\`; per operation: (Ir(1 + $N runs) − Ir(1 run)) / $N"
echo
echo "| operation | ours (instructions) | raw ring (instructions) | ours / raw |"
echo "|---|---|---|---|"
printf '%s\n' "${TABLE[@]}"
