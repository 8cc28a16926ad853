"""Times nmichlo/disent's flatness computation (`metric_flatness`, disent/metrics/_flatness.py) on pre-encoded
factor traversals, for the benchmark row of `computeFlatness`.

Usage:  /usr/bin/python3 scripts/bench/ref_flatness.py codes.npy factors.npy
  codes.npy    n×D float64: the codes of every traversal, factor by factor, repeat by repeat, each traversal its
               factor's S rows in value order 0 … S − 1 (n = repeats × Σ S over the factors of size ≥ 2)
  factors.npy  n×K int: the factor rows of those codes (sizes are read as max + 1; repeats as n / Σ S)
Prints one JSON line {"id": "flatness", "seconds": ...}: disent's whole metric (per-traversal widths and steps
under L1 and L2, the means over repeats, compute_flatness and the averages) with its encoder replaced by a lookup
of the given traversals, so only the measure computation is timed (median of 3 runs after 1 warm-up, or 1 run if
a run takes over 20 s).

The reference export and the stand-ins for what disent imports but flatness never runs are those of
scripts/fixtures/disent_flatness.py (see its docstring: git archive of nmichlo/disent into /tmp/ref-disent).
"""
import json
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(__file__), '..', 'fixtures'))
import disent_flatness as ref  # noqa: E402  (installs the stand-ins and imports disent's _flatness as ref.F)

import torch  # noqa: E402


def main():
    codes = np.load(sys.argv[1]).astype(np.float64)
    factors = np.load(sys.argv[2]).astype(np.int64)
    sizes = [int(s) for s in factors.max(axis=0) + 1]
    per_repeat = sum(s for s in sizes if s > 1)
    repeats = codes.shape[0] // per_repeat
    assert repeats * per_repeat == codes.shape[0], 'codes do not split into whole traversals'
    traversals = []
    start = 0
    for k, s in enumerate(sizes):
        if s < 2:
            continue
        for _ in range(repeats):
            assert (factors[start:start + s, k] == np.arange(s)).all(), 'rows are not in traversal order'
            traversals.append(torch.as_tensor(codes[start:start + s]))
            start += s
    dataset = ref._CodesOnly(sizes)

    def run():
        queue = list(traversals)
        ref.F.encode_all_along_factor = lambda *a, **k: queue.pop(0)
        return ref.F.metric_flatness(dataset, lambda x: x, repeats=repeats, batch_size=64)

    result = run()  # warm-up
    t0 = time.perf_counter()
    run()
    first = time.perf_counter() - t0
    if first > 20:
        seconds = first
    else:
        times = [first]
        for _ in range(2):
            t0 = time.perf_counter()
            run()
            times.append(time.perf_counter() - t0)
        seconds = float(np.median(times))
    print(json.dumps({'id': 'flatness', 'seconds': seconds, 'repeats': repeats, 'factorSizes': sizes,
                      'aveFlatness': result['flatness.ave_flatness']}))


if __name__ == '__main__':
    main()
