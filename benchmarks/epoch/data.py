"""The benchmark's data: MNIST-sized synthetic classification, standardised."""

from __future__ import annotations

import numpy as np

from benchmarks.epoch.settings import N_CLASSES, N_FEATURES


def make_data(n_samples):
    """``make_classification`` with 784 features, 200 informative, 10 classes.

    Parameters
    ----------
    n_samples : int

    Returns
    -------
    X : ndarray of shape (n_samples, 784), float64, C-contiguous
        Standardised. Callers cast it once per dtype, so that every contender
        receives X already in the precision it trains in.
    y : ndarray of shape (n_samples,), int64
    """
    from sklearn.datasets import make_classification
    from sklearn.preprocessing import StandardScaler

    X, y = make_classification(
        n_samples=n_samples,
        n_features=N_FEATURES,
        n_informative=200,
        n_classes=N_CLASSES,
        random_state=0,
    )
    X = StandardScaler().fit_transform(X)
    return np.ascontiguousarray(X, dtype=np.float64), y.astype(np.int64)
