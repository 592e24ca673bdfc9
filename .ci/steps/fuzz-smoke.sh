#!/usr/bin/env bash
# Fuzz smoke: every cargo-fuzz target in fuzz/ built once, then run for a short time on a seed
# corpus made from the fixtures (fuzz/seed-corpus.sh). A crash, leak, timeout or out-of-memory
# input fails the step; its artifact path, base64 bytes and the reproduction command are printed.
# Stable toolchain with RUSTC_BOOTSTRAP=1 (as rustls does); cargo-fuzz is installed when missing.
#
# Run from the repository root (as .ci/run does). See docs/fuzzing.md.
# Env: FUZZ_SMOKE_SECONDS  run time per target in seconds (default 10)
#      FUZZ_TARGET_DIR     cargo target dir of the fuzz build (default fuzz/target)
#      FUZZ_TARGETS        space-separated subset of targets (default: all of `cargo fuzz list`)
set -euo pipefail

ROOT=$(pwd)
SECONDS_EACH=${FUZZ_SMOKE_SECONDS:-10}
TARGET_DIR=${FUZZ_TARGET_DIR:-$ROOT/fuzz/target}
CARGO_FUZZ_VERSION=0.13.2
export RUSTC_BOOTSTRAP=1
t0=$(date +%s)
elapsed() { echo "$(( $(date +%s) - t0 ))s"; }

if ! cargo fuzz --version >/dev/null 2>&1; then
  echo "--- installing cargo-fuzz $CARGO_FUZZ_VERSION"
  cargo install cargo-fuzz --locked --version "$CARGO_FUZZ_VERSION"
fi
cargo fuzz --version

echo "--- building every target (release with debug assertions, AddressSanitizer) ($(elapsed))"
(cd fuzz && cargo fuzz build --target-dir "$TARGET_DIR")
# The fuzz package is not a workspace member and cargo fuzz has no --locked: check the lock file
# by hand, so CI sees a fuzz/Cargo.lock that no longer matches.
if ! git diff --quiet -- fuzz/Cargo.lock 2>/dev/null; then
  echo "fuzz/Cargo.lock is out of date (the build changed it); commit the updated file" >&2
  git --no-pager diff --stat -- fuzz/Cargo.lock >&2
  exit 1
fi
echo "--- built ($(elapsed))"

TRIPLE=$(rustc -vV | sed -n 's/^host: //p')
BIN=$TARGET_DIR/$TRIPLE/release
TARGETS=${FUZZ_TARGETS:-$(cd fuzz && cargo fuzz list)}

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
fuzz/seed-corpus.sh "$WORK/seeds"

# Artifacts are kept where `cargo fuzz` puts them, so the printed paths outlive this script.
ARTIFACTS=$ROOT/fuzz/artifacts
failed=()
for t in $TARGETS; do
  dict=()
  case $t in
    model_parse | ob3_parse | jsonld_canon | did_document | http_response | backpack_import)
      dict=(-dict="$ROOT/fuzz/dicts/json.dict") ;;
    archive_import | qti_package) dict=(-dict="$ROOT/fuzz/dicts/zip.dict") ;;
  esac
  mkdir -p "$WORK/corpus/$t" "$WORK/seeds/$t" "$ARTIFACTS/$t"
  before=$(find "$ARTIFACTS/$t" -type f | wc -l)
  log=$WORK/$t.log
  rc=0
  # -timeout: one input taking over 10 s is a finding; -rss_limit_mb also caps one allocation.
  "$BIN/$t" "$WORK/corpus/$t" "$WORK/seeds/$t" "${dict[@]}" \
    -max_total_time="$SECONDS_EACH" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
    -artifact_prefix="$ARTIFACTS/$t/" -print_final_stats=1 >"$log" 2>&1 || rc=$?
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  after=$(find "$ARTIFACTS/$t" -type f | wc -l)
  if [ "$rc" -ne 0 ] || [ "$after" -gt "$before" ]; then
    failed+=("$t")
    echo "FAIL $t: libFuzzer exit $rc, ${runs:-?} runs ($(elapsed))"
    grep -E '^(==[0-9]+==|thread .* panicked|SUMMARY:|.*ERROR: libFuzzer)' "$log" | head -20 || true
    tail -n 40 "$log"
    for a in $(find "$ARTIFACTS/$t" -type f -newer "$WORK/seeds" | sort); do
      echo "  artifact: $a"
      [ "$(stat -c %s "$a")" -le 4096 ] && echo "  base64:   $(base64 -w0 "$a")"
      echo "  reproduce: (cd fuzz && RUSTC_BOOTSTRAP=1 cargo fuzz run $t $a)"
    done
  else
    echo "ok   $t: ${runs:-?} runs, ${speed:-?} exec/s, corpus $(ls "$WORK/corpus/$t" | wc -l) new inputs ($(elapsed))"
  fi
done

echo "--- fuzz smoke: ${#failed[@]} target(s) failed (${failed[*]:-none}) in $(elapsed)"
[ "${#failed[@]}" -eq 0 ]
