r"""Classification heads: a loss fused with its gradient.

Each loss is called as ``loss(scores, y, weights, gradient=True)`` and returns the
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
``"squared_hinge"`` (multiclass hinge in the Weston-Watkins form). Each head
declares its hyperparameters and its ``family`` (``"softmax"`` or ``"svm"``),
which tells the estimators which heads they offer.
"""

import numpy as np
from scipy.special import expit

from ._registry import lookup
from .hyperparameters import Hyperparameter, Interval

MARGIN = Hyperparameter(
    "margin",
    1.0,
    (Interval("real", 0, None, "neither"),),
    "float",
    "The margin :math:`\\Delta` the correct class's score must exceed the\nothers by.",
)


def _apply_weights(per_sample, gradient, weights):
    """Return the weighted mean of ``per_sample`` and scale ``gradient`` rows alike."""
    if weights is None:
        n = per_sample.shape[0]
        if gradient is not None:
            gradient *= 1.0 / n
        return float(np.sum(per_sample)) / n
    if gradient is not None:
        gradient *= weights[:, None].astype(gradient.dtype, copy=False)
    return float(np.dot(per_sample, weights))


class SoftmaxCrossEntropy:
    r"""Softmax cross-entropy, computed through the log-sum-exp.

    :math:`L_i = \log \sum_j e^{s_j} - s_{y_i}`, gradient :math:`p - \text{onehot}(y)`.
    The scores are shifted by their row maximum first, so no exponential overflows.
    """

    name = "log_loss"
    family = "softmax"
    hyperparameters = ()

    def __init__(self):
        # Defined so that an undeclared setting is refused with a message naming it.
        pass

    def chance_loss(self, n_classes):
        """Loss of a network whose scores are all equal: ``log(n_classes)``."""
        return float(np.log(n_classes))

    def __call__(self, scores, y, weights=None, gradient=True):
        """Return the weighted mean loss; overwrite ``scores`` with its gradient.

        Parameters
        ----------
        scores : ndarray of shape (n, n_classes) or (n, 1)
        y : ndarray of shape (n,), int
        weights : ndarray of shape (n,) or None
        gradient : bool, default=True
            When False, ``scores`` is left untouched.

        Returns
        -------
        loss : float
        """
        s = scores if gradient else scores.copy()
        rows = np.arange(s.shape[0])
        if s.shape[1] == 1:
            z = s[:, 0]
            per_sample = np.logaddexp(0, z) - y * z
            expit(z, out=z)
            z -= y
        else:
            s -= s.max(axis=1, keepdims=True)
            true_score = s[rows, y]
            np.exp(s, out=s)
            row_sum = s.sum(axis=1)
            per_sample = np.log(row_sum) - true_score
            s /= row_sum[:, None]
            s[rows, y] -= 1
        return _apply_weights(per_sample, s if gradient else None, weights)


class MulticlassHinge:
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

    def chance_loss(self, n_classes):
        """Loss when all scores are equal: ``(n_classes - 1) * margin ** p``."""
        power = 2 if self.squared else 1
        return float((n_classes - 1) * self.margin**power)

    def __call__(self, scores, y, weights=None, gradient=True):
        """Return the weighted mean loss; overwrite ``scores`` with its gradient.

        Parameters
        ----------
        scores : ndarray of shape (n, n_classes) or (n, 1)
        y : ndarray of shape (n,), int
        weights : ndarray of shape (n,) or None
        gradient : bool, default=True
            When False, ``scores`` is left untouched.

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
        return _apply_weights(per_sample, s if gradient else None, weights)


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


LOSSES = {cls.name: cls for cls in (SoftmaxCrossEntropy, MulticlassHinge, SquaredMulticlassHinge)}
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
