"""The max-norm constraint on one weight matrix (numba).

Two passes over ``W`` as NumPy needs, but without ``einsum``'s setup: the squared
column norms are accumulated row by row (the order of ``einsum("ij,ij->j")``), and
the scaling pass is skipped when no column leaves the ball.
"""

import numpy as np

from ._jit import kernel


@kernel
def _project(W, max_norm, norms):
    norms[:] = 0
    for i in range(W.shape[0]):
        row = W[i]
        for j in range(row.size):
            norms[j] += row[j] * row[j]
    exceeded = False
    for j in range(norms.size):
        norms[j] = np.sqrt(norms[j])
        exceeded |= norms[j] > max_norm
    if not exceeded:
        return
    for j in range(norms.size):
        norms[j] = max_norm / max(norms[j], max_norm)
    for i in range(W.shape[0]):
        row = W[i]
        for j in range(row.size):
            row[j] = row[j] * norms[j]


def max_norm_project(W, max_norm, norms):
    """Scale the columns of ``W`` longer than ``max_norm`` onto the ball; see the reference."""
    if W.ndim != 2 or norms.shape != W.shape[1:] or norms.dtype != W.dtype:
        raise ValueError(f"norms of shape {norms.shape} for W of shape {W.shape}")
    if not (W.flags.c_contiguous and norms.flags.c_contiguous):
        raise ValueError("W and norms must be C-contiguous")
    _project(W, W.dtype.type(max_norm), norms)
