r"""First-order update rules on one flat parameter vector.

An optimizer allocates its state once, for the whole network (the parameters live
in one contiguous vector), and then only updates: ``step(theta, grad, lr)``
modifies ``theta`` in place and allocates nothing (a scratch vector is part of the
state). The learning rate comes from outside (see :mod:`.schedules`), so every
rule works with every schedule.

=========  =================================================================
``sgd``    :math:`v \leftarrow \mu v - \eta g`; :math:`\theta \mathrel{+}= v`, or
           with Nesterov momentum :math:`\theta \mathrel{+}= \mu v - \eta g`
           (the form scikit-learn's ``MLPClassifier`` uses)
``adagrad`` :math:`c \mathrel{+}= g^2`; :math:`\theta \mathrel{-}= \eta g / (\sqrt c + \epsilon)`
``rmsprop`` :math:`c \leftarrow \rho c + (1 - \rho) g^2`; same step as Adagrad
``adam``   :math:`m, v` moving averages of :math:`g, g^2`;
           :math:`\theta \mathrel{-}= \eta \frac{\sqrt{1 - \beta_2^t}}{1 - \beta_1^t}
           \frac{m}{\sqrt v + \epsilon}` (Kingma & Ba, 2014, Algorithm 1 with the
           bias corrections folded into the step size)
=========  =================================================================
"""

from dataclasses import dataclass, field

import numpy as np

from ._registry import lookup
from .hyperparameters import BOOLEAN, Hyperparameter, Interval

WEIGHT_DECAY = Hyperparameter(
    "weight_decay",
    0.0,
    (Interval("real", 0, None, "left"),),
    "float",
    "Decoupled weight decay (Loshchilov & Hutter, AdamW/SGDW), for every\n"
    "stochastic solver: before each update the weight matrices shrink by the\n"
    "factor ``1 - lr * weight_decay``, where ``lr`` is the scheduled learning\n"
    "rate. Unlike ``alpha``, whose gradient an adaptive solver rescales per\n"
    "coordinate, the decay acts on every weight alike. Biases and batch-norm\n"
    "parameters are not decayed.",
)
MOMENTUM = Hyperparameter(
    "momentum", 0.9, (Interval("real", 0, 1, "both"),), "float", "Momentum of ``'sgd'``, in [0, 1]."
)
NESTEROVS_MOMENTUM = Hyperparameter(
    "nesterovs_momentum", True, (BOOLEAN,), "bool", "Nesterov momentum for ``'sgd'``."
)
EPSILON = Hyperparameter(
    "epsilon",
    1e-8,
    (Interval("real", 0, None, "neither"),),
    "float",
    "Numerical-stability constant of Adam, Adagrad and RMSProp.",
)
RHO = Hyperparameter(
    "rho",
    0.9,
    (Interval("real", 0, 1, "left"),),
    "float",
    "Decay of RMSProp's squared-gradient average, in [0, 1).",
)
BETA_1 = Hyperparameter(
    "beta_1",
    0.9,
    (Interval("real", 0, 1, "left"),),
    "float",
    "Decay of Adam's first-moment estimate, in [0, 1).",
)
BETA_2 = Hyperparameter(
    "beta_2",
    0.999,
    (Interval("real", 0, 1, "left"),),
    "float",
    "Decay of Adam's second-moment estimate, in [0, 1).",
)


class Optimizer:
    """Base: holds the scratch vector and the step counter.

    Parameters
    ----------
    size : int
        Number of parameters.
    dtype : numpy dtype
        Training precision.
    n_weights : int, optional
        How many leading entries of the parameter vector are weight matrices
        (the network lays them out first; biases and batch-norm parameters
        follow); None means all of them.
    weight_decay : float, default=0.0
        Decoupled decay of the weight matrices, applied before each update.

    Attributes
    ----------
    hyperparameters : tuple of Hyperparameter
        The keyword arguments the constructor takes besides ``size`` and ``dtype``.
    """

    hyperparameters = (WEIGHT_DECAY,)
    _SCRATCH = ("scratch",)  # contents never matter between steps (see checkpoint)

    def __init__(self, size, dtype, *, n_weights=None, weight_decay=0.0):
        self.scratch = np.zeros(size, dtype=dtype)
        self.n_weights = size if n_weights is None else n_weights
        self.weight_decay = weight_decay
        self.t = 0

    def step(self, theta, grad, lr):
        """Update ``theta`` in place from ``grad`` with learning rate ``lr``.

        Parameters
        ----------
        theta, grad : ndarray of shape (size,)
        lr : float
        """
        self.t += 1
        if self.weight_decay:
            theta[: self.n_weights] *= 1.0 - lr * self.weight_decay
        self._update(theta, grad, lr)


class SGD(Optimizer):
    """Stochastic gradient descent with optional (Nesterov) momentum.

    Parameters
    ----------
    size : int
    dtype : numpy dtype
    momentum : float, default=0.9
    nesterovs_momentum : bool, default=True
    """

    hyperparameters = (*Optimizer.hyperparameters, MOMENTUM, NESTEROVS_MOMENTUM)

    def __init__(self, size, dtype, *, momentum=0.9, nesterovs_momentum=True, **common):
        super().__init__(size, dtype, **common)
        self.momentum, self.nesterov = momentum, nesterovs_momentum
        self.velocity = np.zeros(size, dtype=dtype)

    def _update(self, theta, grad, lr):
        step = self.scratch
        np.multiply(grad, -lr, out=step)
        if self.momentum == 0:
            theta += step
            return
        self.velocity *= self.momentum
        self.velocity += step
        if self.nesterov:
            step += self.momentum * self.velocity
            theta += step
        else:
            theta += self.velocity


class AdaGrad(Optimizer):
    """Adagrad (Duchi et al., 2011): per-coordinate rates from the summed squared gradient.

    Parameters
    ----------
    size : int
    dtype : numpy dtype
    epsilon : float, default=1e-8
    """

    hyperparameters = (*Optimizer.hyperparameters, EPSILON)

    def __init__(self, size, dtype, *, epsilon=1e-8, **common):
        super().__init__(size, dtype, **common)
        self.epsilon = epsilon
        self.cache = np.zeros(size, dtype=dtype)

    def _accumulate(self, grad):
        np.multiply(grad, grad, out=self.scratch)
        self.cache += self.scratch

    def _update(self, theta, grad, lr):
        self._accumulate(grad)
        step = self.scratch
        np.sqrt(self.cache, out=step)
        step += self.epsilon
        np.divide(grad, step, out=step)
        step *= -lr
        theta += step


class RMSProp(AdaGrad):
    """RMSProp (Tieleman & Hinton, 2012): Adagrad with a leaky average of squared gradients.

    Parameters
    ----------
    size : int
    dtype : numpy dtype
    rho : float, default=0.9
        Decay of the squared-gradient average.
    epsilon : float, default=1e-8
    """

    hyperparameters = (*Optimizer.hyperparameters, RHO, EPSILON)

    def __init__(self, size, dtype, *, rho=0.9, epsilon=1e-8, **common):
        super().__init__(size, dtype, epsilon=epsilon, **common)
        self.rho = rho

    def _accumulate(self, grad):
        np.multiply(grad, grad, out=self.scratch)
        self.scratch *= 1 - self.rho
        self.cache *= self.rho
        self.cache += self.scratch


class Adam(Optimizer):
    """Adam (Kingma & Ba, 2014).

    Parameters
    ----------
    size : int
    dtype : numpy dtype
    beta_1, beta_2 : float, default=0.9, 0.999
    epsilon : float, default=1e-8
    """

    hyperparameters = (*Optimizer.hyperparameters, BETA_1, BETA_2, EPSILON)

    def __init__(self, size, dtype, *, beta_1=0.9, beta_2=0.999, epsilon=1e-8, **common):
        super().__init__(size, dtype, **common)
        self.beta_1, self.beta_2, self.epsilon = beta_1, beta_2, epsilon
        self.m = np.zeros(size, dtype=dtype)
        self.v = np.zeros(size, dtype=dtype)

    def _update(self, theta, grad, lr):
        b1, b2, scratch = self.beta_1, self.beta_2, self.scratch
        np.multiply(grad, 1 - b1, out=scratch)
        self.m *= b1
        self.m += scratch
        np.multiply(grad, grad, out=scratch)
        scratch *= 1 - b2
        self.v *= b2
        self.v += scratch
        step_size = lr * np.sqrt(1 - b2**self.t) / (1 - b1**self.t)
        np.sqrt(self.v, out=scratch)
        scratch += self.epsilon
        np.divide(self.m, scratch, out=scratch)
        scratch *= -step_size
        theta += scratch


OPTIMIZERS = {"adam": Adam, "sgd": SGD, "adagrad": AdaGrad, "rmsprop": RMSProp}
"""Registry of the stochastic solvers: name -> class ``(size, dtype, **hyperparameters)``.

``"lbfgs"`` is the full-batch solver of :mod:`.lbfgs`; it is not an update rule.
"""


@dataclass(frozen=True)
class OptimizerSpec:
    """What it takes to build an optimizer afresh (after divergence or interruption).

    Parameters
    ----------
    name : str
        A key of :data:`OPTIMIZERS`.
    size : int
        Number of parameters.
    dtype : str
        Training precision, by name (``"float32"`` or ``"float64"``).
    hyperparameters : dict
        Keyword arguments of the optimizer class: exactly the settings it
        declares.
    n_weights : int, optional
        Leading entries of the parameter vector that are weight matrices.
    """

    name: str
    size: int
    dtype: str
    hyperparameters: dict = field(default_factory=dict)
    n_weights: int | None = None

    def build(self):
        """Return a new optimizer with zeroed state."""
        cls = lookup(self.name, OPTIMIZERS, "solver")
        return cls(
            self.size, np.dtype(self.dtype), n_weights=self.n_weights, **self.hyperparameters
        )
