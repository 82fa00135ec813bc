"""Batch normalisation in training mode: the NumPy reference.

The arithmetic of :class:`skdeep.core.layers.BatchNorm` (same statistics, same
running-average update, same rounding order in the forward pass), rearranged so that
nothing is allocated and the backward pass leaves the cached ``x_hat`` intact.
"""

import numpy as np


def batchnorm_forward(
    x, gamma, beta, running_mean, running_var, momentum, epsilon, mean, inv_std, x_hat, out
):
    r"""Normalise with batch statistics, scale and shift, update the running statistics.

    :math:`\hat x = (x - \mu_B) / \sqrt{\sigma_B^2 + \epsilon}`,
    :math:`y = \gamma \hat x + \beta`; ``running = momentum * running + (1 - momentum)
    * batch`` with the unbiased batch variance.

    Parameters
    ----------
    x : ndarray of shape (n_rows, width)
        Input (C-contiguous, float32 or float64); not modified.
    gamma, beta : ndarray of shape (width,)
        Scale and shift.
    running_mean, running_var : ndarray of shape (width,)
        Updated in place.
    momentum : float
        Weight of the old running value.
    epsilon : float
        Added to the variance.
    mean : ndarray of shape (width,)
        Receives the batch mean.
    inv_std : ndarray of shape (width,)
        Receives :math:`1 / \sqrt{\sigma_B^2 + \epsilon}` (cache for the backward pass).
    x_hat : ndarray of shape (n_rows, width)
        Receives :math:`\hat x` (cache for the backward pass).
    out : ndarray of shape (n_rows, width)
        Receives ``y``.
    """
    n = x.shape[0]
    keep = float(momentum)
    np.sum(x, axis=0, out=mean)
    mean /= n
    np.subtract(x, mean, out=x_hat)
    var = inv_std  # inv_std holds the batch variance until the running update is done
    np.einsum("ij,ij->j", x_hat, x_hat, out=var)
    var /= n
    tmp = out[0]  # out is written last: its first row is free work space until then
    if keep == 0:  # assign: 0 * inf would be NaN
        running_mean[...] = mean
        np.multiply(var, n / max(n - 1, 1), out=running_var)
    else:
        running_mean *= keep
        np.multiply(mean, 1 - keep, out=tmp)
        running_mean += tmp
        np.multiply(var, n / max(n - 1, 1), out=tmp)
        tmp *= 1 - keep
        running_var *= keep
        running_var += tmp
    var += float(epsilon)
    np.sqrt(var, out=inv_std)
    np.divide(1.0, inv_std, out=inv_std)
    x_hat *= inv_std
    np.multiply(x_hat, gamma, out=out)
    out += beta


def batchnorm_backward(dy, x_hat, inv_std, gamma, dgamma, dbeta, dx):
    r"""Gradients of batch normalisation: ``dgamma``, ``dbeta`` and ``dx``.

    With :math:`N` rows:
    :math:`dx = \gamma\, \sigma^{-1} (N\, dy - \sum dy - \hat x \sum dy\, \hat x) / N`.

    Parameters
    ----------
    dy : ndarray of shape (n_rows, width)
        Gradient with respect to the output; consumed.
    x_hat : ndarray of shape (n_rows, width)
        Cache of :func:`batchnorm_forward`; not modified.
    inv_std : ndarray of shape (width,)
        Cache of :func:`batchnorm_forward`.
    gamma : ndarray of shape (width,)
    dgamma, dbeta : ndarray of shape (width,)
        Receive the parameter gradients.
    dx : ndarray of shape (n_rows, width)
        Receives the input gradient; must be neither ``dy`` nor ``x_hat``.
    """
    n = dy.shape[0]
    np.sum(dy, axis=0, out=dbeta)
    np.einsum("ij,ij->j", dy, x_hat, out=dgamma)
    np.multiply(x_hat, dgamma, out=dx)
    dx += dbeta
    dy *= n
    np.subtract(dy, dx, out=dx)
    dx *= gamma
    dx *= inv_std
    dx /= n
