"""The training objective: data loss of a head plus the weight penalty.

:class:`Objective` is the one place where a forward pass, a fused loss and a
backward pass are put together; the stochastic loop, L-BFGS and the gradient check
all call it, so they optimise and check exactly the same function.
"""

import numpy as np

from .network import predict_scores


class Objective:
    """Full loss of a network on a batch, with its gradient.

    Parameters
    ----------
    network : Network
    loss : callable
        A head from :mod:`.losses`.
    penalty : Penalty
    """

    def __init__(self, network, loss, penalty):
        self.network, self.loss, self.penalty = network, loss, penalty

    def value_and_gradient(self, X, y, weights=None, rng=None, penalty_gradient=True):
        """Return the loss on a batch and leave its gradient in ``network.grad``.

        Parameters
        ----------
        X : ndarray or sparse matrix of shape (n_rows, n_features)
        y : ndarray of shape (n_rows,), int, or (n_rows, n_outputs), float
            Class indices, or the targets of a regression head.
        weights : ndarray of shape (n_rows,) or None
            Sample weights normalised to sum to 1 (None: uniform).
        rng : numpy.random.Generator, optional
            Source of dropout masks.
        penalty_gradient : bool, default=True
            Add the penalty's gradient to ``network.grad``; the stochastic loop
            passes False because its optimizer step adds it, fused.

        Returns
        -------
        loss : float
            Weighted mean data loss plus the penalty.
        """
        network = self.network
        scores, caches = network.forward(X, rng)
        members = network.spec.n_members
        if members > 1:
            # Every member's rows are stacked: the loss is the mean of the members'.
            y = np.tile(y, (members,) + (1,) * (y.ndim - 1))
            weights = None if weights is None else np.tile(weights, members) / members
        data_loss = self.loss(scores, y, weights, gradient=True)
        network.backward(scores, caches)
        weights_flat = network.theta[: network.n_weights]
        if penalty_gradient:
            self.penalty.add_gradient(weights_flat, network.grad[: network.n_weights])
        return data_loss + self.penalty.value(weights_flat)


def evaluate(coefs, intercepts, activation, loss, data, chunk_rows=4096):
    """Data loss and validation score of a network in inference form, in chunks.

    Parameters
    ----------
    coefs, intercepts : list of ndarray
        Inference-form parameters (see :meth:`Network.inference_params`).
    activation : object
        Hidden activation.
    loss : callable
        Head from :mod:`.losses`.
    data : Dataset
        Rows to evaluate, with raw (unnormalised) sample weights.
    chunk_rows : int, default=4096
        Rows per chunk, which bounds the memory used.

    Returns
    -------
    loss : float
        Weighted mean data loss (no penalty).
    score : float
        The head's score (``loss.score_name``): the weighted accuracy of a
        classification head, :math:`R^2` of a regression head.
    """
    n = data.n_samples
    total_loss = total_weight = 0.0
    sums = 0.0
    for start in range(0, n, chunk_rows):
        X, y, w = data.take(slice(start, min(start + chunk_rows, n)))
        w = np.ones(len(y)) if w is None else w.astype(float)
        scores = predict_scores(coefs, intercepts, activation, X)
        if scores.ndim == 3:
            scores = loss.combine(scores)
        sums = sums + loss.score_sums(scores, y, w)
        chunk_weight = float(w.sum())
        if chunk_weight > 0:
            total_loss += loss(scores, y, w / chunk_weight, gradient=False) * chunk_weight
            total_weight += chunk_weight
    return total_loss / total_weight, loss.score_from_sums(sums)
