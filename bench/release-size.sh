#!/usr/bin/env bash
# The release binary: size and build time of `openbadges` (openbadges-cli) at one or more
# commits, each built from scratch into its own empty target directory, one after the other.
#
# usage: bench/release-size.sh [REV...]     (from anywhere in a clone; default: HEAD)
#   e.g. bench/release-size.sh 6944fe5 HEAD   (before and after, back to back)
# env:   KEEP=1 keeps the temporary worktrees and target directories (printed).
# Prints, per commit: wall-clock and CPU (user + system) time of
# `cargo build --release -p openbadges-cli --locked`, the binary's size, its largest sections,
# and the load average before and after. Dependencies are built too (an empty target
# directory), so the time is what a fresh clone pays; the crates must already be downloaded
# (`cargo fetch`), so no network time is counted.
# Not part of CI: timings depend on the machine.
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
REVS=("$@")
[ ${#REVS[@]} -eq 0 ] && REVS=(HEAD)
WORK="$(mktemp -d)"
cleanup() {
  if [ "${KEEP:-0}" = 1 ]; then echo "kept: $WORK"; return; fi
  for d in "$WORK"/src-*; do [ -d "$d" ] && git -C "$REPO" worktree remove --force "$d" 2>/dev/null; done
  rm -rf "$WORK"
}
trap cleanup EXIT

echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
echo "machine: $(nproc) CPUs ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)), $(uname -sr)"
echo "toolchain: $(rustc --version)"
echo "command: bench/release-size.sh ${REVS[*]}"
echo
printf '| commit | wall | CPU (user+sys) | binary | .text | symbols (.symtab+.strtab) | debug sections | load before → after |\n'
printf '|---|---|---|---|---|---|---|---|\n'
for rev in "${REVS[@]}"; do
  sha="$(git -C "$REPO" rev-parse --short "$rev")"
  src="$WORK/src-$sha"
  tgt="$WORK/target-$sha"
  git -C "$REPO" worktree add -q --detach "$src" "$sha"
  (cd "$src" && cargo fetch --locked -q)
  load0="$(cut -d' ' -f1 /proc/loadavg)"
  # Only the CARGO_PROFILE_* the commit's own Cargo.toml sets count: clear any from the caller.
  for v in $(env | grep -o '^CARGO_PROFILE_[A-Z_]*' || true); do unset "$v"; done
  /usr/bin/time -f '%e %U %S' -o "$WORK/time-$sha" \
    env CARGO_TARGET_DIR="$tgt" cargo build -q --release --locked -p openbadges-cli \
    --manifest-path "$src/Cargo.toml"
  load1="$(cut -d' ' -f1 /proc/loadavg)"
  read -r wall user sys < "$WORK/time-$sha"
  bin="$tgt/release/openbadges"
  bytes="$(stat -c %s "$bin")"
  sec() { size -A "$bin" | awk -v p="$1" '$1 ~ p {s += $2} END {print s + 0}'; }
  text="$(sec '^\.text$')"
  syms="$(readelf -SW "$bin" | awk '{for (i = 1; i < NF; i++) if ($i == ".symtab" || $i == ".strtab") print "0x" $(i + 4)}' | python3 -c 'import sys; print(sum(int(l, 16) for l in sys.stdin))')"
  dbg="$(sec '^\.debug_')"
  mib() { python3 -c "print(f'{$1 / 1048576:.1f} MiB')"; }
  printf '| %s | %.0f s | %.0f s | %s (%s bytes) | %s | %s | %s | %s → %s |\n' \
    "$sha" "$wall" "$(python3 -c "print($user + $sys)")" "$(mib "$bytes")" "$bytes" \
    "$(mib "$text")" "$(mib "$syms")" "$(mib "$dbg")" "$load0" "$load1"
done
