"""The regression protocol: shuffled K-fold, R² and RMSE, one thread per fit.

Per table the folds are ``KFold(n_splits, shuffle=True, random_state=seed)``;
fold ``k`` gives every contender ``random_state = seed + k``. Fitting, timing,
thread limiting, interleaving the contenders inside each fold and the cache are
those of the classification benchmark (:func:`benchmarks.tabular.protocol.run_table`
and :func:`~benchmarks.tabular.protocol.fit_and_score`); only the folds and the
scores differ.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from benchmarks.tabular import cache, protocol

from .contenders import lightgbm_version

METRICS = ("r2", "rmse")

HERE = Path(__file__).resolve().parent
_KEYED_SOURCES = [
    *(cache.HERE / name for name in ("datasets.py", "contenders.py", "protocol.py")),
    *(HERE / name for name in ("datasets.py", "contenders.py", "protocol.py")),
]


def splits(n_rows, n_folds, seed):
    """The shuffled K folds of a table.

    Parameters
    ----------
    n_rows, n_folds, seed : int

    Returns
    -------
    list of (numpy.ndarray, numpy.ndarray)
        Train and test row indices of each fold.
    """
    from sklearn.model_selection import KFold

    cv = KFold(n_splits=n_folds, shuffle=True, random_state=seed)
    return list(cv.split(np.zeros((n_rows, 1))))


def _predict(estimator, X_test):
    return estimator.predict(X_test)


def _score(estimator, predicted, y_test):
    from sklearn.metrics import mean_squared_error, r2_score

    predicted = np.asarray(predicted, dtype=np.float64).ravel()
    if not np.all(np.isfinite(predicted)):
        raise ValueError("non-finite predictions")
    return {
        "r2": float(r2_score(y_test, predicted)),
        "rmse": float(np.sqrt(mean_squared_error(y_test, predicted))),
    }


def evaluate_fold(contender, X, y, train, test, random_state, verbose=False):
    """R² and RMSE of one contender on one fold (non-finite predictions fail the fit).

    The arguments, and the timings, warnings and ``error`` of the returned
    record, are those of :func:`benchmarks.tabular.protocol.fit_and_score`;
    the record's scores are ``r2`` and ``rmse``.
    """
    return protocol.fit_and_score(
        contender, X, y, train, test, random_state, _predict, _score, METRICS, verbose
    )


def run_table(table, X, y, contenders, n_folds, seed, store=None, verbose=False):
    """:func:`benchmarks.tabular.protocol.run_table` on the K folds, scored by R² and RMSE.

    ``store`` is a cache from :func:`result_cache` (or None); the records are
    the classification benchmark's, with ``r2`` and ``rmse`` as the scores.
    """
    folds = splits(len(y), n_folds, seed)
    return protocol.run_table(
        table, X, y, contenders, n_folds, seed, store, verbose, folds, evaluate_fold
    )


def result_cache(directory, read=True):
    """The peers' cache, keyed by this benchmark's sources and the library versions.

    Parameters
    ----------
    directory : str or path-like
    read : bool, default=True

    Returns
    -------
    benchmarks.tabular.cache.ResultCache
    """
    versions = {**cache.library_versions(), "lightgbm": lightgbm_version()}
    digest = cache.code_digest(_KEYED_SOURCES, versions)
    return cache.ResultCache(directory, read=read, digest=digest)
