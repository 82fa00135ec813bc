r"""Weight penalties.

All penalties are one elastic-net formula with a penalty-specific L1 share
:math:`r` (as in scikit-learn's ``SGDClassifier``):

.. math::

    R(W) = \alpha \left( r \lVert W \rVert_1 + \frac{1 - r}{2} \lVert W \rVert_2^2 \right)

``l2`` is :math:`r = 0`, ``l1`` is :math:`r = 1`, ``elasticnet`` uses ``l1_ratio``.
Penalties apply to weight matrices only, never to biases or batch-norm parameters;
the network lays the weights out first in its flat parameter vector, so the
penalised part is one contiguous slice. The L1 (sub)gradient at exactly 0 is 0.

The max-norm constraint (Srebro et al.; used with dropout by Hinton et al.), which
projects each unit's incoming weight vector back onto a ball after every update, is
a kernel: ``max_norm_project`` in :mod:`.kernels`.
"""

import numpy as np

from ._registry import lookup
from .hyperparameters import Hyperparameter, Interval

L1_RATIO = Hyperparameter(
    "l1_ratio",
    0.15,
    (Interval("real", 0, 1, "both"),),
    "float",
    "L1 share of ``'elasticnet'``, in [0, 1].",
)


class PenaltyMix:
    """A registry entry: how a penalty splits into L1 and L2.

    Parameters
    ----------
    name : str
        Registry name.
    l1_share : callable
        ``l1_share(**hyperparameters) -> float`` in [0, 1].
    hyperparameters : tuple of Hyperparameter, default=()
        The settings ``l1_share`` takes.
    """

    def __init__(self, name, l1_share, hyperparameters=()):
        self.name, self.l1_share, self.hyperparameters = name, l1_share, hyperparameters


def _elasticnet_share(*, l1_ratio):
    return float(l1_ratio)


PENALTIES = {
    "l2": PenaltyMix("l2", lambda: 0.0),
    "l1": PenaltyMix("l1", lambda: 1.0),
    "elasticnet": PenaltyMix("elasticnet", _elasticnet_share, (L1_RATIO,)),
}
"""Registry: penalty name -> :class:`PenaltyMix` (its L1 share)."""


class Penalty:
    """An elastic-net penalty on a flat weight vector.

    Parameters
    ----------
    name : str or None
        A key of :data:`PENALTIES`, or None for no penalty.
    alpha : float
        Strength.
    **hyperparameters
        The settings the penalty declares (``l1_ratio`` for ``"elasticnet"``).
    """

    def __init__(self, name, alpha, **hyperparameters):
        if name is None:
            self.alpha, self.l1_share = 0.0, 0.0
        else:
            self.alpha = float(alpha)
            self.l1_share = lookup(name, PENALTIES, "penalty").l1_share(**hyperparameters)
        self._scratch = None  # reused for the gradient term: no allocation per step

    @property
    def coefficients(self):
        """``(l2, l1)``: the gradient of the penalty is ``l2 * w + l1 * sign(w)``."""
        return self.alpha * (1 - self.l1_share), self.alpha * self.l1_share

    @property
    def active(self):
        """Whether the penalty contributes anything."""
        return self.alpha > 0

    def value(self, weights):
        """Return :math:`R(W)` for the flat weight vector ``weights``."""
        if not self.active:
            return 0.0
        l1 = self.l1_share * float(np.abs(weights).sum()) if self.l1_share else 0.0
        l2 = 0.5 * (1 - self.l1_share) * float(np.dot(weights, weights))
        return self.alpha * (l1 + l2)

    def add_gradient(self, weights, gradient):
        r"""Add :math:`\nabla R(W)` to ``gradient`` in place.

        Parameters
        ----------
        weights, gradient : ndarray of shape (n_weights,)
        """
        if not self.active:
            return
        if self._scratch is None or self._scratch.shape != weights.shape:
            self._scratch = np.empty_like(weights)
        term = self._scratch
        if self.l1_share < 1:
            np.multiply(weights, self.alpha * (1 - self.l1_share), out=term)
            gradient += term
        if self.l1_share > 0:
            np.sign(weights, out=term)
            term *= self.alpha * self.l1_share
            gradient += term
