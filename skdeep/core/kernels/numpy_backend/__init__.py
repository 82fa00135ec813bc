"""The NumPy reference backend: the specification and the fallback.

Every kernel is written with NumPy ufuncs on ``out=`` arguments, so it allocates
nothing of the size of its arrays (the piecewise activations need one temporary),
and reproduces the arithmetic of today's layers and optimizers operation for
operation. See :mod:`skdeep.core.kernels` for the shared contract.
"""

from .activations import (
    activation_backward,
    activation_backward_from_input,
    activation_forward,
    activation_forward_keep_input,
)
from .batch_norm import batchnorm_backward, batchnorm_forward
from .constraints import max_norm_project
from .dropout import dropout_backward, dropout_forward
from .optimizers import adagrad_step, adam_step, ema_update, rmsprop_step, sgd_step

NAME = "numpy"

__all__ = [
    "NAME",
    "activation_backward",
    "activation_backward_from_input",
    "activation_forward",
    "activation_forward_keep_input",
    "adagrad_step",
    "adam_step",
    "batchnorm_backward",
    "batchnorm_forward",
    "dropout_backward",
    "dropout_forward",
    "ema_update",
    "max_norm_project",
    "rmsprop_step",
    "sgd_step",
]
