#!/usr/bin/env python
r"""A panel whose target turns on who the people are: ids as numbers or as codes.

Real tables often store an identifier as a number: a household in a panel of
purchases, a district, a store. The target then changes from one id to the next,
which a network cannot follow through a smooth function of the number and 8 bins,
while a tree splits on the id as often as it likes. ``TabularEncoder``'s
``numeric_target_encoding`` (on in the recipes) finds such columns by an
out-of-fold test and target-encodes them too.

This script simulates brand choice in a panel: ``n_people`` households, each
buying ``rows_each`` times among four brands; a household's utility for a brand
is its own taste (normal, standard deviation ``taste``) minus 3 times the price
plus 1 if the brand is promoted, plus Gumbel noise, and it buys the brand of
highest utility. The columns are the household id (an integer), four prices and
four promotion flags. It reports 5-fold shuffled stratified CV accuracy (the
same households in training and test rows, as in a panel) of the recipe, the
recipe with ``numeric_target_encoding=False``, and LightGBM and CatBoost (when
installed) behind the shared preprocessing of ``bench_tabular.py``, every fit in
``threadpool_limits(1)``, for each seed, after an untimed round (imports and
compiled kernels load once per process).

Usage (from the repository root)::

    python benchmarks/bench_codes.py                  # seeds 0 and 1
    python benchmarks/bench_codes.py --seeds 0 --taste 0   # no household effect
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import sys
import time
import warnings

HERE = os.path.dirname(os.path.abspath(__file__))
REPO_ROOT = os.path.dirname(HERE)
if REPO_ROOT not in sys.path:
    sys.path.insert(0, REPO_ROOT)

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from sklearn.model_selection import StratifiedKFold, cross_val_score  # noqa: E402
from threadpoolctl import threadpool_limits  # noqa: E402

from benchmarks.common.machine import load_average_text  # noqa: E402
from benchmarks.tabular import contenders  # noqa: E402

N_BRANDS = 4


def make_panel(seed, n_people=150, rows_each=20, taste=2.0):
    """The simulated panel of brand choices (see the module docstring).

    Parameters
    ----------
    seed : int
        Seed of the simulation.
    n_people : int, default=150
        Households.
    rows_each : int, default=20
        Purchases per household.
    taste : float, default=2.0
        Standard deviation of a household's taste for a brand (0: none).

    Returns
    -------
    X : pandas.DataFrame
        ``household`` (an integer id), ``price0..3`` and ``promoted0..3``.
    y : numpy.ndarray
        The brand bought, 0 to 3.
    """
    rng = np.random.default_rng(seed)
    household = np.repeat(np.arange(n_people), rows_each)
    tastes = rng.normal(0.0, taste, (n_people, N_BRANDS))
    price = rng.uniform(0.5, 1.5, (len(household), N_BRANDS)).round(2)
    promoted = rng.random((len(household), N_BRANDS)) < 0.2
    utility = tastes[household] - 3.0 * price + promoted + rng.gumbel(size=price.shape)
    columns = {"household": household + 1000}
    columns |= {f"price{b}": price[:, b] for b in range(N_BRANDS)}
    columns |= {f"promoted{b}": promoted[:, b].astype(int) for b in range(N_BRANDS)}
    return pd.DataFrame(columns), utility.argmax(axis=1)


def _contenders():
    from skdeep import make_tabular_classifier

    built = {
        "recipe": lambda seed: make_tabular_classifier(random_state=seed),
        "recipe, ids as numbers": lambda seed: make_tabular_classifier(
            random_state=seed, numeric_target_encoding=False
        ),
    }
    if importlib.util.find_spec("lightgbm"):
        built["LightGBM"] = contenders._behind_preprocessing(contenders._lightgbm)
    if importlib.util.find_spec("catboost"):
        built["CatBoost"] = contenders._behind_preprocessing(contenders._catboost)
    return built


def main(argv=None):
    """Run the comparison and print one row per seed."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1])
    parser.add_argument("--people", type=int, default=150, help="households (default 150)")
    parser.add_argument("--rows-each", type=int, default=20, help="purchases per household")
    parser.add_argument("--taste", type=float, default=2.0, help="taste spread (0: none)")
    args = parser.parse_args(argv)
    builders = _contenders()
    print(f"load average at start: {load_average_text()}")
    print(f"{args.people} households x {args.rows_each} purchases, taste spread {args.taste}")
    # An untimed round: imports and compiled kernels load once per process, in
    # whichever fit comes first.
    X, y = make_panel(0, n_people=20, rows_each=10)
    for build in builders.values():
        with warnings.catch_warnings(), threadpool_limits(1):
            warnings.simplefilter("ignore")
            build(0).fit(X, y)
    print("\n| seed | " + " | ".join(builders) + " |")
    print("|---" * (len(builders) + 1) + "|")
    for seed in args.seeds:
        X, y = make_panel(seed, args.people, args.rows_each, args.taste)
        folds = StratifiedKFold(5, shuffle=True, random_state=seed)
        cells = []
        for build in builders.values():
            with warnings.catch_warnings(), threadpool_limits(1):
                warnings.simplefilter("ignore")
                start = time.process_time()
                accuracy = cross_val_score(build(seed), X, y, cv=folds).mean()
                cpu = time.process_time() - start
            cells.append(f"{accuracy:.3f} ({cpu:.1f} s)")
        print(f"| {seed} | " + " | ".join(cells) + " |", flush=True)
    print("\nMean 5-fold accuracy (fit and predict CPU seconds over the folds).")
    print(f"load average at end: {load_average_text()}")


if __name__ == "__main__":
    main()
