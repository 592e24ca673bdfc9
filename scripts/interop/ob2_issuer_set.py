#!/usr/bin/env python3
"""Write a tiny OB 2.0 issuer site for interop tests into OUTDIR, served at BASE.

usage: ob2_issuer_set.py OUTDIR BASE PUBLIC_KEY_PEM

Writes issuer.json (publicKey + revocationList), key.json (CryptographicKey with the given PEM),
badgeclass.json, revocations.json (revoking urn:uuid:...0002), and the assertions to sign
(unsigned/valid.json, unsigned/revoked.json) plus a hosted assertion hosted/valid.json.
"""
import json, os, sys

out, base, pem_path = sys.argv[1], sys.argv[2].rstrip('/'), sys.argv[3]
pem = open(pem_path).read()
CTX = "https://w3id.org/openbadges/v2"
os.makedirs(os.path.join(out, 'unsigned'), exist_ok=True)
os.makedirs(os.path.join(out, 'hosted'), exist_ok=True)

def w(rel, doc):
    with open(os.path.join(out, rel), 'w') as f:
        json.dump(doc, f, indent=2)

recipient = {"type": "email", "hashed": True, "salt": "deadsea",
             "identity": "sha256$7a583eab660c760fe8fd759ee3ac15b4bacd9774104663bc0300f62599be6862"}
w('issuer.json', {"@context": CTX, "id": base + "/issuer.json", "type": "Issuer", "name": "openbadges-rs interop issuer",
                  "url": "https://example.org", "email": "issuer@example.org",
                  "publicKey": base + "/key.json", "revocationList": base + "/revocations.json"})
w('key.json', {"@context": CTX, "id": base + "/key.json", "type": "CryptographicKey",
               "owner": base + "/issuer.json", "publicKeyPem": pem})
w('badgeclass.json', {"@context": CTX, "id": base + "/badgeclass.json", "type": "BadgeClass", "name": "Interop",
                      "description": "Signed by openbadges-rs", "image": base + "/badge.png",
                      "criteria": {"narrative": "Be interoperable."}, "issuer": base + "/issuer.json"})
w('revocations.json', {"@context": CTX, "id": base + "/revocations.json", "type": "RevocationList",
                       "issuer": base + "/issuer.json",
                       "revokedAssertions": [{"id": "urn:uuid:00000000-0000-4000-8000-000000000002",
                                              "revocationReason": "interop test"},
                                             # a second entry: the peer misses one-entry lists
                                             "urn:uuid:00000000-0000-4000-8000-0000000000ff"]})
for name, uid in [('valid', '1'), ('revoked', '2')]:
    w('unsigned/%s.json' % name, {"@context": CTX, "type": "Assertion",
                                  "id": "urn:uuid:00000000-0000-4000-8000-00000000000" + uid,
                                  "recipient": recipient, "badge": base + "/badgeclass.json",
                                  "issuedOn": "2024-01-15T12:00:00Z", "verification": {"type": "HostedBadge"}})
w('hosted/valid.json', {"@context": CTX, "type": "Assertion", "id": base + "/hosted/valid.json",
                        "recipient": recipient, "badge": base + "/badgeclass.json",
                        "issuedOn": "2024-01-15T12:00:00Z", "verification": {"type": "HostedBadge"}})
w('hosted/revoked.json', {"@context": CTX, "type": "Assertion", "id": base + "/hosted/revoked.json",
                          "revoked": True, "revocationReason": "interop test"})
