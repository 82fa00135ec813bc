r"""Learning-rate schedules, as functions of the epoch.

``epoch`` counts the epochs already completed by the model (across ``warm_start``
and ``partial_fit`` calls), so the rate used during the first epoch is
``rate(0) = learning_rate_init``.

===============  ==============================================================
``constant``     :math:`\eta_0`
``invscaling``   :math:`\eta_0 / (e + 1)^{\text{power\_t}}` (the notes' 1/t decay)
``step``         :math:`\eta_0 \cdot \text{decay\_rate}^{\lfloor e / \text{decay\_steps} \rfloor}`
``exponential``  :math:`\eta_0 \cdot \text{decay\_rate}^{e / \text{decay\_steps}}`
``adaptive``     :math:`\eta_0`, divided by 5 each time the monitored quantity
                 stops improving (as in scikit-learn's ``MLPClassifier``)
===============  ==============================================================

Every schedule is a class of the registry :data:`SCHEDULES` that declares its
hyperparameters. Only ``adaptive`` has state; the stopping logic asks a schedule
(through :meth:`Schedule.reduce_on_plateau`) whether it can absorb a plateau
before deciding to stop.
"""

import numpy as np

from ._registry import lookup
from .hyperparameters import Hyperparameter, Interval

POWER_T = Hyperparameter(
    "power_t",
    0.5,
    (Interval("real", 0, None, "left"),),
    "float",
    "Exponent of ``'invscaling'``.",
)
DECAY_RATE = Hyperparameter(
    "decay_rate",
    0.5,
    (Interval("real", 0, 1, "right"),),
    "float",
    "Factor of the ``'step'`` and ``'exponential'`` schedules, in (0, 1].",
)
DECAY_STEPS = Hyperparameter(
    "decay_steps",
    10,
    (Interval("integer", 1, None, "left"),),
    "int",
    "Epochs per decay of the ``'step'`` and ``'exponential'`` schedules.",
)


class Schedule:
    """Base of the schedules: a constant rate.

    Parameters
    ----------
    learning_rate_init : float
        The rate of the first epoch.

    Attributes
    ----------
    hyperparameters : tuple of Hyperparameter
        The keyword arguments the constructor takes besides ``learning_rate_init``.
    """

    name = "constant"
    hyperparameters = ()

    def __init__(self, learning_rate_init):
        self.learning_rate_init = learning_rate_init

    def rate(self, epoch):
        """Return the learning rate in force during epoch ``epoch`` (0-based).

        Parameters
        ----------
        epoch : int

        Returns
        -------
        lr : float
        """
        return self.learning_rate_init

    def reduce_on_plateau(self):
        """Absorb a plateau by lowering the rate, if this schedule does that.

        Returns
        -------
        absorbed : bool
            True when training should go on with a reduced rate; False when the
            plateau should stop training.
        """
        return False


class InverseScaling(Schedule):
    r""":math:`\eta_0 / (e + 1)^{\text{power\_t}}`.

    Parameters
    ----------
    learning_rate_init : float
    power_t : float, default=0.5
    """

    name = "invscaling"
    hyperparameters = (POWER_T,)

    def __init__(self, learning_rate_init, *, power_t=0.5):
        super().__init__(learning_rate_init)
        self.power_t = power_t

    def rate(self, epoch):
        return self.learning_rate_init / (epoch + 1) ** self.power_t


class StepDecay(Schedule):
    r""":math:`\eta_0 \cdot \text{decay\_rate}^{\lfloor e / \text{decay\_steps} \rfloor}`.

    Parameters
    ----------
    learning_rate_init : float
    decay_rate : float, default=0.5
    decay_steps : int, default=10
    """

    name = "step"
    hyperparameters = (DECAY_RATE, DECAY_STEPS)

    def __init__(self, learning_rate_init, *, decay_rate=0.5, decay_steps=10):
        super().__init__(learning_rate_init)
        self.decay_rate, self.decay_steps = decay_rate, decay_steps

    def rate(self, epoch):
        return self.learning_rate_init * self.decay_rate ** np.floor(epoch / self.decay_steps)


class ExponentialDecay(StepDecay):
    r""":math:`\eta_0 \cdot \text{decay\_rate}^{e / \text{decay\_steps}}` (a smooth step decay).

    Parameters
    ----------
    learning_rate_init : float
    decay_rate : float, default=0.5
    decay_steps : int, default=10
    """

    name = "exponential"

    def rate(self, epoch):
        return self.learning_rate_init * self.decay_rate ** (epoch / self.decay_steps)


class Adaptive(Schedule):
    """Constant until a plateau, then divided by 5 (as scikit-learn's ``MLPClassifier``).

    Parameters
    ----------
    learning_rate_init : float
    """

    name = "adaptive"

    min_rate = 1e-6
    """Training stops once the rate would fall below this (as MLPClassifier)."""

    def __init__(self, learning_rate_init):
        super().__init__(learning_rate_init)
        self.current = learning_rate_init

    def rate(self, epoch):
        return self.current

    def reduce_on_plateau(self):
        if self.current / 5 < self.min_rate:
            return False
        self.current /= 5
        return True


SCHEDULES = {
    cls.name: cls for cls in (Schedule, InverseScaling, Adaptive, StepDecay, ExponentialDecay)
}
"""Registry: schedule name -> class ``(learning_rate_init, **hyperparameters)``."""


def get_schedule(name, learning_rate_init, **hyperparameters):
    """Build the schedule registered under ``name``.

    Parameters
    ----------
    name : str
        A key of :data:`SCHEDULES`.
    learning_rate_init : float
    **hyperparameters
        The schedule's declared settings; an undeclared keyword is a ``TypeError``.

    Returns
    -------
    schedule : Schedule
    """
    return lookup(name, SCHEDULES, "learning-rate schedule")(learning_rate_init, **hyperparameters)
