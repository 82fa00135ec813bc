"""Shared fixtures and helpers of the test suite."""

import numpy as np

from skdeep.core.activations import ACTIVATIONS
from skdeep.core.losses import LOSSES, get_loss

ALL_ACTIVATIONS = list(ACTIVATIONS)
"""Every registered activation name (the tests follow the registry)."""


def make_loss(name, margin=1.0):
    """A head of :data:`skdeep.core.losses.LOSSES`, with ``margin`` where it has one."""
    declared = {h.name for h in LOSSES[name].hyperparameters}
    return get_loss(name, **({"margin": margin} if "margin" in declared else {}))


def rng_for(seed):
    """A NumPy generator (shorthand used by the core tests)."""
    return np.random.default_rng(seed)
