"""ob2_py_bench.py: per-operation timing of badgecheck (the OB 2.0 reference verifier, PyPI
`openbadges` 1.1.2) in process, on the OB 2.0 inputs written by `side_by_side gen`
(INPUT_DIR/ob2): a signed assertion (RS256 compact JWS) and a hosted one, verified with the
recipient profile {"email": <recipient.txt>}.

Every document badgecheck fetches (the assertion's badge class, issuer, key, revocation list,
badge image, the hosted assertion itself and the OB v1/v2 JSON-LD contexts) is answered from
memory: requests' HTTPAdapter.send (under every session badgecheck builds, requests_cache's
included) is replaced by a dict lookup in INPUT_DIR/ob2/documents.json's documents, the same
bytes our harness serves from its StaticLoader; any other URL raises ConnectionError (no
network). A plain dict lookup rather than the `responses` mock ob2-verify uses: `responses`
matches each request against every registered URL, which measured ~5-7% of badgecheck's time.
badgecheck runs with its default options (requests_cache in memory, as its CLI and service do).

Run by bench/side-by-side/run.sh with the py37-badgecheck venv's python:
    $OB_PEERS_DIR/py37-badgecheck/bin/python ob2_py_bench.py INPUT_DIR
Output: one JSON object per line {impl, op, median_us, ops, samples, batch}.
Must stay Python 3.7 compatible (badgecheck's pins only import on 3.7).
"""
import io
import json
import os
import sys

import requests
import requests.adapters
from openbadges import verify
from urllib3 import HTTPResponse

from timing import measure as timed


def measure(op, fn):
    timed('badgecheck', op, fn)


def main():
    if len(sys.argv) != 2:
        sys.stderr.write('usage: ob2_py_bench.py INPUT_DIR\n')
        return 2
    d = os.path.join(sys.argv[1], 'ob2')

    def read(name, mode='r'):
        with open(os.path.join(d, name), mode) as f:
            return f.read()

    docs = {}
    for doc in json.loads(read('documents.json')):
        docs[doc['url']] = (read(doc['file'], 'rb'), doc['content_type'])
    fetched = set()

    def send(adapter, request, **kwargs):
        """HTTPAdapter.send: the document from memory, as a 200 response."""
        doc = docs.get(request.url)
        if doc is None:
            raise requests.ConnectionError('not served from memory: %s' % request.url)
        fetched.add(request.url)
        body, content_type = doc
        raw = HTTPResponse(body=io.BytesIO(body), status=200, reason='OK',
                           headers={'Content-Type': content_type,
                                    'Content-Length': str(len(body))},
                           preload_content=False, decode_content=False)
        return adapter.build_response(request, raw)

    recipient = read('recipient.txt').strip()

    def check(data, email, want_valid):
        res = verify(data, recipient_profile={'email': email})
        rep = res['report']
        if want_valid:
            if not rep.get('valid') or rep.get('errorCount') != 0:
                raise AssertionError('badgecheck: not valid: %s' % json.dumps(rep, default=str))
            if rep.get('recipientProfile') != {'email': email}:
                raise AssertionError('badgecheck: recipient not matched: %s'
                                     % rep.get('recipientProfile'))
        elif rep.get('valid'):
            raise AssertionError('badgecheck: valid for another recipient')
        return rep

    real_send = requests.adapters.HTTPAdapter.send
    requests.adapters.HTTPAdapter.send = send
    try:
        for name, op in (('signed.jws', 'ob2 verify signed RS256'),
                         ('hosted.json', 'ob2 verify hosted')):
            # The assertion's text, as ours gets its bytes; for the hosted one both fetch its
            # `id` (from memory) and compare, as HostedBadge verification requires.
            data = read(name).strip()
            check(data, 'someone-else@example.org', False)
            fetched.clear()
            check(data, recipient, True)
            sys.stderr.write('badgecheck: %s fetched %s\n' % (name, ' '.join(sorted(fetched))))
            measure(op, lambda data=data: check(data, recipient, True))
        sys.stderr.write('badgecheck: both OB 2.0 inputs verify (and fail for another recipient)\n')
    finally:
        requests.adapters.HTTPAdapter.send = real_send
    return 0


if __name__ == '__main__':
    sys.exit(main())
