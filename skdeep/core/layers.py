"""Layers as forward/backward pairs with explicit caches.

Every layer follows one protocol:

* ``param_specs()`` lists its trainable arrays as ``(name, shape, group)``, where
  ``group`` is ``"weight"`` (penalised, max-norm constrained), ``"bias"`` or
  ``"batch_norm"``; ``state_specs()`` lists non-trainable arrays (batch-norm
  running statistics). The network allocates all of them in flat vectors and hands
  each layer *views* through :meth:`Layer.bind`, so optimizers, penalties and
  L-BFGS work on one contiguous vector and snapshots are one copy.
* ``allocate(max_rows, dtype)`` creates the layer's buffers once; a batch of ``n``
  rows then uses their first ``n`` rows (still C-contiguous), so the training loop
  allocates nothing per step for the big arrays.
* ``forward(x, rng) -> (y, cache)`` is the training pass (batch statistics, dropout
  masks); ``backward(dy, cache) -> dx`` consumes the cache without modifying it,
  writes parameter gradients into the bound gradient views and may overwrite
  ``dy``; it never recomputes the forward pass.

Prediction does not go through the layers: the network exports an inference form
(plain affine maps and activations, see :mod:`.network`) and evaluates it with one
pure function.
"""

from typing import NamedTuple

import numpy as np
import scipy.sparse as sp

from .activations import ElementwiseCache
from .kernels import load_backend


class Layer:
    """Common plumbing: parameter/gradient views and the output buffer.

    ``kernels`` names the backend of :mod:`.kernels` that runs the layer's
    element-wise work (batch norm, dropout); the network sets it to its own.
    """

    kernels = "numpy"

    def param_specs(self):
        """Return the trainable arrays as ``(name, shape, group)`` tuples."""
        return []

    def state_specs(self):
        """Return the non-trainable arrays as ``(name, shape, fill_value)`` tuples."""
        return []

    def bind(self, params, grads, state):
        """Attach views into the network's flat parameter, gradient and state vectors.

        Parameters
        ----------
        params, grads, state : dict of str to ndarray
            Views keyed by the names of :meth:`param_specs` / :meth:`state_specs`.
        """
        self.params, self.grads, self.state = params, grads, state

    def allocate(self, max_rows, dtype):
        """Create the buffers for batches of up to ``max_rows`` rows."""


def forward_through(layers, x, rng=None):
    """Run ``x`` through ``layers`` in training mode; return the output and the caches.

    Parameters
    ----------
    layers : list of Layer
    x : ndarray or sparse matrix of shape (n_rows, n_features)
    rng : numpy.random.Generator, optional
        Source of dropout masks.

    Returns
    -------
    y : ndarray
        The last layer's output (a view of its buffer).
    caches : list
        One cache per layer, for :func:`backward_through`.
    """
    caches, h = [], x
    for layer in layers:
        h, cache = layer.forward(h, rng)
        caches.append(cache)
    return h, caches


def backward_through(layers, dy, caches):
    """Back-propagate ``dy`` through ``layers``, filling their gradient views."""
    d = dy
    for layer, cache in zip(reversed(layers), reversed(caches)):
        d = layer.backward(d, cache)


class DenseCache(NamedTuple):
    """Cache of :class:`Dense`: the layer input."""

    x: object


class Dense(Layer):
    """Affine layer ``y = x @ W + b`` with ``W`` of shape (fan_in, fan_out).

    Parameters
    ----------
    fan_in, fan_out : int
        Input and output widths.
    use_bias : bool, default=True
        False when a batch-norm layer follows (its shift makes the bias redundant).
    input_gradient : bool, default=True
        Whether :meth:`backward` computes the gradient w.r.t. the input; False for
        the first layer, whose input is the data.
    """

    def __init__(self, fan_in, fan_out, use_bias=True, input_gradient=True):
        self.fan_in, self.fan_out = fan_in, fan_out
        self.use_bias, self.input_gradient = use_bias, input_gradient
        # Set when the activation that follows adds the bias and sums its gradient
        # in one fused pass (see ActivationLayer.take_bias_from).
        self.bias_handed_on = False

    def param_specs(self):
        specs = [("W", (self.fan_in, self.fan_out), "weight")]
        if self.use_bias:
            specs.append(("b", (self.fan_out,), "bias"))
        return specs

    def allocate(self, max_rows, dtype):
        self._out = np.empty((max_rows, self.fan_out), dtype=dtype)
        if self.input_gradient:
            self._dx = np.empty((max_rows, self.fan_in), dtype=dtype)

    def forward(self, x, rng=None):
        """Compute ``x @ W + b``.

        Parameters
        ----------
        x : ndarray or sparse matrix of shape (n_rows, fan_in)
        rng : numpy.random.Generator or None
            Unused.

        Returns
        -------
        y : ndarray of shape (n_rows, fan_out)
            A view of the layer's output buffer.
        cache : DenseCache
        """
        y = self._out[: x.shape[0]]
        if sp.issparse(x):
            y[...] = x @ self.params["W"]
        else:
            np.dot(x, self.params["W"], out=y)
        if self.use_bias and not self.bias_handed_on:
            y += self.params["b"]
        return y, DenseCache(x)

    def backward(self, dy, cache):
        """Accumulate ``dW = x.T @ dy``, ``db = sum(dy)`` and return ``dy @ W.T``.

        Parameters
        ----------
        dy : ndarray of shape (n_rows, fan_out)
        cache : DenseCache

        Returns
        -------
        dx : ndarray of shape (n_rows, fan_in) or None
            None when ``input_gradient`` is False.
        """
        x = cache.x
        if sp.issparse(x):
            self.grads["W"][...] = x.T @ dy
        else:
            np.dot(x.T, dy, out=self.grads["W"])
        if self.use_bias and not self.bias_handed_on:
            np.sum(dy, axis=0, out=self.grads["b"])
        if not self.input_gradient:
            return None
        dx = self._dx[: dy.shape[0]]
        np.dot(dy, self.params["W"].T, out=dx)
        return dx


class BatchNormCache(NamedTuple):
    """Cache of :class:`BatchNorm`: the normalised input and the batch's inverse std."""

    x_hat: np.ndarray
    inv_std: np.ndarray


class BatchNorm(Layer):
    r"""Batch normalisation (Ioffe & Szegedy, 2015) of each unit over the batch.

    Training: :math:`\hat x = (x - \mu_B) / \sqrt{\sigma_B^2 + \epsilon}`,
    :math:`y = \gamma \hat x + \beta`, and running averages
    ``running = momentum * running + (1 - momentum) * batch`` (the running variance
    uses the unbiased batch variance). Prediction uses the running statistics,
    folded into the preceding affine layer by the network's inference form.

    Parameters
    ----------
    width : int
        Number of units.
    momentum : float, default=0.9
        Weight of the old value in the running averages.
    epsilon : float, default=1e-5
        Added to the variance.
    """

    def __init__(self, width, momentum=0.9, epsilon=1e-5):
        self.width, self.momentum, self.epsilon = width, momentum, epsilon

    def param_specs(self):
        return [("gamma", (self.width,), "batch_norm"), ("beta", (self.width,), "batch_norm")]

    def state_specs(self):
        return [("running_mean", (self.width,), 0.0), ("running_var", (self.width,), 1.0)]

    def allocate(self, max_rows, dtype):
        self._out = np.empty((max_rows, self.width), dtype=dtype)
        self._x_hat = np.empty((max_rows, self.width), dtype=dtype)
        self._dx = np.empty((max_rows, self.width), dtype=dtype)
        self._mean = np.empty(self.width, dtype=dtype)
        self._inv_std = np.empty(self.width, dtype=dtype)

    def forward(self, x, rng=None):
        """Normalise ``x`` with its batch statistics and update the running ones.

        Parameters
        ----------
        x : ndarray of shape (n_rows, width)
        rng : numpy.random.Generator or None
            Unused.

        Returns
        -------
        y : ndarray of shape (n_rows, width)
        cache : BatchNormCache
        """
        n = x.shape[0]
        y, x_hat = self._out[:n], self._x_hat[:n]
        load_backend(self.kernels).batchnorm_forward(
            x, self.params["gamma"], self.params["beta"],
            self.state["running_mean"], self.state["running_var"], self.momentum,
            self.epsilon, self._mean, self._inv_std, x_hat, y,
        )  # fmt: skip
        return y, BatchNormCache(x_hat, self._inv_std)

    def backward(self, dy, cache):
        r"""Gradients of the batch-normalised output (consumes ``dy``, not the cache).

        With :math:`g = dy \cdot \gamma`:
        :math:`dx = \frac{1}{\sigma N}(N g - \sum g - \hat x \sum g \hat x)`.

        Parameters
        ----------
        dy : ndarray of shape (n_rows, width)
        cache : BatchNormCache

        Returns
        -------
        dx : ndarray of shape (n_rows, width)
            The layer's input-gradient buffer.
        """
        dx = self._dx[: dy.shape[0]]
        load_backend(self.kernels).batchnorm_backward(
            dy, cache.x_hat, cache.inv_std, self.params["gamma"],
            self.grads["gamma"], self.grads["beta"], dx,
        )  # fmt: skip
        return dx


class Dropout(Layer):
    """Inverted dropout: keep each unit with probability ``1 - rate``, scale by 1/(1-rate).

    Scaling at training time keeps the expected activation unchanged, so inference
    uses the layer as the identity.

    Parameters
    ----------
    rate : float
        Probability of dropping a unit, in [0, 1).
    width : int
        Number of units.
    """

    def __init__(self, rate, width):
        self.rate, self.width = rate, width

    def allocate(self, max_rows, dtype):
        self._mask = np.empty((max_rows, self.width), dtype=dtype)
        self._out = np.empty((max_rows, self.width), dtype=dtype)

    def forward(self, x, rng=None):
        """Multiply ``x`` by a fresh scaled Bernoulli mask drawn from ``rng``.

        Parameters
        ----------
        x : ndarray of shape (n_rows, width)
        rng : numpy.random.Generator
            Source of the mask.

        Returns
        -------
        y : ndarray of shape (n_rows, width)
        cache : ndarray or None
            The scaled mask.
        """
        if self.rate == 0:
            return x, None
        n = x.shape[0]
        mask, y = self._mask[:n], self._out[:n]
        # The run's generator draws the uniforms, so every backend turns the same
        # draws into the same mask.
        rng.random(out=mask, dtype=mask.dtype)
        load_backend(self.kernels).dropout_forward(x, mask, self.rate, y)
        return y, mask

    def backward(self, dy, cache):
        """Apply the same mask to the gradient (in place)."""
        if cache is not None:
            load_backend(self.kernels).dropout_backward(dy, cache)
        return dy


class ActivationLayer(Layer):
    """Adapts an activation from :mod:`.activations` to the layer protocol.

    The activation says what it needs (see its ``keeps`` and ``expansion``); this
    layer only provides the buffers: one for the output when the activation does
    not work in place, one for the input gradient when its shape differs from the
    output gradient's (maxout).

    With a compiled kernel backend, the layer can also take over the preceding
    affine layer's bias (:meth:`take_bias_from`): one pass then computes
    ``f(z + b)`` forward and ``da * f'`` with the bias gradient backward, where
    NumPy makes two to four.

    Parameters
    ----------
    activation : Activation
    width : int
        Number of units *after* the activation.
    """

    def __init__(self, activation, width):
        self.activation, self.width = activation, width
        self._out = self._dz = None
        self._fused = None  # (dense layer, kernel backend name) when fused

    def take_bias_from(self, dense, kernels):
        """Add ``dense``'s bias forward and compute its gradient backward, fused.

        Parameters
        ----------
        dense : Dense
            The affine layer just before, whose bias this layer takes over.
        kernels : str
            Name of a backend of :mod:`.kernels` with a compiled version.
        """
        dense.bias_handed_on = True
        self._fused = (dense, kernels)

    def allocate(self, max_rows, dtype):
        activation = self.activation
        if activation.needs_output_buffer:
            self._out = np.empty((max_rows, self.width), dtype=dtype)
        if activation.expansion > 1:
            self._dz = np.empty((max_rows, self.width * activation.expansion), dtype=dtype)

    def forward(self, x, rng=None):
        """Apply the activation (in place when it allows it)."""
        out = None if self._out is None else self._out[: x.shape[0]]
        if self._fused is None:
            return self.activation.forward(x, out)
        dense, backend = self._fused
        kernels, activation = load_backend(backend), self.activation
        if activation.keeps == "output":
            slope = getattr(activation, "negative_slope", 0.01)
            kernels.activation_forward(x, dense.params["b"], activation.name, slope)
            return x, ElementwiseCache(x)
        kernels.activation_forward_keep_input(x, dense.params["b"], out, activation.name)
        return out, ElementwiseCache(x)

    def backward(self, dy, cache):
        """Return the gradient w.r.t. the activation's input."""
        if self._fused is None:
            out = None if self._dz is None else self._dz[: dy.shape[0]]
            return self.activation.backward(dy, cache, out)
        dense, backend = self._fused
        kernels, activation = load_backend(backend), self.activation
        if activation.keeps == "output":
            slope = getattr(activation, "negative_slope", 0.01)
            kernels.activation_backward(dy, cache.kept, dense.grads["b"], activation.name, slope)
        else:
            kernels.activation_backward_from_input(
                dy, cache.kept, None, dense.grads["b"], activation.name
            )
        return dy
