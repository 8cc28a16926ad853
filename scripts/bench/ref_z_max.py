"""Times ubisoft-laforge-disentanglement-metrics' own `z_max_var` (src/metrics/z_max_var.py) on given codes.

Export the reference first (see scripts/fixtures/ubisoft_z_max.py: /tmp/ubisoft and /tmp/pyitlib), then
  /usr/bin/python3 scripts/bench/ref_z_max.py codes.npy factors.npy
with codes n×D float64 and factors n×K integer indices (read as discrete factors, `continuous_factors=False`;
every other argument at the reference's default: batch 200, 800 + 800 votes, 10,000 rows for the variances).
Prints one JSON line {"id": "z-max", "seconds": ..., "score": ...}: the median of 3 runs after one warm-up
(one run when a run takes over 20 s). Only pandas is stubbed (imported by pyitlib, which Z-max does not use).
"""
import json
import os
import random
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'fixtures'))
from ubisoft_path import use_ubisoft  # noqa: E402

use_ubisoft()

import numpy as np  # noqa: E402
from z_max_var import z_max_var  # noqa: E402


def run(codes, factors, seed):
    np.random.seed(seed)
    random.seed(seed)
    start = time.perf_counter()
    score = z_max_var(factors, codes, continuous_factors=False)
    return time.perf_counter() - start, float(score)


def main():
    codes = np.load(sys.argv[1]).astype(np.float64)
    factors = np.load(sys.argv[2]).astype(np.int64)
    first, score = run(codes, factors, 0)
    if first > 20:
        seconds = first
    else:
        seconds = float(np.median([run(codes, factors, s)[0] for s in (1, 2, 3)]))
    print(json.dumps({'id': 'z-max', 'seconds': seconds, 'score': score}))


if __name__ == '__main__':
    main()
