r"""Regression heads: a loss fused with its gradient, for real-valued targets.

Same protocol as the classification heads of :mod:`.losses` (the registry
:data:`~.losses.LOSSES` holds both): ``loss(scores, y, weights, gradient=True)``
returns the weighted mean loss and, with ``gradient=True``, overwrites ``scores``
with :math:`\partial L / \partial \text{scores}`.

* ``scores``: (n, n_outputs), the network's raw outputs;
* ``y``: (n, n_outputs) targets, in the training dtype;
* ``weights``: (n,) non-negative weights summing to 1, or None for ``1 / n``.

The loss of a row is the mean over its outputs (as scikit-learn's
``MLPRegressor``), so a network with several outputs has the loss scale of one.

===================  ==============================================================
``squared_error``    :math:`\tfrac12 (s - y)^2`, the mean predicts the conditional mean
``huber``            quadratic within ``huber_delta`` of the target, linear beyond:
                     robust to outliers (Huber, 1964)
``poisson``          half Poisson deviance with a log link,
                     :math:`e^s - y s` (plus a constant): counts and positive
                     amounts whose spread grows with their mean
===================  ==============================================================

Each head also says how its raw outputs become predictions (``inverse_link``), the
loss of a constant prediction (``chance_loss``, the divergence guard's floor) and
how the validation score of early stopping, the coefficient of determination
:math:`R^2`, is accumulated chunk by chunk (``score_sums`` / ``score_from_sums``).
"""

import numpy as np
from scipy.special import logsumexp

from .hyperparameters import Hyperparameter, Interval

HUBER_DELTA = Hyperparameter(
    "huber_delta",
    1.0,
    (Interval("real", 0, None, "neither"),),
    "float",
    "Where the ``'huber'`` loss turns from quadratic to linear: residuals\n"
    "larger than this (in units of the standardised target when\n"
    "``normalize_y=True``, so 1.0 is one standard deviation) count linearly,\n"
    "which bounds the pull of outliers.",
)


def _weighted_mean(per_sample, gradient, weights, sample_losses=None):
    """Weighted mean of ``per_sample`` (n,); scale ``gradient`` (n, k) rows alike.

    ``sample_losses``, when given, receives each row's share of the mean.
    """
    n, k = gradient.shape if gradient is not None else (per_sample.shape[0], 1)
    if weights is None:
        if gradient is not None:
            gradient *= 1.0 / (n * k)
        if sample_losses is not None:
            np.divide(per_sample, per_sample.shape[0], out=sample_losses)
        return float(np.sum(per_sample)) / n
    if gradient is not None:
        gradient *= (weights / k)[:, None].astype(gradient.dtype, copy=False)
    if sample_losses is not None:
        np.multiply(per_sample, weights, out=sample_losses)
    return float(np.dot(per_sample, weights))


class SquaredError:
    r"""Half squared error, :math:`L_i = \frac{1}{2k} \sum_j (s_{ij} - y_{ij})^2`.

    The gradient is :math:`(s - y) / k`; the prediction is the score itself.
    """

    name = "squared_error"
    family = "regression"
    hyperparameters = ()
    inverse_link = "identity"

    @staticmethod
    def combine(member_scores):
        """The members' mean prediction.

        Parameters
        ----------
        member_scores : ndarray of shape (m, n, n_outputs)

        Returns
        -------
        scores : ndarray of shape (n, n_outputs)
        """
        return member_scores.mean(axis=0)

    def reference_loss(self, n_outputs, y):
        """Loss of the best constant prediction, the targets' mean: half their variance.

        The divergence guard's floor (see :class:`~.monitor.DivergenceGuard`).

        Parameters
        ----------
        n_outputs : int
        y : ndarray of shape (n, n_outputs)

        Returns
        -------
        loss : float
        """
        return float(0.5 * np.mean(np.var(y, axis=0)))

    def batch_reference_loss(self, y, weights):
        """The loss of predicting a batch's own (weighted) mean on it.

        The divergence guard's per-batch floor: a few rows with an outlier among
        them have a large loss under any model, which is no sign of divergence.

        Parameters
        ----------
        y : ndarray of shape (n, n_outputs)
        weights : ndarray of shape (n,) or None
            Weights summing to 1.

        Returns
        -------
        loss : float
        """
        residual = y - np.average(y, axis=0, weights=weights)
        per_sample = self.residual_loss(residual).mean(axis=1)
        return float(np.average(per_sample, weights=weights))

    def zero_score_loss(self, n_outputs, y):
        """The loss of all-zero scores, from the formula (not through ``__call__``).

        What a network with tiny weights must start at (the sanity check):
        half the mean square of the targets here.

        Parameters
        ----------
        n_outputs : int
        y : ndarray of shape (n, n_outputs)

        Returns
        -------
        loss : float
        """
        return float(np.mean(self.residual_loss(-np.array(y, dtype=np.float64))))

    def residual_loss(self, residual):
        """Per-element loss and its derivative, in place of ``residual``.

        Parameters
        ----------
        residual : ndarray of shape (n, k)
            ``scores - y``; overwritten with the derivative.

        Returns
        -------
        per_element : ndarray of shape (n, k)
        """
        per_element = 0.5 * residual * residual
        return per_element

    def __call__(self, scores, y, weights=None, gradient=True, sample_losses=None):
        """Return the weighted mean loss; overwrite ``scores`` with its gradient.

        Parameters
        ----------
        scores : ndarray of shape (n, n_outputs)
        y : ndarray of shape (n, n_outputs)
        weights : ndarray of shape (n,) or None
        gradient : bool, default=True
            When False, ``scores`` is left untouched.
        sample_losses : ndarray of shape (n,), optional
            Receives each row's share of the loss (its loss times its weight),
            so that the sum over any block of rows is that block's loss.

        Returns
        -------
        loss : float
        """
        residual = scores if gradient else scores.copy()
        residual -= y
        per_sample = self.residual_loss(residual).mean(axis=1)
        return _weighted_mean(per_sample, residual if gradient else None, weights, sample_losses)

    @staticmethod
    def predictions(scores):
        """Predictions from raw scores (the identity here)."""
        return scores

    score_name = "r2"

    def score_sums(self, scores, y, weights):
        """Additive sums from which :meth:`score_from_sums` gives :math:`R^2`.

        Parameters
        ----------
        scores : ndarray of shape (n, k)
            Raw scores (mapped to predictions here).
        y : ndarray of shape (n, k)
        weights : ndarray of shape (n,)

        Returns
        -------
        sums : ndarray of shape (4, k)
            Weighted sums of the squared residuals, of ``y``, of ``y**2`` and of
            the weights (repeated per output), in float64.
        """
        y = y.astype(np.float64, copy=False)
        residual = self.predictions(scores).astype(np.float64) - y
        w = weights.astype(np.float64, copy=False)
        return np.stack(
            [w @ (residual * residual), w @ y, w @ (y * y), np.full(y.shape[1], w.sum())]
        )

    @staticmethod
    def score_from_sums(sums):
        """:math:`R^2` averaged over the outputs (scikit-learn's ``uniform_average``).

        An output whose targets are constant scores 1 when predicted exactly and
        0 otherwise, as :func:`sklearn.metrics.r2_score` does.
        """
        squared_residuals, total, total_squares, weight = sums
        spread = total_squares - total * total / weight
        with np.errstate(divide="ignore", invalid="ignore"):
            r2 = np.where(
                spread > 0,
                1 - squared_residuals / np.where(spread > 0, spread, 1),
                np.where(squared_residuals > 0, 0.0, 1.0),
            )
        return float(np.mean(r2))


class Huber(SquaredError):
    r"""Huber loss: quadratic within :math:`\delta` of the target, linear beyond.

    :math:`\frac12 r^2` for :math:`|r| \le \delta`, :math:`\delta(|r| - \frac{\delta}{2})`
    beyond, with :math:`r = s - y`.

    The gradient is the residual clipped to :math:`[-\delta, \delta]`: an outlier
    pulls no harder than a residual of :math:`\delta`. The prediction estimates a
    location between the conditional mean and median.

    Parameters
    ----------
    huber_delta : float, default=1.0
        :math:`\delta`.
    """

    name = "huber"
    hyperparameters = (HUBER_DELTA,)

    def __init__(self, *, huber_delta=1.0):
        self.huber_delta = huber_delta

    def reference_loss(self, n_outputs, y):
        """Huber loss of predicting the targets' median, per output, averaged."""
        residual = y - np.median(y, axis=0)
        return float(np.mean(self.residual_loss(residual)))

    def residual_loss(self, residual):
        """Per-element loss; ``residual`` is overwritten with the clipped residual."""
        delta = self.huber_delta
        magnitude = np.abs(residual)
        per_element = np.where(
            magnitude <= delta, 0.5 * residual * residual, delta * (magnitude - 0.5 * delta)
        )
        np.clip(residual, -delta, delta, out=residual)
        return per_element


class Poisson(SquaredError):
    r"""Half Poisson deviance with a log link: :math:`L = e^s - y s` (up to a constant in y).

    The score is the log of the predicted mean, so predictions are positive; the
    gradient is :math:`e^s - y`. Targets must be non-negative. The constant
    :math:`y \log y - y` of the deviance is left out: it does not change the
    gradient or the minimiser, so the reported loss is the deviance minus it.
    """

    name = "poisson"
    inverse_link = "exp"

    @staticmethod
    def combine(member_scores):
        """Scores whose prediction is the members' mean prediction (log of the mean of exp)."""
        return logsumexp(member_scores, axis=0) - np.log(member_scores.shape[0])

    def zero_score_loss(self, n_outputs, y):
        r"""The loss of all-zero scores: :math:`e^0 - y \cdot 0 = 1`."""
        return 1.0

    def reference_loss(self, n_outputs, y):
        r"""Loss of predicting each output's mean: :math:`\bar y - \bar y \log \bar y`."""
        mean = np.maximum(np.mean(y, axis=0), np.finfo(np.float64).tiny)
        return float(np.mean(mean - mean * np.log(mean)))

    def __call__(self, scores, y, weights=None, gradient=True, sample_losses=None):
        """Return the weighted mean loss; overwrite ``scores`` with its gradient.

        Parameters
        ----------
        scores : ndarray of shape (n, n_outputs)
            Logs of the predicted means.
        y : ndarray of shape (n, n_outputs)
        weights : ndarray of shape (n,) or None
        gradient : bool, default=True
        sample_losses : ndarray of shape (n,), optional
            Receives each row's share of the loss (its loss times its weight),
            so that the sum over any block of rows is that block's loss.

        Returns
        -------
        loss : float
        """
        mean = np.exp(scores)
        per_sample = (mean - y * scores).mean(axis=1)
        if gradient:
            np.subtract(mean, y, out=scores)
        return _weighted_mean(per_sample, scores if gradient else None, weights, sample_losses)

    @staticmethod
    def predictions(scores):
        """The predicted means, :math:`e^s`."""
        return np.exp(scores)


REGRESSION_LOSSES = (SquaredError, Huber, Poisson)
"""The regression heads, registered in :data:`skdeep.core.losses.LOSSES`."""
