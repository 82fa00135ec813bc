"""The inference form of a network, and the one function that evaluates it.

Prediction never runs the training layers. A trained network is exported once
(:func:`export`, a pure function of its parameter and state vectors) as a list
of affine maps with the hidden activation between them: batch norm, affine at
prediction, is folded into the preceding affine map; dropout is gone; an
ensemble's member scales are folded into each member's first weight matrix.
:func:`predict_scores` evaluates that form; it is the only inference code.

A single network gives ``coefs[i]`` of shape (fan_in, fan_out) and scores of
shape (n, n_outputs). An ensemble of ``k`` members gives ``coefs[i]`` of shape
(k, fan_in, fan_out) (the shared layers repeated for every member) and scores of
shape (k, n, n_outputs), which a head combines (``combine`` in :mod:`.losses`).
"""

import numpy as np
import scipy.sparse as sp

from .ensemble import MemberDense, MemberScale
from .layers import BatchNorm, Dense


def export(layers, params, states, dtype):
    """The inference form of a stack of layers.

    Parameters
    ----------
    layers : list of Layer
        The network's layers, in order.
    params, states : dict
        Per layer (keyed by ``id(layer)``), dicts of parameter and state arrays
        (views into any parameter and state vectors); read, never written.
    dtype : numpy dtype
        Dtype of the exported arrays.

    Returns
    -------
    coefs, intercepts : list of ndarray
        New arrays.
    """
    coefs, intercepts = [], []
    for i, layer in enumerate(layers):
        if isinstance(layer, MemberDense):
            coefs.append(params[id(layer)]["W"].copy())
            intercepts.append(params[id(layer)]["b"].copy())
            continue
        if not isinstance(layer, Dense):
            continue
        own = params[id(layer)]
        W = own["W"].copy()
        b = own["b"].copy() if layer.use_bias else np.zeros(W.shape[1], W.dtype)
        follower = layers[i + 1] if i + 1 < len(layers) else None
        if isinstance(follower, MemberScale):
            scales = params[id(follower)]
            W = W[None, :, :] * scales["s"][:, None, :]  # member j: W diag(s_j)
            shift = scales["b"] if follower.use_bias else np.zeros(W.shape[-1], W.dtype)
            b = np.broadcast_to(shift, scales["s"].shape).copy()
            follower = layers[i + 2] if i + 2 < len(layers) else None
        if isinstance(follower, BatchNorm):
            bn, stats = params[id(follower)], states[id(follower)]
            scale = bn["gamma"] / np.sqrt(stats["running_var"] + follower.epsilon)
            W *= scale
            b = np.broadcast_to(bn["beta"] - stats["running_mean"] * scale, b.shape).copy()
        coefs.append(W)
        intercepts.append(b)
    members = next((W.shape[0] for W in coefs if W.ndim == 3), None)
    if members is not None:  # every member carries every layer
        for j, (W, b) in enumerate(zip(coefs, intercepts)):
            if W.ndim == 2:
                coefs[j] = np.broadcast_to(W, (members, *W.shape)).copy()
                intercepts[j] = np.broadcast_to(b, (members, *b.shape)).copy()
    return (
        [W.astype(dtype, copy=False) for W in coefs],
        [b.astype(dtype, copy=False) for b in intercepts],
    )


def predict_scores(coefs, intercepts, activation, X):
    """Evaluate a network in inference form.

    Parameters
    ----------
    coefs, intercepts : list of ndarray
        As returned by :func:`export`.
    activation : object
        Hidden activation (callable applying itself; see :mod:`.activations`).
    X : ndarray or sparse matrix of shape (n_rows, n_features)
        Cast to the coefficients' dtype if needed.

    Returns
    -------
    scores : ndarray of shape (n_rows, n_outputs), or (k, n_rows, n_outputs)
        The output of the last layer (no activation applied to it); one block
        per member for an ensemble.
    """
    dtype = coefs[0].dtype
    h = X.astype(dtype, copy=False) if X.dtype != dtype else X
    last = len(coefs) - 1
    for i, (W, b) in enumerate(zip(coefs, intercepts)):
        if sp.issparse(h):
            z = np.stack([np.asarray(h @ Wj) for Wj in W]) if W.ndim == 3 else np.asarray(h @ W)
        elif W.ndim == 3:
            z = np.matmul(h, W)  # (n, f) or (k, n, f) times (k, f, o): (k, n, o)
        else:
            z = np.dot(h, W)
        z += b[:, None, :] if W.ndim == 3 else b
        h = z if i == last else activation(z)
    return h
