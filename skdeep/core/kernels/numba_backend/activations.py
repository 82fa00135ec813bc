"""Element-wise activations fused with the bias (numba), where that pays.

Same signatures and formulas as :mod:`..numpy_backend.activations`. A compiled forward
kernel makes one pass, ``z <- f(z + b)``, where NumPy makes two; a compiled backward
kernel makes one pass that scales ``da`` and accumulates the bias gradient row by row
(the order of ``np.sum(axis=0)``, so the sums agree bit for bit), where NumPy makes
two to four. The compiled code is in :mod:`.activation_kernels`.

Where a formula calls ``tanh``, ``expm1`` or ``log1p``, the compiled loop calls the C
library once per element (numba's pip wheels have no vector math library), while
NumPy's ufuncs are vectorised: ``np.tanh`` on 200x256 float32 takes 14 us, the
compiled loop 750 us. Those cases run the NumPy reference instead; the sets below
say which cases are compiled (measured with ``benchmarks/bench_kernels.py``: every
compiled case is at least as fast as NumPy at batch 200 and widths 64 to 784).
"""

import numpy as np

from .. import numpy_backend as reference
from .._common import INPUT_CACHED, OUTPUT_CACHED, check_activation
from . import activation_kernels as K
from ._jit import check_vectors, use_parallel

COMPILED_FORWARD = frozenset({"identity", "logistic", "relu", "leaky_relu"})
COMPILED_BACKWARD = frozenset(OUTPUT_CACHED)
COMPILED_FORWARD_KEEP_INPUT = frozenset({"gelu", "silu"})
COMPILED_BACKWARD_FROM_INPUT = frozenset({"silu"})

_spares = {}


def _spare(dtype, n, role):
    """A zero bias or a throw-away bias gradient for calls without one, made once.

    Always passing a vector keeps one version of each loop (an optional bias doubles
    the compiled code); adding 0 changes no bit, and a spare gradient that several
    threads scribble on concurrently is read by nobody.
    """
    key = (dtype, n, role)
    if key not in _spares:
        _spares[key] = np.zeros(n, dtype)
    return _spares[key]


def _prepare(matrices, vector, role):
    """Check the arrays; return the vector, or a spare one when it is None."""
    check_vectors(*matrices)
    if matrices[0].ndim != 2:
        raise ValueError("activation kernels work on 2-d (n_rows, n_units) arrays")
    if vector is None:
        return _spare(matrices[0].dtype, matrices[0].shape[1], role)
    if vector.shape != matrices[0].shape[1:] or vector.dtype != matrices[0].dtype:
        raise ValueError(f"bias of shape {vector.shape} for units {matrices[0].shape[1:]}")
    if not vector.flags.c_contiguous:
        raise ValueError("bias arrays must be C-contiguous")
    return vector


def activation_forward(z, bias, name, negative_slope=0.01):
    """``z <- f(z + bias)`` in place; see the NumPy reference."""
    check_activation(name, OUTPUT_CACHED)
    if name not in COMPILED_FORWARD:
        reference.activation_forward(z, bias, name, negative_slope)
        return
    bias = _prepare((z,), bias, "bias")
    slope = z.dtype.type(negative_slope)
    kernel_ = K.forward_parallel if use_parallel(z.size, "activation") else K.forward_serial
    kernel_(z, bias, K.CODES[name], slope)


def activation_backward(da, a, bias_grad, name, negative_slope=0.01):
    """``da <- da * f'`` from the output ``a``, and the bias gradient; ``a`` is consumed."""
    check_activation(name, OUTPUT_CACHED)
    if name not in COMPILED_BACKWARD:
        reference.activation_backward(da, a, bias_grad, name, negative_slope)
        return
    bias_grad = _prepare((da, a), bias_grad, "grad")
    slope = da.dtype.type(negative_slope)
    kernel_ = K.backward_parallel if use_parallel(da.size, "activation") else K.backward_serial
    kernel_(da, a, bias_grad, K.CODES[name], slope)


def activation_forward_keep_input(z, bias, out, name):
    """``z <- z + bias``, ``out <- f(z)``; see the NumPy reference."""
    check_activation(name, INPUT_CACHED)
    if out is z:
        raise ValueError("out must not be z: z keeps the input for the backward pass")
    if name not in COMPILED_FORWARD_KEEP_INPUT:
        reference.activation_forward_keep_input(z, bias, out, name)
        return
    bias = _prepare((z, out), bias, "bias")
    parallel = use_parallel(z.size, "activation")
    kernel_ = K.forward_keep_parallel if parallel else K.forward_keep_serial
    kernel_(z, bias, out, K.CODES[name])


def activation_backward_from_input(da, z, a, bias_grad, name):
    """``da <- da * f'(z)`` and the bias gradient; ``z`` and ``a`` are consumed."""
    check_activation(name, INPUT_CACHED)
    if name not in COMPILED_BACKWARD_FROM_INPUT:
        reference.activation_backward_from_input(da, z, a, bias_grad, name)
        return
    bias_grad = _prepare((da, z), bias_grad, "grad")
    parallel = use_parallel(da.size, "activation")
    kernel_ = K.backward_input_parallel if parallel else K.backward_input_serial
    kernel_(da, z, bias_grad, K.CODES[name])
