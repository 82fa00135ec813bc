"""Optimizer steps on the flat parameter vector: one fused pass per step (numba).

Same signatures and same arithmetic as :mod:`..numpy_backend.optimizers`: where NumPy
makes a dozen passes over four parameter-sized vectors (the penalty, the moment
updates, the square root, the division, the update), the loop here reads
every vector once and writes each updated one once, keeping the intermediates in
registers. Each elementary operation is the one NumPy performs, in the same precision
and order (the constants are passed already rounded to the arrays' dtype), so the two
backends agree to the last bit.

Each rule is a "span" (one pass over a contiguous range, inlined), run by a serial
driver on the penalised prefix and on the rest, or by a parallel driver on fixed
chunks; fixed chunks keep the result independent of the number of threads. ``grad``
is only read here and ``scratch`` is not used.
"""

import numpy as np

from .._common import adam_step_size
from ._jit import check_vectors, empty_like_dtype, use_parallel
from .optimizer_kernels import DRIVERS, ema_parallel, ema_serial


def _run(rule, theta, grad, s1, s2, k, step64, n_weights, lr, l2, l1, weight_decay):
    """Validate, round the constants to the dtype and launch the serial or parallel driver."""
    check_vectors(theta, grad, *(a for a in (s1, s2) if a is not None))
    if not 0 <= n_weights <= theta.size:
        raise ValueError(f"n_weights={n_weights} outside [0, {theta.size}]")
    f = theta.dtype.type
    empty = empty_like_dtype(theta.dtype)
    c = (f(l2), f(l1), f(1.0 - float(lr) * float(weight_decay)))
    k = tuple(f(x) for x in k)
    s1 = empty if s1 is None else s1
    s2 = empty if s2 is None else s2
    serial, parallel = DRIVERS[rule]
    driver = parallel if use_parallel(theta.size, "optimizer") else serial
    driver(theta, grad, s1, s2, int(n_weights), c, k, np.float64(step64))


def sgd_step(
    theta, grad, velocity, scratch, lr, momentum=0.9, nesterov=True,
    n_weights=0, l2=0.0, l1=0.0, weight_decay=0.0,
):  # fmt: skip
    """One SGD step, plain, with momentum or with Nesterov momentum.

    See :func:`skdeep.core.kernels.numpy_backend.sgd_step`; ``scratch`` is unused.
    """
    mu = float(momentum)
    rule = "sgd" if mu == 0 else ("nesterov" if nesterov else "momentum")
    k = (-float(lr), mu, 0.0, 0.0, 0.0)
    velocity = None if mu == 0 else velocity
    _run(rule, theta, grad, velocity, None, k, 0.0, n_weights, lr, l2, l1, weight_decay)


def adagrad_step(
    theta, grad, cache, scratch, lr, epsilon=1e-8, n_weights=0, l2=0.0, l1=0.0, weight_decay=0.0
):
    """One Adagrad step; see :func:`skdeep.core.kernels.numpy_backend.adagrad_step`."""
    k = (-float(lr), float(epsilon), 0.0, 0.0, 0.0)
    _run("adagrad", theta, grad, cache, None, k, 0.0, n_weights, lr, l2, l1, weight_decay)


def rmsprop_step(
    theta, grad, cache, scratch, lr, rho=0.9, epsilon=1e-8,
    n_weights=0, l2=0.0, l1=0.0, weight_decay=0.0,
):  # fmt: skip
    """One RMSProp step; see :func:`skdeep.core.kernels.numpy_backend.rmsprop_step`."""
    rho = float(rho)
    k = (-float(lr), float(epsilon), rho, 1 - rho, 0.0)
    _run("rmsprop", theta, grad, cache, None, k, 0.0, n_weights, lr, l2, l1, weight_decay)


def adam_step(
    theta, grad, m, v, scratch, lr, t, beta_1=0.9, beta_2=0.999, epsilon=1e-8,
    n_weights=0, l2=0.0, l1=0.0, weight_decay=0.0,
):  # fmt: skip
    """One Adam step; see :func:`skdeep.core.kernels.numpy_backend.adam_step`."""
    b1, b2 = float(beta_1), float(beta_2)
    step = -adam_step_size(float(lr), t, b1, b2)
    k = (b1, 1 - b1, b2, 1 - b2, float(epsilon))
    _run("adam", theta, grad, m, v, k, step, n_weights, lr, l2, l1, weight_decay)


def ema_update(average, theta, scratch, keep):
    """Fold ``theta`` into its moving average; see the NumPy reference. ``scratch`` is unused."""
    check_vectors(average, theta)
    omk = theta.dtype.type(1.0 - float(keep))
    if use_parallel(theta.size, "ema"):
        ema_parallel(average, theta, omk)
    else:
        ema_serial(average, theta, omk)
