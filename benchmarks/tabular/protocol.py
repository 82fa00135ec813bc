"""The evaluation protocol: stratified K-fold, one thread per fit, per-fold metrics.

Per table, the folds are ``StratifiedKFold(n_splits, shuffle=True,
random_state=seed)``; fold ``k`` (0-based) gives every contender the same
``random_state = seed + k`` (the fold seed). Contenders are interleaved inside
each fold, so a slow period of the shared machine hurts all of them alike.

Every fit and prediction runs inside ``threadpoolctl.threadpool_limits(1)``,
which limits *all* thread pools, BLAS and OpenMP: HistGradientBoosting would
otherwise get two OpenMP threads while the MLPs' BLAS gets one, and the fit
times would compare unequal resources.
"""

from __future__ import annotations

import time
import traceback
import warnings

import numpy as np

THREAD_NOTE = (
    "every fit and predict runs inside threadpoolctl.threadpool_limits(1): all BLAS and "
    "OpenMP thread pools are limited to 1 thread"
)


def fold_seed(seed, fold):
    """The ``random_state`` every contender gets on fold ``fold`` of a run with ``seed``."""
    return seed + fold


def splits(y, n_folds, seed):
    """The stratified folds of a table.

    Parameters
    ----------
    y : numpy.ndarray
    n_folds, seed : int

    Returns
    -------
    list of (numpy.ndarray, numpy.ndarray)
        Train and test row indices of each fold.
    """
    from sklearn.model_selection import StratifiedKFold

    cv = StratifiedKFold(n_splits=n_folds, shuffle=True, random_state=seed)
    return list(cv.split(np.zeros(len(y)), y))


def full_proba(proba, fitted_classes, labels):
    """Spread ``predict_proba`` columns over all of the table's labels.

    A training fold that misses a class gives a model whose ``classes_`` lacks
    it; its probability is then 0 (log-loss clips it) instead of an error.

    Parameters
    ----------
    proba : ndarray of shape (n_samples, n_fitted_classes)
    fitted_classes : ndarray
        The fitted model's ``classes_``.
    labels : ndarray
        All labels of the table, sorted.

    Returns
    -------
    ndarray of shape (n_samples, len(labels))
    """
    out = np.zeros((proba.shape[0], len(labels)))
    out[:, np.searchsorted(labels, fitted_classes)] = proba
    return out


def _summarise(caught):
    from sklearn.exceptions import ConvergenceWarning

    convergence = sum(issubclass(w.category, ConvergenceWarning) for w in caught)
    others = sorted(
        {
            f"{w.category.__name__}: {str(w.message).splitlines()[0][:120]}"
            for w in caught
            if not issubclass(w.category, ConvergenceWarning)
        }
    )
    return convergence, others


def fit_and_score(contender, X, y, train, test, random_state, predict, score, metrics, verbose):
    """Fit one contender on one fold, time it under one thread, and score its predictions.

    The task-independent part of a fold: the classification and regression
    benchmarks differ only in ``predict``, ``score`` and ``metrics``.

    Parameters
    ----------
    contender : Contender
        With a ``build`` factory.
    X : pandas.DataFrame
    y : numpy.ndarray
    train, test : numpy.ndarray
        Row indices.
    random_state : int
        The fold seed.
    predict : callable
        ``predict(estimator, X_test) -> outputs``, timed as the predict time.
    score : callable
        ``score(estimator, outputs, y_test) -> dict`` of the metrics (not timed).
    metrics : sequence of str
        The keys ``score`` returns; NaN when the fit fails.
    verbose : bool
        Print a contender's traceback when it fails.

    Returns
    -------
    dict
        The ``metrics``, ``fit_time`` and ``predict_time`` (seconds, wall
        clock), ``fit_cpu_time`` (process CPU seconds of the fit),
        ``convergence_warnings`` (how many ConvergenceWarnings the fit raised;
        they are silenced), ``other_warnings`` (distinct messages), and
        ``error`` (None, or the exception's text: the metrics are then NaN).
    """
    from threadpoolctl import threadpool_limits

    X_train, X_test = X.iloc[train], X.iloc[test]
    y_train, y_test = y[train], y[test]
    record = dict.fromkeys(metrics, float("nan"))
    record.update(
        dict.fromkeys(["fit_time", "fit_cpu_time", "predict_time"], float("nan")),
        convergence_warnings=0,
        other_warnings=[],
        error=None,
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            estimator = contender.build(random_state)
            with threadpool_limits(limits=1):
                start, cpu = time.perf_counter(), time.process_time()
                estimator.fit(X_train, y_train)
                record["fit_time"] = time.perf_counter() - start
                # CPU time barely moves when other jobs share the cores, wall time
                # does: the pair tells a busy machine from a slow contender.
                record["fit_cpu_time"] = time.process_time() - cpu
                start = time.perf_counter()
                outputs = predict(estimator, X_test)
                record["predict_time"] = time.perf_counter() - start
            record.update(score(estimator, outputs, y_test))
        except Exception as exc:  # one failing contender must not stop the run
            record["error"] = f"{exc.__class__.__name__}: {exc}"
            if verbose:
                traceback.print_exc()
    record["convergence_warnings"], record["other_warnings"] = _summarise(caught)
    return record


def evaluate_fold(contender, X, y, train, test, labels, random_state, verbose=False):
    """Accuracy and log-loss of one classifier on one fold.

    ``labels`` are all the labels of the table, sorted (a training fold may miss
    one); the other arguments, and the timings, warnings and ``error`` of the
    returned record, are those of :func:`fit_and_score`.
    """
    from sklearn.metrics import accuracy_score, log_loss

    def predict(estimator, X_test):
        return estimator.predict(X_test), estimator.predict_proba(X_test)

    def score(estimator, outputs, y_test):
        predicted, proba = outputs
        proba = full_proba(proba, np.asarray(estimator.classes_), labels)
        return {
            "accuracy": float(accuracy_score(y_test, predicted)),
            "log_loss": float(log_loss(y_test, proba, labels=labels)),
        }

    metrics = ("accuracy", "log_loss")
    return fit_and_score(
        contender, X, y, train, test, random_state, predict, score, metrics, verbose
    )


def run_table(
    table, X, y, contenders, n_folds, seed, cache=None, verbose=False, folds=None, evaluate=None
):
    """Cross-validate every contender on one table.

    Parameters
    ----------
    table : Table
    X : pandas.DataFrame
    y : numpy.ndarray
    contenders : list of Contender
        Those without a factory are only looked up in the cache.
    n_folds, seed : int
    cache : ResultCache or None
        Cacheable contenders are read from it when present and written to it
        after fitting.
    verbose : bool, default=False
        Print tracebacks of failing contenders.
    folds : list of (numpy.ndarray, numpy.ndarray), default=None
        Train and test rows of each fold; None is :func:`splits` (stratified).
    evaluate : callable, default=None
        ``evaluate(contender, X, y, train, test, random_state, verbose) -> dict``
        of one fold; None is :func:`evaluate_fold` with the table's labels.

    Returns
    -------
    list of dict
        One record per (contender, fold) with ``table``, ``suite``,
        ``contender``, ``family``, ``fold``, ``n_folds``, ``seed``,
        ``random_state``, ``n_train``, ``n_test``, ``cached`` and the metrics
        of :func:`evaluate_fold`. Contenders neither fitted nor cached have no
        record.
    """
    if folds is None:
        folds = splits(y, n_folds, seed)
    if evaluate is None:
        labels = np.unique(y)

        def evaluate(contender, X, y, train, test, random_state, verbose):
            return evaluate_fold(contender, X, y, train, test, labels, random_state, verbose)

    cached, to_fit = {}, []
    for contender in contenders:
        hit = None
        if cache is not None and contender.cacheable:
            hit = cache.get(table.name, contender.name, n_folds, seed)
        if hit is not None:
            cached[contender.name] = hit
        elif contender.build is not None:
            to_fit.append(contender)

    fitted = {c.name: [] for c in to_fit}
    for fold, (train, test) in enumerate(folds):
        for contender in to_fit:
            record = evaluate(contender, X, y, train, test, fold_seed(seed, fold), verbose)
            fitted[contender.name].append(
                {
                    "table": table.name,
                    "suite": table.suite,
                    "contender": contender.name,
                    "family": contender.family,
                    "fold": fold,
                    "n_folds": n_folds,
                    "seed": seed,
                    "random_state": fold_seed(seed, fold),
                    "n_train": len(train),
                    "n_test": len(test),
                    "cached": False,
                    **record,
                }
            )
    if cache is not None:
        for contender in to_fit:
            if contender.cacheable:
                cache.put(table.name, contender.name, n_folds, seed, fitted[contender.name])

    by_name = {**cached, **fitted}
    # Report order is the contenders' order, whichever way a result was obtained.
    return [r for c in contenders for r in by_name.get(c.name, [])]
