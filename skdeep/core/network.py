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

The layers only train. For prediction the network is exported in *inference form*
(:meth:`Network.inference_params`, a pure function of a parameter vector and a
state vector): every hidden layer becomes ``act(h @ W + b)``, with batch norm,
which is affine at inference, folded into ``W`` and ``b``, and dropout gone.
:func:`predict_scores` evaluates that form and needs nothing else; it is the only
inference code.
"""

from dataclasses import dataclass
from typing import Any

import numpy as np

from ._registry import lookup
from .activations import ACTIVATIONS
from .ensemble import MemberDense, MemberScale
from .hyperparameters import declared, select
from .inference import export, predict_scores
from .initializers import INITIALIZERS, resolve_initializer
from .kernels import backend_name_for, fusable_activations
from .layers import (
    ActivationLayer,
    BatchNorm,
    Dense,
    Dropout,
    backward_through,
    forward_through,
)

__all__ = ["Network", "NetworkSpec", "lsuv_rescale", "predict_scores"]

_GROUP_ORDER = ("weight", "bias", "adapter", "batch_norm")


_LAYOUT_FIELDS = (
    "n_features",
    "hidden_layer_sizes",
    "n_outputs",
    "activation",
    "batch_norm",
    "n_members",
)


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
        A key of :data:`~.activations.ACTIVATIONS`.
    activation_params : Mapping or tuple of (str, object) pairs, optional
        Settings of the activation; any mapping of settings will do (e.g. every
        estimator parameter): the spec keeps those the activation declares, as a
        tuple of pairs, and gives the missing ones their declared defaults.
    batch_norm : bool
    batch_norm_momentum : float
    dropout : float
    n_members : int, default=1
        Members of an ensemble trained at once (see :mod:`.ensemble`); 1 is a
        single network.
    zero_output : bool, default=False
        Start the output layer's weights at zero (every member then starts from
        equal scores for all classes).
    """

    n_features: int
    hidden_layer_sizes: tuple
    n_outputs: int
    activation: str = "relu"
    activation_params: Any = ()
    batch_norm: bool = False
    batch_norm_momentum: float = 0.9
    dropout: float = 0.0
    n_members: int = 1
    zero_output: bool = False

    def __post_init__(self):
        cls = lookup(self.activation, ACTIVATIONS, "activation")
        given = dict(self.activation_params)
        kept = tuple((h.name, given.get(h.name, h.default)) for h in declared(cls))
        object.__setattr__(self, "activation_params", kept)

    def make_activation(self):
        """Return the activation object of the hidden layers."""
        return lookup(self.activation, ACTIVATIONS, "activation")(**dict(self.activation_params))

    def layout_changes(self, other):
        """Names of the settings whose change from ``self`` to ``other`` reshapes the weights.

        Parameters
        ----------
        other : NetworkSpec

        Returns
        -------
        changed : list of str
            Empty when the trained arrays of ``self`` fit ``other`` (dropout rate,
            batch-norm momentum or a leaky slope may change).
        """
        changed = [f for f in _LAYOUT_FIELDS if getattr(self, f) != getattr(other, f)]
        if not changed and self.make_activation().expansion != other.make_activation().expansion:
            theirs = dict(other.activation_params)
            changed = [name for name, value in self.activation_params if theirs[name] != value]
        return changed


class Network:
    """Layers plus the flat vectors that hold their parameters.

    Parameters
    ----------
    spec : NetworkSpec
    dtype : numpy dtype
        Training precision (float32 or float64).
    kernels : {"numpy", "numba", "auto"}, default="numpy"
        Kernel backend of the element-wise work (see :mod:`.kernels`); "auto"
        picks one for the network's size. With a compiled backend, each affine
        layer followed by a fusable activation hands its bias to it (one pass
        forward and backward).

    Attributes
    ----------
    kernels : str
        The backend in use.
    """

    def __init__(self, spec, dtype, kernels="numpy"):
        self.spec, self.dtype = spec, np.dtype(dtype)
        self.activation = spec.make_activation()
        self.layers = self._build_layers()
        self._bind_flat_vectors()
        self._capacity = 0
        self.kernels = backend_name_for(self.theta.size) if kernels == "auto" else kernels
        for layer in self.layers:
            layer.kernels = self.kernels
        self._fuse_bias_and_activation()

    def _fuse_bias_and_activation(self):
        fusable = fusable_activations(self.kernels)
        if self.activation.name not in fusable:
            return
        for dense, follower in zip(self.layers, self.layers[1:]):
            if type(dense) is Dense and dense.use_bias and isinstance(follower, ActivationLayer):
                follower.take_bias_from(dense, self.kernels)

    def _build_layers(self):
        spec, act = self.spec, self.activation
        members = spec.n_members
        if members > 1 and not spec.hidden_layer_sizes:
            raise ValueError(
                f"n_members={members} needs at least one hidden layer: the members share "
                "the hidden layers and differ by their first layer's scales."
            )
        # Each layer with how many copies of the batch's rows it sees: after the
        # members' split, every member's rows are stacked.
        stack, fan_in, copies = [], spec.n_features, 1
        for i, width in enumerate(spec.hidden_layer_sizes):
            affine_width = width * act.expansion
            if i == 0 and members > 1:
                stack.append((Dense(fan_in, affine_width, use_bias=False, input_gradient=False), 1))
                copies = members
                stack.append((MemberScale(members, affine_width, not spec.batch_norm), copies))
            else:
                dense = Dense(fan_in, affine_width, not spec.batch_norm, input_gradient=i > 0)
                stack.append((dense, copies))
            if spec.batch_norm:
                stack.append((BatchNorm(affine_width, spec.batch_norm_momentum), copies))
            stack.append((ActivationLayer(act, width), copies))
            if spec.dropout > 0:
                stack.append((Dropout(spec.dropout, width), copies))
            fan_in = width
        if members > 1:
            stack.append((MemberDense(members, fan_in, spec.n_outputs), copies))
        else:
            output = Dense(fan_in, spec.n_outputs, input_gradient=bool(spec.hidden_layer_sizes))
            stack.append((output, 1))
        self._row_factor = {id(layer): copies for layer, copies in stack}
        return [layer for layer, _ in stack]

    def _bind_flat_vectors(self):
        entries = [(layer, *s) for layer in self.layers for s in layer.param_specs()]
        entries.sort(key=lambda e: _GROUP_ORDER.index(e[3]))  # stable: keeps layer order
        sizes = [int(np.prod(shape)) for _, _, shape, _ in entries]
        self.theta = np.zeros(sum(sizes), dtype=self.dtype)
        self.grad = np.zeros_like(self.theta)
        self.n_weights = sum(n for n, e in zip(sizes, entries) if e[3] == "weight")
        states = [(layer, *s) for layer in self.layers for s in layer.state_specs()]
        self.state = np.zeros(sum(int(np.prod(s[2])) for s in states), dtype=self.dtype)

        # Where each array lives in the flat vectors: (layer, name, shape, slice).
        public_names = self._public_param_names()
        self._param_layout, self.param_slices, offset = [], {}, 0
        for (layer, name, shape, _), size in zip(entries, sizes):
            where = slice(offset, offset + size)
            self._param_layout.append((layer, name, shape, where))
            self.param_slices[public_names[id(layer), name]] = where
            offset += size
        self._state_layout, offset = [], 0
        for layer, name, shape, fill in states:
            size = int(np.prod(shape))
            self._state_layout.append((layer, name, shape, slice(offset, offset + size)))
            self.state[offset : offset + size] = fill
            offset += size

        params, grads, state = (self._views(v, lay) for v, lay in self._layouts())
        for layer in self.layers:
            layer.bind(params[id(layer)], grads[id(layer)], state[id(layer)])
        affine = (Dense, MemberDense)
        self.dense_layers = [layer for layer in self.layers if isinstance(layer, affine)]
        self.weight_matrices = [layer.params["W"] for layer in self.dense_layers]
        # 2-D views for per-column constraints (max-norm): one per member.
        self.constrained_matrices = [
            matrix for W in self.weight_matrices for matrix in (W if W.ndim == 3 else [W])
        ]
        self._weight_scratch = None

    def weight_scratch(self):
        """A reusable vector of ``n_weights`` entries (allocated once, never pickled)."""
        if self._weight_scratch is None:
            self._weight_scratch = np.empty(self.n_weights, dtype=self.dtype)
        return self._weight_scratch

    def _layouts(self):
        return (
            (self.theta, self._param_layout),
            (self.grad, self._param_layout),
            (self.state, self._state_layout),
        )

    def _views(self, vector, layout):
        """Per-layer dicts of views into ``vector`` laid out as ``layout``."""
        views = {id(layer): {} for layer in self.layers}
        for layer, name, shape, where in layout:
            views[id(layer)][name] = vector[where].reshape(shape)
        return views

    def __getstate__(self):
        # Buffers and views are rebuilt on load; only the numbers travel.
        return {
            "spec": self.spec,
            "dtype": self.dtype.name,
            "kernels": self.kernels,
            "theta": self.theta,
            "state": self.state,
        }

    def __setstate__(self, saved):
        self.__init__(saved["spec"], saved["dtype"], saved.get("kernels", "numpy"))
        self.theta[...] = saved["theta"]
        self.state[...] = saved["state"]

    def _public_param_names(self):
        """Name each trainable array after the attribute users know it by.

        ``coefs_<k>`` / ``intercepts_<k>`` for the k-th dense layer,
        ``gamma_<k>`` / ``beta_<k>`` for the batch norm of the k-th hidden layer.
        """
        names, k = {}, -1
        public = {"W": "coefs", "b": "intercepts", "gamma": "gamma", "beta": "beta"}
        public["s"] = "member_scales"
        for layer in self.layers:
            k += isinstance(layer, (Dense, MemberDense))
            for name, _, _ in layer.param_specs():
                names[id(layer), name] = f"{public[name]}_{k}"
        return names

    def allocate(self, max_rows):
        """Make sure every buffer holds batches of ``max_rows`` rows."""
        if max_rows > self._capacity:
            for layer in self.layers:
                layer.allocate(max_rows * self._row_factor.get(id(layer), 1), self.dtype)
            self._capacity = max_rows

    def initialize(self, weight_init, rng, *, X_sample=None, hyperparameters=None):
        """Draw initial weights (zero biases, unit BN scales) in place.

        Parameters
        ----------
        weight_init : str
            A key of :data:`~.initializers.INITIALIZERS` or ``"auto"``.
        rng : numpy.random.Generator
        X_sample : ndarray or sparse matrix, optional
            Batch of training data; required by data-dependent initialisers
            (``"lsuv"``).
        hyperparameters : Mapping, optional
            Settings by name (e.g. every estimator parameter); the initialiser
            takes those it declares (``init_scale`` for ``"gaussian"``). None
            uses the initialiser's defaults.
        """
        name = resolve_initializer(weight_init, self.activation)
        draw = lookup(name, INITIALIZERS, "initializer")
        if hyperparameters is None:
            settings = {h.name: h.default for h in declared(draw)}
        else:
            settings = select(draw, hyperparameters)
        self.theta.fill(0)
        for layer in self.dense_layers:
            W = layer.params["W"]
            for matrix in W if W.ndim == 3 else [W]:  # each member its own draw
                matrix[...] = draw(layer.fan_in, layer.fan_out, rng, **settings)
        if self.spec.zero_output:
            self.dense_layers[-1].params["W"].fill(0)
        for layer in self.layers:
            if isinstance(layer, BatchNorm):
                layer.params["gamma"].fill(1)
            if isinstance(layer, MemberScale):
                # Random signs (BatchEnsemble's choice): members differ from the start.
                layer.params["s"][...] = rng.choice(
                    np.array([-1.0, 1.0]), size=layer.params["s"].shape
                )
        if draw.data_dependent:
            lsuv_rescale(self, X_sample)

    def forward(self, X, rng=None):
        """Run the stack in training mode (batch statistics, dropout).

        Parameters
        ----------
        X : ndarray or sparse matrix of shape (n_rows, n_features)
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
        return forward_through(self.layers, X, rng)

    def backward(self, dscores, caches):
        """Back-propagate ``dscores`` and fill :attr:`grad` (overwrites ``dscores``)."""
        backward_through(self.layers, dscores, caches)

    def set_batch_norm_statistics(self, X):
        """Set every batch-norm layer's running statistics to its statistics on ``X``.

        Used after full-batch training, whose batch is the whole training set.

        Parameters
        ----------
        X : ndarray or sparse matrix of shape (n_rows, n_features)
        """
        batch_norms = [layer for layer in self.layers if isinstance(layer, BatchNorm)]
        if not batch_norms:
            return
        # A training pass with momentum 0 replaces the running statistics by the batch's.
        momenta = [layer.momentum for layer in batch_norms]
        try:
            for layer in batch_norms:
                layer.momentum = 0.0
            self.forward(X)
        finally:
            for layer, momentum in zip(batch_norms, momenta):
                layer.momentum = momentum

    def inference_params(self, theta=None, state=None):
        """Export the network as plain ``act(h @ W + b)`` layers.

        A pure function of the two vectors: neither the network nor the vectors
        are modified.

        Parameters
        ----------
        theta, state : ndarray, optional
            Parameter and state vectors to export instead of the current ones
            (e.g. averaged weights).

        Returns
        -------
        coefs, intercepts : list of ndarray
            ``coefs[i]`` of shape (fan_in, fan_out), ``intercepts[i]`` of shape
            (fan_out,), or (n_members, fan_in, fan_out) and (n_members,
            fan_out) for an ensemble; new arrays, batch norm folded in (see
            :mod:`.inference`).
        """
        params = self._views(self.theta if theta is None else theta, self._param_layout)
        states = self._views(self.state if state is None else state, self._state_layout)
        return export(self.layers, params, states, self.dtype)


def lsuv_rescale(network, X, *, tol=0.1, max_iter=10):
    """Layer-sequential unit-variance rescaling (Mishkin & Matas, 2015).

    For every hidden dense layer in turn, divides its weights by the standard
    deviation of its affine output on ``X`` until that variance is within ``tol``
    of 1 (at most ``max_iter`` times). The outputs are computed with the
    network's inference form (no dropout, running batch-norm statistics), whose
    affine output differs from the dense layer's by the constant batch-norm
    scale only.

    Parameters
    ----------
    network : Network
    X : ndarray or sparse matrix of shape (n_rows, n_features)
        A batch of training data.
    tol : float, default=0.1
    max_iter : int, default=10
    """
    for k, layer in enumerate(network.dense_layers[:-1]):
        for _ in range(max_iter):
            coefs, intercepts = network.inference_params()
            # The first k + 1 layers with no activation after the last one: the
            # affine output of hidden layer k.
            z = predict_scores(coefs[: k + 1], intercepts[: k + 1], network.activation, X)
            variance = float(np.var(z))
            if variance == 0 or not np.isfinite(variance) or abs(variance - 1) < tol:
                break
            layer.params["W"] /= np.sqrt(variance)
