r"""Numerical gradient check: analytic gradient against centred finite differences.

For every parameter array :math:`P`, the relative error is

.. math::

    \frac{\lVert g_{\text{analytic}} - g_{\text{numerical}} \rVert}
         {\max(\lVert g_{\text{analytic}} \rVert + \lVert g_{\text{numerical}} \rVert, 10^{-12})}

(0 when both vanish), so an array whose true gradient is zero does not read as an
error. "Vanish" means: below the resolution of the finite differences, whose
rounding noise per entry is about :math:`\epsilon_{\text{machine}} |L| / h` for a
loss :math:`L` and step :math:`h`; both norms under 10 times that noise (over the
array) count as zero. Dropout masks are re-drawn from the same seed for every evaluation, so the
objective is a deterministic function of the parameters.
"""

import numpy as np


def relative_error(analytic, numerical, noise=0.0):
    """Relative error between two gradient arrays (see module docstring).

    Parameters
    ----------
    analytic, numerical : ndarray
    noise : float, default=0.0
        Norm below which both arrays count as zero.

    Returns
    -------
    error : float
    """
    norm_a, norm_n = float(np.linalg.norm(analytic)), float(np.linalg.norm(numerical))
    if max(norm_a, norm_n) <= noise:
        return 0.0
    return float(np.linalg.norm(analytic - numerical)) / max(norm_a + norm_n, 1e-12)


def check_objective_gradients(objective, X, y, weights=None, *, epsilon=1e-6, seed=0):
    """Compare the objective's analytic gradient with centred differences.

    Parameters
    ----------
    objective : Objective
        Its network should be float64 for a meaningful check.
    X : ndarray or sparse matrix of shape (n, n_features)
    y : ndarray of shape (n,), int
    weights : ndarray of shape (n,) or None
        Normalised sample weights.
    epsilon : float, default=1e-6
        Finite-difference step.
    seed : int, default=0
        Seed of the dropout masks (identical for every evaluation).

    Returns
    -------
    errors : dict of str to float
        Relative error per parameter array, keyed as
        :attr:`Network.param_slices` (``"coefs_0"``, ``"intercepts_0"``,
        ``"gamma_0"``, ...).
    """
    network = objective.network
    state = network.state.copy()

    def loss_at(_):
        network.state[...] = state  # batch norm must not drift between evaluations
        return objective.value_and_gradient(X, y, weights, np.random.default_rng(seed))

    loss = loss_at(None)
    analytic = network.grad.copy()
    noise_per_entry = 10 * np.finfo(np.float64).eps * max(1.0, abs(loss)) / epsilon
    numerical = np.zeros_like(analytic)
    theta = network.theta
    for i in range(theta.size):
        original = theta[i]
        theta[i] = original + epsilon
        plus = loss_at(None)
        theta[i] = original - epsilon
        minus = loss_at(None)
        theta[i] = original
        numerical[i] = (plus - minus) / (2 * epsilon)
    network.state[...] = state

    return {
        name: relative_error(
            analytic[sl], numerical[sl], noise_per_entry * np.sqrt(sl.stop - sl.start)
        )
        for name, sl in network.param_slices.items()
    }
