"""Times the DCI-ES explicitness pipeline of andreinicolicioiu/DCI-ES on given codes and factors.

Usage: /usr/bin/python3 scripts/bench/ref_dci_es.py CODES.npy FACTORS.npy [TEST_CODES.npy TEST_FACTORS.npy]
       [--trees N] [--categorical J,J,...]
(n x D float64 codes, n x K integer factors; without a test split the last third of the rows is held out).
Per factor and per depth of `configs/random_forest/config.yaml`, a scikit-learn `RandomForestRegressor` (or
`RandomForestClassifier` for the factors named by --categorical) with `n_estimators=100, random_state=0,
n_jobs=-1`, as `src/loss_capacity/train_model_random_forest.py` fits them; loss = 1 - score on the test split;
then the reference's own `Explitcitness` per factor (`src/simple_gather.py`). Prints one JSON line
{"id": "dci-es", "seconds": ..., "explicitness": ...}: the median of 3 runs after a warm-up, or one run if a run
takes more than 20 s. Needs the reference tree exported as described in scripts/fixtures/dcies_reference.py.
"""
import argparse
import json
import statistics
import sys
import time

import numpy as np
from sklearn.ensemble import RandomForestClassifier, RandomForestRegressor

sys.path.insert(0, '/tmp/ref-dcies')
from metrics.explitcitness import Explitcitness  # noqa: E402

DEPTHS = [1, 2, 3, 4, 8, 10, 12, 14, 16, 18, 20, 32]


def run(tr, te, categorical, trees):
    es = []
    for j in range(tr[1].shape[1]):
        losses = []
        for d in DEPTHS:
            cls = RandomForestClassifier if j in categorical else RandomForestRegressor
            model = cls(max_depth=d, n_estimators=trees, random_state=0, n_jobs=-1)
            model.fit(tr[0], tr[1][:, j])
            losses.append(1.0 - model.score(te[0], te[1][:, j]))
        base = 1.0 - 1.0 / len(np.unique(tr[1][:, j])) if j in categorical else 1.0
        exp = Explitcitness()
        exp.add_curve(np.array(DEPTHS, dtype=float), np.array(losses), base, name='f')
        es.append(exp.get_explitcitness()['f'])
    return float(np.mean(es))


def main():
    p = argparse.ArgumentParser()
    p.add_argument('paths', nargs='+')
    p.add_argument('--trees', type=int, default=100)
    p.add_argument('--categorical', default='')
    a = p.parse_args()
    codes, factors = np.load(a.paths[0]), np.load(a.paths[1])
    if len(a.paths) >= 4:
        tr, te = (codes, factors), (np.load(a.paths[2]), np.load(a.paths[3]))
    else:
        cut = 2 * len(codes) // 3
        tr, te = (codes[:cut], factors[:cut]), (codes[cut:], factors[cut:])
    categorical = {int(j) for j in a.categorical.split(',') if j}
    t0 = time.perf_counter()
    e = run(tr, te, categorical, a.trees)
    first = time.perf_counter() - t0
    if first > 20:
        seconds = first
    else:
        times = []
        for _ in range(3):
            t0 = time.perf_counter()
            run(tr, te, categorical, a.trees)
            times.append(time.perf_counter() - t0)
        seconds = statistics.median(times)
    print(json.dumps({'id': 'dci-es', 'seconds': seconds, 'explicitness': e, 'trees': a.trees}))


if __name__ == '__main__':
    main()
