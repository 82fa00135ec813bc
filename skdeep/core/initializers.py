r"""Weight initialisation.

Gaussian, Xavier/Glorot and He are three settings of one variance-scaling
initialiser, :math:`W_{ij} \sim \mathcal N(0, \sigma^2)`:

==============  ===================================
name            :math:`\sigma^2`
==============  ===================================
``gaussian``    ``init_scale ** 2``
``xavier``      :math:`2 / (\text{fan\_in} + \text{fan\_out})`
``he``          :math:`2 / \text{fan\_in}`
==============  ===================================

``orthogonal`` (Saxe et al., 2013) draws a matrix with orthonormal columns (or rows,
when ``fan_in < fan_out``). ``lsuv`` (Mishkin & Matas, 2015) starts orthogonal and
then, layer by layer, rescales each hidden layer's weights until its affine output
has unit variance on a batch of training data (:func:`lsuv_rescale`).

Weights are drawn in float64 and cast, so a float32 network starts from the float32
rounding of the float64 one. Biases start at zero.
"""

import numpy as np

from ._registry import lookup
from .layers import Dense


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


INITIALIZERS = {
    "gaussian": lambda fi, fo, rng, init_scale: variance_scaling(
        fi, fo, rng, variance=init_scale**2
    ),
    "xavier": lambda fi, fo, rng, init_scale: variance_scaling(
        fi, fo, rng, variance=2.0 / (fi + fo)
    ),
    "he": lambda fi, fo, rng, init_scale: variance_scaling(fi, fo, rng, variance=2.0 / fi),
    "orthogonal": lambda fi, fo, rng, init_scale: orthogonal(fi, fo, rng),
    "lsuv": lambda fi, fo, rng, init_scale: orthogonal(fi, fo, rng),
}
"""Registry: initialiser name -> ``f(fan_in, fan_out, rng, init_scale) -> W``.

``"auto"`` (accepted by :func:`resolve_initializer`) picks the activation's
``auto_init``: He for the ReLU family and maxout, Xavier otherwise.
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


def lsuv_rescale(layers, X, *, tol=0.1, max_iter=10):
    """Layer-sequential unit-variance rescaling (Mishkin & Matas, 2015).

    Walks the layers in order; for every dense layer but the output one, divides
    its weights by the standard deviation of its affine output on ``X`` until that
    variance is within ``tol`` of 1 (at most ``max_iter`` times), then feeds the
    rescaled output forward. Runs in inference mode (no dropout).

    Parameters
    ----------
    layers : list of Layer
        The network's layers, with buffers allocated for ``X.shape[0]`` rows.
    X : ndarray or sparse matrix of shape (n_rows, n_features)
        A batch of training data.
    tol : float, default=0.1
    max_iter : int, default=10
    """
    dense_layers = [layer for layer in layers if isinstance(layer, Dense)]
    output_layer = dense_layers[-1]
    h = X
    for layer in layers:
        if isinstance(layer, Dense) and layer is not output_layer:
            for _ in range(max_iter):
                z, _ = layer.forward(h, training=False)
                variance = float(np.var(z))
                if variance == 0 or not np.isfinite(variance) or abs(variance - 1) < tol:
                    break
                layer.params["W"] /= np.sqrt(variance)
        h, _ = layer.forward(h, training=False)
