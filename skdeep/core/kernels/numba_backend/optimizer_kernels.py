"""Compiled optimizer code: the update rules, the pass around them, the drivers.

Everything that is compiled lives in this one file on purpose: numba's on-disk cache
is invalidated only when the file defining a kernel changes. The Python wrappers are
in :mod:`.optimizers`.

Each rule mirrors :mod:`..numpy_backend.optimizers` operation for operation. A
driver passes one rule, a constant, to the inlined :func:`span`, so each compiled loop
sees a single rule and LLVM vectorises it. The serial driver runs the penalised
prefix and the rest; the parallel one runs fixed chunks of :data:`CHUNK` elements, so
that the result does not depend on the number of threads.
"""

import numpy as np
from numba import prange

from ._jit import inline, kernel, parallel_kernel

CHUNK = 1 << 14
"""Elements per task of the parallel drivers (64 KiB of float32)."""


# One update function per rule: ``w`` and ``g`` are the (decayed) weight and the
# (penalised) gradient at index ``i``; the state vectors are read and written at ``i``.
# ``k`` holds the rule's constants rounded to the dtype, ``step64`` Adam's negated step
# size in double precision (NumPy multiplies the float32 ratio by a np.float64).


@inline
def sgd(w, g, i, s1, s2, k, step64):
    return w + g * k[0]


@inline
def momentum(w, g, i, s1, s2, k, step64):
    vel = s1[i] * k[1] + g * k[0]
    s1[i] = vel
    return w + vel


@inline
def nesterov(w, g, i, s1, s2, k, step64):
    step = g * k[0]
    vel = s1[i] * k[1] + step
    s1[i] = vel
    return w + (step + vel * k[1])


@inline
def adagrad(w, g, i, s1, s2, k, step64):
    acc = s1[i] + g * g
    s1[i] = acc
    return w + (g / (np.sqrt(acc) + k[1])) * k[0]


@inline
def rmsprop(w, g, i, s1, s2, k, step64):
    acc = s1[i] * k[2] + (g * g) * k[3]
    s1[i] = acc
    return w + (g / (np.sqrt(acc) + k[1])) * k[0]


@inline
def adam(w, g, i, s1, s2, k, step64):
    m = s1[i] * k[0] + g * k[1]
    v = s2[i] * k[2] + (g * g) * k[3]
    s1[i] = m
    s2[i] = v
    return w + type(w)((m / (np.sqrt(v) + k[4])) * step64)


@inline
def span(theta, grad, s1, s2, rule, c, k, step64, pen):
    """One pass of ``rule`` over a range, with the penalty when ``pen``.

    ``c = (l2, l1, decay)`` rounded to the dtype. ``rule`` is a constant function
    where this is inlined and ``pen`` a constant, so LLVM vectorises the loop.
    """
    l2, l1, decay = c
    for i in range(theta.size):
        w = theta[i]
        g = grad[i]
        if pen:  # the penalised prefix: penalty gradient, then decoupled decay
            # Branch-free: a zero coefficient adds an exact zero (and a unit decay
            # multiplies by exactly 1), so skipping the term, as NumPy does, gives the
            # same bits for finite weights; fewer loop versions compile much faster.
            g = (g + w * l2) + (type(w)(w > 0) - type(w)(w < 0)) * l1
            w = w * decay
        theta[i] = rule(w, g, i, s1, s2, k, step64)


@inline
def _range(theta, grad, s1, s2, lo, hi, rule, c, k, step64, pen):
    """``span`` on ``[lo, hi)`` through slices: LLVM vectorises ``range(n)`` loops
    over views, not ``range(lo, hi)`` loops (whose start might be negative)."""
    s1 = s1[lo:hi] if s1.size else s1
    s2 = s2[lo:hi] if s2.size else s2
    span(theta[lo:hi], grad[lo:hi], s1, s2, rule, c, k, step64, pen)


@inline
def _both(theta, grad, s1, s2, lo, mid, hi, rule, c, k, step64):
    """The penalised part ``[lo, mid)`` and the rest ``[mid, hi)`` of a range."""
    _range(theta, grad, s1, s2, lo, mid, rule, c, k, step64, True)
    _range(theta, grad, s1, s2, mid, hi, rule, c, k, step64, False)


@inline
def _serial(theta, grad, s1, s2, n_weights, rule, c, k, step64):
    _both(theta, grad, s1, s2, 0, n_weights, theta.size, rule, c, k, step64)


@inline
def _parallel(theta, grad, s1, s2, n_weights, rule, c, k, step64):
    n = theta.size
    for chunk in prange((n + CHUNK - 1) // CHUNK):
        lo = chunk * CHUNK
        hi = min(lo + CHUNK, n)
        mid = min(max(n_weights, lo), hi)
        _both(theta, grad, s1, s2, lo, mid, hi, rule, c, k, step64)


# The rule must be a constant where its loop is compiled: with a run-time rule LLVM
# does not unswitch the six-way branch and the loop stays scalar (4x slower). So each
# rule has its own pair of kernels, which also means a fit compiles only its rule;
# the rule function is passed to inlined helpers, which numba cannot cache as kernels.


@kernel
def _sgd_serial(theta, grad, s1, s2, n_weights, c, k, step64):
    _serial(theta, grad, s1, s2, n_weights, sgd, c, k, step64)


@parallel_kernel
def _sgd_parallel(theta, grad, s1, s2, n_weights, c, k, step64):
    _parallel(theta, grad, s1, s2, n_weights, sgd, c, k, step64)


@kernel
def _momentum_serial(theta, grad, s1, s2, n_weights, c, k, step64):
    _serial(theta, grad, s1, s2, n_weights, momentum, c, k, step64)


@parallel_kernel
def _momentum_parallel(theta, grad, s1, s2, n_weights, c, k, step64):
    _parallel(theta, grad, s1, s2, n_weights, momentum, c, k, step64)


@kernel
def _nesterov_serial(theta, grad, s1, s2, n_weights, c, k, step64):
    _serial(theta, grad, s1, s2, n_weights, nesterov, c, k, step64)


@parallel_kernel
def _nesterov_parallel(theta, grad, s1, s2, n_weights, c, k, step64):
    _parallel(theta, grad, s1, s2, n_weights, nesterov, c, k, step64)


@kernel
def _adagrad_serial(theta, grad, s1, s2, n_weights, c, k, step64):
    _serial(theta, grad, s1, s2, n_weights, adagrad, c, k, step64)


@parallel_kernel
def _adagrad_parallel(theta, grad, s1, s2, n_weights, c, k, step64):
    _parallel(theta, grad, s1, s2, n_weights, adagrad, c, k, step64)


@kernel
def _rmsprop_serial(theta, grad, s1, s2, n_weights, c, k, step64):
    _serial(theta, grad, s1, s2, n_weights, rmsprop, c, k, step64)


@parallel_kernel
def _rmsprop_parallel(theta, grad, s1, s2, n_weights, c, k, step64):
    _parallel(theta, grad, s1, s2, n_weights, rmsprop, c, k, step64)


@kernel
def _adam_serial(theta, grad, s1, s2, n_weights, c, k, step64):
    _serial(theta, grad, s1, s2, n_weights, adam, c, k, step64)


@parallel_kernel
def _adam_parallel(theta, grad, s1, s2, n_weights, c, k, step64):
    _parallel(theta, grad, s1, s2, n_weights, adam, c, k, step64)


DRIVERS = {
    "sgd": (_sgd_serial, _sgd_parallel),
    "momentum": (_momentum_serial, _momentum_parallel),
    "nesterov": (_nesterov_serial, _nesterov_parallel),
    "adagrad": (_adagrad_serial, _adagrad_parallel),
    "rmsprop": (_rmsprop_serial, _rmsprop_parallel),
    "adam": (_adam_serial, _adam_parallel),
}


@inline
def _ema_span(average, theta, omk):
    for i in range(average.size):
        a = average[i]
        average[i] = a + (theta[i] - a) * omk


@kernel
def ema_serial(average, theta, omk):
    _ema_span(average, theta, omk)


@parallel_kernel
def ema_parallel(average, theta, omk):
    n = average.size
    for chunk in prange((n + CHUNK - 1) // CHUNK):
        lo = chunk * CHUNK
        hi = min(lo + CHUNK, n)
        _ema_span(average[lo:hi], theta[lo:hi], omk)
