"""Renders the side-by-side results (JSON lines from the three harnesses) as one markdown table.

usage: table.py RESULTS.jsonl...   (run by run.sh)
"""
import json
import sys

ROWS = [
    ('vc-jwt verify RS256', 'raw ring verify RS256'),
    ('vc-jwt verify ES256', 'raw ring verify ES256'),
    ('vc-jwt verify EdDSA', 'raw ring verify EdDSA'),
    ('eddsa-rdfc-2022 verify', 'raw ring verify Ed25519 (eddsa-rdfc-2022 hash)'),
    ('eddsa-rdfc-2022 verify (proof only)', 'raw ring verify Ed25519 (eddsa-rdfc-2022 hash)'),
    ('eddsa-rdfc-2022 sign', None),
]
PEERS = ['ob3-py', 'ob3-js']


def fmt_us(r):
    if r is None:
        return '—'
    us = r['median_us']
    t = '%.1f µs' % us if us < 1000 else '%.2f ms' % (us / 1000)
    return '%s (%s/s)' % (t, '{:,.0f}'.format(r['ops']))


def fmt_ratio(x):
    return '%.0f×' % x if x >= 10 else '%.1f×' % x


def main():
    res = {}
    for path in sys.argv[1:]:
        with open(path) as f:
            for line in f:
                line = line.strip()
                if line.startswith('{'):
                    r = json.loads(line)
                    res[(r['impl'], r['op'])] = r
    head = ['operation', 'ours', 'ob3-py (openbadgeslib 4.6.3)', 'ob3-js (DCC stack)',
            'ob3-py / ours', 'ob3-js / ours', 'raw ring verify', 'ours / raw']
    print('| ' + ' | '.join(head) + ' |')
    print('|' + '---|' * len(head))
    for op, raw_op in ROWS:
        ours = res.get(('ours', op))
        raw = res.get(('ours', raw_op)) if raw_op else None
        cells = [op, fmt_us(ours)]
        peers = [res.get((p, op)) for p in PEERS]
        cells += [fmt_us(p) for p in peers]
        for p in peers:
            cells.append(fmt_ratio(p['median_us'] / ours['median_us']) if p and ours else '—')
        cells.append('%.1f µs' % raw['median_us'] if raw else '—')
        if ours and 'ratio_to_raw' in ours:
            # Measured pairwise (batches alternating with the raw check): load moves it less.
            cells.append('%.2f×' % ours['ratio_to_raw'])
        else:
            cells.append('%.2f×' % (ours['median_us'] / raw['median_us']) if raw and ours else '—')
        print('| ' + ' | '.join(cells) + ' |')


if __name__ == '__main__':
    main()
