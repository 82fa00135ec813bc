"""The warnings that tell a user how training ended."""

import os
import sys
import warnings

import sklearn
from sklearn.exceptions import ConvergenceWarning

from .core.schedules import EXHAUSTED

_LIBRARY_DIRS = tuple(
    os.path.dirname(module.__file__) + os.sep
    for module in (sys.modules[__name__.rpartition(".")[0]], sklearn)
)


def _warn(message, category):
    """Warn with the location of the user's call (the first frame outside skdeep/sklearn).

    The path from the user's ``fit`` to here crosses a varying number of frames
    (scikit-learn's decorators, meta-estimators), so the level is counted.
    """
    level, frame = 2, sys._getframe(1)  # level 2 is the caller of this function
    while frame is not None and frame.f_code.co_filename.startswith(_LIBRARY_DIRS):
        frame, level = frame.f_back, level + 1
    warnings.warn(message, category, stacklevel=level)


def warn_stochastic(params, report, state, incremental):
    """Warn about how a stochastic run ended (divergence, interruption, max_iter, decay)."""
    warn_exhausted_schedule(params, state)
    kept = (
        "the parameters of the best epoch were kept"
        if report.epochs
        else "the parameters from before this call were kept (no epoch completed)"
    )
    if report.diverged_at_lr is not None:
        _warn(
            f"Training diverged in epoch {state.n_epochs + 1}: the mini-batch loss became "
            f"non-finite or exceeded 3x its initial value. The learning rate is probably "
            f"too high (learning rate {report.diverged_at_lr:g}, "
            f"learning_rate_init={params.learning_rate_init:g}); {kept}. "
            "Lower learning_rate_init.",
            ConvergenceWarning,
        )
    elif report.interrupted:
        _warn(
            f"Training interrupted (KeyboardInterrupt) after {report.epochs} epochs of this "
            f"call; {kept}.",
            UserWarning,
        )
    elif (
        not incremental
        and not report.converged
        and not report.stopped_by_hook
        and not _runs_to_the_end(params, state)
    ):
        _warn(
            f"Stochastic Optimizer: Maximum iterations ({params.max_iter}) reached and the "
            "optimization hasn't converged yet.",
            ConvergenceWarning,
        )


def warn_exhausted_schedule(params, state):
    """Warn when the schedule has decayed the rate to next to nothing.

    A fit or a stream of ``partial_fit`` calls whose step or exponential decay has
    brought the rate below ``EXHAUSTED`` of ``learning_rate_init`` keeps running
    epochs that barely change the weights; that must not pass in silence.
    """
    schedule = state.schedule
    epoch = state.n_epochs - schedule.origin
    if not schedule.exhausted(epoch):
        return
    _warn(
        f"learning_rate={params.learning_rate!r} has decayed the learning rate to "
        f"{schedule.rate(epoch):.3g} after {epoch} epochs of its schedule, below "
        f"{EXHAUSTED:g} x learning_rate_init={params.learning_rate_init:g}: further epochs "
        "barely change the weights. A new fit (warm_start=True included) starts the schedule "
        "afresh; for a long stream of partial_fit calls choose a slower decay "
        "(decay_rate, decay_steps, power_t) or learning_rate='cosine', which restarts.",
        UserWarning,
    )


def _runs_to_the_end(params, state):
    """Whether reaching ``max_iter`` is the plan (a schedule ending there, no patience)."""
    return params.n_iter_no_change is None or getattr(state.schedule, "horizon_bound", False)


def warn_lbfgs(params, outcome):
    """Warn about an interrupted or unconverged L-BFGS run."""
    if outcome.interrupted:
        _warn(
            "Training interrupted (KeyboardInterrupt); the best parameters found so far were kept.",
            UserWarning,
        )
    elif not outcome.converged:
        _warn(
            f"lbfgs failed to converge after {outcome.n_iter} iterations "
            f"(max_iter={params.max_iter}, max_fun={params.max_fun}): {outcome.message}",
            ConvergenceWarning,
        )
