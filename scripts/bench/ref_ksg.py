"""Times scikit-learn's `mutual_info_classif(x, y, discrete_features=False, n_neighbors=k)` (KD-tree KSG) on one
continuous feature against discrete labels.

Usage:  /usr/bin/python3 scripts/bench/ref_ksg.py [codes.npy factors.npy] [--k 10]
Without files: n = 10,000 values, x = y + N(0, 1), y uniform over 10 classes (seed 0). With files: the first code
column against the first factor column. Prints one JSON line {"id": "ksg", "seconds": ..., "n": ...}: the median
of 3 runs after 1 warm-up.
"""
import json
import sys
import time

import numpy as np
from sklearn.feature_selection import mutual_info_classif


def main():
    args = [a for a in sys.argv[1:] if not a.startswith('--')]
    k = int(sys.argv[sys.argv.index('--k') + 1]) if '--k' in sys.argv else 10
    args = [a for a in args if a != str(k)]
    if len(args) >= 2:
        x = np.load(args[0]).astype(np.float64)[:, 0]
        y = np.load(args[1]).astype(np.int64)[:, 0]
    else:
        rng = np.random.default_rng(0)
        y = rng.integers(0, 10, 10000)
        x = y + rng.normal(size=y.size)
    run = lambda: mutual_info_classif(x[:, None], y, discrete_features=False, n_neighbors=k)  # noqa: E731
    run()
    times = []
    for _ in range(3):
        t = time.perf_counter()
        run()
        times.append(time.perf_counter() - t)
    print(json.dumps({'id': 'ksg', 'seconds': float(np.median(times)), 'n': int(x.size), 'k': k}))


if __name__ == '__main__':
    main()
