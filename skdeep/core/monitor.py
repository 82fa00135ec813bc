"""When to stop, what to keep: the plateau monitor, the divergence guard, snapshots.

These three decisions are kept apart from the update rule (:mod:`.optimizers`)
and from the learning rate (:mod:`.schedules`).
"""

import numpy as np


class PlateauMonitor:
    """Counts epochs without improvement, as scikit-learn's ``MLPClassifier`` does.

    A value improves when it beats the best one by more than ``tol`` (lower for a
    loss, higher for a score).

    Parameters
    ----------
    tol : float
    n_iter_no_change : int or None
        None: never a plateau (training runs all its epochs; the best one is
        still tracked).
    maximize : bool
        True for a score (validation accuracy), False for a loss.
    """

    def __init__(self, tol, n_iter_no_change, maximize):
        self.tol, self.patience, self.maximize = tol, n_iter_no_change, maximize
        self.best = -np.inf if maximize else np.inf
        self.epochs_without_improvement = 0

    def update(self, value):
        """Record one epoch's value.

        Parameters
        ----------
        value : float

        Returns
        -------
        is_best : bool
            Whether ``value`` is the best value seen so far.
        """
        sign = 1 if self.maximize else -1
        if sign * (value - self.best) > self.tol:
            self.epochs_without_improvement = 0
        else:
            self.epochs_without_improvement += 1
        is_best = sign * (value - self.best) > 0
        if is_best:
            self.best = value
        return is_best

    @property
    def plateaued(self):
        """Whether ``n_iter_no_change`` epochs in a row brought no improvement."""
        return self.patience is not None and self.epochs_without_improvement >= self.patience

    def restart_patience(self):
        """Start counting afresh (after the learning rate was reduced)."""
        self.epochs_without_improvement = 0


class DivergenceGuard:
    """Flags a mini-batch loss that is not finite or too large (the notes' 3x rule).

    The reference is the first mini-batch loss of the current ``fit``/``partial_fit``
    call, floored at the chance-level loss of the head: a loss above three times
    chance is divergence whatever the starting point, while a model that starts
    near a perfect fit (``warm_start``, ``partial_fit``) is not stopped by ordinary
    mini-batch noise.

    Parameters
    ----------
    chance_loss : float
        Loss of a network with equal scores for every class (a regression head:
        of a constant prediction).
    factor : float, default=3.0
    batch_reference : callable or None, default=None
        ``batch_reference(y, weights)``: the loss of a constant prediction on a
        batch (a regression head's ``batch_reference_loss``); None keeps the
        fixed threshold.
    """

    def __init__(self, chance_loss, factor=3.0, batch_reference=None):
        self.chance_loss, self.factor = chance_loss, factor
        self.batch_reference = batch_reference
        self.threshold = None

    def diverged(self, batch_loss, y=None, weights=None):
        """Return True when ``batch_loss`` signals divergence.

        Parameters
        ----------
        batch_loss : float
        y, weights : ndarray or None
            The batch's targets and weights, read only when the loss exceeds the
            threshold and a ``batch_reference`` was given.
        """
        if not np.isfinite(batch_loss):
            return True
        if self.threshold is None:
            self.threshold = self.factor * max(batch_loss, self.chance_loss)
            return False
        if batch_loss <= self.threshold:
            return False
        # A batch whose targets spread widely (an outlier among few rows) raises
        # its own threshold: only a loss beyond factor times that of a constant
        # prediction on it reads as divergence. Computed only past the threshold,
        # so the per-batch loop pays nothing for it.
        if self.batch_reference is None:
            return True
        return batch_loss > self.factor * self.batch_reference(y, weights)


class Snapshot:
    """A copy of a network's parameters and batch-norm statistics.

    Parameters
    ----------
    network : Network
    """

    def __init__(self, network):
        self.theta = network.theta.copy()
        self.state = network.state.copy()

    def take(self, network):
        """Overwrite the snapshot with the network's current values."""
        self.theta[...] = network.theta
        self.state[...] = network.state

    def restore(self, network):
        """Write the snapshot back into the network."""
        network.theta[...] = self.theta
        network.state[...] = self.state
