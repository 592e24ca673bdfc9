"""timing.py: the timing method of the Python side-by-side harnesses (ob2_py_bench.py,
ob3_py_bench.py), the same as ours (crates/openbadges-proof/benches/common/alternate.rs) and
the JavaScript one (ob3_js_bench.mjs): warm up for WARM_MS (which also sizes the batch so one
batch takes ~BATCH_MS), time SAMPLES batches, report the median time per operation as one JSON
line {impl, op, median_us, ops, samples, batch}. Python 3.7 compatible (the badgecheck venv).
"""
import json
import os
import time

SAMPLES = int(os.environ.get('SAMPLES', '15'))
BATCH_MS = float(os.environ.get('BATCH_MS', '200'))
WARM_MS = float(os.environ.get('WARM_MS', '1000'))


def measure(impl, op, fn):
    """Times fn() with the method above and prints its line for `impl` / `op`."""
    t0 = time.perf_counter()
    n = 0
    while (time.perf_counter() - t0) * 1000 < WARM_MS or n == 0:
        fn()
        n += 1
    per_ms = (time.perf_counter() - t0) * 1000 / n
    batch = max(1, round(BATCH_MS / per_ms))
    samples = []
    for _ in range(SAMPLES):
        t0 = time.perf_counter()
        for _ in range(batch):
            fn()
        samples.append((time.perf_counter() - t0) * 1e6 / batch)
    samples.sort()
    median = samples[len(samples) // 2]
    print(json.dumps({'impl': impl, 'op': op, 'median_us': median, 'ops': 1e6 / median,
                      'samples': SAMPLES, 'batch': batch}), flush=True)
