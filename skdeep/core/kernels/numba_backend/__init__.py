"""The numba backend: the same kernels as :mod:`..numpy_backend`, each one fused loop.

Importing this package imports numba (about 0.2 s) but compiles nothing: every
kernel is compiled, or loaded from numba's on-disk cache, on its first call with a
given dtype. See :mod:`._jit` for the compilation options and the thread policy.
"""

from ._jit import set_threads, threads
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

NAME = "numba"

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
    "set_threads",
    "sgd_step",
    "threads",
]
