#!/usr/bin/env bash
# Ours next to the Python openbadges-bakery (../shared/peers/bake-py) on the same generated files
# (the generator of crates/openbadges-bake/benches), measured in one hyperfine run.
# Whole-process timings: each command includes its process start-up (Python: interpreter + imports).
#
# usage (from the repository root, ../shared beside it): bench/side-by-side/bake-bench.sh [OUTDIR]
# Env: OPENBADGES_BIN (prebuilt release CLI), OB_SHARED, OB_PEERS_DIR, RUNS (default 10).
set -euo pipefail
ROOT=$(pwd)
SHARED=${OB_SHARED:-$ROOT/../shared}
export OB_PEERS_DIR=${OB_PEERS_DIR:-$HOME/.cache/openbadges-peers}
DIR=${1:-$(mktemp -d)}
RUNS=${RUNS:-10}
mkdir -p "$DIR"
command -v hyperfine >/dev/null || { echo "hyperfine is needed (apt-get install hyperfine)" >&2; exit 2; }
"$SHARED/peers/setup.sh" >/dev/null
cargo run --release -q -p openbadges-bake --example gen_bench_images -- "$DIR"
if [ -z "${OPENBADGES_BIN:-}" ]; then
  cargo build --release -q -p openbadges-cli
  OPENBADGES_BIN=${CARGO_TARGET_DIR:-$ROOT/target}/release/openbadges
fi
BIN=$OPENBADGES_BIN
PY=$SHARED/peers/bake-py
A=$DIR/assertion.json
for f in png-20MB.png svg-5MB.svg; do
  "$BIN" bake --image "$DIR/$f" --payload "$A" -o "$DIR/baked-$f"
  cmp -s <("$BIN" extract "$DIR/baked-$f") <("$PY" unbake "$DIR/baked-$f") \
    || echo "note: bake-py reads $f differently" >&2
done
ls -l "$DIR"/*.png "$DIR"/*.svg
hyperfine -N --warmup 2 --runs "$RUNS" --export-markdown "$DIR/results.md" \
  -n "read: cat 20MB PNG >/dev/null" "cat $DIR/baked-png-20MB.png" \
  -n "extract 20MB PNG: ours" "$BIN extract $DIR/baked-png-20MB.png" \
  -n "extract 20MB PNG: bake-py" "$PY unbake $DIR/baked-png-20MB.png" \
  -n "bake 20MB PNG: cp" "cp $DIR/png-20MB.png $DIR/out-cp.png" \
  -n "bake 20MB PNG: ours" "$BIN bake --image $DIR/png-20MB.png --payload $A -o $DIR/out-ours.png" \
  -n "bake 20MB PNG: bake-py" "$PY bake $DIR/png-20MB.png $DIR/out-py.png --data-file $A" \
  -n "extract 5MB SVG: ours" "$BIN extract $DIR/baked-svg-5MB.svg" \
  -n "extract 5MB SVG: bake-py" "$PY unbake $DIR/baked-svg-5MB.svg" \
  -n "bake 5MB SVG: ours" "$BIN bake --image $DIR/svg-5MB.svg --payload $A -o $DIR/out-ours.svg" \
  -n "bake 5MB SVG: bake-py" "$PY bake $DIR/svg-5MB.svg $DIR/out-py.svg --data-file $A" \
  -n "start-up: ours --version" "$BIN --version" \
  -n "start-up: bake-py type (tiny PNG)" "$PY type $ROOT/fixtures/ob2/upstream/mozbakery-unbaked.png"
cat "$DIR/results.md"
