r"""The heads: a loss fused with its gradient; here the classification heads.

Each loss is called as ``loss(scores, y, weights, gradient=True)`` (and optionally
``sample_losses=``, an array that receives each row's share) and returns the
weighted mean loss; with ``gradient=True`` it overwrites ``scores`` with
:math:`\partial L / \partial \text{scores}` (the fused form of the CS231n
assignments: no second pass, no extra array of the batch's size).

* ``scores``: (n, n_classes) class scores, or (n, 1) in the binary case, where the
  single column is the score of class 1 and class 0's score is fixed at 0. With that
  convention both heads reduce exactly to their two-class forms (logistic loss and
  the binary hinge).
* ``y``: (n,) integer class indices.
* ``weights``: (n,) non-negative weights summing to 1, or None for ``1 / n``.

Registry :data:`LOSSES`: ``"log_loss"`` (softmax cross-entropy), ``"hinge"`` and
``"squared_hinge"`` (multiclass hinge in the Weston-Watkins form), and the
regression heads of :mod:`.regression_losses` (``"squared_error"``, ``"huber"``,
``"poisson"``). Each head declares its hyperparameters and its ``family``
(``"softmax"``, ``"svm"`` or ``"regression"``), which tells the estimators which
heads they offer. Besides the loss, every head gives the training loop a
reference loss (the divergence guard's floor, :meth:`reference_loss`) and the
validation score of early stopping as additive sums over chunks
(:meth:`score_sums`, :meth:`score_from_sums`): accuracy here, :math:`R^2` for
regression.
"""

import numpy as np
from scipy.special import expit, logsumexp

from ._registry import lookup
from .hyperparameters import Hyperparameter, Interval
from .regression_losses import REGRESSION_LOSSES

LABEL_SMOOTHING = Hyperparameter(
    "label_smoothing",
    0.0,
    (Interval("real", 0, 1, "left"),),
    "float",
    "Label smoothing of the softmax head, in [0, 1): the targets are\n"
    "``1 - label_smoothing`` on the true class plus ``label_smoothing /\n"
    "n_classes`` on every class, which keeps the network from driving its\n"
    "scores to extremes to fit the training labels (Szegedy et al., 2016).",
)
MARGIN = Hyperparameter(
    "margin",
    1.0,
    (Interval("real", 0, None, "neither"),),
    "float",
    "The margin :math:`\\Delta` the correct class's score must exceed the\nothers by.",
)


def _apply_weights(per_sample, gradient, weights, sample_losses=None):
    """Return the weighted mean of ``per_sample`` and scale ``gradient`` rows alike.

    ``sample_losses``, when given, receives each row's share of the mean (its
    loss times its weight): summed over a block of rows, the block's own loss.
    """
    if weights is None:
        n = per_sample.shape[0]
        if gradient is not None:
            gradient *= 1.0 / n
        if sample_losses is not None:
            np.divide(per_sample, n, out=sample_losses)
        return float(np.sum(per_sample)) / n
    if gradient is not None:
        gradient *= weights[:, None].astype(gradient.dtype, copy=False)
    if sample_losses is not None:
        np.multiply(per_sample, weights, out=sample_losses)
    return float(np.dot(per_sample, weights))


class ClassificationHead:
    """What the classification heads share: the reference loss and accuracy."""

    score_name = "accuracy"

    batch_reference_loss = None
    """No per-batch floor for the divergence guard: the chance loss is fixed
    (a regression head's is the loss of the batch's own mean)."""

    def chance_loss(self, n_classes):  # pragma: no cover - every head defines it
        raise NotImplementedError

    def reference_loss(self, n_outputs, y):
        """The divergence guard's floor: the chance loss (``y`` is not needed).

        Parameters
        ----------
        n_outputs : int
            Score columns (1 for two classes).
        y : ndarray of shape (n,), int

        Returns
        -------
        loss : float
        """
        return self.chance_loss(max(2, n_outputs))

    def zero_score_loss(self, n_outputs, y):
        """The loss of all-zero scores, computed apart from the loss: the chance loss.

        What a network with tiny weights must start at (the sanity check).

        Parameters
        ----------
        n_outputs : int
        y : ndarray of shape (n,), int

        Returns
        -------
        loss : float
        """
        return self.chance_loss(max(2, n_outputs))

    @staticmethod
    def score_sums(scores, y, weights):
        """Weighted count of correct predictions and total weight.

        Parameters
        ----------
        scores : ndarray of shape (n, n_classes) or (n, 1)
        y : ndarray of shape (n,), int
        weights : ndarray of shape (n,)

        Returns
        -------
        sums : ndarray of shape (2,)
        """
        if scores.shape[1] == 1:
            predicted = (scores[:, 0] > 0).astype(int)
        else:
            predicted = scores.argmax(axis=1)
        return np.array([float(np.dot(weights, predicted == y)), float(weights.sum())])

    @staticmethod
    def score_from_sums(sums):
        """Accuracy from :meth:`score_sums` added over chunks."""
        return float(sums[0] / sums[1])


class SoftmaxCrossEntropy(ClassificationHead):
    r"""Softmax cross-entropy, computed through the log-sum-exp, with label smoothing.

    With targets :math:`q = (1 - \varepsilon)\,\text{onehot}(y) + \varepsilon / C`,
    :math:`L_i = \log \sum_j e^{s_j} - \sum_j q_j s_j` and the gradient is
    :math:`p - q`; :math:`\varepsilon = 0` is the plain cross-entropy. The scores are
    shifted by their row maximum first, so no exponential overflows.

    Parameters
    ----------
    label_smoothing : float, default=0.0
        :math:`\varepsilon`, in [0, 1).
    """

    name = "log_loss"
    family = "softmax"
    hyperparameters = (LABEL_SMOOTHING,)

    def __init__(self, *, label_smoothing=0.0):
        self.label_smoothing = label_smoothing

    @staticmethod
    def combine(member_scores):
        """Scores whose softmax is the mean of the members' softmax probabilities.

        Parameters
        ----------
        member_scores : ndarray of shape (k, n, n_classes) or (k, n, 1)

        Returns
        -------
        scores : ndarray of shape (n, n_classes) or (n, 1)
            The log of the averaged probabilities (one column: the logit of the
            averaged probability of class 1).
        """
        k = member_scores.shape[0]
        if member_scores.shape[-1] == 1:
            positive = logsumexp(-np.logaddexp(0, -member_scores), axis=0) - np.log(k)
            negative = logsumexp(-np.logaddexp(0, member_scores), axis=0) - np.log(k)
            return positive - negative
        log_p = member_scores - logsumexp(member_scores, axis=-1, keepdims=True)
        return logsumexp(log_p, axis=0) - np.log(k)

    def chance_loss(self, n_classes):
        """Loss of a network whose scores are all equal: ``log(n_classes)``."""
        return float(np.log(n_classes))

    def __call__(self, scores, y, weights=None, gradient=True, sample_losses=None):
        """Return the weighted mean loss; overwrite ``scores`` with its gradient.

        Parameters
        ----------
        scores : ndarray of shape (n, n_classes) or (n, 1)
        y : ndarray of shape (n,), int
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
        s = scores if gradient else scores.copy()
        rows = np.arange(s.shape[0])
        smoothing = self.label_smoothing
        if s.shape[1] == 1:
            z = s[:, 0]
            target = y if not smoothing else y * (1 - smoothing) + smoothing / 2
            per_sample = np.logaddexp(0, z) - target * z
            expit(z, out=z)
            z -= target
        else:
            s -= s.max(axis=1, keepdims=True)
            true_score = s[rows, y]
            mean_score = s.mean(axis=1) if smoothing else 0.0
            np.exp(s, out=s)
            row_sum = s.sum(axis=1)
            per_sample = np.log(row_sum) - (1 - smoothing) * true_score - smoothing * mean_score
            s /= row_sum[:, None]
            s[rows, y] -= 1 - smoothing
            if smoothing:
                s -= smoothing / s.shape[1]
        return _apply_weights(per_sample, s if gradient else None, weights, sample_losses)


class MulticlassHinge(ClassificationHead):
    r"""Weston-Watkins multiclass hinge.

    :math:`L_i = \sum_{j \ne y_i} \max(0, s_j - s_{y_i} + \Delta)^p`.

    Parameters
    ----------
    margin : float, default=1.0
        :math:`\Delta`.
    """

    name = "hinge"
    family = "svm"
    squared = False
    hyperparameters = (MARGIN,)

    def __init__(self, *, margin=1.0):
        self.margin = margin

    @staticmethod
    def combine(member_scores):
        """The members' mean scores.

        Parameters
        ----------
        member_scores : ndarray of shape (k, n, n_classes) or (k, n, 1)

        Returns
        -------
        scores : ndarray of shape (n, n_classes) or (n, 1)
        """
        return member_scores.mean(axis=0)

    def chance_loss(self, n_classes):
        """Loss when all scores are equal: ``(n_classes - 1) * margin ** p``."""
        power = 2 if self.squared else 1
        return float((n_classes - 1) * self.margin**power)

    def __call__(self, scores, y, weights=None, gradient=True, sample_losses=None):
        """Return the weighted mean loss; overwrite ``scores`` with its gradient.

        Parameters
        ----------
        scores : ndarray of shape (n, n_classes) or (n, 1)
        y : ndarray of shape (n,), int
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
        s = scores if gradient else scores.copy()
        if s.shape[1] == 1:
            # Class 0's score is 0: the binary hinge max(0, margin - sign * z).
            sign = (2 * y - 1).astype(s.dtype)
            violation = s[:, 0]
            violation *= -sign
            violation += self.margin
            np.maximum(violation, 0, out=violation)
            per_sample = violation**2 if self.squared else violation.copy()
            if self.squared:
                violation *= 2
            else:
                np.greater(violation, 0, out=violation)
            violation *= -sign
        else:
            rows = np.arange(s.shape[0])
            s -= s[rows, y][:, None]
            s += self.margin
            s[rows, y] = 0
            np.maximum(s, 0, out=s)
            if self.squared:
                per_sample = np.einsum("ij,ij->i", s, s)
                s *= 2
            else:
                per_sample = s.sum(axis=1)
                np.greater(s, 0, out=s)
            s[rows, y] = -s.sum(axis=1)
        return _apply_weights(per_sample, s if gradient else None, weights, sample_losses)


class SquaredMulticlassHinge(MulticlassHinge):
    r"""Squared Weston-Watkins hinge: :math:`p = 2` in :class:`MulticlassHinge`.

    Parameters
    ----------
    margin : float, default=1.0
        :math:`\Delta`.
    """

    name = "squared_hinge"
    squared = True


def probabilities(scores):
    """Class probabilities from scores: softmax, or the sigmoid for one (binary) column.

    Parameters
    ----------
    scores : ndarray of shape (n, n_classes) or (n, 1)

    Returns
    -------
    proba : ndarray of shape (n, n_classes), or (n, 2) for one column
    """
    if scores.shape[1] == 1:
        positive = expit(scores[:, 0])
        return np.column_stack([1 - positive, positive])
    shifted = scores - scores.max(axis=1, keepdims=True)
    np.exp(shifted, out=shifted)
    shifted /= shifted.sum(axis=1, keepdims=True)
    return shifted


def log_probabilities(scores):
    """Logarithm of :func:`probabilities`, computed through the log-sum-exp."""
    if scores.shape[1] == 1:
        z = scores[:, 0]
        return np.column_stack([-np.logaddexp(0, z), -np.logaddexp(0, -z)])
    shifted = scores - scores.max(axis=1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))


LOSSES = {
    cls.name: cls
    for cls in (SoftmaxCrossEntropy, MulticlassHinge, SquaredMulticlassHinge, *REGRESSION_LOSSES)
}
"""Registry: head name -> class (constructed with its declared hyperparameters)."""


def get_loss(name, **hyperparameters):
    """Build the head registered under ``name``.

    Parameters
    ----------
    name : str
        A key of :data:`LOSSES`.
    **hyperparameters
        The head's declared settings (``margin`` for the hinge heads); an
        undeclared keyword is a ``TypeError``.

    Returns
    -------
    loss : callable
    """
    return lookup(name, LOSSES, "loss")(**hyperparameters)
