r"""Temperature scaling: probabilities for heads that do not model them.

The hinge heads produce scores, not probabilities. :func:`fit_temperature` finds
the :math:`T > 0` for which ``softmax(scores / T)`` has the lowest log-loss on
labelled scores. Dividing by a positive constant keeps the order of the scores,
so the predicted class and the ranking of the classes do not change.

The targets are smoothed as in Platt scaling: :math:`1 - \epsilon` on the true
class and :math:`\epsilon` spread over the others, with
:math:`\epsilon = 1 / (n + 2)` and :math:`n` the total sample weight (a weight of
2 counts as two samples). Without it, perfectly separated scores would drive the
temperature to 0 and every probability to 1. The smoothed log-loss is convex in
:math:`\beta = 1 / T`, hence unimodal in :math:`\log \beta`, which is searched on
a bounded interval.
"""

import numpy as np
from scipy.optimize import minimize_scalar


def fit_temperature(scores, y, weights=None):
    """Temperature minimising the smoothed log-loss of ``softmax(scores / T)``.

    Parameters
    ----------
    scores : ndarray of shape (n, n_classes), or (n, 1) for a binary head
        Class scores; one column is the score of class 1 against a class 0 fixed
        at 0.
    y : ndarray of shape (n,), int
        Class indices.
    weights : ndarray of shape (n,) or None
        Non-negative sample weights.

    Returns
    -------
    temperature : float
        1.0 if the optimisation fails to produce a finite loss.
    """
    scores = np.asarray(scores, dtype=np.float64)
    if scores.shape[1] == 1:
        scores = np.column_stack([np.zeros(len(scores)), scores[:, 0]])
    weights = np.ones(len(y)) if weights is None else np.asarray(weights, dtype=np.float64)
    margins = scores - scores[np.arange(len(y)), y][:, None]
    smoothing = 1.0 / (weights.sum() + 2) / (margins.shape[1] - 1)
    weights = weights / weights.sum()
    target_term = smoothing * margins.sum(axis=1)
    buffer = np.empty_like(margins)

    def log_loss(log_inverse_temperature):
        beta = np.exp(log_inverse_temperature)
        scaled = np.multiply(margins, beta, out=buffer)
        peak = scaled.max(axis=1)
        scaled -= peak[:, None]
        np.exp(scaled, out=scaled)
        cross_entropy = np.log(scaled.sum(axis=1)) + peak - beta * target_term
        return float(np.dot(weights, cross_entropy))

    best = minimize_scalar(log_loss, bounds=(-10.0, 10.0), method="bounded")
    return float(np.exp(-best.x)) if np.isfinite(best.fun) else 1.0
