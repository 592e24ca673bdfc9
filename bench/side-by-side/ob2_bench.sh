#!/usr/bin/env bash
# Side-by-side timing: `openbadges verify` (release) vs the reference verifier (badgecheck via
# ../shared/peers/ob2-verify) on the same inputs, plus a batch of N signed assertions through one
# `openbadges verify` call. Run from the repository root with ../shared beside it.
#   bench/side-by-side/ob2_bench.sh [N]     (default N=1000)
# Env: OPENBADGES_BIN (a prebuilt release CLI; otherwise it is built).
set -euo pipefail
ROOT=$PWD
PEERS="${OB_SHARED_DIR:-$ROOT/../shared}/peers"
N=${1:-1000}
if [ -z "${OPENBADGES_BIN:-}" ]; then
  cargo build -q --release -p openbadges-cli
  OPENBADGES_BIN="${CARGO_TARGET_DIR:-$ROOT/target}/release/openbadges"
fi
OB=$OPENBADGES_BIN
WORK=$(mktemp -d)
trap '"$PEERS/serve.sh" stop 8765 >/dev/null 2>&1 || true; rm -rf "$WORK"' EXIT
"$PEERS/serve.sh" start "$ROOT/fixtures/ob2/served" 8765 >/dev/null
F="$ROOT/fixtures/ob2/served"
ALLOW=(--allow-host 127.0.0.1:8765 --recipient email:student@example.org)
now() { date +%s.%N; }
ms() { python3 -c "import sys; print('%.1f' % ((float(sys.argv[2]) - float(sys.argv[1])) * 1000))" "$1" "$2"; }

echo "== one badge, one process each (wall time incl. start-up), 5 runs"
for input in signed/valid.jws hosted/valid.json; do
  for who in ours peer; do
    t0=$(now)
    for _ in 1 2 3 4 5; do
      if [ $who = ours ]; then "$OB" verify "${ALLOW[@]}" "$F/$input" >/dev/null
      else "$PEERS/ob2-verify" --recipient student@example.org "$F/$input" >/dev/null 2>&1; fi
    done
    t1=$(now)
    echo "$who $input: $(python3 -c "print('%.1f' % ($(ms $t0 $t1)/5))") ms per process"
  done
  echo "peer $input self-reported (verify call only, no start-up): $("$PEERS/ob2-verify" --recipient student@example.org "$F/$input" 2>&1 | grep -o 'ob2-verify: [0-9.]* s')"
done

echo "== batch: $N signed assertions (RS256, distinct ids) in one openbadges verify call"
mkdir -p "$WORK/batch"
python3 - "$WORK/batch" "$N" "$ROOT/fixtures/ob2/upstream/mozvalidator-rsa-private.pem" <<'PY'
import json, sys, os
out, n = sys.argv[1], int(sys.argv[2])
a = {"@context": "https://w3id.org/openbadges/v2", "type": "Assertion",
     "recipient": {"type": "email", "hashed": True, "salt": "deadsea",
                   "identity": "sha256$7a583eab660c760fe8fd759ee3ac15b4bacd9774104663bc0300f62599be6862"},
     "badge": "http://127.0.0.1:8765/badgeclass.json", "issuedOn": "2024-01-15T12:00:00Z"}
for i in range(n):
    a["id"] = "urn:uuid:00000000-0000-4000-8000-%012d" % i
    with open(os.path.join(out, "a%05d.json" % i), "w") as f:
        json.dump(a, f)
PY
for f in "$WORK"/batch/*.json; do
  "$OB" sign --key "$ROOT/fixtures/ob2/upstream/mozvalidator-rsa-private.pem" --format jws \
    --kid http://127.0.0.1:8765/key.json "$f" > "${f%.json}.jws"
done
t0=$(now)
"$OB" verify --json "${ALLOW[@]}" "$WORK"/batch/*.jws > "$WORK/batch.out"
t1=$(now)
valid=$(grep -c '"status":"valid"' "$WORK/batch.out" || true)
echo "ours batch: $N inputs, $valid valid, $(ms $t0 $t1) ms total, $(python3 -c "print('%.3f' % ($(ms $t0 $t1)/$N))") ms per badge ($(nproc) cores)"
