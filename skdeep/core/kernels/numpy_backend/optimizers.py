"""Optimizer steps on the flat parameter vector: the NumPy reference.

Each step fuses, in this order, what the training loop runs per batch around the update:

1. the penalty gradient on the weight prefix ``[:n_weights]`` (``l2 * w`` and
   ``l1 * sign(w)``, added to ``grad`` exactly as :class:`~skdeep.core.penalties.Penalty`
   does, from the parameters *before* the step);
2. optional decoupled weight decay on the same prefix (AdamW), ``w *= 1 - lr * wd``;
3. the update rule.

The moving average of the parameters (:func:`ema_update`) is a kernel of its own: the
training loop applies the max-norm projection between the step and the average.

``grad`` is consumed: it may hold anything on return (this backend leaves the
penalised gradient in it, the numba backend leaves it unchanged). ``scratch`` is a
vector of the same size that this backend uses for intermediate results, so a step
allocates nothing; the numba backend ignores it.

Scalars are converted with ``float`` so that NumPy treats them as "weak" Python
scalars and computes in the arrays' precision, as the training loop does.
"""

import numpy as np

from .._common import adam_step_size


def _regularise(theta, grad, scratch, n_weights, lr, l2, l1, weight_decay):
    """Penalty gradient into ``grad[:n_weights]``, then decoupled decay of the weights."""
    if n_weights == 0:
        return
    w, g, term = theta[:n_weights], grad[:n_weights], scratch[:n_weights]
    if l2 != 0:
        np.multiply(w, float(l2), out=term)
        g += term
    if l1 != 0:
        np.sign(w, out=term)
        term *= float(l1)
        g += term
    if weight_decay != 0:
        w *= 1.0 - float(lr) * float(weight_decay)


def ema_update(average, theta, scratch, keep):
    """Fold ``theta`` into its exponential moving average: ``avg += (1 - keep) (theta - avg)``.

    Parameters
    ----------
    average : ndarray of shape (n,)
        The running average, updated in place.
    theta : ndarray of shape (n,)
        The current parameters.
    scratch : ndarray of shape (n,)
        Work space (ignored by the numba backend).
    keep : float
        Weight of the old average, in [0, 1).
    """
    np.subtract(theta, average, out=scratch)
    scratch *= 1.0 - float(keep)
    average += scratch


def sgd_step(
    theta,
    grad,
    velocity,
    scratch,
    lr,
    momentum=0.9,
    nesterov=True,
    n_weights=0,
    l2=0.0,
    l1=0.0,
    weight_decay=0.0,
):
    r"""One SGD step, plain, with momentum or with Nesterov momentum.

    :math:`v \leftarrow \mu v - \eta g`, then :math:`\theta \mathrel{+}= v` or, with
    Nesterov momentum, :math:`\theta \mathrel{+}= \mu v - \eta g`; with
    :math:`\mu = 0`, :math:`\theta \mathrel{-}= \eta g` and ``velocity`` is not used.

    Parameters
    ----------
    theta : ndarray of shape (n,)
        Parameters, updated in place (C-contiguous, float32 or float64).
    grad : ndarray of shape (n,)
        Data-loss gradient; consumed.
    velocity : ndarray of shape (n,) or None
        Momentum buffer, updated in place (None only when ``momentum == 0``).
    scratch : ndarray of shape (n,)
        Work space.
    lr : float
        Learning rate.
    momentum : float, default=0.9
    nesterov : bool, default=True
    n_weights : int, default=0
        Length of the penalised prefix.
    l2, l1 : float, default=0.0
        Penalty coefficients: the gradient gains ``l2 * w + l1 * sign(w)``.
    weight_decay : float, default=0.0
        Decoupled decay: ``w *= 1 - lr * weight_decay`` before the update.
    """
    _regularise(theta, grad, scratch, n_weights, lr, l2, l1, weight_decay)
    step = scratch
    np.multiply(grad, -float(lr), out=step)
    if momentum == 0:
        theta += step
    else:
        mu = float(momentum)
        velocity *= mu
        velocity += step
        if nesterov:
            np.multiply(velocity, mu, out=grad)  # grad is free now: no temporary
            step += grad
            theta += step
        else:
            theta += velocity


def _adaptive_update(theta, grad, cache, scratch, lr, epsilon):
    """The Adagrad/RMSProp step ``theta -= lr * g / (sqrt(cache) + eps)``."""
    step = scratch
    np.sqrt(cache, out=step)
    step += float(epsilon)
    np.divide(grad, step, out=step)
    step *= -float(lr)
    theta += step


def adagrad_step(
    theta,
    grad,
    cache,
    scratch,
    lr,
    epsilon=1e-8,
    n_weights=0,
    l2=0.0,
    l1=0.0,
    weight_decay=0.0,
):
    r"""One Adagrad step: :math:`c \mathrel{+}= g^2`, then the scaled gradient step.

    :math:`\theta \mathrel{-}= \eta g / (\sqrt c + \epsilon)`.

    Parameters
    ----------
    theta, grad, scratch : ndarray of shape (n,)
        As in :func:`sgd_step`.
    cache : ndarray of shape (n,)
        Sum of squared gradients, updated in place.
    lr : float
    epsilon : float, default=1e-8
    n_weights, l2, l1, weight_decay
        As in :func:`sgd_step`.
    """
    _regularise(theta, grad, scratch, n_weights, lr, l2, l1, weight_decay)
    np.multiply(grad, grad, out=scratch)
    cache += scratch
    _adaptive_update(theta, grad, cache, scratch, lr, epsilon)


def rmsprop_step(
    theta,
    grad,
    cache,
    scratch,
    lr,
    rho=0.9,
    epsilon=1e-8,
    n_weights=0,
    l2=0.0,
    l1=0.0,
    weight_decay=0.0,
):
    r"""One RMSProp step: :math:`c \leftarrow \rho c + (1 - \rho) g^2`, then as Adagrad.

    Parameters
    ----------
    theta, grad, scratch : ndarray of shape (n,)
        As in :func:`sgd_step`.
    cache : ndarray of shape (n,)
        Leaky average of squared gradients, updated in place.
    lr : float
    rho : float, default=0.9
    epsilon : float, default=1e-8
    n_weights, l2, l1, weight_decay
        As in :func:`sgd_step`.
    """
    _regularise(theta, grad, scratch, n_weights, lr, l2, l1, weight_decay)
    rho = float(rho)
    np.multiply(grad, grad, out=scratch)
    scratch *= 1 - rho
    cache *= rho
    cache += scratch
    _adaptive_update(theta, grad, cache, scratch, lr, epsilon)


def adam_step(
    theta,
    grad,
    m,
    v,
    scratch,
    lr,
    t,
    beta_1=0.9,
    beta_2=0.999,
    epsilon=1e-8,
    n_weights=0,
    l2=0.0,
    l1=0.0,
    weight_decay=0.0,
):
    r"""One Adam step with the bias corrections folded into the step size.

    :math:`m \leftarrow \beta_1 m + (1 - \beta_1) g`,
    :math:`v \leftarrow \beta_2 v + (1 - \beta_2) g^2`,
    :math:`\theta \mathrel{-}= \eta_t m / (\sqrt v + \epsilon)` with
    :math:`\eta_t = \eta \sqrt{1 - \beta_2^t} / (1 - \beta_1^t)`.

    Parameters
    ----------
    theta, grad, scratch : ndarray of shape (n,)
        As in :func:`sgd_step`.
    m, v : ndarray of shape (n,)
        First and second moment estimates, updated in place.
    lr : float
    t : int
        Step number, from 1 (the caller counts).
    beta_1, beta_2 : float, default=0.9, 0.999
    epsilon : float, default=1e-8
    n_weights, l2, l1, weight_decay
        As in :func:`sgd_step`.
    """
    _regularise(theta, grad, scratch, n_weights, lr, l2, l1, weight_decay)
    b1, b2 = float(beta_1), float(beta_2)
    np.multiply(grad, 1 - b1, out=scratch)
    m *= b1
    m += scratch
    np.multiply(grad, grad, out=scratch)
    scratch *= 1 - b2
    v *= b2
    v += scratch
    step_size = adam_step_size(float(lr), t, b1, b2)
    np.sqrt(v, out=scratch)
    scratch += float(epsilon)
    np.divide(m, scratch, out=scratch)
    scratch *= -step_size  # a np.float64: multiplied in double, as optimizers.Adam does
    theta += scratch
