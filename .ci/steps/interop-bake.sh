#!/usr/bin/env bash
# Baking interop, both directions, against the peers in ../shared/peers:
#   - our baked PNG/SVG (OB 2.0 JSON, 2.0 JWS, 3.0 VC-JWT, 3.0 JSON) are read back with the Python
#     openbadges-bakery (bake-py) and with openbadgeslib (ob3-py extract, and its baking module
#     directly for the OB 2.0 carriers);
#   - images the peers bake during this run, plus the peer-made fixtures, are read with ours.
# A combination a peer cannot do is printed as LIMIT (known peer limitation) and does not fail
# the step; every combination a peer supports must PASS.
#
# Run from the repository root (as .ci/run does), with ../shared beside the repository.
# Env: OB_SHARED (default ../shared), OB_PEERS_DIR (peer install dir, default as setup.sh),
#      CARGO_TARGET_DIR (where the release CLI is built).
set -euo pipefail

ROOT=$(pwd)
SHARED=${OB_SHARED:-$ROOT/../shared}
PEERS=$SHARED/peers
export OB_PEERS_DIR=${OB_PEERS_DIR:-$HOME/.cache/openbadges-peers}
FIX=$ROOT/fixtures

echo "--- installing / checking peers ($OB_PEERS_DIR)"
"$PEERS/setup.sh" >/dev/null

if [ -n "${OPENBADGES_BIN:-}" ]; then
  BIN=$OPENBADGES_BIN   # a prebuilt release binary
else
  echo "--- building the CLI (release)"
  cargo build --release --locked -q -p openbadges-cli
  BIN=${CARGO_TARGET_DIR:-$ROOT/target}/release/openbadges
fi
[ -x "$BIN" ] || { echo "no CLI binary at $BIN" >&2; exit 2; }

LIBPY=$OB_PEERS_DIR/py311-ob3/bin/python
OBLIB=(env PYTHONDONTWRITEBYTECODE=1 "$LIBPY" "$ROOT/scripts/interop/bake_openbadgeslib.py")
SAME=(python3 "$ROOT/scripts/interop/bake_same.py")
# jfield FILE KEY: one string field of a JSON object file.
jfield() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$1" "$2"; }
# is_hosted_id JSON-FILE URL-FILE: the URL is the assertion's id.
is_hosted_id() { python3 -c 'import json,sys; sys.exit(0 if json.load(open(sys.argv[1])).get("id") == open(sys.argv[2]).read().strip() else 1)' "$1" "$2"; }

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

pass=0; fail=0; limit=0
report() { # STATUS what...
  printf '%-5s %s\n' "$1" "${*:2}"
  case "$1" in PASS) pass=$((pass + 1)) ;; FAIL) fail=$((fail + 1)) ;; LIMIT) limit=$((limit + 1)) ;; esac
}

# Payloads (name -> file) and the version each is.
declare -A PAYLOAD=(
  [ob2-json]=$FIX/ob2/served/hosted/valid.json
  [ob2-jws]=$FIX/ob2/served/signed/valid.jws
  [ob3-jwt]=$FIX/ob3/peers/ob3-EdDSA.jwt
  [ob3-json]=$FIX/ob3/peers/ob3-eddsa-rdfc-2022-didkey.json
)
declare -A VERSION=([ob2-json]=ob2 [ob2-jws]=ob2 [ob3-jwt]=ob3 [ob3-json]=ob3)
declare -A IMAGE=([png]=$FIX/ob2/upstream/mozbakery-unbaked.png [svg]=$FIX/ob2/upstream/mozbakery-unbaked.svg)
NAMES=(ob2-json ob2-jws ob3-jwt ob3-json)

# check STATUS-IF-WRONG LABEL EXPECTED-FILE GOT-FILE
check() {
  if "${SAME[@]}" "$3" "$4"; then report PASS "$2"; else report "$1" "$2 (got: $(head -c 120 "$4"))"; fi
}

echo "--- ours -> peers"
for fmt in png svg; do
  for name in "${NAMES[@]}"; do
    payload=${PAYLOAD[$name]}; ver=${VERSION[$name]}
    baked=$WORK/ours-$name.$fmt
    if ! "$BIN" bake --image "${IMAGE[$fmt]}" --payload "$payload" -o "$baked"; then
      report FAIL "ours bake $fmt $name"; continue
    fi
    # Our own reading first.
    "$BIN" extract "$baked" >"$WORK/got" && check FAIL "ours bake+extract $fmt $name" "$payload" "$WORK/got" \
      || report FAIL "ours extract $fmt $name"

    # Python openbadges-bakery 2.0.0: OB 1.x/2.0 only (iTXt `openbadges`, <openbadges:assertion>).
    if "$PEERS/bake-py" unbake "$baked" >"$WORK/got" 2>"$WORK/err"; then
      if [ "$ver" = ob2 ] && [ "$fmt-$name" = svg-ob2-json ] && ! "${SAME[@]}" "$payload" "$WORK/got"; then
        # The bakery returns the verify attribute, which we set to the hosted id.
        is_hosted_id "$payload" "$WORK/got" \
          && report PASS "bake-py unbake ours $fmt $name (returns verify = hosted id)" \
          || report FAIL "bake-py unbake ours $fmt $name (got: $(head -c 120 "$WORK/got"))"
      else
        check FAIL "bake-py unbake ours $fmt $name" "$payload" "$WORK/got"
      fi
    elif [ "$ver" = ob3 ]; then
      report LIMIT "bake-py unbake ours $fmt $name: openbadges-bakery 2.0.0 reads only the OB 2.0 carrier"
    else
      report FAIL "bake-py unbake ours $fmt $name: $(tail -c 200 "$WORK/err")"
    fi

    # openbadgeslib: `ob3-py extract` (OB 3.0 carriers) ...
    if [ "$ver" = ob3 ]; then
      if "$PEERS/ob3-py" extract "$baked" >"$WORK/got" 2>"$WORK/err"; then
        check FAIL "ob3-py extract ours $fmt $name" "$payload" "$WORK/got"
      else
        report FAIL "ob3-py extract ours $fmt $name: $(tail -c 200 "$WORK/err")"
      fi
    fi
    # ... and its baking module with the carrier of the payload's version (OB 2.0 included).
    if "${OBLIB[@]}" extract "$ver" "$baked" >"$WORK/got" 2>"$WORK/err"; then
      if [ "$fmt-$name" = svg-ob2-json ] && ! "${SAME[@]}" "$payload" "$WORK/got"; then
        is_hosted_id "$payload" "$WORK/got" \
          && report PASS "openbadgeslib extract ours $fmt $name (returns verify = hosted id)" \
          || report FAIL "openbadgeslib extract ours $fmt $name (got: $(head -c 120 "$WORK/got"))"
      else
        check FAIL "openbadgeslib extract ours $fmt $name" "$payload" "$WORK/got"
      fi
    else
      report FAIL "openbadgeslib extract ours $fmt $name: $(tail -c 200 "$WORK/err")"
    fi
  done
done

echo "--- peers -> ours"
for fmt in png svg; do
  for name in "${NAMES[@]}"; do
    payload=${PAYLOAD[$name]}; ver=${VERSION[$name]}
    # Python openbadges-bakery (bakes every payload as OB 2.0 `openbadges`).
    out=$WORK/bakepy-$name.$fmt
    if "$PEERS/bake-py" bake "${IMAGE[$fmt]}" "$out" --data-file "$payload" 2>"$WORK/err"; then
      if "$BIN" extract --json "$out" >"$WORK/json"; then
        jfield "$WORK/json" payload >"$WORK/got"
        check FAIL "ours extract bake-py $fmt $name" "$payload" "$WORK/got"
        if [ "$ver" = ob3 ]; then
          report LIMIT "bake-py bake $fmt $name: openbadges-bakery 2.0.0 cannot bake OB 3.0 (used keyword $(jfield "$WORK/json" keyword))"
        fi
      else
        report FAIL "ours extract bake-py $fmt $name"
      fi
    else
      report FAIL "bake-py bake $fmt $name: $(tail -c 200 "$WORK/err")"
    fi
    # openbadgeslib: ob3-py bake-png/bake-svg for OB 3.0, its baking module for OB 2.0.
    out=$WORK/oblib-$name.$fmt
    if [ "$ver" = ob3 ]; then
      "$PEERS/ob3-py" "bake-$fmt" "$payload" "$out" --image "${IMAGE[$fmt]}" 2>"$WORK/err" \
        || { report FAIL "ob3-py bake-$fmt $name: $(tail -c 200 "$WORK/err")"; continue; }
      want_kw=$([ "$fmt" = png ] && echo openbadgecredential || echo credential)
    else
      "${OBLIB[@]}" bake ob2 "${IMAGE[$fmt]}" "$payload" "$out" 2>"$WORK/err" \
        || { report FAIL "openbadgeslib bake $fmt $name: $(tail -c 200 "$WORK/err")"; continue; }
      want_kw=$([ "$fmt" = png ] && echo openbadges || echo assertion)
    fi
    if "$BIN" extract --json "$out" >"$WORK/json"; then
      jfield "$WORK/json" payload >"$WORK/got"
      kw=$(jfield "$WORK/json" keyword)
      [ "$kw" = "$want_kw" ] || report FAIL "ours extract openbadgeslib $fmt $name: keyword $kw, want $want_kw"
      check FAIL "ours extract openbadgeslib $fmt $name" "$payload" "$WORK/got"
    else
      report FAIL "ours extract openbadgeslib $fmt $name"
    fi
  done
done

echo "--- peer-made fixtures -> ours"
fixture() { # FILE EXPECTED-PAYLOAD-FILE
  if "$BIN" extract "$FIX/$1" >"$WORK/got"; then check FAIL "ours extract fixture $1" "$2" "$WORK/got"
  else report FAIL "ours extract fixture $1"; fi
}
printf '%s' "http://127.0.0.1:8765/hosted/valid.json" >"$WORK/hosted-url"
fixture ob2/baked/hosted-valid-json.png "$FIX/ob2/served/hosted/valid.json"
fixture ob2/baked/hosted-valid.svg "$FIX/ob2/served/hosted/valid.json"
fixture ob2/baked/hosted-valid-url.png "$WORK/hosted-url"
fixture ob2/baked/signed-valid.png "$FIX/ob2/served/signed/valid.jws"
fixture ob2/baked/signed-valid.svg "$FIX/ob2/served/signed/valid.jws"
fixture ob3/peers/ob3-EdDSA-baked.png "$FIX/ob3/peers/ob3-EdDSA.jwt"
fixture ob3/peers/ob3-EdDSA-baked.svg "$FIX/ob3/peers/ob3-EdDSA.jwt"
# Each peer-made fixture read by both peers and by us gives the same payload.
for f in ob2/baked/hosted-valid-json.png ob2/baked/signed-valid.png ob2/baked/signed-valid.svg \
         ob2/baked/legacy-text-chunk-url.png ob2/upstream/csbakery-baked_heart.png ob2/upstream/mozbakery-no-json.svg; do
  "$BIN" extract "$FIX/$f" >"$WORK/ours"
  if "$PEERS/bake-py" unbake "$FIX/$f" >"$WORK/theirs" 2>/dev/null; then
    check FAIL "ours = bake-py on $f" "$WORK/theirs" "$WORK/ours"
  else
    report FAIL "bake-py unbake $f"
  fi
done
for f in ob3/peers/ob3-EdDSA-baked.png ob3/peers/ob3-EdDSA-baked.svg ob3/peers/ob3-ldp-baked.png \
         ob3/1edtech-validator/simple-json.png ob3/1edtech-validator/simple-jwt.svg; do
  "$BIN" extract "$FIX/$f" >"$WORK/ours"
  if "$PEERS/ob3-py" extract "$FIX/$f" >"$WORK/theirs" 2>/dev/null; then
    check FAIL "ours = ob3-py on $f" "$WORK/theirs" "$WORK/ours"
  else
    report FAIL "ob3-py extract $f"
  fi
done

echo "--- interop-bake: $pass passed, $fail failed, $limit known peer limitations"
[ "$fail" -eq 0 ]
