"""skdeep and MLPClassifier behind one interface (PyTorch's is in :mod:`.torch_mlp`).

A contender builds its model from a configuration of :mod:`.settings` and exposes
what the timing loops need: a timed ``fit`` of ``k`` epochs, ``init_partial`` and
``partial_epoch`` for ``--method partial_fit``, ``predict`` and ``nparams``. The
timing itself (``perf_counter``) is inside the contender so that exactly the
user-visible call is timed, estimator construction included.
"""

from __future__ import annotations

import itertools
import time

import numpy as np

from benchmarks.epoch.settings import (
    ALPHA,
    BATCH_SIZE,
    BIG_PATIENCE,
    LR,
    MLP,
    N_CLASSES,
    N_FEATURES,
    SK,
)


def n_params(hidden, bn, n_in=N_FEATURES, n_out=N_CLASSES):
    """Trainable parameters of the network (weights + biases + BN scale/shift).

    With batch norm the hidden Linear layers have no bias (BN's shift replaces it).

    Parameters
    ----------
    hidden : tuple of int
        Hidden layer widths.
    bn : bool
        Batch normalisation after every hidden layer.
    n_in, n_out : int
        Input features and output units.

    Returns
    -------
    int
    """
    sizes = [n_in, *hidden, n_out]
    total = 0
    for i, (a, b) in enumerate(itertools.pairwise(sizes)):
        is_hidden = i < len(hidden)
        total += a * b
        if bn and is_hidden:
            total += 2 * b  # gamma, beta
        else:
            total += b  # bias
    return total


def import_skdeep():
    """Import the working tree's skdeep.

    Returns
    -------
    cls : type or None
        ``MLPSoftmaxClassifier``, or None if skdeep cannot be imported.
    message : str
        The file skdeep was imported from, or the import error.
    """
    try:
        import skdeep
        from skdeep import MLPSoftmaxClassifier
    except Exception as exc:  # ImportError, or anything raised at import time
        return None, f"{type(exc).__name__}: {exc}"
    return MLPSoftmaxClassifier, getattr(skdeep, "__file__", "?")


class Contender:
    """Base of the contenders: a name, whether it can run, and why not.

    Attributes
    ----------
    name : str
        Key in the results and label in the tables.
    available : bool
        False when the library could not be imported; the contender is then
        reported as n/a and skipped.
    why_unavailable : str
        Shown in the report when ``available`` is False.
    """

    name = "?"
    available = False
    why_unavailable = ""

    def supports(self, cfg):
        """Whether the contender can run configuration ``cfg`` (all of them, by default)."""
        return True

    def label(self, cfg):
        """Row label in the tables for configuration ``cfg``."""
        return self.name


class SkdeepContender(Contender):
    """``skdeep.MLPSoftmaxClassifier`` with the benchmark's parameters and ``dtype``."""

    name = SK

    def __init__(self):
        self.cls, msg = import_skdeep()
        self.available = self.cls is not None
        self.why_unavailable = "" if self.available else f"skdeep import failed ({msg})"

    def make(self, cfg, max_iter):
        """A fresh estimator for ``cfg`` that runs exactly ``max_iter`` epochs."""
        kw = dict(
            hidden_layer_sizes=cfg["hidden"],
            solver="adam",
            batch_size=BATCH_SIZE,
            max_iter=max_iter,
            learning_rate_init=LR,
            alpha=ALPHA,
            shuffle=True,
            random_state=0,
            tol=0.0,
            n_iter_no_change=BIG_PATIENCE,
            dtype=cfg["dtype"],
        )
        if cfg["bn"]:
            kw["batch_norm"] = True
        if cfg["dropout"]:
            kw["dropout"] = cfg["dropout"]
        return self.cls(**kw)

    def fit(self, cfg, X, y, k):
        """Time a fresh ``fit`` of ``k`` epochs: returns (seconds, estimator, n_iter_)."""
        est = self.make(cfg, k)
        t0 = time.perf_counter()
        est.fit(X, y)
        return time.perf_counter() - t0, est, getattr(est, "n_iter_", None)

    def init_partial(self, cfg, X, y):
        """An estimator after one untimed ``partial_fit`` epoch (the warm-up)."""
        est = self.make(cfg, 1)
        est.partial_fit(X, y, classes=np.arange(N_CLASSES))
        return est

    def partial_epoch(self, state, X, y):
        """Time one more ``partial_fit`` epoch of ``state``: returns seconds."""
        t0 = time.perf_counter()
        state.partial_fit(X, y)
        return time.perf_counter() - t0

    def predict(self, est, X):
        """Predicted labels of a fitted estimator."""
        return est.predict(X)

    def nparams(self, cfg):
        """Trainable parameters for ``cfg`` (see :func:`n_params`)."""
        return n_params(cfg["hidden"], cfg["bn"])


class MLPContender(Contender):
    """scikit-learn's ``MLPClassifier`` with the same parameters (no BN or dropout)."""

    name = MLP
    available = True

    def __init__(self):
        from sklearn.neural_network import MLPClassifier

        self.cls = MLPClassifier

    def label(self, cfg):
        """Config 4 runs without BN/dropout, which MLPClassifier lacks: say so."""
        if cfg["bn"] or cfg["dropout"]:
            return f"{MLP} (no BN/dropout: reference only)"
        return MLP

    def make(self, cfg, max_iter):
        """A fresh estimator for ``cfg`` that runs exactly ``max_iter`` epochs."""
        # MLPClassifier keeps float32 when X is float32 (sklearn >= 1.?); the
        # precision is therefore selected by the dtype of X.
        return self.cls(
            hidden_layer_sizes=cfg["hidden"],
            solver="adam",
            batch_size=BATCH_SIZE,
            max_iter=max_iter,
            learning_rate_init=LR,
            alpha=ALPHA,
            shuffle=True,
            random_state=0,
            tol=0.0,
            n_iter_no_change=BIG_PATIENCE,
        )

    # Same calls as skdeep's: both are scikit-learn estimators.
    fit = SkdeepContender.fit
    init_partial = SkdeepContender.init_partial
    partial_epoch = SkdeepContender.partial_epoch
    predict = SkdeepContender.predict

    def nparams(self, cfg):
        """Trainable parameters for ``cfg`` without BN (see :func:`n_params`)."""
        return n_params(cfg["hidden"], False)  # no BN in MLPClassifier
