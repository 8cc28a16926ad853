"""Times kylehkhsu/latent_quantization's own `compute_infomec` (continuous codes) on a codes/factors matrix.

Usage:  /usr/bin/python3 scripts/bench/ref_infomec.py codes.npy factors.npy
codes.npy: n x D float64, factors.npy: n x K int. Prints one JSON line {"id": "infomec", "seconds": ...}: the median
of 3 runs after 1 warm-up (1 run when one takes over 20 s).
The reference tree: git --git-dir=<latent_quantization clone>/.git archive HEAD disentangle | tar -x -C /tmp/ref-lq
(override with LATENT_QUANTIZATION=...). infomec.py is loaded by file path (it needs only numpy and scikit-learn).
"""
import importlib.util
import json
import os
import sys
import time
import warnings

os.environ.setdefault('PYTHONWARNINGS', 'ignore')  # the 100-iteration fits warn, also in joblib's workers
import numpy as np  # noqa: E402

REF = os.environ.get('LATENT_QUANTIZATION', '/tmp/ref-lq')
spec = importlib.util.spec_from_file_location('infomec', os.path.join(REF, 'disentangle/metrics/infomec.py'))
infomec = importlib.util.module_from_spec(spec)
spec.loader.exec_module(infomec)
warnings.filterwarnings('ignore')


def main():
    codes = np.load(sys.argv[1]).astype(np.float64)
    factors = np.load(sys.argv[2]).astype(np.int64)
    t = time.perf_counter()
    infomec.compute_infomec(factors, codes, discrete_latents=False)
    first = time.perf_counter() - t
    if first > 20:
        print(json.dumps({'id': 'infomec', 'seconds': first}))
        return
    times = []
    for _ in range(3):
        t = time.perf_counter()
        infomec.compute_infomec(factors, codes, discrete_latents=False)
        times.append(time.perf_counter() - t)
    print(json.dumps({'id': 'infomec', 'seconds': float(np.median(times))}))


if __name__ == '__main__':
    main()
