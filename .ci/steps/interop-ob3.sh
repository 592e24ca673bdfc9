#!/usr/bin/env bash
# Interop for Open Badges 3.0 with the two peer stacks (../shared/peers/ob3-js: DCC JavaScript,
# ../shared/peers/ob3-py: openbadgeslib), both directions, all offline:
#  1. credentials we sign verify with the peers: eddsa-rdfc-2022 with a did:key issuer and with
#     an https issuer whose verification method is `<issuer>#z6Mk…` (both peers), VC-JWT
#     RS256 / ES256 / EdDSA (ob3-py; ob3-js verifies Data Integrity only). Our verifier gets the
#     https issuer's controller document (`--documents`): the key in the fragment alone proves
#     nothing to us. The peers read the key from the fragment (the 1EdTech validator's shortcut),
#     so they also accept a forger's key there; that is printed as a note, not required;
#  2. fresh credentials the peers issue (ob3-js issue, ob3-py issue-ldp, ob3-py issue-jwt for each
#     algorithm) verify with ours (VC-JWT keys pinned with --trusted-key: the peer puts the key
#     only in the JOSE header, which our key-provenance policy does not trust alone);
#  3. tampered copies of all of them are rejected by every verifier.
# Run from the repository root (as .ci/run does) with ../shared beside it.
set -euo pipefail
ROOT=$PWD
PEERS="${OB_SHARED_DIR:-$ROOT/../shared}/peers"
export OB_PEERS_DIR="${OB_PEERS_DIR:-$HOME/.cache/openbadges-peers}"
"$PEERS/setup.sh" >/dev/null
cargo build -q -p openbadges-cli ${CARGO_LOCKED---locked}
OB="${CARGO_TARGET_DIR:-$ROOT/target}/debug/openbadges"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
fail=0; pass=0
ok() { pass=$((pass + 1)); echo "ok   $*"; }
bad() { fail=$((fail + 1)); echo "FAIL $*"; }
UNSIGNED="$ROOT/fixtures/ob3/spec-vectors/obv3p0-unsigned.json"
HTTPS_ISSUER="https://example.edu/issuers/565049"

# expect LABEL WANT-EXIT CMD...: run CMD; its exit code must be WANT-EXIT exactly (0 accepted, 1 rejected).
expect() {
  local label=$1 want=$2; shift 2
  local rc=0
  "$@" >"$WORK/out" 2>&1 || rc=$?
  # Exact: a rejection is exit 1 ("invalid"); 2 ("could not check") or a crash is not one.
  if [ "$rc" = "$want" ]; then
    ok "$label (exit $rc)"
  else
    bad "$label: exit $rc, expected $want"
    sed 's/^/     /' "$WORK/out" | head -15
  fi
}
# with_issuer IN OUT ISSUER: a copy of IN whose issuer id is ISSUER.
with_issuer() {
  python3 - "$1" "$2" "$3" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
if isinstance(d.get("issuer"), dict):
    d["issuer"]["id"] = sys.argv[3]
else:
    d["issuer"] = sys.argv[3]
json.dump(d, open(sys.argv[2], "w"))
EOF
}
# tamper_json IN OUT: change the credential's name (the proof no longer matches).
tamper_json() {
  python3 - "$1" "$2" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
d["name"] = str(d.get("name", "")) + " (tampered)"
json.dump(d, open(sys.argv[2], "w"))
EOF
}
# tamper_jwt IN OUT: change the payload's name, keep header and signature.
tamper_jwt() {
  python3 - "$1" "$2" <<'EOF'
import base64, json, sys
h, p, s = open(sys.argv[1]).read().strip().split(".")
pad = lambda x: x + "=" * (-len(x) % 4)
d = json.loads(base64.urlsafe_b64decode(pad(p)))
c = d["vc"] if "vc" in d else d
c["name"] = str(c.get("name", "")) + " (tampered)"
p2 = base64.urlsafe_b64encode(json.dumps(d).encode()).decode().rstrip("=")
open(sys.argv[2], "w").write(".".join([h, p2, s]))
EOF
}
ours() { "$OB" verify --offline "$@"; }
# documents_dir DIR URL FILE: a `verify --documents` folder holding FILE as the document at URL.
documents_dir() {
  python3 - "$1" "$2" "$3" <<'EOF'
import hashlib, json, os, sys
d, url, f = sys.argv[1:4]
os.makedirs(d, exist_ok=True)
body = open(f, "rb").read()
sha = hashlib.sha256(body).hexdigest()
open(os.path.join(d, sha), "wb").write(body)
json.dump({"format": "openbadges-rs-documents", "documents": [
    {"url": url, "sha256": sha, "file": sha, "mediaType": "application/json",
     "fetchedAt": "2025-01-01T00:00:00Z"}]}, open(os.path.join(d, "index.json"), "w"))
EOF
}

# --- 1. the peers verify what we sign -------------------------------------------------------------
"$OB" keygen --alg ed25519 -o "$WORK/ed.pem" --public "$WORK/ed.pub.pem"
"$OB" keygen --alg es256 -o "$WORK/es.pem" --public "$WORK/es.pub.pem"
"$OB" keygen --alg rs256 -o "$WORK/rs.pem" --public "$WORK/rs.pub.pem"
# Learn our did:key (the default verification method) from a first signature.
"$OB" sign --key "$WORK/ed.pem" --format eddsa-rdfc-2022 "$UNSIGNED" > "$WORK/probe.json"
VM=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["proof"]["verificationMethod"])' "$WORK/probe.json")
DID=${VM%%#*}
MK=${VM##*#}
with_issuer "$UNSIGNED" "$WORK/in-did.json" "$DID"
with_issuer "$UNSIGNED" "$WORK/in-https.json" "$HTTPS_ISSUER"
"$OB" sign --key "$WORK/ed.pem" --format eddsa-rdfc-2022 "$WORK/in-did.json" > "$WORK/ours-didkey.json"
"$OB" sign --key "$WORK/ed.pem" --format eddsa-rdfc-2022 --verification-method "$HTTPS_ISSUER#$MK" \
  "$WORK/in-https.json" > "$WORK/ours-https.json"
# The https issuer's controller document: our key under assertionMethod.
python3 - "$HTTPS_ISSUER" "$MK" > "$WORK/issuer-doc.json" <<'EOF'
import json, sys
issuer, mk = sys.argv[1:3]
vm = f"{issuer}#{mk}"
print(json.dumps({"@context": ["https://www.w3.org/ns/cid/v1"], "id": issuer,
    "verificationMethod": [{"id": vm, "type": "Multikey", "controller": issuer,
                            "publicKeyMultibase": mk}],
    "assertionMethod": [vm]}))
EOF
documents_dir "$WORK/issuer-docs" "$HTTPS_ISSUER" "$WORK/issuer-doc.json"
for f in ours-didkey ours-https; do
  tamper_json "$WORK/$f.json" "$WORK/$f-tampered.json"
  expect "ob3-js accepts our eddsa-rdfc-2022 ($f)" 0 "$PEERS/ob3-js" verify "$WORK/$f.json"
  expect "ob3-py accepts our eddsa-rdfc-2022 ($f)" 0 "$PEERS/ob3-py" verify "$WORK/$f.json"
  expect "ours accepts our eddsa-rdfc-2022 ($f)" 0 ours --documents "$WORK/issuer-docs" "$WORK/$f.json"
  expect "ob3-js rejects tampered $f" 1 "$PEERS/ob3-js" verify "$WORK/$f-tampered.json"
  expect "ob3-py rejects tampered $f" 1 "$PEERS/ob3-py" verify "$WORK/$f-tampered.json"
  expect "ours rejects tampered $f" 1 ours --documents "$WORK/issuer-docs" "$WORK/$f-tampered.json"
done
# Without the issuer's document our verifier cannot tell whose key the fragment names.
expect "ours: https fragment key without the issuer's document is could-not-check" 2 ours "$WORK/ours-https.json"
# A forger's key in the fragment, in the same issuer's name.
"$OB" keygen --alg ed25519 -o "$WORK/forger.pem" --public "$WORK/forger.pub.pem"
"$OB" sign --key "$WORK/forger.pem" --format eddsa-rdfc-2022 "$UNSIGNED" > "$WORK/probe-forger.json"
FMK=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["proof"]["verificationMethod"].split("#")[1])' "$WORK/probe-forger.json")
"$OB" sign --key "$WORK/forger.pem" --format eddsa-rdfc-2022 --verification-method "$HTTPS_ISSUER#$FMK" \
  "$WORK/in-https.json" > "$WORK/forged-https.json"
expect "ours: forged fragment key, issuer's document given, is invalid (KEY_NOT_LISTED_BY_ISSUER)" 1 \
  ours --documents "$WORK/issuer-docs" "$WORK/forged-https.json"
expect "ours: forged fragment key offline is could-not-check" 2 ours "$WORK/forged-https.json"
for peer in ob3-js ob3-py; do
  rc=0; "$PEERS/$peer" verify "$WORK/forged-https.json" > /dev/null 2>&1 || rc=$?
  echo "note $peer on a forger's key in an https fragment: exit $rc (0 = the fragment shortcut, accepted)"
done
for a in rs:RS256 es:ES256 ed:EdDSA; do
  k=${a%%:*}; alg=${a##*:}
  "$OB" sign --key "$WORK/$k.pem" --format vc-jwt "$WORK/in-https.json" > "$WORK/ours-$alg.jwt"
  tamper_jwt "$WORK/ours-$alg.jwt" "$WORK/ours-$alg-tampered.jwt"
  expect "ob3-py accepts our VC-JWT $alg (header jwk)" 0 "$PEERS/ob3-py" verify "$WORK/ours-$alg.jwt"
  expect "ob3-py accepts our VC-JWT $alg (pinned key)" 0 "$PEERS/ob3-py" verify --pub "$WORK/$k.pub.pem" "$WORK/ours-$alg.jwt"
  expect "ours accepts our VC-JWT $alg (pinned key)" 0 ours --trusted-key "$WORK/$k.pub.pem" "$WORK/ours-$alg.jwt"
  expect "ob3-py rejects tampered VC-JWT $alg" 1 "$PEERS/ob3-py" verify --pub "$WORK/$k.pub.pem" "$WORK/ours-$alg-tampered.jwt"
  expect "ours rejects tampered VC-JWT $alg" 1 ours --trusted-key "$WORK/$k.pub.pem" "$WORK/ours-$alg-tampered.jwt"
done
# The DID-bound VC-JWT (issuer did:key, kid = its verification method) needs no pinning.
"$OB" sign --key "$WORK/ed.pem" --format vc-jwt --kid "$VM" "$WORK/in-did.json" > "$WORK/ours-didkey.jwt"
expect "ob3-py accepts our did:key VC-JWT" 0 "$PEERS/ob3-py" verify "$WORK/ours-didkey.jwt"
expect "ours accepts our did:key VC-JWT (bound by the DID)" 0 ours "$WORK/ours-didkey.jwt"

# --- 2. we verify what the peers issue ------------------------------------------------------------
"$PEERS/ob3-js" issue "$UNSIGNED" > "$WORK/js-ldp.json"
"$PEERS/ob3-py" issue-ldp "$UNSIGNED" > "$WORK/py-ldp.json"
for f in js-ldp py-ldp; do
  tamper_json "$WORK/$f.json" "$WORK/$f-tampered.json"
  expect "ours accepts $f (eddsa-rdfc-2022, did:key)" 0 ours "$WORK/$f.json"
  expect "ours rejects tampered $f" 1 ours "$WORK/$f-tampered.json"
  expect "ob3-js rejects tampered $f" 1 "$PEERS/ob3-js" verify "$WORK/$f-tampered.json"
  expect "ob3-py rejects tampered $f" 1 "$PEERS/ob3-py" verify "$WORK/$f-tampered.json"
done
for alg in RS256 ES256 EdDSA; do
  "$PEERS/ob3-py" issue-jwt --alg "$alg" --pub "$WORK/py-$alg.pub.pem" "$UNSIGNED" > "$WORK/py-$alg.jwt"
  tamper_jwt "$WORK/py-$alg.jwt" "$WORK/py-$alg-tampered.jwt"
  expect "ours accepts ob3-py VC-JWT $alg (pinned key)" 0 ours --trusted-key "$WORK/py-$alg.pub.pem" "$WORK/py-$alg.jwt"
  rc=0; ours "$WORK/py-$alg.jwt" > /dev/null 2>&1 || rc=$?
  [ "$rc" = 2 ] && ok "ours: ob3-py VC-JWT $alg without a pinned key is indeterminate (KEY_NOT_BOUND)" \
                || bad "ours: ob3-py VC-JWT $alg unpinned: exit $rc, expected 2"
  expect "ours rejects tampered ob3-py VC-JWT $alg" 1 ours --trusted-key "$WORK/py-$alg.pub.pem" "$WORK/py-$alg-tampered.jwt"
  expect "ob3-py rejects tampered ob3-py VC-JWT $alg" 1 "$PEERS/ob3-py" verify --pub "$WORK/py-$alg.pub.pem" "$WORK/py-$alg-tampered.jwt"
done

echo
echo "interop-ob3: $pass passed, $fail failed"
[ "$fail" = 0 ]
