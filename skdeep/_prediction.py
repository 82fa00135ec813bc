"""Prediction: scores in bounded-memory chunks, labels and probabilities.

Prediction reads only the inference-form parameters (``coefs_``, ``intercepts_``)
and never writes to the estimator, so concurrent calls from several threads are
safe.
"""

import numpy as np
import scipy.sparse as sp
from sklearn.utils import gen_batches
from sklearn.utils._chunking import get_chunk_n_rows
from sklearn.utils.validation import check_is_fitted, validate_data

from .core._registry import lookup
from .core.losses import LOSSES, log_probabilities, probabilities
from .core.network import predict_scores

# Every registered activation satisfies |f(z)| <= 1.1 |z| + 2 (SELU's slope is
# 1.0507 and its negative side stays above -1.76; the others grow at most like
# |z|), which bounds the scores of a network layer by layer (tested).
ACTIVATION_SLOPE_BOUND, ACTIVATION_OFFSET_BOUND = 1.1, 2.0


class ClassifierPredictionMixin:
    """``predict``, ``predict_proba`` and ``predict_log_proba`` from probability scores.

    Shared by the networks and the cross-fitted ensembles: a subclass defines
    ``_probability_scores(X)``, scores whose softmax (or, for one column, whose
    sigmoid) is the predicted probability: a network's scores divided by its
    temperature, an ensemble's log mean probabilities. Expects ``classes_``.
    """

    def predict(self, X):
        """Predict class labels.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Input data.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
            Predicted labels.
        """
        scores = self._probability_scores(X)
        if scores.shape[1] == 1:
            return self.classes_[(scores[:, 0] > 0).astype(int)]
        return self.classes_[np.argmax(scores, axis=1)]

    def predict_proba(self, X):
        """Class probabilities.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Input data.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Probabilities of ``classes_``; rows sum to 1.
        """
        return probabilities(self._probability_scores(X))

    def predict_log_proba(self, X):
        """Logarithm of the class probabilities.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Input data.

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes)
            Log-probabilities of ``classes_``, computed stably (log-sum-exp).
        """
        return log_probabilities(self._probability_scores(X))


class RegressorPredictionMixin:
    """``predict`` of a regressor from ``_predictions(X)`` of shape (n, n_outputs).

    Shared by the networks and the cross-fitted ensembles; one output is
    returned as a 1-D array, as scikit-learn's ``MLPRegressor`` does.
    """

    def predict(self, X):
        """Predict the targets.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Input data.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,) or (n_samples, n_outputs)
            Predicted values (one column is returned as a 1-D array).
        """
        predictions = self._predictions(X)
        return predictions[:, 0] if predictions.shape[1] == 1 else predictions


class NetworkScoresMixin:
    """The scores of a fitted network, computed in chunks of bounded memory.

    Expects ``coefs_``, ``intercepts_``, ``n_outputs_``, ``loss`` (the head) and
    the training state ``_state`` (for the activation).
    """

    def _scores(self, X):
        check_is_fitted(self, "coefs_")
        X = validate_data(self, X, accept_sparse="csr", dtype=[np.float64, np.float32], reset=False)
        coefs = self.coefs_
        n = X.shape[0]
        widest = max(W.shape[-1] for W in coefs)
        members = coefs[0].shape[0] if coefs[0].ndim == 3 else 1
        row_bytes = coefs[0].dtype.itemsize * (
            2 * widest * members + X.shape[1] * (not sp.issparse(X))
        )
        chunk = get_chunk_n_rows(row_bytes=max(row_bytes, 1), max_n_rows=n)
        if chunk >= n:
            scores = self._network_scores(X)
        else:
            scores = np.empty((n, self.n_outputs_), dtype=coefs[0].dtype)
            for rows in gen_batches(n, chunk):
                scores[rows] = self._network_scores(X[rows])
        return self._scores_or_error(scores)

    def _network_scores(self, X):
        """Scores of the fitted network, an ensemble's members combined by the head."""
        activation = self._state.network.activation
        scores = predict_scores(self.coefs_, self.intercepts_, activation, X)
        return lookup(self.loss, LOSSES, "loss").combine(scores) if scores.ndim == 3 else scores

    def _scores_or_error(self, scores):
        if not np.all(np.isfinite(scores)):
            raise ValueError(
                "X gives non-finite scores: its values are too large for the model's "
                f"{scores.dtype.name} arithmetic. Standardise X (e.g. StandardScaler), or "
                "train in dtype='float64'."
            )
        return scores


def scores_may_overflow(largest_weights, x_max_abs, dtype):
    """Whether the scores of inputs bounded by ``x_max_abs`` could overflow.

    Propagates an upper bound of ``max |h|`` through the layers:
    ``max |h W + b| <= max|h| * fan_in * max|W| + max|b|``, then the activation
    bound. False means no input with ``max |x| <= x_max_abs`` can give a
    non-finite score (with a wide margin for rounding); the bound is loose, but
    for standardised data it stays dozens of orders of magnitude below overflow.

    Parameters
    ----------
    largest_weights : list of (float, float, int)
        Per layer: ``max |W|``, ``max |b|`` and ``fan_in``.
    x_max_abs : float
        Largest absolute feature value.
    dtype : numpy dtype
        Precision of the scores.

    Returns
    -------
    may_overflow : bool
    """
    bound = float(x_max_abs)
    last = len(largest_weights) - 1
    for i, (w_max, b_max, fan_in) in enumerate(largest_weights):
        bound = bound * fan_in * w_max + b_max
        if i < last:
            bound = ACTIVATION_SLOPE_BOUND * bound + ACTIVATION_OFFSET_BOUND
    return not bound < np.finfo(dtype).max / 16
