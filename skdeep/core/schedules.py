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

Only ``adaptive`` has state; the stopping logic asks it (through
:meth:`Schedule.reduce_on_plateau`) whether it can absorb a plateau before deciding
to stop.
"""

import numpy as np


class Schedule:
    """A learning-rate schedule.

    Parameters
    ----------
    name : str
        A key of :data:`SCHEDULES`.
    learning_rate_init : float
    power_t : float, default=0.5
    decay_rate : float, default=0.5
    decay_steps : int, default=10
    """

    min_adaptive_rate = 1e-6
    """``adaptive`` stops training once the rate would fall below this (as MLPClassifier)."""

    def __init__(self, name, learning_rate_init, power_t=0.5, decay_rate=0.5, decay_steps=10):
        self.name = name
        self.learning_rate_init = learning_rate_init
        self.power_t, self.decay_rate, self.decay_steps = power_t, decay_rate, decay_steps
        self.current = learning_rate_init

    def rate(self, epoch):
        """Return the learning rate in force during epoch ``epoch`` (0-based).

        Parameters
        ----------
        epoch : int

        Returns
        -------
        lr : float
        """
        return SCHEDULES[self.name](self, epoch)

    def reduce_on_plateau(self):
        """Absorb a plateau by dividing the rate by 5, if this schedule does that.

        Returns
        -------
        absorbed : bool
            True when training should go on with the reduced rate; False when the
            schedule does not adapt (or would go below :attr:`min_adaptive_rate`),
            so the plateau should stop training.
        """
        if self.name != "adaptive" or self.current / 5 < self.min_adaptive_rate:
            return False
        self.current /= 5
        return True


SCHEDULES = {
    "constant": lambda s, e: s.learning_rate_init,
    "invscaling": lambda s, e: s.learning_rate_init / (e + 1) ** s.power_t,
    "step": lambda s, e: s.learning_rate_init * s.decay_rate ** np.floor(e / s.decay_steps),
    "exponential": lambda s, e: s.learning_rate_init * s.decay_rate ** (e / s.decay_steps),
    "adaptive": lambda s, e: s.current,
}
"""Registry: schedule name -> ``f(schedule, epoch) -> learning rate``."""
