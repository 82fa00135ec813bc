"""The weight of a gradient-boosting member blended into a cross-fitted ensemble.

The ensemble predicts ``w * networks + (1 - w) * trees`` (probabilities for a
classifier, predictions for a regressor). ``w`` is chosen on :data:`BLEND_GRID`
from out-of-fold predictions: each row a network validated on, predicted by that
network and by the tree model fitted on the same training rows, neither of which
trained on it. Both criteria are convex in ``w``, so the grid's minimum is within
one step of the true one; ties go to the larger weight (the networks).
"""

import numpy as np

BLEND_GRID = np.linspace(0.0, 1.0, 101)
"""The candidate weights of the networks: steps of 0.01 from 0 (trees only) to 1."""

NO_HELD_OUT_WEIGHT = 0.5
"""The weight when no row was held out (nothing out of fold to choose on): an even blend."""

_TINY = 1e-15  # log-loss clips probabilities here, as scikit-learn's log_loss did


def _grid_minimum(losses):
    """The grid weight of lowest loss; the largest such weight on a tie."""
    losses = np.asarray(losses)
    return float(BLEND_GRID[len(BLEND_GRID) - 1 - np.argmin(losses[::-1])])


def log_loss_weight(networks, trees, y_index, sample_weight=None):
    """The weight of the networks that minimises the blend's log-loss.

    Parameters
    ----------
    networks, trees : ndarray of shape (n_samples, n_classes)
        Out-of-fold probabilities of the networks and of the trees.
    y_index : ndarray of shape (n_samples,)
        Column of each row's true class.
    sample_weight : ndarray of shape (n_samples,) or None
        Weights of the rows in the log-loss.

    Returns
    -------
    weight : float
        A value of :data:`BLEND_GRID`.
    """
    rows = np.arange(len(y_index))
    a = np.asarray(networks, dtype=np.float64)[rows, y_index]
    b = np.asarray(trees, dtype=np.float64)[rows, y_index]
    weights = np.ones(len(a)) if sample_weight is None else np.asarray(sample_weight)
    # A blend's probability of the true class is affine in the weight; one weight
    # at a time keeps the memory at one column of the table.
    losses = [weights @ -np.log(np.clip(w * a + (1.0 - w) * b, _TINY, 1.0)) for w in BLEND_GRID]
    return _grid_minimum(losses)


def squared_error_weight(networks, trees, y, sample_weight=None):
    """The weight of the networks that minimises the blend's squared error.

    Parameters
    ----------
    networks, trees : ndarray of shape (n_samples, n_outputs)
        Out-of-fold predictions of the networks and of the trees.
    y : ndarray of shape (n_samples, n_outputs)
        Targets.
    sample_weight : ndarray of shape (n_samples,) or None
        Weights of the rows in the squared error (summed over the outputs).

    Returns
    -------
    weight : float
        A value of :data:`BLEND_GRID`.
    """
    trees = np.asarray(trees, dtype=np.float64)
    error = trees - np.asarray(y, dtype=np.float64)  # the residual at weight 0
    gap = np.asarray(networks, dtype=np.float64) - trees  # its change per unit of weight
    weights = np.ones(len(error)) if sample_weight is None else np.asarray(sample_weight)
    # sum_i s_i |e_i + w d_i|^2 = c0 + 2 w c1 + w^2 c2, for every weight at once.
    c0 = weights @ np.sum(error * error, axis=1)
    c1 = weights @ np.sum(error * gap, axis=1)
    c2 = weights @ np.sum(gap * gap, axis=1)
    return _grid_minimum(c0 + 2.0 * BLEND_GRID * c1 + BLEND_GRID**2 * c2)
