#!/usr/bin/env python
r"""The recipe's fit time with its networks trained in lockstep, one by one, and LightGBM's.

``CrossFitClassifier`` trains its networks in lockstep on one job
(``skdeep/_lockstep.py``). This script measures what that buys on the real
tables of ``bench_tabular.py``, in one run: for every table and fold it fits
``make_tabular_classifier`` with the networks in lockstep, the same recipe with
them trained one by one (the ensemble's lockstep switched off by patching
``_in_lockstep``, the only way to time the old path in the same process), and
LightGBM behind the benchmark's shared preprocessing, interleaved (the order
rotates every fold), each fit inside ``threadpool_limits(1)``, timed in process
CPU seconds, after an untimed round on the first table (imports and compiled
kernels are loaded once per process, by whichever fit comes first). It reports
per table the summed fit CPU of each, the speed-up of the lockstep, the
recipe's ratio to LightGBM's time (issue 18's target is 1.5x) and the largest
difference between the two recipes' probabilities (rounding).

Usage (from the repository root)::

    python benchmarks/bench_lockstep.py                     # both suites, 5 folds
    python benchmarks/bench_lockstep.py --suite ten --folds 2
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import warnings

HERE = os.path.dirname(os.path.abspath(__file__))
REPO_ROOT = os.path.dirname(HERE)
if REPO_ROOT not in sys.path:
    sys.path.insert(0, REPO_ROOT)

import numpy as np  # noqa: E402
from threadpoolctl import threadpool_limits  # noqa: E402

from benchmarks.common.machine import load_average_text  # noqa: E402
from benchmarks.tabular import contenders, datasets, protocol  # noqa: E402

MODES = ("lockstep", "one by one", "LightGBM")


def _fit_cpu(build, X, y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with threadpool_limits(1):
            start = time.process_time()
            model = build().fit(X, y)
            return model, time.process_time() - start


def _builders(seed):
    import skdeep.ensemble
    from skdeep import make_tabular_classifier

    lightgbm = contenders._behind_preprocessing(contenders._lightgbm)
    real = skdeep.ensemble._BaseCrossFit._in_lockstep

    def recipe(lockstep):
        def build():
            switch = real if lockstep else (lambda self, X, folds: False)
            skdeep.ensemble._BaseCrossFit._in_lockstep = switch
            return make_tabular_classifier(random_state=seed)

        return build

    return {
        "lockstep": recipe(True),
        "one by one": recipe(False),
        "LightGBM": lambda: lightgbm(seed),
    }, real


def run_table(table, n_folds):
    """Summed fit CPU per mode over the folds, and the largest probability difference."""
    import skdeep.ensemble

    X, y = datasets.load(table)[:2]
    totals, largest = dict.fromkeys(MODES, 0.0), 0.0
    for fold, (train, test) in enumerate(protocol.splits(y, n_folds, 0)):
        builders, real = _builders(protocol.fold_seed(0, fold))
        order = MODES[fold % 3 :] + MODES[: fold % 3]
        probabilities = {}
        try:
            for mode in order:
                model, seconds = _fit_cpu(builders[mode], X.iloc[train], y[train])
                totals[mode] += seconds
                if mode != "LightGBM":
                    with warnings.catch_warnings():  # unseen categories of the test rows
                        warnings.simplefilter("ignore")
                        probabilities[mode] = model.predict_proba(X.iloc[test])
        finally:
            skdeep.ensemble._BaseCrossFit._in_lockstep = real
        difference = np.abs(probabilities["lockstep"] - probabilities["one by one"]).max()
        largest = max(largest, float(difference))
    return totals, largest


def main(argv=None):
    """Run the measurement and print a markdown report."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--suite", choices=["ten", "holdout", "all"], default="all")
    parser.add_argument("--folds", type=int, default=5)
    args = parser.parse_args(argv)
    print(f"command: python benchmarks/bench_lockstep.py {' '.join(argv or sys.argv[1:])}")
    print(f"load average at start: {load_average_text()}")
    suites = ["ten", "holdout"] if args.suite == "all" else [args.suite]
    # Untimed: the first fits of a process pay imports and the loading of compiled
    # kernels, which would land on whichever mode comes first.
    run_table(datasets.tables_of(suites[0])[0], 2)
    for suite in suites:
        print(f"\n### {suite} tables: fit CPU seconds summed over {args.folds} folds\n")
        print("| table | lockstep | one by one | speed-up | LightGBM | lockstep x LightGBM "
              "| one by one x LightGBM | max proba diff |")  # fmt: skip
        print("|---|---|---|---|---|---|---|---|")
        sums = dict.fromkeys(MODES, 0.0)
        for table in datasets.tables_of(suite):
            totals, largest = run_table(table, args.folds)
            for mode in MODES:
                sums[mode] += totals[mode]
            lock, alone, gbm = (totals[m] for m in MODES)
            print(
                f"| {table.name} | {lock:.2f} | {alone:.2f} | {alone / lock:.2f} | {gbm:.2f} "
                f"| {lock / gbm:.2f} | {alone / gbm:.2f} | {largest:.1e} |",
                flush=True,
            )
        lock, alone, gbm = (sums[m] for m in MODES)
        print(
            f"| **total** | {lock:.1f} | {alone:.1f} | {alone / lock:.2f} | {gbm:.1f} "
            f"| {lock / gbm:.2f} | {alone / gbm:.2f} | |"
        )
    print(f"\nload average at end: {load_average_text()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
