#!/usr/bin/env bash
# Interop check of the facade's Issuer against the peer verifiers (shared/peers):
# issues one badge of every form with the `issue_site` example, serves the issuer's site on
# loopback, and asks badgecheck (OB 2.0), openbadgeslib (OB 3.0, Python) and the DCC Node stack
# (OB 3.0 Data Integrity) to verify them. Exit 0 iff every peer accepts every form it supports.
#
#   crates/openbadges/scripts/peers.sh            # peers at $REPO/../shared/peers
#   PEERS=/path/to/peers crates/openbadges/scripts/peers.sh
set -euo pipefail
REPO="$(cd "$(dirname "$0")/../../.." && pwd)"
PEERS="${PEERS:-$REPO/../shared/peers}"
PORT_A="${PORT_A:-8766}"
PORT_B="${PORT_B:-8767}"
OUT="$(mktemp -d)"
trap '"$PEERS/serve.sh" stop "$PORT_A" >/dev/null 2>&1 || true; "$PEERS/serve.sh" stop "$PORT_B" >/dev/null 2>&1 || true; rm -rf "$OUT"' EXIT

cd "$REPO"
cargo run -q --release -p openbadges --example issue_site -- "$OUT/a" "http://127.0.0.1:$PORT_A/" learner@example.org >/dev/null
# The DCC stack refuses any credential with a credentialStatus it cannot check offline.
cargo run -q --release -p openbadges --example issue_site -- "$OUT/b" "http://127.0.0.1:$PORT_B/" learner@example.org --no-status >/dev/null
"$PEERS/serve.sh" start "$OUT/a/site" "$PORT_A" >/dev/null
"$PEERS/serve.sh" start "$OUT/b/site" "$PORT_B" >/dev/null
HOSTED="$(python3 -c "import json,sys;print(json.load(open(sys.argv[1]))['hosted_assertion'])" "$OUT/a/issued/issued.json")"

fail=0
check() { # name, command...
  local name="$1"; shift
  if out="$("$@" 2>&1)"; then echo "ok    $name"; else echo "FAIL  $name"; echo "$out" | head -5 | sed 's/^/      /'; fail=1; fi
}
I="$OUT/a/issued"
check "ob2-verify hosted URL"        "$PEERS/ob2-verify" --recipient learner@example.org "$HOSTED"
check "ob2-verify hosted baked PNG"  "$PEERS/ob2-verify" --recipient learner@example.org "$I/ob2-hosted.png"
check "ob2-verify signed JWS (RS256)" "$PEERS/ob2-verify" --recipient learner@example.org "$I/ob2.jws"
check "ob2-verify signed baked PNG"  "$PEERS/ob2-verify" --recipient learner@example.org "$I/ob2-signed.png"
check "ob3-py DI JSON"               "$PEERS/ob3-py" verify "$I/ob3.json"
check "ob3-py DI baked PNG"          "$PEERS/ob3-py" verify "$I/ob3-di.png"
check "ob3-py VC-JWT (ES256)"        "$PEERS/ob3-py" verify "$I/ob3.jwt"
check "ob3-py VC-JWT baked PNG"      "$PEERS/ob3-py" verify "$I/ob3-jwt.png"
check "ob3-js DI JSON (no status)"   "$PEERS/ob3-js" verify "$OUT/b/issued/ob3.json"
check "ob3-js DI baked PNG (no status)" "$PEERS/ob3-js" verify "$OUT/b/issued/ob3-di.png"
# The checks can fail: the wrong recipient must be refused.
if "$PEERS/ob2-verify" --recipient other@example.org "$I/ob2-signed.png" >/dev/null 2>&1; then
  echo "FAIL  ob2-verify accepted the wrong recipient"; fail=1
else
  echo "ok    ob2-verify refuses the wrong recipient"
fi
exit "$fail"
