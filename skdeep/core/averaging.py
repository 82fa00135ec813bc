r"""Polyak-style weight averaging: an exponential moving average of the parameters.

After every update, :math:`\bar\theta \leftarrow d_t \bar\theta + (1 - d_t)\theta`
with :math:`d_t = \min(d, (1 + t) / (10 + t))`: the short warm-up (as TensorFlow's
``ExponentialMovingAverage`` with ``num_updates``) lets the average follow the fast
early changes before it settles on the configured decay ``d``. The average starts
at the first updated parameters, so it needs no bias correction.

The average is what the model predicts with; training continues from the raw
parameters. Batch-norm running statistics are not averaged.
"""

import numpy as np

from .kernels import load_backend


class ParameterAverage:
    """Running exponential average of a flat parameter vector.

    Parameters
    ----------
    decay : float
        Target decay ``d`` in (0, 1).
    kernels : {"numpy", "numba"}, default="numpy"
        Kernel backend of the update.
    """

    _SCRATCH = ("_scratch",)  # contents never matter between updates (see checkpoint)

    def __init__(self, decay, kernels="numpy"):
        self.decay = decay
        self.kernel_backend = kernels
        self.average = None
        self.n_updates = 0
        self._scratch = None

    def update(self, theta):
        """Fold the current parameters into the average.

        Parameters
        ----------
        theta : ndarray of shape (n_params,)
        """
        if self.average is None:
            self.average = theta.copy()
            self._scratch = np.empty_like(theta)
        else:
            t = self.n_updates
            keep = min(self.decay, (1.0 + t) / (10.0 + t))
            load_backend(self.kernel_backend).ema_update(self.average, theta, self._scratch, keep)
        self.n_updates += 1

    def __getstate__(self):
        state = self.__dict__.copy()
        state["_scratch"] = None
        return state

    def __setstate__(self, state):
        self.__dict__.update(state)
        if self.average is not None:
            self._scratch = np.empty_like(self.average)
