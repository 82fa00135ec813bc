"""Compiled activation code: scalar formulas, the loops around them, the kernels.

Everything that is compiled lives in this one file on purpose: numba's on-disk cache
is invalidated only when the file defining a kernel changes, so a formula or a
constant imported from another module could be edited without the cached machine
code noticing. The Python wrappers are in :mod:`.activations`.

The formulas mirror :mod:`..numpy_backend.activations` operation for operation, in
the precision of their argument: constants are rounded to it with ``type(x)(...)`` (a
bare ``1.0`` is a double and would silently promote a float32 loop to float64,
halving its vector width and changing its rounding). Signatures are uniform per
family: ``forward(x, slope)``, ``backward(d, a, slope)`` (cached by the output; only
leaky_relu reads ``slope``), ``forward_from_input(x)``, ``backward_from_input(d, x)``.

Each kernel branches once, outside its loops, on the activation code, and each branch
passes one formula, a constant, to an inlined loop: LLVM sees one formula per loop and
vectorises it. (A loop with a run-time branch on the code stays scalar; one generic
formula with a constant code made numba type every branch in every copy and took
three times as long to compile.)

The forward kernels split rows among threads; the backward ones split blocks of
columns, so that each bias-gradient entry is summed by one thread in row order (the
order of ``np.sum(axis=0)``): the results do not depend on the number of threads.
"""

import math

import numpy as np
from numba import prange

from ._jit import inline, kernel, parallel_kernel

# Module-level ints and floats are frozen into the machine code as constants.
_IDENTITY, _LOGISTIC, _TANH, _RELU, _LEAKY_RELU, _ELU, _SELU, _GELU, _SILU, _MISH = range(10)
CODES = {
    "identity": _IDENTITY,
    "logistic": _LOGISTIC,
    "tanh": _TANH,
    "relu": _RELU,
    "leaky_relu": _LEAKY_RELU,
    "elu": _ELU,
    "selu": _SELU,
    "gelu": _GELU,
    "silu": _SILU,
    "mish": _MISH,
}
"""Activation name -> the code the kernels branch on."""

SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946
SELU_SCALE_ALPHA = SELU_SCALE * SELU_ALPHA
INV_SQRT2 = 1.0 / math.sqrt(2.0)
INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)
_COLUMN_BLOCK = 64  # columns per task of the parallel backward kernels


@inline
def expit(x):
    """``1 / (1 + exp(-x))``: SciPy's ``expit`` in the same precision (0 or 1 at the ends)."""
    one = type(x)(1.0)
    return one / (one + np.exp(-x))


@inline
def normal_cdf(x):
    """``Phi(x) = erfc(-x / sqrt 2) / 2``; erfc in double, as SciPy's float32 loop does."""
    t = x * type(x)(-INV_SQRT2)
    return type(x)(math.erfc(np.float64(t))) * type(x)(0.5)


@inline
def softplus(x):
    """``log(1 + e^x)`` as NumPy's ``logaddexp(x, 0)`` computes it."""
    zero = type(x)(0.0)
    if x == zero:
        return x + type(x)(math.log(2.0))
    if x > zero:
        return x + np.log1p(np.exp(-x))
    return zero + np.log1p(np.exp(x))


# Activations cached by their output: forward(x, slope) and backward(d, a, slope).


@inline
def identity_forward(x, slope):
    return x


@inline
def identity_backward(d, a, slope):
    return d


@inline
def logistic_forward(x, slope):
    return expit(x)


@inline
def logistic_backward(d, a, slope):
    return (d * a) * (type(a)(1.0) - a)


@inline
def tanh_forward(x, slope):
    return np.tanh(x)


@inline
def tanh_backward(d, a, slope):
    return d * (type(a)(1.0) - a * a)


@inline
def relu_forward(x, slope):
    return type(x)(0.0) if x < type(x)(0.0) else x


@inline
def relu_backward(d, a, slope):
    return d * (type(a)(1.0) if a > type(a)(0.0) else type(a)(0.0))


@inline
def leaky_relu_forward(x, slope):
    return x * slope if x < type(x)(0.0) else x


@inline
def leaky_relu_backward(d, a, slope):
    return d * (type(a)(1.0) if a > type(a)(0.0) else slope)


@inline
def elu_forward(x, slope):
    return np.expm1(x) if x < type(x)(0.0) else x


@inline
def elu_backward(d, a, slope):
    zero = type(a)(0.0)
    return d * ((a if a < zero else zero) + type(a)(1.0))


@inline
def selu_forward(x, slope):
    if x < type(x)(0.0):
        return np.expm1(x) * type(x)(SELU_SCALE_ALPHA)
    return x * type(x)(SELU_SCALE)


@inline
def selu_backward(d, a, slope):
    return d * (type(a)(SELU_SCALE) if a > type(a)(0.0) else a + type(a)(SELU_SCALE_ALPHA))


# Activations cached by their input: forward_from_input(x), backward_from_input(d, x).


@inline
def gelu_forward(x):
    return normal_cdf(x) * x


@inline
def gelu_backward(d, x):
    e = np.exp((x * x) * type(x)(-0.5))
    e = (e * x) * type(x)(INV_SQRT_2PI)
    return d * (normal_cdf(x) + e)


@inline
def silu_forward(x):
    return expit(x) * x


@inline
def silu_backward(d, x):
    s = expit(x)
    ud = (x * s) * d
    return ((d * s) + ud) - ud * s


@inline
def mish_forward(x):
    return np.tanh(softplus(x)) * x


@inline
def mish_backward(d, x):
    ud = (x * expit(x)) * d
    t = np.tanh(softplus(x))
    return ((d * t) + ud) - (ud * t) * t


@inline
def _forward_rows(z, bias, lo, hi, formula, slope):
    for i in range(lo, hi):
        row = z[i]
        for j in range(row.size):
            row[j] = formula(row[j] + bias[j], slope)


@inline
def _forward_keep_rows(z, bias, out, lo, hi, formula):
    for i in range(lo, hi):
        row, out_row = z[i], out[i]
        for j in range(row.size):
            x = row[j] + bias[j]
            row[j] = x
            out_row[j] = formula(x)


@inline
def _backward_columns(da, cache, bias_grad, lo, hi, formula, slope):
    """Scale columns ``[lo, hi)`` of ``da`` and sum them into ``bias_grad``, row by row."""
    sums = bias_grad[lo:hi]
    sums[:] = 0
    for i in range(da.shape[0]):
        d_row, c_row = da[i, lo:hi], cache[i, lo:hi]
        for j in range(d_row.size):
            d = formula(d_row[j], c_row[j], slope)
            d_row[j] = d
            sums[j] += d


@inline
def _backward_input_columns(da, cache, bias_grad, lo, hi, formula):
    sums = bias_grad[lo:hi]
    sums[:] = 0
    for i in range(da.shape[0]):
        d_row, c_row = da[i, lo:hi], cache[i, lo:hi]
        for j in range(d_row.size):
            d = formula(d_row[j], c_row[j])
            d_row[j] = d
            sums[j] += d


# The kernels: one per operation and threading. Each branch passes a constant
# formula to an inlined loop (see activation_formulas).


@inline
def _forward_any(z, bias, lo, hi, kind, slope):
    if kind == _RELU:
        _forward_rows(z, bias, lo, hi, relu_forward, slope)
    elif kind == _LEAKY_RELU:
        _forward_rows(z, bias, lo, hi, leaky_relu_forward, slope)
    elif kind == _TANH:
        _forward_rows(z, bias, lo, hi, tanh_forward, slope)
    elif kind == _LOGISTIC:
        _forward_rows(z, bias, lo, hi, logistic_forward, slope)
    elif kind == _ELU:
        _forward_rows(z, bias, lo, hi, elu_forward, slope)
    elif kind == _SELU:
        _forward_rows(z, bias, lo, hi, selu_forward, slope)
    else:
        _forward_rows(z, bias, lo, hi, identity_forward, slope)


@kernel
def forward_serial(z, bias, kind, slope):
    _forward_any(z, bias, 0, z.shape[0], kind, slope)


@parallel_kernel
def forward_parallel(z, bias, kind, slope):
    for i in prange(z.shape[0]):
        _forward_any(z, bias, i, i + 1, kind, slope)


@inline
def _backward_any(da, a, bias_grad, lo, hi, kind, slope):
    if kind == _RELU:
        _backward_columns(da, a, bias_grad, lo, hi, relu_backward, slope)
    elif kind == _LEAKY_RELU:
        _backward_columns(da, a, bias_grad, lo, hi, leaky_relu_backward, slope)
    elif kind == _TANH:
        _backward_columns(da, a, bias_grad, lo, hi, tanh_backward, slope)
    elif kind == _LOGISTIC:
        _backward_columns(da, a, bias_grad, lo, hi, logistic_backward, slope)
    elif kind == _ELU:
        _backward_columns(da, a, bias_grad, lo, hi, elu_backward, slope)
    elif kind == _SELU:
        _backward_columns(da, a, bias_grad, lo, hi, selu_backward, slope)
    else:
        _backward_columns(da, a, bias_grad, lo, hi, identity_backward, slope)


@kernel
def backward_serial(da, a, bias_grad, kind, slope):
    _backward_any(da, a, bias_grad, 0, da.shape[1], kind, slope)


@parallel_kernel
def backward_parallel(da, a, bias_grad, kind, slope):
    m = da.shape[1]
    for block in prange((m + _COLUMN_BLOCK - 1) // _COLUMN_BLOCK):
        lo = block * _COLUMN_BLOCK
        _backward_any(da, a, bias_grad, lo, min(lo + _COLUMN_BLOCK, m), kind, slope)


@inline
def _forward_keep_any(z, bias, out, lo, hi, kind):
    if kind == _GELU:
        _forward_keep_rows(z, bias, out, lo, hi, gelu_forward)
    elif kind == _SILU:
        _forward_keep_rows(z, bias, out, lo, hi, silu_forward)
    else:
        _forward_keep_rows(z, bias, out, lo, hi, mish_forward)


@kernel
def forward_keep_serial(z, bias, out, kind):
    _forward_keep_any(z, bias, out, 0, z.shape[0], kind)


@parallel_kernel
def forward_keep_parallel(z, bias, out, kind):
    for i in prange(z.shape[0]):
        _forward_keep_any(z, bias, out, i, i + 1, kind)


@inline
def _backward_input_any(da, z, bias_grad, lo, hi, kind):
    if kind == _GELU:
        _backward_input_columns(da, z, bias_grad, lo, hi, gelu_backward)
    elif kind == _SILU:
        _backward_input_columns(da, z, bias_grad, lo, hi, silu_backward)
    else:
        _backward_input_columns(da, z, bias_grad, lo, hi, mish_backward)


@kernel
def backward_input_serial(da, z, bias_grad, kind):
    _backward_input_any(da, z, bias_grad, 0, da.shape[1], kind)


@parallel_kernel
def backward_input_parallel(da, z, bias_grad, kind):
    m = da.shape[1]
    for block in prange((m + _COLUMN_BLOCK - 1) // _COLUMN_BLOCK):
        lo = block * _COLUMN_BLOCK
        _backward_input_any(da, z, bias_grad, lo, min(lo + _COLUMN_BLOCK, m), kind)
