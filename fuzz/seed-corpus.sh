#!/usr/bin/env bash
# Builds a seed corpus for every fuzz target from the repository's fixtures and test data.
#   fuzz/seed-corpus.sh OUT_DIR     (OUT_DIR/<target>/ is created for each target)
# Seeds are shaped like each target's input (some targets read a selector byte first, or
# several documents separated by NUL bytes; see the target's header comment). Files over
# 64 KiB are left out: they slow the fuzzer more than they teach it.
set -euo pipefail
shopt -s nullglob
OUT=${1:?usage: fuzz/seed-corpus.sh OUT_DIR}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
FIX=$ROOT/fixtures
MAX=65536

n=0
# seed TARGET FILE [PREFIX-BYTES-AS-PRINTF-FORMAT]: copies FILE into TARGET's corpus.
seed() {
  local t=$1 f=$2 prefix=${3:-}
  [ "$(stat -c %s "$f")" -le "$MAX" ] || return 0
  n=$((n + 1))
  mkdir -p "$OUT/$t"
  { [ -z "$prefix" ] || printf "$prefix"; cat "$f"; } >"$OUT/$t/seed-$n"
}
files() { find "$@" -type f | sort; }

for t in model_parse ob3_parse png_extract svg_extract quiz_parse jws_parse jwt_parse \
         jsonld_canon backpack_import did_document http_response archive_import qti_package; do
  mkdir -p "$OUT/$t"
done

# JSON documents: the model and OB 3.0 readers, JSON-LD (selector byte 0: safe mode) and the
# backpack's content detection.
while read -r f; do
  seed model_parse "$f"
  seed backpack_import "$f"
done < <(files "$FIX/ob2" "$FIX/backpack" -name '*.json')
while read -r f; do
  seed ob3_parse "$f"
  seed model_parse "$f"
  seed backpack_import "$f"
  seed jsonld_canon "$f" '\000'
done < <(files "$FIX/ob3" -name '*.json' -not -path '*/contexts/*')

# Images: png_extract puts the PNG signature in front itself, so its seeds go without it.
while read -r f; do
  [ "$(stat -c %s "$f")" -le "$MAX" ] || continue
  n=$((n + 1)); tail -c +9 "$f" >"$OUT/png_extract/seed-$n"
  seed backpack_import "$f"
done < <(files "$FIX" -name '*.png')
while read -r f; do
  seed svg_extract "$f"
  seed backpack_import "$f"
done < <(files "$FIX" -name '*.svg')

# Compact JWS / VC-JWT, and PEM keys.
while read -r f; do
  seed jws_parse "$f"
  seed jwt_parse "$f"
  seed backpack_import "$f"
done < <(files "$FIX" \( -name '*.jws' -o -name '*.jwt' -o -name '*.pem' \))
# jwt_parse signs "header NUL payload" itself: a header and a credential as claims.
while read -r f; do
  n=$((n + 1))
  { printf '{"alg":"EdDSA","typ":"JWT"}\000{"iss":"did:example:issuer","vc":'; cat "$f"; printf '}'; } \
    >"$OUT/jwt_parse/seed-$n"
done < <(files "$FIX/ob3/examples" "$FIX/ob3/spec-vectors" -name '*.json')

# Quizzes: quiz_parse's first byte picks the reader (0 TOML, 2 GIFT, 5 QTI package).
QUIZ=$ROOT/crates/openbadges-quiz
for f in "$QUIZ"/quizzes/*.toml; do seed quiz_parse "$f" '\000'; done
for f in "$QUIZ"/tests/data/*.gift; do seed quiz_parse "$f" '\002'; done
for f in "$QUIZ"/tests/data/*.zip; do
  seed quiz_parse "$f" '\005'
  seed qti_package "$f"
  seed archive_import "$f"
done

# Backpack archives.
for f in "$ROOT"/fuzz/seeds/archive_import/*; do
  seed archive_import "$f"
  seed backpack_import "$f"
done

# Controller documents, and verification method ids found in the fixtures.
while read -r f; do seed did_document "$f"; done < <(files "$ROOT/crates/openbadges-proof/tests/data/did-web" -name '*.json')
grep -rhoIE '"verificationMethod" *: *"[^"]+"' "$FIX/ob3" | sed -E 's/.*: *"([^"]+)"/\1/' | sort -u |
  while read -r vm; do n=$((n + 1)); printf '%s' "$vm" >"$OUT/did_document/vm-$n"; done

# HTTP bodies: assertion, badge class, issuer, key, revocation list, NUL-separated; each hosted
# scenario as the assertion.
S=$FIX/ob2/served
for f in "$S"/hosted/*.json; do
  n=$((n + 1))
  { cat "$f"; for d in badgeclass issuer key revocations; do printf '\000'; cat "$S/$d.json"; done; } \
    >"$OUT/http_response/seed-$n"
done
