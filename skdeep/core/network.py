"""The network: a stack of layers over flat parameter, gradient and state vectors.

A hidden block is ``Dense -> [BatchNorm] -> activation -> [Dropout]``; the output
block is a ``Dense`` layer whose scores go to a loss of :mod:`.losses`.

All trainable arrays are views into one vector ``theta`` (and their gradients into
``grad``), laid out as: every weight matrix, then every bias, then the batch-norm
scales and shifts. Hence:

* the optimizer updates the whole network with a handful of vector operations;
* the penalised weights are the slice ``theta[:n_weights]``;
* L-BFGS reads and writes ``theta`` directly;
* a snapshot of the model is ``theta.copy()`` plus ``state.copy()`` (batch-norm
  running statistics).

For prediction the network is exported in *inference form*
(:meth:`Network.inference_params`): every hidden layer becomes
``act(h @ W + b)``, with batch norm, which is affine at inference, folded into
``W`` and ``b``. :func:`predict_scores` evaluates that form and needs nothing else.
"""

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from .activations import get_activation
from .initializers import INITIALIZERS, lsuv_rescale, resolve_initializer
from .layers import ActivationLayer, BatchNorm, Dense, Dropout

_GROUP_ORDER = ("weight", "bias", "batch_norm")


@dataclass(frozen=True)
class NetworkSpec:
    """Architecture of a network.

    Parameters
    ----------
    n_features : int
    hidden_layer_sizes : tuple of int
    n_outputs : int
        1 for binary classification (score of class 1), else the number of classes.
    activation : str
    negative_slope : float
    maxout_pieces : int
    batch_norm : bool
    batch_norm_momentum : float
    dropout : float
    """

    n_features: int
    hidden_layer_sizes: tuple
    n_outputs: int
    activation: str = "relu"
    negative_slope: float = 0.01
    maxout_pieces: int = 2
    batch_norm: bool = False
    batch_norm_momentum: float = 0.9
    dropout: float = 0.0

    def make_activation(self):
        """Return the activation object of the hidden layers."""
        return get_activation(
            self.activation,
            negative_slope=self.negative_slope,
            maxout_pieces=self.maxout_pieces,
        )


class Network:
    """Layers plus the flat vectors that hold their parameters.

    Parameters
    ----------
    spec : NetworkSpec
    dtype : numpy dtype
        Training precision (float32 or float64).
    """

    def __init__(self, spec, dtype):
        self.spec, self.dtype = spec, np.dtype(dtype)
        self.activation = spec.make_activation()
        self.layers = self._build_layers()
        self._bind_flat_vectors()
        self._capacity = 0

    def _build_layers(self):
        spec, act = self.spec, self.activation
        layers, fan_in = [], spec.n_features
        for i, width in enumerate(spec.hidden_layer_sizes):
            affine_width = width * act.expansion
            layers.append(Dense(fan_in, affine_width, not spec.batch_norm, input_gradient=i > 0))
            if spec.batch_norm:
                layers.append(BatchNorm(affine_width, spec.batch_norm_momentum))
            layers.append(ActivationLayer(act, width))
            if spec.dropout > 0:
                layers.append(Dropout(spec.dropout, width))
            fan_in = width
        layers.append(Dense(fan_in, spec.n_outputs, input_gradient=bool(spec.hidden_layer_sizes)))
        return layers

    def _bind_flat_vectors(self):
        entries = [(layer, *s) for layer in self.layers for s in layer.param_specs()]
        entries.sort(key=lambda e: _GROUP_ORDER.index(e[3]))  # stable: keeps layer order
        sizes = [int(np.prod(shape)) for _, _, shape, _ in entries]
        self.theta = np.zeros(sum(sizes), dtype=self.dtype)
        self.grad = np.zeros_like(self.theta)
        self.n_weights = sum(n for n, e in zip(sizes, entries) if e[3] == "weight")
        states = [(layer, *s) for layer in self.layers for s in layer.state_specs()]
        self.state = np.zeros(sum(int(np.prod(s[2])) for s in states), dtype=self.dtype)

        views = {id(layer): ({}, {}, {}) for layer in self.layers}
        public_names = self._public_param_names()
        self.param_slices = {}
        offset = 0
        for (layer, name, shape, _), size in zip(entries, sizes):
            params, grads, _ = views[id(layer)]
            params[name] = self.theta[offset : offset + size].reshape(shape)
            grads[name] = self.grad[offset : offset + size].reshape(shape)
            self.param_slices[public_names[id(layer), name]] = slice(offset, offset + size)
            offset += size
        offset = 0
        for layer, name, shape, fill in states:
            size = int(np.prod(shape))
            view = self.state[offset : offset + size].reshape(shape)
            view.fill(fill)
            views[id(layer)][2][name] = view
            offset += size
        for layer in self.layers:
            layer.bind(*views[id(layer)])
        self.dense_layers = [layer for layer in self.layers if isinstance(layer, Dense)]
        self.weight_matrices = [layer.params["W"] for layer in self.dense_layers]

    def __getstate__(self):
        # Buffers and views are rebuilt on load; only the numbers travel.
        return {
            "spec": self.spec,
            "dtype": self.dtype.name,
            "theta": self.theta,
            "state": self.state,
        }

    def __setstate__(self, saved):
        self.__init__(saved["spec"], saved["dtype"])
        self.theta[...] = saved["theta"]
        self.state[...] = saved["state"]

    def _public_param_names(self):
        """Name each trainable array after the attribute users know it by.

        ``coefs_<k>`` / ``intercepts_<k>`` for the k-th dense layer,
        ``gamma_<k>`` / ``beta_<k>`` for the batch norm of the k-th hidden layer.
        """
        names, k = {}, -1
        public = {"W": "coefs", "b": "intercepts", "gamma": "gamma", "beta": "beta"}
        for layer in self.layers:
            k += isinstance(layer, Dense)
            for name, _, _ in layer.param_specs():
                names[id(layer), name] = f"{public[name]}_{k}"
        return names

    def allocate(self, max_rows):
        """Make sure every buffer holds batches of ``max_rows`` rows."""
        if max_rows > self._capacity:
            for layer in self.layers:
                layer.allocate(max_rows, self.dtype)
            self._capacity = max_rows

    def initialize(self, weight_init, rng, init_scale=0.01, X_sample=None):
        """Draw initial weights (zero biases, unit BN scales) in place.

        Parameters
        ----------
        weight_init : str
            A key of :data:`~.initializers.INITIALIZERS` or ``"auto"``.
        rng : numpy.random.Generator
        init_scale : float, default=0.01
            Standard deviation of ``"gaussian"``.
        X_sample : ndarray or sparse matrix, optional
            Batch of training data; required by ``"lsuv"``.
        """
        name = resolve_initializer(weight_init, self.activation)
        draw = INITIALIZERS[name]
        self.theta.fill(0)
        for layer in self.dense_layers:
            layer.params["W"][...] = draw(layer.fan_in, layer.fan_out, rng, init_scale)
        for layer in self.layers:
            if isinstance(layer, BatchNorm):
                layer.params["gamma"].fill(1)
        if name == "lsuv":
            self.allocate(X_sample.shape[0])
            lsuv_rescale(self.layers, X_sample)

    def forward(self, X, training, rng=None):
        """Run the stack.

        Parameters
        ----------
        X : ndarray or sparse matrix of shape (n_rows, n_features)
        training : bool
            Batch statistics and dropout (True) or running statistics, no dropout.
        rng : numpy.random.Generator, optional
            Source of dropout masks; required when training with dropout.

        Returns
        -------
        scores : ndarray of shape (n_rows, n_outputs)
            A view of the output layer's buffer.
        caches : list
            One cache per layer, for :meth:`backward`.
        """
        self.allocate(X.shape[0])
        caches, h = [], X
        for layer in self.layers:
            h, cache = layer.forward(h, training, rng)
            caches.append(cache)
        return h, caches

    def backward(self, dscores, caches):
        """Back-propagate ``dscores`` and fill :attr:`grad` (overwrites ``dscores``)."""
        d = dscores
        for layer, cache in zip(reversed(self.layers), reversed(caches)):
            d = layer.backward(d, cache)

    def inference_params(self, theta=None, state=None):
        """Export the network as plain ``act(h @ W + b)`` layers.

        Parameters
        ----------
        theta, state : ndarray, optional
            Parameter and state vectors to export instead of the current ones
            (e.g. averaged weights).

        Returns
        -------
        coefs, intercepts : list of ndarray
            ``coefs[i]`` of shape (fan_in, fan_out), ``intercepts[i]`` of shape
            (fan_out,); batch norm folded in.
        """
        saved = self.theta.copy(), self.state.copy()
        if theta is not None:
            self.theta[...] = theta
        if state is not None:
            self.state[...] = state
        coefs, intercepts = [], []
        try:
            for i, layer in enumerate(self.layers):
                if not isinstance(layer, Dense):
                    continue
                W = layer.params["W"].copy()
                b = layer.params["b"].copy() if layer.use_bias else np.zeros(W.shape[1], W.dtype)
                follower = self.layers[i + 1] if i + 1 < len(self.layers) else None
                if isinstance(follower, BatchNorm):
                    scale = follower.params["gamma"] / np.sqrt(
                        follower.state["running_var"] + follower.epsilon
                    )
                    W *= scale
                    b = follower.params["beta"] - follower.state["running_mean"] * scale
                coefs.append(W)
                intercepts.append(b.astype(self.dtype, copy=False))
        finally:
            self.theta[...], self.state[...] = saved
        return coefs, intercepts


def predict_scores(coefs, intercepts, activation, X):
    """Evaluate a network in inference form.

    Parameters
    ----------
    coefs, intercepts : list of ndarray
        As returned by :meth:`Network.inference_params`.
    activation : object
        Hidden activation (callable applying itself; see :mod:`.activations`).
    X : ndarray or sparse matrix of shape (n_rows, n_features)
        Cast to the coefficients' dtype if needed.

    Returns
    -------
    scores : ndarray of shape (n_rows, n_outputs)
    """
    dtype = coefs[0].dtype
    h = X.astype(dtype, copy=False) if X.dtype != dtype else X
    last = len(coefs) - 1
    for i, (W, b) in enumerate(zip(coefs, intercepts)):
        z = h @ W if sp.issparse(h) else np.dot(h, W)
        z = np.asarray(z)
        z += b
        h = z if i == last else activation(z)
    return h
