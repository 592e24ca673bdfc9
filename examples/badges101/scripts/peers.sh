#!/usr/bin/env bash
# Peer acceptance of what the running Badges 101 app issues (loopback only, no network):
#   - the OB 2.0 reference verifier (badgecheck, ../shared/peers/ob2-verify) on the hosted
#     assertion URL and the baked OB 2.0 PNG, for the learner and for another address;
#   - the Python OB 3.0 stack (ob3-py) on the baked eddsa-rdfc-2022 and VC-JWT PNGs;
#   - the JavaScript OB 3.0 stack: the DCC libraries with the DCC's own status check
#     (interop/dcc/dcc-verify --status, fetching the status list from the app on loopback) accept
#     the credential; the shared ob3-js wrapper, which has no status check, is run too and its
#     refusal printed as a note (see below);
#   - "Send to backpack": the app pushed the credential to its own OB 3.0 API and the learner's
#     backpack page lists it;
#   - after `badges101 revoke`, the reference verifier rejects the hosted assertion, the DCC stack
#     with its status check rejects the credential and, when OB=path/to/openbadges is set,
#     `openbadges verify` (which accepts each download for the learner and rejects it for another
#     address before) reports REVOKED for the OB 2.0 and OB 3.0 badges.
# Usage: examples/badges101/scripts/peers.sh   (REPO/../shared/peers must be set up)
set -u
REPO=$(cd "$(dirname "$0")/../../.." && pwd)
PEERS=${PEERS:-$REPO/../shared/peers}
PORT=${PORT:-18111}
B=http://127.0.0.1:$PORT
WORK=$(mktemp -d)
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$REPO/target}
cargo build -q -p badges101 || exit 2
APP=$CARGO_TARGET_DIR/debug/badges101
fail=0
expect() { # expect NAME WANT_RC CMD...
  local name=$1 want=$2; shift 2
  "$@" > "$WORK/out.txt" 2>&1; local rc=$?
  if [ "$rc" = "$want" ]; then echo "ok   $name"; else echo "FAIL $name (rc $rc, want $want)"; sed 's/^/     /' "$WORK/out.txt" | head -5; fail=1; fi
}
serve() { "$APP" --port "$PORT" --data-dir "$WORK/data" > "$WORK/app.log" 2>&1 & PID=$!; for _ in $(seq 50); do curl -sf "$B/" > /dev/null && return; sleep 0.1; done; echo "app did not start"; exit 2; }
serve
tok=$(curl -s -o /dev/null -w '%{redirect_url}' -X POST "$B/start" | sed 's#.*/a/\([0-9a-f]*\)/.*#\1#')
for a in learning-everywhere=true degree-skill-set=false resumes-validated=false; do
  curl -s -o /dev/null -X POST -d "item=${a%%=*}&answer=${a##*=}" "$B/a/$tok/answer"
done
curl -s "$B/a/$tok/result" > /dev/null
curl -s -o /dev/null -X POST -d "email=learner%40example.org" "$B/a/$tok/issue"
for f in ob3 ob3-jwt ob2 ob2-signed; do curl -s -o "$WORK/$f.png" "$B/a/$tok/badge/$f.png"; done
curl -s -o "$WORK/ob3.svg" "$B/a/$tok/badge/ob3.svg"
UUID=$(python3 -c 'import json,sys; print(next(iter(json.load(open(sys.argv[1]))["issued"])))' "$WORK/data/issuer-state.json")
URL=$B/assertions/$UUID.json

expect "ob2-verify accepts the hosted assertion" 0 "$PEERS/ob2-verify" --recipient learner@example.org "$URL"
expect "ob2-verify rejects it for another address" 1 "$PEERS/ob2-verify" --recipient other@example.org "$URL"
expect "ob2-verify accepts the baked OB 2.0 PNG" 0 "$PEERS/ob2-verify" --recipient learner@example.org "$WORK/ob2.png"
expect "ob3-py accepts the baked eddsa-rdfc-2022 PNG" 0 "$PEERS/ob3-py" verify "$WORK/ob3.png"
expect "ob3-py accepts the baked VC-JWT PNG" 0 "$PEERS/ob3-py" verify "$WORK/ob3-jwt.png"
expect "ob3-py accepts the baked eddsa-rdfc-2022 SVG" 0 "$PEERS/ob3-py" verify "$WORK/ob3.svg"
"$PEERS/ob3-py" extract "$WORK/ob3.png" > "$WORK/ob3.json" 2>/dev/null
DCC=$REPO/interop/dcc/dcc-verify
expect "DCC stack with its status check accepts the credential" 0 "$DCC" credential "$WORK/ob3.json" --status
# "Send to backpack": pushed once through the OB 3.0 API, listed on the learner's backpack page.
for _ in $(seq 100); do curl -s "$B/a/$tok/backpack" > "$WORK/backpack.html"; grep -q '<strong>Badges 101</strong>' "$WORK/backpack.html" && break; sleep 0.1; done
expect "the learner's backpack lists the pushed badge" 0 grep -q '<strong>Badges 101</strong>' "$WORK/backpack.html"
# Known peer limitation: the ob3-js wrapper passes no checkStatus function, and the DCC library
# refuses any credential with credentialStatus ("A checkStatus function must be given"); the app
# always issues a status entry (revocation). Reported, not counted.
if "$PEERS/ob3-js" verify "$WORK/ob3.json" > "$WORK/js.txt" 2>&1; then echo "ok   ob3-js accepts the credential"
else echo "note ob3-js: $(head -c 200 "$WORK/js.txt")"; fi

if [ -n "${OB:-}" ]; then
  for f in ob2 ob2-signed ob3 ob3-jwt; do
    expect "openbadges verify accepts $f.png for the learner" 0 "$OB" verify --allow-host "127.0.0.1:$PORT" --recipient email:learner@example.org "$WORK/$f.png"
    expect "openbadges verify rejects $f.png for another address" 1 "$OB" verify --allow-host "127.0.0.1:$PORT" --recipient email:other@example.org "$WORK/$f.png"
  done
fi
kill "$PID"; wait "$PID" 2>/dev/null
expect "badges101 revoke" 0 "$APP" --port "$PORT" --data-dir "$WORK/data" revoke "$UUID" "peer test"
serve
expect "ob2-verify rejects the revoked hosted assertion" 1 "$PEERS/ob2-verify" --recipient learner@example.org "$URL"
# Rejected *because* it is revoked (an unreachable status list is also exit 1).
"$DCC" credential "$WORK/ob3.json" --status > "$WORK/dcc.txt" 2>&1; rc=$?
if [ "$rc" = 1 ] && grep -q 'revoked' "$WORK/dcc.txt"; then echo "ok   DCC stack with its status check rejects the revoked credential (revoked)"
else echo "FAIL DCC stack on the revoked credential (rc $rc)"; head -5 "$WORK/dcc.txt"; fail=1; fi
if [ -n "${OB:-}" ]; then
  for f in ob2 ob2-signed ob3 ob3-jwt; do
    "$OB" verify --allow-host "127.0.0.1:$PORT" --recipient email:learner@example.org "$WORK/$f.png" > "$WORK/ours.txt" 2>&1
    if grep -q REVOKED "$WORK/ours.txt"; then echo "ok   ours reports REVOKED ($f)"; else echo "FAIL ours on revoked $f"; head -5 "$WORK/ours.txt"; fail=1; fi
  done
fi
kill "$PID"; wait "$PID" 2>/dev/null
rm -rf "$WORK"
exit $fail
