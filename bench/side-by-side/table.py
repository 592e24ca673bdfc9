"""Renders the side-by-side results (JSON lines from the four harnesses) as one markdown table,
then the issue #18 goals as measured in this run.

usage: table.py RESULTS.jsonl...   (run by run.sh)
"""
import json
import sys

# (operation, the raw ring operation on the same signature / bytes, or None)
ROWS = [
    ('ob2 verify signed RS256', 'raw ring verify RS256 (ob2 signed)'),
    ('ob2 verify hosted', None),
    ('vc-jwt verify RS256', 'raw ring verify RS256'),
    ('vc-jwt verify ES256', 'raw ring verify ES256'),
    ('vc-jwt verify EdDSA', 'raw ring verify EdDSA'),
    ('eddsa-rdfc-2022 verify', 'raw ring verify Ed25519 (eddsa-rdfc-2022 hash)'),
    ('eddsa-rdfc-2022 verify (proof only)', 'raw ring verify Ed25519 (eddsa-rdfc-2022 hash)'),
    ('eddsa-rdfc-2022 sign', 'raw ring sign Ed25519 (eddsa-rdfc-2022 hash)'),
]
PEERS = [('badgecheck', 'badgecheck 1.1.2 (OB 2.0)'), ('ob3-py', 'ob3-py (openbadgeslib)'),
         ('ob3-js', 'ob3-js (DCC stack)')]


def fmt_time(us):
    return '%.1f µs' % us if us < 1000 else '%.2f ms' % (us / 1000)


def fmt_us(r):
    if r is None:
        return '—'
    return '%s (%s/s)' % (fmt_time(r['median_us']), '{:,.0f}'.format(r['ops']))


def fmt_ratio(x):
    return '%.0f×' % x if x >= 10 else '%.1f×' % x


def ratio_to_raw(res, op, raw_op):
    """ours / raw: the median of the per-pair ratios when the harness measured the pipeline's
    batches alternating with the raw operation's (load moves it less), else the ratio of the
    medians."""
    ours = res.get(('ours', op))
    raw = res.get(('ours', raw_op)) if raw_op else None
    if ours is None or raw is None:
        return None
    if 'ratio_to_raw' in ours:
        return ours['ratio_to_raw']
    return ours['median_us'] / raw['median_us']


def goal(text, value, limit, fmt):
    if value is None:
        return '- %s: not measured' % text
    return '- %s: %s (goal ≤ %s: %s)' % (text, fmt % value, fmt % limit,
                                        'holds' if value <= limit else 'NOT reached')


def main():
    res = {}
    for path in sys.argv[1:]:
        with open(path) as f:
            for line in f:
                line = line.strip()
                if line.startswith('{'):
                    r = json.loads(line)
                    res[(r['impl'], r['op'])] = r
    head = ['operation', 'ours', 'raw ring', 'ours / raw']
    head += ['%s (× ours)' % title for _, title in PEERS]
    print('| ' + ' | '.join(head) + ' |')
    print('|' + '---|' * len(head))
    for op, raw_op in ROWS:
        ours = res.get(('ours', op))
        raw = res.get(('ours', raw_op)) if raw_op else None
        cells = [op, fmt_us(ours), fmt_time(raw['median_us']) if raw else '—']
        r = ratio_to_raw(res, op, raw_op)
        cells.append('%.2f×' % r if r is not None else '—')
        for p, _ in PEERS:
            peer = res.get((p, op))
            if peer and ours:
                cells.append('%s (%s)' % (fmt_time(peer['median_us']),
                                          fmt_ratio(peer['median_us'] / ours['median_us'])))
            else:
                cells.append('—')
        print('| ' + ' | '.join(cells) + ' |')
    print()
    print('Issue #18 goals in this run:')
    x = '%.2f×'
    print(goal('1. OB 2.0 signed (RS256) verify / raw ring RSA check', ratio_to_raw(
        res, ROWS[0][0], ROWS[0][1]), 1.5, x))
    hosted = res.get(('ours', 'ob2 verify hosted'))
    print(goal('2. OB 2.0 hosted verify', hosted['median_us'] if hosted else None, 100.0,
               '%.1f µs'))
    rsa = res.get(('ours', ROWS[0][1]))
    if hosted and rsa and 'ratio_to_rsa' in hosted:
        # Load-independent form: batches alternating with the raw RSA-2048 check.
        print('  (= %.2f× the raw ring RSA-2048 verify, %.1f µs in this run, measured '
              'alternating: on a machine where that check takes R µs, hosted ≈ %.2f × R)'
              % (hosted['ratio_to_rsa'], rsa['median_us'], hosted['ratio_to_rsa']))
    print(goal('3. eddsa-rdfc-2022 verify / raw Ed25519 verify',
               ratio_to_raw(res, ROWS[5][0], ROWS[5][1]), 1.5, x))
    print(goal('3. eddsa-rdfc-2022 sign / raw Ed25519 sign',
               ratio_to_raw(res, ROWS[7][0], ROWS[7][1]), 1.5, x))
    for i, alg in ((2, 'RS256'), (3, 'ES256'), (4, 'EdDSA')):
        print(goal('4. VC-JWT %s verify / raw' % alg, ratio_to_raw(res, ROWS[i][0], ROWS[i][1]),
                   1.5, x))


if __name__ == '__main__':
    main()
