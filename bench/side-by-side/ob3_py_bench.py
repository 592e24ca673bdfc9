"""ob3_py_bench.py: per-operation timing of openbadgeslib (ob3-py peer) on the inputs written by
`side_by_side gen`: VC-JWT verify (RS256, ES256, EdDSA; key pinned as a PEM), eddsa-rdfc-2022
verify (did:key issuer, key resolved from the verificationMethod) and sign.

Run by bench/side-by-side/run.sh with the py311-ob3 venv's python:
    $OB_PEERS_DIR/py311-ob3/bin/python ob3_py_bench.py INPUT_DIR
Output: one JSON object per line {impl, op, median_us, ops, samples, batch}.
"""
import json
import os
import sys
from datetime import datetime

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519
from openbadgeslib.ob3 import OB3Verifier
from openbadgeslib.ob3.ldp import OB3LdpVerifier, add_data_integrity_proof

from timing import measure as timed


def measure(op, fn):
    timed('ob3-py', op, fn)


def main():
    if len(sys.argv) != 2:
        sys.stderr.write('usage: ob3_py_bench.py INPUT_DIR\n')
        return 2
    d = sys.argv[1]

    def read(name, mode='r'):
        with open(os.path.join(d, name), mode) as f:
            return f.read()

    # VC-JWT: the verifier is built once per key (a pinned PEM); each operation verifies the
    # token string. verify() raises on any failure, and the credential it returns is checked.
    for alg in ('RS256', 'ES256', 'EdDSA'):
        token = read('vc-jwt-%s.jwt' % alg).strip()
        verifier = OB3Verifier(pubkey_pem=read('vc-jwt-%s.pub.pem' % alg, 'rb'))

        def verify_jwt(token=token, verifier=verifier):
            c = verifier.verify(token)
            if c.issuer.id is None:
                raise AssertionError('no issuer')

        verify_jwt()
        measure('vc-jwt verify %s' % alg, verify_jwt)

    # eddsa-rdfc-2022: no pinned key; the did:key verificationMethod must belong to the issuer.
    signed_text = read('di-eddsa-rdfc-2022.json')
    ldp = OB3LdpVerifier()

    def verify_di():
        c = ldp.verify(signed_text)
        if not c.issuer.id.startswith('did:key:'):
            raise AssertionError('unexpected issuer')

    verify_di()
    measure('eddsa-rdfc-2022 verify', verify_di)

    unsigned = json.loads(read('di-unsigned.json'))
    seed = bytes.fromhex(read('ed25519-seed.hex').strip())
    priv_pem = ed25519.Ed25519PrivateKey.from_private_bytes(seed).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption())
    created = datetime.fromisoformat(read('di-created.txt').strip().replace('Z', '+00:00'))
    vm = json.loads(signed_text)['proof']['verificationMethod']
    ours = json.loads(signed_text)['proof']['proofValue']

    def sign_di():
        return add_data_integrity_proof(unsigned, priv_pem, vm, created=created)

    theirs = sign_di()['proof']['proofValue']
    sys.stderr.write('ob3-py: all inputs verify; same proofValue as ours when signing: %s\n'
                     % (theirs == ours))
    if theirs != ours:
        raise AssertionError('ob3-py proofValue differs from ours')
    measure('eddsa-rdfc-2022 sign', sign_di)
    return 0


if __name__ == '__main__':
    sys.exit(main())
