"""Times the references of MIG-sup, DCIMIG, JEMMIG (ubisoft-laforge-disentanglement-metrics, `mig_sup`, `dcimig`,
`jemmig` with their defaults: continuous factors off, 10 bins) and MCC (icebeem `mean_corr_coef_np`, called for
Pearson and for Spearman, the two numbers `mccFromCodes` returns) on one codes/factors matrix.

Export the references first (see scripts/fixtures/ubisoft_mi_metrics.py and scripts/fixtures/icebeem_mcc.py:
/tmp/ubisoft, /tmp/pyitlib, /tmp/icebeem), then
  /usr/bin/python3 scripts/bench/ref_codes_metrics.py codes.npy factors.npy
with codes n×D float64 and factors n×K integer indices. Prints one JSON line per metric, {"id": ..., "seconds": ...,
"score": ...}: the median of 3 runs after one warm-up.
"""
import json
import os
import statistics
import sys
import time
import types

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', 'fixtures'))
from ubisoft_path import use_ubisoft  # noqa: E402

use_ubisoft()
if 'torch' not in sys.modules:
    try:
        import torch  # noqa: F401  (icebeem imports it at module level; only the numpy path runs)
    except ImportError:
        sys.modules['torch'] = types.ModuleType('torch')
sys.path.insert(0, os.environ.get('ICEBEEM', '/tmp/icebeem'))

import numpy as np  # noqa: E402
from mig_sup import mig_sup  # noqa: E402
from dcimig import dcimig  # noqa: E402
from jemmig import jemmig  # noqa: E402
from metrics.mcc import mean_corr_coef_np  # noqa: E402


def timed(fn):
    fn()
    times, value = [], None
    for _ in range(3):
        t = time.perf_counter()
        value = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), float(value)


def main():
    codes = np.load(sys.argv[1]).astype(np.float64)
    factors = np.load(sys.argv[2]).astype(np.int64)
    runs = {
        'mig-sup': lambda: mig_sup(factors, codes, continuous_factors=False),
        'dcimig': lambda: dcimig(factors, codes, continuous_factors=False),
        'jemmig': lambda: jemmig(factors, codes, continuous_factors=False),
        'mcc': lambda: [mean_corr_coef_np(codes, factors.astype(np.float64), method=m) for m in ('pearson', 'spearman')][0],
    }
    for name, fn in runs.items():
        seconds, score = timed(fn)
        print(json.dumps({'id': name, 'seconds': seconds, 'score': score}))


if __name__ == '__main__':
    main()
