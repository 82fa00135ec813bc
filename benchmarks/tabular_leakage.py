#!/usr/bin/env python
"""Do target-aware bin edges leak into the cross-fitted networks' early stopping?

``make_tabular_classifier`` fits its encoder on every training row, then
:class:`~skdeep.ensemble.CrossFitClassifier` holds a fold of those rows out of
each network to stop it early. With ``bins='tree'`` the held-out rows' labels
helped place the bin edges, so each network validates on rows that are not
quite unseen. This script compares, under ``bench_tabular.py``'s protocol
(same folds, seeds, one thread), the recipe as it is ("global" encoder) with a
leak-free one whose every network gets its own encoder fitted on its own
training rows only ("per-network" encoder), for tree bins and, as the control
that has no labels to leak, quantile bins::

    python benchmarks/tabular_leakage.py --tables mlc_churn hpc_data fgl
    python benchmarks/tabular_leakage.py --suite all --json benchmarks/results/leakage.json

The leak's effect is the tree gap (per-network minus global) minus the
quantile gap (what fitting an encoder per network changes by itself).
"""

from __future__ import annotations

import argparse
import json
import os
import sys

import numpy as np

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if REPO_ROOT not in sys.path:
    sys.path.insert(0, REPO_ROOT)

from sklearn.base import BaseEstimator, ClassifierMixin, clone  # noqa: E402

from benchmarks.tabular import datasets, protocol  # noqa: E402
from benchmarks.tabular.contenders import RECIPE, Contender  # noqa: E402

# The rows the networks index into: the table being fitted or predicted. A
# module global (not a parameter) so that cloning the networks does not copy it.
_FRAME = {}


class _RowsNetwork(ClassifierMixin, BaseEstimator):
    """One network with its own encoder; X holds row numbers into ``_FRAME['X']``."""

    def __init__(self, encoder=None, network=None, random_state=None):
        self.encoder = encoder
        self.network = network
        self.random_state = random_state

    def _rows(self, X):
        return _FRAME["X"].iloc[np.asarray(X)[:, 0].astype(np.intp)]

    def fit(self, X, y, X_val=None, y_val=None):
        rows = self._rows(X)
        self.encoder_ = clone(self.encoder).fit(rows, y)
        network = clone(self.network).set_params(random_state=self.random_state)
        self.network_ = network.fit(
            self.encoder_.transform(rows),
            y,
            X_val=self.encoder_.transform(self._rows(X_val)),
            y_val=y_val,
        )
        self.classes_ = self.network_.classes_
        return self

    def predict_proba(self, X):
        return self.network_.predict_proba(self.encoder_.transform(self._rows(X)))


class PerNetworkRecipe(ClassifierMixin, BaseEstimator):
    """The recipe with an encoder per network, fitted on that network's training rows."""

    def __init__(self, random_state=None, overrides=None):
        self.random_state = random_state
        self.overrides = overrides

    def fit(self, X, y):
        from skdeep import make_tabular_classifier

        recipe = make_tabular_classifier(self.random_state, **(self.overrides or {}))
        encoder, ensemble = recipe.named_steps["encoder"], recipe.named_steps["classifier"]
        ensemble.set_params(estimator=_RowsNetwork(encoder, ensemble.estimator))
        _FRAME["X"] = X
        self.ensemble_ = ensemble.fit(np.arange(len(X)).reshape(-1, 1), np.asarray(y))
        self.classes_ = self.ensemble_.classes_
        return self

    def predict_proba(self, X):
        _FRAME["X"] = X
        return self.ensemble_.predict_proba(np.arange(len(X)).reshape(-1, 1))

    def predict(self, X):
        return self.classes_[np.argmax(self.predict_proba(X), axis=1)]


def _contenders(n_bins):
    from skdeep import make_tabular_classifier

    out = []
    for bins in ("quantile", "tree"):
        overrides = {"bins": bins, "n_bins": n_bins}
        out.append(
            Contender(
                f"{bins} global",
                RECIPE,
                lambda rs, o=overrides: make_tabular_classifier(rs, **o),
                params=overrides,
            )
        )
        out.append(
            Contender(
                f"{bins} per-network",
                RECIPE,
                lambda rs, o=overrides: PerNetworkRecipe(rs, o),
                params=overrides,
            )
        )
    return out


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--suite", choices=["ten", "holdout", "all"], default="ten")
    parser.add_argument("--tables", nargs="+", metavar="NAME")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--n-bins", type=int, default=8)
    parser.add_argument("--json", metavar="PATH")
    args = parser.parse_args(argv)
    tables = (
        [datasets.find_table(n) for n in args.tables]
        if args.tables
        else datasets.tables_of(args.suite)
    )
    contenders = _contenders(args.n_bins)
    names = [c.name for c in contenders]
    records = []
    print("| table | " + " | ".join(names) + " | leak effect (acc) | leak effect (log-loss) |")
    print("|---" * (len(names) + 3) + "|")
    for table in tables:
        X, y = datasets.load(table)
        got = protocol.run_table(table, X, y, contenders, args.folds, args.seed)
        records += got
        acc = {n: np.mean([r["accuracy"] for r in got if r["contender"] == n]) for n in names}
        ll = {n: np.mean([r["log_loss"] for r in got if r["contender"] == n]) for n in names}

        def effect(m):
            return (m["tree per-network"] - m["tree global"]) - (
                m["quantile per-network"] - m["quantile global"]
            )

        cells = " | ".join(f"{acc[n]:.3f} / {ll[n]:.3f}" for n in names)
        print(f"| {table.name} | {cells} | {effect(acc):+.3f} | {effect(ll):+.3f} |", flush=True)
    if args.json:
        with open(args.json, "w") as fh:
            json.dump({"command": sys.argv, "records": records}, fh, indent=1, default=str)
    return 0


if __name__ == "__main__":
    sys.exit(main())
