"""The max-norm constraint on one weight matrix: the NumPy reference."""

import numpy as np


def max_norm_project(W, max_norm, norms):
    """Scale every column of ``W`` whose L2 norm exceeds ``max_norm`` back onto the ball.

    The definition (columns longer than ``max_norm`` rescaled onto the ball) without
    boolean indexing: columns within the ball are multiplied by exactly 1.

    Parameters
    ----------
    W : ndarray of shape (fan_in, fan_out)
        Modified in place (C-contiguous, float32 or float64).
    max_norm : float
        Radius ``c > 0``.
    norms : ndarray of shape (fan_out,)
        Work space of W's dtype; holds the column scale factors on return.
    """
    np.einsum("ij,ij->j", W, W, out=norms)
    np.sqrt(norms, out=norms)
    if not norms.max(initial=0) > max_norm:
        return
    c = float(max_norm)
    np.maximum(norms, c, out=norms)  # columns inside the ball get c / c = 1
    np.divide(c, norms, out=norms)
    W *= norms
