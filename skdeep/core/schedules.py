r"""Learning-rate schedules, as functions of the epoch.

``epoch`` counts the epochs completed since the schedule started, so the rate of
its first epoch is ``rate(0) = learning_rate_init`` (after any warm-up). Every
``fit`` call starts a schedule of its own, a warm-started one included (its
:attr:`Schedule.origin` is the model's epoch count at the start of the call), so
that a second ``fit`` runs the whole schedule again over its own ``max_iter``.
``partial_fit`` calls continue one schedule; past the horizon the cosine
schedule restarts (warm restarts) and a decay that has brought the rate below
:data:`EXHAUSTED` of ``learning_rate_init`` says so (:meth:`Schedule.exhausted`):
no schedule silently stops a model from learning.

===============  ==============================================================
``constant``     :math:`\eta_0`
``invscaling``   :math:`\eta_0 / (e + 1)^{\text{power\_t}}` (the notes' 1/t decay)
``step``         :math:`\eta_0 \cdot \text{decay\_rate}^{\lfloor e / \text{decay\_steps} \rfloor}`
``exponential``  :math:`\eta_0 \cdot \text{decay\_rate}^{e / \text{decay\_steps}}`
``adaptive``     :math:`\eta_0`, divided by 5 each time the monitored quantity
                 stops improving (as in scikit-learn's ``MLPClassifier``)
``cosine``       linear warm-up from 0 over ``warmup_epochs``, then a half cosine
                 to 0 at ``max_iter`` epochs, updated at every batch; past
                 ``max_iter`` epochs (``partial_fit``) the cycle starts again
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
WARMUP_EPOCHS = Hyperparameter(
    "warmup_epochs",
    0.0,
    (Interval("real", 0, None, "left"),),
    "float",
    "Epochs over which the ``'cosine'`` schedule ramps the learning rate up\n"
    "linearly from 0, as ``learning_rate_init * min(1, e / warmup_epochs)`` at\n"
    "the fractional epoch ``e`` of each batch, so the very first batch takes a\n"
    "step of 0 (a warm-up steadies the first steps of adaptive solvers).",
)
EXHAUSTED = 1e-6
"""A rate below this fraction of ``learning_rate_init`` barely moves the weights."""

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
    horizon : int, optional
        The number of epochs training is planned for (``max_iter``); schedules
        that end somewhere (cosine) reach their end there.

    Attributes
    ----------
    hyperparameters : tuple of Hyperparameter
        The keyword arguments the constructor takes besides ``learning_rate_init``.
    continuous : bool
        Whether the rate changes within an epoch (``rate`` is then evaluated at
        fractional epochs, once per batch).
    horizon_bound : bool
        Whether the schedule is planned to end at the horizon (then reaching it
        is no sign of non-convergence).
    origin : int
        The model's epoch count when this schedule started (0 for a first fit;
        a warm-started ``fit`` starts a new schedule at the epochs run before it).
    """

    name = "constant"
    hyperparameters = ()
    continuous = False
    horizon_bound = False
    origin = 0

    def __init__(self, learning_rate_init, *, horizon=None):
        self.learning_rate_init = learning_rate_init
        self.horizon = horizon

    def start_at(self, model_epoch):
        """Start this schedule at the model's epoch ``model_epoch``; return self.

        Parameters
        ----------
        model_epoch : int
            Epochs the model completed before this schedule's first epoch.

        Returns
        -------
        self : Schedule
        """
        self.origin = model_epoch
        return self

    def rate_for(self, model_epoch):
        """Return the rate at the model's (fractional) epoch ``model_epoch``.

        Parameters
        ----------
        model_epoch : float
            Epochs the model completed, across calls, plus the fraction of the
            current epoch done.

        Returns
        -------
        lr : float
        """
        return self.rate(model_epoch - self.origin)

    def exhausted(self, epoch):
        """Whether the rate at ``epoch`` has decayed below :data:`EXHAUSTED` of the first.

        Only the decays can get there; schedules that change the rate otherwise
        (cosine, adaptive) override this with False.

        Parameters
        ----------
        epoch : float
            Epochs since the schedule started.

        Returns
        -------
        exhausted : bool
        """
        return bool(self.rate(epoch) < EXHAUSTED * self.learning_rate_init)

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

    def __init__(self, learning_rate_init, *, power_t=0.5, horizon=None):
        super().__init__(learning_rate_init, horizon=horizon)
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

    def __init__(self, learning_rate_init, *, decay_rate=0.5, decay_steps=10, horizon=None):
        super().__init__(learning_rate_init, horizon=horizon)
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

    def __init__(self, learning_rate_init, *, horizon=None):
        super().__init__(learning_rate_init, horizon=horizon)
        self.current = learning_rate_init

    def rate(self, epoch):
        return self.current

    def exhausted(self, epoch):
        # Never below min_rate: a plateau there stops a fit, as in MLPClassifier.
        return False

    def reduce_on_plateau(self):
        if self.current / 5 < self.min_rate:
            return False
        self.current /= 5
        return True


class CosineDecay(Schedule):
    r"""Linear warm-up from 0, then a half cosine from ``learning_rate_init`` down to 0.

    With :math:`w` warm-up epochs and a horizon of :math:`T` epochs (``max_iter``),
    the rate at (fractional) epoch :math:`e` is
    :math:`\eta_0 \min(1, e / w) \cdot \frac{1}{2}(1 + \cos(\pi u))` with
    :math:`u = \operatorname{clip}((e - w) / (T - w), 0, 1)`; without warm-up
    (:math:`w = 0`) the first factor is 1. It changes at every batch (``e`` is the
    epoch's fraction done before the batch, so with a warm-up the first batch
    steps with a rate of 0). Large early steps explore, small late ones settle
    into a minimum, which lets a short run converge (Loshchilov & Hutter, 2017;
    the schedule of the tabular MLPs of Gorishniy et al. and Holzmüller et al.).

    A ``fit`` never goes past :math:`T`. A stream of ``partial_fit`` calls does:
    from :math:`e = T` on, the cycle starts again (:math:`e` is taken modulo
    :math:`T`, warm-up included), the warm restarts of Loshchilov & Hutter, so a
    stream keeps learning instead of stepping with a rate of 0.

    Parameters
    ----------
    learning_rate_init : float
    warmup_epochs : float, default=0.0
    horizon : int
        The epochs of the run.
    """

    name = "cosine"
    hyperparameters = (WARMUP_EPOCHS,)
    continuous = True
    horizon_bound = True

    def __init__(self, learning_rate_init, *, warmup_epochs=0.0, horizon=None):
        super().__init__(learning_rate_init, horizon=horizon)
        if horizon is None:
            raise ValueError("The cosine schedule needs the number of epochs (horizon).")
        self.warmup_epochs = warmup_epochs

    def rate(self, epoch):
        warmup, horizon = self.warmup_epochs, self.horizon
        if epoch >= horizon:  # partial_fit past max_iter: a warm restart
            epoch = epoch % horizon
        ramp = min(1.0, epoch / warmup) if warmup > 0 else 1.0
        progress = min(max((epoch - warmup) / max(horizon - warmup, 1e-12), 0.0), 1.0)
        return self.learning_rate_init * ramp * 0.5 * (1.0 + np.cos(np.pi * progress))

    def exhausted(self, epoch):
        # The rate reaches 0 only at the end of a cycle, where the next one starts.
        return False


SCHEDULES = {
    cls.name: cls
    for cls in (Schedule, InverseScaling, Adaptive, StepDecay, ExponentialDecay, CosineDecay)
}
"""Registry: schedule name -> class ``(learning_rate_init, **hyperparameters)``."""


def get_schedule(name, learning_rate_init, horizon=None, **hyperparameters):
    """Build the schedule registered under ``name``.

    Parameters
    ----------
    name : str
        A key of :data:`SCHEDULES`.
    learning_rate_init : float
    horizon : int, optional
        Planned epochs of the run (``max_iter``).
    **hyperparameters
        The schedule's declared settings; an undeclared keyword is a ``TypeError``.

    Returns
    -------
    schedule : Schedule
    """
    cls = lookup(name, SCHEDULES, "learning-rate schedule")
    return cls(learning_rate_init, horizon=horizon, **hyperparameters)
