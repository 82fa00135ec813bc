"""Activation functions as forward/backward pairs.

Every element-wise activation here has a derivative that can be written in terms of
its *output* alone (ReLU: ``a > 0``; tanh: ``1 - a**2``; logistic: ``a (1 - a)``;
ELU: ``a + alpha`` below zero). The forward pass therefore runs in place on the
affine output and the cache is simply the output array: no copy of the
pre-activation is ever kept.

Maxout is not element-wise: it reduces groups of ``pieces`` consecutive affine
outputs to their maximum, so its cache holds the winning piece of each unit.

The registry :data:`ACTIVATIONS` maps each public name to a factory; it is the only
list of allowed names (the estimators' parameter validation reads it).
"""

from typing import NamedTuple

import numpy as np
from scipy.special import expit

from ._registry import lookup


class ElementwiseActivation:
    """Base of the activations applied independently to every entry.

    Attributes
    ----------
    name : str
        Registry name.
    auto_init : {"he", "xavier"}
        Initialisation that ``weight_init="auto"`` picks for this activation.
    expansion : int
        Affine outputs consumed per unit (1 for element-wise activations).
    """

    name = ""
    auto_init = "xavier"
    expansion = 1

    def forward(self, z):
        """Apply the activation in place.

        Parameters
        ----------
        z : ndarray of shape (n_samples, n_units)
            Affine output; overwritten.

        Returns
        -------
        a : ndarray of shape (n_samples, n_units)
            The same array as ``z``, now holding the activation.
        cache : ndarray
            What :meth:`backward` needs: the output ``a`` itself.
        """
        self._apply(z)
        return z, z

    def backward(self, da, cache):
        """Turn the gradient with respect to the output into the gradient w.r.t. input.

        Parameters
        ----------
        da : ndarray of shape (n_samples, n_units)
            Gradient of the loss with respect to the activation; overwritten.
        cache : ndarray of shape (n_samples, n_units)
            The activation output returned by :meth:`forward`.

        Returns
        -------
        dz : ndarray of shape (n_samples, n_units)
            The same array as ``da``, now holding the gradient w.r.t. ``z``.
        """
        self._scale_by_derivative(da, cache)
        return da

    def __call__(self, z):
        """Apply the activation in place and return ``z`` (inference path)."""
        self._apply(z)
        return z


class Identity(ElementwiseActivation):
    """:math:`f(z) = z`."""

    name = "identity"

    def _apply(self, z):
        pass

    def _scale_by_derivative(self, da, a):
        pass


class Logistic(ElementwiseActivation):
    r""":math:`f(z) = 1 / (1 + e^{-z})`, derivative :math:`a (1 - a)`."""

    name = "logistic"

    def _apply(self, z):
        expit(z, out=z)

    def _scale_by_derivative(self, da, a):
        da *= a
        da *= 1.0 - a


class Tanh(ElementwiseActivation):
    r""":math:`f(z) = \tanh z`, derivative :math:`1 - a^2`."""

    name = "tanh"

    def _apply(self, z):
        np.tanh(z, out=z)

    def _scale_by_derivative(self, da, a):
        da *= 1.0 - a * a


class ReLU(ElementwiseActivation):
    r""":math:`f(z) = \max(0, z)`, derivative :math:`1[a > 0]`."""

    name = "relu"
    auto_init = "he"

    def _apply(self, z):
        np.maximum(z, 0, out=z)

    def _scale_by_derivative(self, da, a):
        np.multiply(da, a > 0, out=da)


class LeakyReLU(ElementwiseActivation):
    r""":math:`f(z) = z` for :math:`z > 0`, :math:`s z` otherwise (``negative_slope`` s).

    Parameters
    ----------
    negative_slope : float
        Slope below zero, in (0, 1): then ``f(z) = max(z, s z)`` and the sign of the
        output equals the sign of the input, which the backward pass relies on.
    """

    name = "leaky_relu"
    auto_init = "he"

    def __init__(self, negative_slope=0.01):
        self.negative_slope = negative_slope

    def _apply(self, z):
        np.maximum(z, z * self.negative_slope, out=z)

    def _scale_by_derivative(self, da, a):
        da[a <= 0] *= self.negative_slope


class ELU(ElementwiseActivation):
    r""":math:`f(z) = z` for :math:`z > 0`, :math:`\alpha (e^z - 1)` otherwise, alpha = 1.

    The derivative below zero is :math:`\alpha e^z = a + \alpha`.
    """

    name = "elu"
    auto_init = "he"
    alpha = 1.0

    def _apply(self, z):
        negative = z < 0
        z[negative] = self.alpha * np.expm1(z[negative])

    def _scale_by_derivative(self, da, a):
        negative = a < 0
        da[negative] *= a[negative] + self.alpha


class MaxoutCache(NamedTuple):
    """Cache of :class:`Maxout`: the winning piece of every unit and the input shape."""

    winner: np.ndarray
    input_shape: tuple


class Maxout:
    r"""Maxout units (Goodfellow et al., 2013): :math:`f(z)_j = \max_k z_{j,k}`.

    Unit ``j`` reads the ``pieces`` consecutive affine outputs
    ``z[:, j * pieces:(j + 1) * pieces]``, so the affine layer before it has
    ``n_units * pieces`` outputs.

    Parameters
    ----------
    pieces : int
        Number of linear pieces per unit (at least 2).
    """

    name = "maxout"
    auto_init = "he"

    def __init__(self, pieces=2):
        self.pieces = pieces

    @property
    def expansion(self):
        """Affine outputs consumed per unit."""
        return self.pieces

    def forward(self, z, out=None):
        """Reduce each group of pieces to its maximum.

        Parameters
        ----------
        z : ndarray of shape (n_samples, n_units * pieces)
            Affine output.
        out : ndarray of shape (n_samples, n_units), optional
            Where to write the result.

        Returns
        -------
        a : ndarray of shape (n_samples, n_units)
        cache : MaxoutCache
        """
        grouped = z.reshape(z.shape[0], -1, self.pieces)
        winner = grouped.argmax(axis=2)
        a = np.take_along_axis(grouped, winner[:, :, None], axis=2)[:, :, 0]
        if out is not None:
            out[...] = a
            a = out
        return a, MaxoutCache(winner, z.shape)

    def backward(self, da, cache, out=None):
        """Route each unit's gradient to its winning piece.

        Parameters
        ----------
        da : ndarray of shape (n_samples, n_units)
        cache : MaxoutCache
        out : ndarray of shape (n_samples, n_units * pieces), optional

        Returns
        -------
        dz : ndarray of shape (n_samples, n_units * pieces)
        """
        dz = np.zeros(cache.input_shape, dtype=da.dtype) if out is None else out
        dz.fill(0)
        grouped = dz.reshape(dz.shape[0], -1, self.pieces)
        np.put_along_axis(grouped, cache.winner[:, :, None], da[:, :, None], axis=2)
        return dz

    def __call__(self, z):
        """Return the maxout of ``z`` (inference path)."""
        return z.reshape(z.shape[0], -1, self.pieces).max(axis=2)


ACTIVATIONS = {
    "identity": lambda **_: Identity(),
    "logistic": lambda **_: Logistic(),
    "sigmoid": lambda **_: Logistic(),
    "tanh": lambda **_: Tanh(),
    "relu": lambda **_: ReLU(),
    "leaky_relu": lambda negative_slope=0.01, **_: LeakyReLU(negative_slope),
    "elu": lambda **_: ELU(),
    "maxout": lambda maxout_pieces=2, **_: Maxout(maxout_pieces),
}
"""Registry: activation name -> factory accepting the activation's keyword options."""


def get_activation(name, *, negative_slope=0.01, maxout_pieces=2):
    """Build the activation registered under ``name``.

    Parameters
    ----------
    name : str
        A key of :data:`ACTIVATIONS`.
    negative_slope : float, default=0.01
        Used by ``"leaky_relu"``.
    maxout_pieces : int, default=2
        Used by ``"maxout"``.

    Returns
    -------
    activation : ElementwiseActivation or Maxout
    """
    factory = lookup(name, ACTIVATIONS, "activation")
    return factory(negative_slope=negative_slope, maxout_pieces=maxout_pieces)
