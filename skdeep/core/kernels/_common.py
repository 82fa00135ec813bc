"""What both kernel backends share: names, constants and scalar formulas.

Everything here is plain Python so that the two backends compute the same scalar
coefficients bit for bit: a coefficient computed twice in two places (say Adam's
bias-corrected step size) could differ in its last bit and make the backends disagree
for a reason that has nothing to do with the kernels.
"""

import math

import numpy as np

OUTPUT_CACHED = ("identity", "logistic", "tanh", "relu", "leaky_relu", "elu", "selu")
"""Activations whose derivative is a function of their output (the cache is ``a``)."""

INPUT_CACHED = ("gelu", "silu", "mish")
"""Activations whose derivative needs their input (the cache is ``z + b``)."""

SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946
SELU_SCALE_ALPHA = SELU_SCALE * SELU_ALPHA
INV_SQRT2 = 1.0 / math.sqrt(2.0)
INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)

KERNELS = (
    "sgd_step",
    "adagrad_step",
    "rmsprop_step",
    "adam_step",
    "ema_update",
    "max_norm_project",
    "activation_forward",
    "activation_backward",
    "activation_forward_keep_input",
    "activation_backward_from_input",
    "dropout_forward",
    "dropout_backward",
    "batchnorm_forward",
    "batchnorm_backward",
)
"""The public kernels: every backend defines each of them with the same signature."""


def adam_step_size(lr, t, beta_1, beta_2):
    r"""Adam's step size with both bias corrections folded in.

    :math:`\eta \sqrt{1 - \beta_2^t} / (1 - \beta_1^t)`, computed in double precision
    exactly as :class:`skdeep.core.optimizers.Adam` does.

    Parameters
    ----------
    lr : float
        Learning rate.
    t : int
        Step number, from 1.
    beta_1, beta_2 : float
        Decay rates of the moment estimates.

    Returns
    -------
    numpy.float64
        A NumPy double on purpose: ``Adam`` multiplies the float32 ratio
        ``m / (sqrt(v) + eps)`` by it in double precision (NumPy promotes a float32
        array times a ``np.float64`` scalar), and both backends reproduce that.
    """
    return np.float64(lr * np.sqrt(1 - beta_2**t) / (1 - beta_1**t))


def check_activation(name, family):
    """Raise ValueError unless ``name`` belongs to ``family``.

    Parameters
    ----------
    name : str
        Activation name.
    family : tuple of str
        :data:`OUTPUT_CACHED` or :data:`INPUT_CACHED`.
    """
    if name not in family:
        raise ValueError(f"activation {name!r} is not one of {family}")
