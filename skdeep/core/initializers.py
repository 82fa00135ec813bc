r"""Weight initialisation.

Gaussian, Xavier/Glorot and He are three settings of one variance-scaling
initialiser, :math:`W_{ij} \sim \mathcal N(0, \sigma^2)`:

==============  ===================================
name            :math:`\sigma^2`
==============  ===================================
``gaussian``    ``init_scale ** 2``
``xavier``      :math:`2 / (\text{fan\_in} + \text{fan\_out})`
``he``          :math:`2 / \text{fan\_in}`
``lecun``       :math:`1 / \text{fan\_in}` (for SELU)
==============  ===================================

``orthogonal`` (Saxe et al., 2013) draws a matrix with orthonormal columns (or rows,
when ``fan_in < fan_out``). ``lsuv`` (Mishkin & Matas, 2015) starts orthogonal and
then, layer by layer, rescales each hidden layer's weights until its affine output
has unit variance on a batch of training data (:func:`.network.lsuv_rescale`).

Weights are drawn in float64 and cast, so a float32 network starts from the float32
rounding of the float64 one. Biases start at zero.
"""

import numpy as np

from ._registry import lookup
from .hyperparameters import Hyperparameter, Interval


def variance_scaling(fan_in, fan_out, rng, *, variance):
    """Draw a (fan_in, fan_out) Gaussian matrix with the given entry variance.

    Parameters
    ----------
    fan_in, fan_out : int
    rng : numpy.random.Generator
    variance : float

    Returns
    -------
    W : ndarray of shape (fan_in, fan_out), float64
    """
    return rng.standard_normal((fan_in, fan_out)) * np.sqrt(variance)


def orthogonal(fan_in, fan_out, rng):
    """Draw a (fan_in, fan_out) matrix with orthonormal columns or rows.

    The Q factor of a Gaussian matrix, with the signs fixed by the diagonal of R so
    that the distribution is uniform (Haar) over orthogonal matrices.

    Parameters
    ----------
    fan_in, fan_out : int
    rng : numpy.random.Generator

    Returns
    -------
    W : ndarray of shape (fan_in, fan_out), float64
        ``W.T @ W = I`` when ``fan_in >= fan_out``, else ``W @ W.T = I``.
    """
    tall = (max(fan_in, fan_out), min(fan_in, fan_out))
    q, r = np.linalg.qr(rng.standard_normal(tall))
    q *= np.sign(np.diag(r))
    return q if fan_in >= fan_out else q.T


INIT_SCALE = Hyperparameter(
    "init_scale",
    0.01,
    (Interval("real", 0, None, "neither"),),
    "float",
    "Standard deviation of ``weight_init='gaussian'``.",
)


class VarianceScaling:
    """A variance-scaling initialiser: Gaussian entries of a given variance.

    Parameters
    ----------
    name : str
        Registry name.
    variance : callable
        ``variance(fan_in, fan_out, **hyperparameters) -> float``.
    hyperparameters : tuple of Hyperparameter, default=()
        The settings ``variance`` takes.
    """

    data_dependent = False

    def __init__(self, name, variance, hyperparameters=()):
        self.name, self.variance, self.hyperparameters = name, variance, hyperparameters

    def __call__(self, fan_in, fan_out, rng, **hyperparameters):
        """Draw a (fan_in, fan_out) float64 matrix.

        Parameters
        ----------
        fan_in, fan_out : int
        rng : numpy.random.Generator
        **hyperparameters
            The declared settings (``init_scale`` for ``"gaussian"``).

        Returns
        -------
        W : ndarray of shape (fan_in, fan_out), float64
        """
        variance = self.variance(fan_in, fan_out, **hyperparameters)
        return variance_scaling(fan_in, fan_out, rng, variance=variance)


class Orthogonal:
    """Orthogonal initialiser; with ``data_dependent``, the start of LSUV.

    Parameters
    ----------
    name : str
        Registry name.
    data_dependent : bool, default=False
        Whether the network rescales the drawn weights on a batch of data
        afterwards (LSUV).
    """

    hyperparameters = ()

    def __init__(self, name, data_dependent=False):
        self.name, self.data_dependent = name, data_dependent

    def __call__(self, fan_in, fan_out, rng):
        """Draw a (fan_in, fan_out) float64 matrix with orthonormal columns or rows."""
        return orthogonal(fan_in, fan_out, rng)


def _gaussian_variance(fan_in, fan_out, *, init_scale):
    return init_scale**2


INITIALIZERS = {
    "gaussian": VarianceScaling("gaussian", _gaussian_variance, (INIT_SCALE,)),
    "xavier": VarianceScaling("xavier", lambda fan_in, fan_out: 2.0 / (fan_in + fan_out)),
    "he": VarianceScaling("he", lambda fan_in, fan_out: 2.0 / fan_in),
    "lecun": VarianceScaling("lecun", lambda fan_in, fan_out: 1.0 / fan_in),
    "orthogonal": Orthogonal("orthogonal"),
    "lsuv": Orthogonal("lsuv", data_dependent=True),
}
"""Registry: initialiser name -> ``f(fan_in, fan_out, rng, **hyperparameters) -> W``.

``"auto"`` (accepted by :func:`resolve_initializer`) picks the activation's
``auto_init``: He for the ReLU family, maxout and the smooth ReLU-like units,
LeCun for SELU, Xavier otherwise.
"""
INITIALIZER_NAMES = frozenset(INITIALIZERS) | {"auto"}
"""Every value ``weight_init`` accepts."""


def resolve_initializer(name, activation):
    """Return the registry name that ``name`` stands for with this activation.

    Parameters
    ----------
    name : str
        A key of :data:`INITIALIZERS` or ``"auto"``.
    activation : object
        The activation, whose ``auto_init`` attribute resolves ``"auto"``.

    Returns
    -------
    resolved : str
    """
    if name == "auto":
        return activation.auto_init
    lookup(name, INITIALIZERS, "weight initializer")
    return name
