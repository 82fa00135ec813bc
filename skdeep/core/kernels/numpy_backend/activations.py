"""Element-wise activations fused with the bias: the NumPy reference.

Two families (see :data:`~skdeep.core.kernels._common.OUTPUT_CACHED` and
:data:`~skdeep.core.kernels._common.INPUT_CACHED`):

* the derivative is a function of the output ``a`` (identity, logistic, tanh, relu,
  leaky_relu, elu, selu): the forward pass runs in place, ``z <- f(z + b)``, and the
  backward pass reads ``a``;
* the derivative needs the input (gelu, silu, mish): the forward pass keeps
  ``z + b`` in ``z`` and writes ``f(z + b)`` to a separate ``out``, and the backward
  pass reads ``z``.

The backward passes *consume* their caches (``a``, or ``z`` and ``a``): NumPy cannot
evaluate ``da * (1 - a * a)`` without a temporary, but it can in place on ``a``,
which nothing reads after the backward pass (the next layer's backward pass, which
read ``a`` as its input, has already run). The numba backend may leave the caches
unchanged; callers must treat them as garbage either way.

The piecewise activations (leaky_relu, elu, selu) allocate one temporary of the
batch's size: NumPy's masked ``where=`` path, the only way to avoid it, runs 10 to
40 times slower than a full pass (measured: 210 us instead of 5 us for leaky_relu
on 200x256 float32), and ``max(z, expm1(min(z, 0)))`` is 13 times faster than the
boolean indexing the ELU layer used.

The formulas (and the order of their roundings) are the contract: the numba backend
evaluates the same expressions, so the two agree to the last bit except where NumPy's
vectorised ``tanh``/``exp``/``expm1`` and the C library's differ by an ulp or two.
"""

import numpy as np
from scipy.special import erfc, expit

from .._common import (
    INPUT_CACHED,
    INV_SQRT2,
    INV_SQRT_2PI,
    OUTPUT_CACHED,
    SELU_SCALE,
    SELU_SCALE_ALPHA,
    check_activation,
)


def _add_bias(z, bias):
    if bias is not None:
        z += bias


def _column_sums(d, bias_grad):
    if bias_grad is not None:
        np.sum(d, axis=0, out=bias_grad)


def activation_forward(z, bias, name, negative_slope=0.01):
    """``z <- f(z + bias)`` in place, for an activation of :data:`OUTPUT_CACHED`.

    Parameters
    ----------
    z : ndarray of shape (n_rows, n_units)
        Affine output without bias (C-contiguous, float32 or float64); overwritten
        with the activation, which is also the cache of :func:`activation_backward`.
    bias : ndarray of shape (n_units,) or None
        Added before the activation (None: no bias, e.g. before batch norm).
    name : str
        One of identity, logistic, tanh, relu, leaky_relu, elu, selu.
    negative_slope : float, default=0.01
        Slope of leaky_relu below zero, in (0, 1).
    """
    check_activation(name, OUTPUT_CACHED)
    _add_bias(z, bias)
    if name == "logistic":
        expit(z, out=z)
    elif name == "tanh":
        np.tanh(z, out=z)
    elif name == "relu":
        np.maximum(z, 0, out=z)
    elif name == "leaky_relu":  # max(z, s z) for 0 < s < 1
        np.maximum(z, z * float(negative_slope), out=z)
    elif name == "elu":  # expm1(z) > z below zero, expm1(0) = 0 above
        np.maximum(z, np.expm1(np.minimum(z, 0)), out=z)
    elif name == "selu":
        below = np.minimum(z, 0)
        np.expm1(below, out=below)
        below *= SELU_SCALE_ALPHA
        np.maximum(z, 0, out=z)
        z *= SELU_SCALE
        z += below


def activation_backward(da, a, bias_grad, name, negative_slope=0.01):
    """``da <- da * f'(z)`` from the output ``a``, and the bias gradient.

    Parameters
    ----------
    da : ndarray of shape (n_rows, n_units)
        Gradient with respect to the activation; overwritten with the gradient with
        respect to ``z`` (C-contiguous).
    a : ndarray of shape (n_rows, n_units)
        The activation, as left by :func:`activation_forward`; consumed.
    bias_grad : ndarray of shape (n_units,) or None
        Receives the column sums of the new ``da`` (None: not wanted).
    name : str
        One of identity, logistic, tanh, relu, leaky_relu, elu, selu.
    negative_slope : float, default=0.01
        Slope of leaky_relu below zero.
    """
    check_activation(name, OUTPUT_CACHED)
    if name == "logistic":
        da *= a
        np.subtract(1.0, a, out=a)
        da *= a
    elif name == "tanh":
        np.multiply(a, a, out=a)
        np.subtract(1.0, a, out=a)
        da *= a
    elif name == "relu":
        np.greater(a, 0, out=a)
        da *= a
    elif name == "leaky_relu":
        np.greater(a, 0, out=a)  # 1 or 0, then max(., slope): 1 or slope exactly
        np.maximum(a, float(negative_slope), out=a)
        da *= a
    elif name == "elu":
        np.minimum(a, 0, out=a)  # below zero f' = a + 1; above, 0 + 1
        a += 1.0
        da *= a
    elif name == "selu":  # f' = scale above zero, a + scale * alpha from zero down
        below = np.minimum(a, 0)
        below += SELU_SCALE_ALPHA
        np.less_equal(a, 0, out=a)  # 1 or 0: the products below are exact
        below *= a
        np.subtract(1.0, a, out=a)
        a *= SELU_SCALE
        below += a
        da *= below
    _column_sums(da, bias_grad)


def activation_forward_keep_input(z, bias, out, name):
    r"""``z <- z + bias`` and ``out <- f(z)``, for an activation of :data:`INPUT_CACHED`.

    gelu is the exact form :math:`z \Phi(z)` with
    :math:`\Phi(z) = \operatorname{erfc}(-z / \sqrt 2) / 2`; silu is
    :math:`z \sigma(z)`; mish is :math:`z \tanh(\log(1 + e^z))`.

    Parameters
    ----------
    z : ndarray of shape (n_rows, n_units)
        Affine output without bias; receives ``z + bias``, the cache of
        :func:`activation_backward_from_input`.
    bias : ndarray of shape (n_units,) or None
    out : ndarray of shape (n_rows, n_units)
        Receives the activation (must not be ``z``).
    name : str
        One of gelu, silu, mish.
    """
    check_activation(name, INPUT_CACHED)
    _add_bias(z, bias)
    if name == "gelu":
        np.multiply(z, -INV_SQRT2, out=out)
        erfc(out, out=out)
        out *= 0.5
        out *= z
    elif name == "silu":
        expit(z, out=out)
        out *= z
    else:
        np.logaddexp(z, 0, out=out)
        np.tanh(out, out=out)
        out *= z


def activation_backward_from_input(da, z, a, bias_grad, name):
    r"""``da <- da * f'(z)`` from the input ``z``, and the bias gradient.

    gelu: :math:`f' = \Phi(z) + z \varphi(z)`; silu:
    :math:`f' = \sigma + u (1 - \sigma)` with :math:`u = z \sigma`; mish:
    :math:`f' = t + u (1 - t^2)` with :math:`t = \tanh(\log(1 + e^z))`. The products
    with ``da`` are distributed so that three buffers suffice.

    Parameters
    ----------
    da : ndarray of shape (n_rows, n_units)
        Gradient with respect to the activation; overwritten with the gradient with
        respect to ``z``.
    z : ndarray of shape (n_rows, n_units)
        The input, as left by :func:`activation_forward_keep_input`; consumed.
    a : ndarray of shape (n_rows, n_units)
        The forward output buffer, used as work space; consumed.
    bias_grad : ndarray of shape (n_units,) or None
    name : str
        One of gelu, silu, mish.
    """
    check_activation(name, INPUT_CACHED)
    if name == "gelu":
        np.multiply(z, z, out=a)  # a <- z phi(z)
        a *= -0.5
        np.exp(a, out=a)
        a *= z
        a *= INV_SQRT_2PI
        z *= -INV_SQRT2  # z <- Phi(z)
        erfc(z, out=z)
        z *= 0.5
        z += a
        da *= z
    else:
        expit(z, out=a)  # sigma
        if name == "silu":
            z *= a  # u = z sigma; da sigma + da u - da u sigma
        else:
            np.multiply(z, a, out=a)  # u = z sigma
            np.logaddexp(z, 0, out=z)
            np.tanh(z, out=z)  # t; da t + da u - da u t t
        s = a if name == "silu" else z
        u = z if name == "silu" else a
        u *= da
        da *= s
        da += u
        u *= s
        if name == "mish":
            u *= s
        da -= u
    _column_sums(da, bias_grad)
