"""Inverted dropout from uniforms drawn by the caller: the NumPy reference.

The caller fills ``mask`` with ``rng.random(out=mask, dtype=mask.dtype)`` from the
run's single generator, so the generator stays the only source of randomness and
both backends turn the same uniforms into the same mask: unit kept when
``u >= rate`` (the rate rounded to the mask's precision, as NumPy compares a float32
array with a Python float), scaled by ``1 / (1 - rate)``.
"""

import numpy as np


def dropout_forward(x, mask, rate, out):
    """Turn uniforms into the scaled keep-mask and apply it: ``out <- x * mask``.

    Parameters
    ----------
    x : ndarray of shape (n_rows, n_units)
        Input (C-contiguous, float32 or float64).
    mask : ndarray of shape (n_rows, n_units)
        On entry uniforms in [0, 1); on exit ``1 / (1 - rate)`` where kept, 0 where
        dropped (the cache of :func:`dropout_backward`).
    rate : float
        Drop probability, in [0, 1).
    out : ndarray of shape (n_rows, n_units)
        Receives the result; may be ``x`` itself.
    """
    np.greater_equal(mask, float(rate), out=mask)
    mask *= 1.0 / (1.0 - float(rate))
    np.multiply(x, mask, out=out)


def dropout_backward(dy, mask):
    """Apply the forward mask to the gradient in place: ``dy *= mask``.

    Parameters
    ----------
    dy : ndarray of shape (n_rows, n_units)
    mask : ndarray of shape (n_rows, n_units)
        The mask left by :func:`dropout_forward`.
    """
    dy *= mask
