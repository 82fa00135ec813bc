"""Full-batch training with L-BFGS-B (scipy.optimize.minimize).

The course notes' advice for L-BFGS is to use it in full-batch, deterministic mode
with every source of noise disabled: the objective here is the whole training set,
in training mode (batch statistics over all samples, which are deterministic), and
dropout is refused by the estimators. scipy works in float64; a float32 network is
evaluated in float32 and its gradient cast.
"""

import time

import numpy as np
import scipy.optimize

from .training import update_ratios


class LbfgsResult:
    """Outcome of :func:`train_lbfgs`.

    Attributes
    ----------
    n_iter : int
    n_evaluations : int
    loss : float
        Loss at the returned parameters.
    loss_curve : list of float
        Loss after each L-BFGS iteration.
    history : list of dict
        One record per iteration: ``loss``, ``update_ratio`` (per weight
        matrix, from successive iterates), ``time`` (seconds); ``learning_rate``
        is NaN (L-BFGS chooses its steps by line search).
    converged : bool
    interrupted : bool
    message : str
    """

    def __init__(self):
        self.n_iter = self.n_evaluations = 0
        self.loss = np.inf
        self.loss_curve = []
        self.history = []
        self.converged = self.interrupted = False
        self.message = ""


def train_lbfgs(objective, data, *, max_iter, max_fun, tol):
    """Minimise the objective over the whole data set; leaves the result in the network.

    Parameters
    ----------
    objective : Objective
    data : Dataset
    max_iter : int
        Maximum L-BFGS iterations.
    max_fun : int
        Maximum loss evaluations.
    tol : float
        Gradient tolerance (``gtol``).

    Returns
    -------
    result : LbfgsResult
    """
    network = objective.network
    theta = network.theta
    X, y, sw = data.take(slice(None))
    weights = None if sw is None else sw / sw.sum()
    best_theta, result = theta.copy(), LbfgsResult()

    def loss_and_gradient(x):
        theta[...] = x
        loss = objective.value_and_gradient(X, y, weights)
        result.n_evaluations += 1
        if loss < result.loss:
            result.loss = loss
            best_theta[...] = theta
        return loss, network.grad.astype(np.float64)

    sizes = [W.size for W in network.weight_matrices]
    previous = {"x": theta.astype(np.float64), "time": time.perf_counter()}

    def after_iteration(intermediate_result):
        result.n_iter += 1
        loss = float(intermediate_result.fun)
        x, now = intermediate_result.x, time.perf_counter()
        result.loss_curve.append(loss)
        result.history.append(
            {
                "loss": loss,
                "learning_rate": float("nan"),
                "update_ratio": update_ratios(
                    x[: network.n_weights], previous["x"][: network.n_weights], sizes
                ),
                "time": now - previous["time"],
            }
        )
        previous["x"], previous["time"] = x.copy(), now

    try:
        outcome = scipy.optimize.minimize(
            loss_and_gradient,
            theta.astype(np.float64),
            method="L-BFGS-B",
            jac=True,
            callback=after_iteration,
            options={"maxiter": max_iter, "maxfun": max_fun, "gtol": tol},
        )
        result.converged = bool(outcome.success)
        result.message = str(outcome.message)
        result.n_iter = int(outcome.nit)
    except KeyboardInterrupt:
        result.interrupted = True
    theta[...] = best_theta
    network.set_batch_norm_statistics(X)
    return result
