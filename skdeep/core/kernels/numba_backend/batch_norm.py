"""Batch normalisation in training mode (numba).

Same contract and rounding as :mod:`..numpy_backend.batch_norm`. The forward pass
reads ``x`` twice (mean, then centred values and their squares) and writes ``x_hat``
and ``out`` in a third pass over ``x_hat``, where NumPy makes seven passes; the
backward pass makes two (the two column sums, then ``dx``) where NumPy makes eight.
Column statistics are accumulated row by row, the order of NumPy's ``axis=0``
reductions. The parallel versions give each thread whole columns, so the sums do
not depend on the number of threads.
"""

import numpy as np
from numba import prange

from ._jit import check_vectors, inline, kernel, parallel_kernel, use_parallel

_COLUMN_BLOCK = 64


@inline
def _forward_columns(
    x, gamma, beta, rmean, rvar, keep, omk, eps, mean, inv_std, x_hat, out, lo, hi
):
    n = x.shape[0]
    f = x.dtype.type
    mean_, var = mean[lo:hi], inv_std[lo:hi]
    mean_[:] = 0
    var[:] = 0
    for i in range(n):
        row = x[i, lo:hi]
        for j in range(row.size):
            mean_[j] += row[j]
    for j in range(mean_.size):
        mean_[j] = mean_[j] / f(n)
    for i in range(n):
        row, h_row = x[i, lo:hi], x_hat[i, lo:hi]
        for j in range(row.size):
            h = row[j] - mean_[j]
            h_row[j] = h
            var[j] += h * h
    unbias = f(n / max(n - 1, 1))
    for j in range(var.size):
        v = var[j] / f(n)
        col = lo + j
        if keep == 0:
            rmean[col] = mean_[j]
            rvar[col] = v * unbias
        else:
            rmean[col] = rmean[col] * keep + mean_[j] * omk
            rvar[col] = rvar[col] * keep + (v * unbias) * omk
        var[j] = f(1.0) / np.sqrt(v + eps)  # var now holds inv_std
    for i in range(n):
        h_row, o_row = x_hat[i, lo:hi], out[i, lo:hi]
        for j in range(h_row.size):
            h = h_row[j] * var[j]
            h_row[j] = h
            o_row[j] = h * gamma[lo + j] + beta[lo + j]


@kernel
def _forward_serial(x, gamma, beta, rmean, rvar, keep, omk, eps, mean, inv_std, x_hat, out):
    m = x.shape[1]
    _forward_columns(x, gamma, beta, rmean, rvar, keep, omk, eps, mean, inv_std, x_hat, out, 0, m)


@parallel_kernel
def _forward_parallel(x, gamma, beta, rmean, rvar, keep, omk, eps, mean, inv_std, x_hat, out):
    m = x.shape[1]
    for block in prange((m + _COLUMN_BLOCK - 1) // _COLUMN_BLOCK):
        lo = block * _COLUMN_BLOCK
        hi = min(lo + _COLUMN_BLOCK, m)
        _forward_columns(
            x, gamma, beta, rmean, rvar, keep, omk, eps, mean, inv_std, x_hat, out, lo, hi
        )


@inline
def _backward_columns(dy, x_hat, inv_std, gamma, dgamma, dbeta, dx, lo, hi):
    n = dy.shape[0]
    f = dy.dtype.type
    dg, db = dgamma[lo:hi], dbeta[lo:hi]
    dg[:] = 0
    db[:] = 0
    for i in range(n):
        d_row, h_row = dy[i, lo:hi], x_hat[i, lo:hi]
        for j in range(d_row.size):
            db[j] += d_row[j]
            dg[j] += d_row[j] * h_row[j]
    g, s = gamma[lo:hi], inv_std[lo:hi]
    for i in range(n):
        d_row, h_row, o_row = dy[i, lo:hi], x_hat[i, lo:hi], dx[i, lo:hi]
        for j in range(d_row.size):
            t = h_row[j] * dg[j] + db[j]
            o_row[j] = (((d_row[j] * f(n) - t) * g[j]) * s[j]) / f(n)


@kernel
def _backward_serial(dy, x_hat, inv_std, gamma, dgamma, dbeta, dx):
    _backward_columns(dy, x_hat, inv_std, gamma, dgamma, dbeta, dx, 0, dy.shape[1])


@parallel_kernel
def _backward_parallel(dy, x_hat, inv_std, gamma, dgamma, dbeta, dx):
    m = dy.shape[1]
    for block in prange((m + _COLUMN_BLOCK - 1) // _COLUMN_BLOCK):
        lo = block * _COLUMN_BLOCK
        hi = min(lo + _COLUMN_BLOCK, m)
        _backward_columns(dy, x_hat, inv_std, gamma, dgamma, dbeta, dx, lo, hi)


def _check(matrices, vectors):
    check_vectors(*matrices)
    check_vectors(*vectors)
    if matrices[0].ndim != 2 or vectors[0].shape != matrices[0].shape[1:]:
        raise ValueError("batch-norm vectors must have one entry per column")
    if vectors[0].dtype != matrices[0].dtype:
        raise ValueError("batch-norm arrays must share one dtype")


def batchnorm_forward(
    x, gamma, beta, running_mean, running_var, momentum, epsilon, mean, inv_std, x_hat, out
):
    """Normalise with batch statistics; see the NumPy reference."""
    _check((x, x_hat, out), (gamma, beta, running_mean, running_var, mean, inv_std))
    f = x.dtype.type
    parallel = use_parallel(x.size, "batch_norm")
    kernel_ = _forward_parallel if parallel else _forward_serial
    kernel_(
        x,
        gamma,
        beta,
        running_mean,
        running_var,
        f(momentum),
        f(1.0 - float(momentum)),
        f(epsilon),
        mean,
        inv_std,
        x_hat,
        out,
    )


def batchnorm_backward(dy, x_hat, inv_std, gamma, dgamma, dbeta, dx):
    """Gradients of batch normalisation; see the NumPy reference. ``dy`` is not modified."""
    _check((dy, x_hat, dx), (inv_std, gamma, dgamma, dbeta))
    if dx is dy or dx is x_hat:
        raise ValueError("dx must be neither dy nor x_hat")
    parallel = use_parallel(dy.size, "batch_norm")
    kernel_ = _backward_parallel if parallel else _backward_serial
    kernel_(dy, x_hat, inv_std, gamma, dgamma, dbeta, dx)
