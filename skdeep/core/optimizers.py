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
from .kernels import load_backend

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
    """Base: the step counter, the weight prefix, the fused penalty and decay.

    Each step runs as one kernel of :mod:`.kernels` (a fused compiled loop, or the
    NumPy reference), which also adds the weight penalty's gradient to the weight
    prefix and applies the decoupled decay, so the training loop hands the step
    the data-loss gradient only.

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
    penalty : tuple of float, default=(0.0, 0.0)
        ``(l2, l1)``: the step adds ``l2 * w + l1 * sign(w)`` to the gradient of
        the weight prefix (see :meth:`.penalties.Penalty.coefficients`).
    kernels : {"numpy", "numba"}, default="numpy"
        The kernel backend (by name, so that the optimizer pickles).

    Attributes
    ----------
    hyperparameters : tuple of Hyperparameter
        The settings the constructor takes from the estimator.
    """

    hyperparameters = (WEIGHT_DECAY,)
    _SCRATCH = ("scratch",)  # contents never matter between steps (see checkpoint)

    def __init__(
        self, size, dtype, *, n_weights=None, weight_decay=0.0, penalty=(0.0, 0.0), kernels="numpy"
    ):
        self.scratch = np.zeros(size, dtype=dtype)
        self.n_weights = size if n_weights is None else n_weights
        self.weight_decay = weight_decay
        self.l2, self.l1 = (float(c) for c in penalty)
        self.kernel_backend = kernels
        self.t = 0

    @property
    def kernels(self):
        """The kernel backend module."""
        return load_backend(self.kernel_backend)

    def step(self, theta, grad, lr):
        """Update ``theta`` in place from ``grad`` with learning rate ``lr``.

        Parameters
        ----------
        theta : ndarray of shape (size,)
        grad : ndarray of shape (size,)
            Gradient of the data loss (the penalty's is added here); consumed.
        lr : float
        """
        self.t += 1
        self._update(theta, grad, lr)

    def _common(self):
        """Keyword arguments every step kernel takes."""
        return {
            "n_weights": self.n_weights,
            "l2": self.l2,
            "l1": self.l1,
            "weight_decay": self.weight_decay,
        }


class SGD(Optimizer):
    """Stochastic gradient descent with optional (Nesterov) momentum.

    Parameters
    ----------
    size : int
    dtype : numpy dtype
    momentum : float, default=0.9
    nesterovs_momentum : bool, default=True
    **common
        Settings of :class:`Optimizer`.
    """

    hyperparameters = (*Optimizer.hyperparameters, MOMENTUM, NESTEROVS_MOMENTUM)

    def __init__(self, size, dtype, *, momentum=0.9, nesterovs_momentum=True, **common):
        super().__init__(size, dtype, **common)
        self.momentum, self.nesterov = momentum, nesterovs_momentum
        self.velocity = np.zeros(size, dtype=dtype)

    def _update(self, theta, grad, lr):
        self.kernels.sgd_step(
            theta, grad, self.velocity, self.scratch, lr,
            momentum=self.momentum, nesterov=self.nesterov, **self._common(),
        )  # fmt: skip


class AdaGrad(Optimizer):
    """Adagrad (Duchi et al., 2011): per-coordinate rates from the summed squared gradient.

    Parameters
    ----------
    size : int
    dtype : numpy dtype
    epsilon : float, default=1e-8
    **common
        Settings of :class:`Optimizer`.
    """

    hyperparameters = (*Optimizer.hyperparameters, EPSILON)

    def __init__(self, size, dtype, *, epsilon=1e-8, **common):
        super().__init__(size, dtype, **common)
        self.epsilon = epsilon
        self.cache = np.zeros(size, dtype=dtype)

    def _update(self, theta, grad, lr):
        self.kernels.adagrad_step(
            theta, grad, self.cache, self.scratch, lr, epsilon=self.epsilon, **self._common()
        )


class RMSProp(AdaGrad):
    """RMSProp (Tieleman & Hinton, 2012): Adagrad with a leaky average of squared gradients.

    Parameters
    ----------
    size : int
    dtype : numpy dtype
    rho : float, default=0.9
        Decay of the squared-gradient average.
    epsilon : float, default=1e-8
    **common
        Settings of :class:`Optimizer`.
    """

    hyperparameters = (*Optimizer.hyperparameters, RHO, EPSILON)

    def __init__(self, size, dtype, *, rho=0.9, epsilon=1e-8, **common):
        super().__init__(size, dtype, epsilon=epsilon, **common)
        self.rho = rho

    def _update(self, theta, grad, lr):
        self.kernels.rmsprop_step(
            theta, grad, self.cache, self.scratch, lr,
            rho=self.rho, epsilon=self.epsilon, **self._common(),
        )  # fmt: skip


class Adam(Optimizer):
    """Adam (Kingma & Ba, 2014).

    Parameters
    ----------
    size : int
    dtype : numpy dtype
    beta_1, beta_2 : float, default=0.9, 0.999
    epsilon : float, default=1e-8
    **common
        Settings of :class:`Optimizer`.
    """

    hyperparameters = (*Optimizer.hyperparameters, BETA_1, BETA_2, EPSILON)

    def __init__(self, size, dtype, *, beta_1=0.9, beta_2=0.999, epsilon=1e-8, **common):
        super().__init__(size, dtype, **common)
        self.beta_1, self.beta_2, self.epsilon = beta_1, beta_2, epsilon
        self.m = np.zeros(size, dtype=dtype)
        self.v = np.zeros(size, dtype=dtype)

    def _update(self, theta, grad, lr):
        self.kernels.adam_step(
            theta, grad, self.m, self.v, self.scratch, lr, self.t,
            beta_1=self.beta_1, beta_2=self.beta_2, epsilon=self.epsilon, **self._common(),
        )  # fmt: skip


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
    penalty : tuple of float, default=(0.0, 0.0)
        ``(l2, l1)`` coefficients of the weight penalty the step adds.
    kernels : {"numpy", "numba"}, default="numpy"
        Kernel backend.
    """

    name: str
    size: int
    dtype: str
    hyperparameters: dict = field(default_factory=dict)
    n_weights: int | None = None
    penalty: tuple = (0.0, 0.0)
    kernels: str = "numpy"

    def build(self):
        """Return a new optimizer with zeroed state."""
        cls = lookup(self.name, OPTIMIZERS, "solver")
        return cls(
            self.size,
            np.dtype(self.dtype),
            n_weights=self.n_weights,
            penalty=self.penalty,
            kernels=self.kernels,
            **self.hyperparameters,
        )
