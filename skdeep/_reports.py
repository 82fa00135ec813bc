"""The warnings that tell a user how training ended."""

import warnings

from sklearn.exceptions import ConvergenceWarning


def warn_stochastic(params, report, state, incremental):
    """Warn about how a stochastic run ended (divergence, interruption, max_iter)."""
    kept = (
        "the parameters of the best epoch were kept"
        if report.epochs
        else "the parameters from before this call were kept (no epoch completed)"
    )
    if report.diverged_at_lr is not None:
        warnings.warn(
            f"Training diverged in epoch {state.n_epochs + 1}: the mini-batch loss became "
            f"non-finite or exceeded 3x its initial value. The learning rate is probably "
            f"too high (learning rate {report.diverged_at_lr:g}, "
            f"learning_rate_init={params.learning_rate_init:g}); {kept}. "
            "Lower learning_rate_init.",
            ConvergenceWarning,
            stacklevel=5,
        )
    elif report.interrupted:
        warnings.warn(
            f"Training interrupted (KeyboardInterrupt) after {report.epochs} epochs of this "
            f"call; {kept}.",
            UserWarning,
            stacklevel=5,
        )
    elif not incremental and not report.converged and not report.stopped_by_hook:
        warnings.warn(
            f"Stochastic Optimizer: Maximum iterations ({params.max_iter}) reached and the "
            "optimization hasn't converged yet.",
            ConvergenceWarning,
            stacklevel=5,
        )


def warn_lbfgs(params, outcome):
    """Warn about an interrupted or unconverged L-BFGS run."""
    if outcome.interrupted:
        warnings.warn(
            "Training interrupted (KeyboardInterrupt); the best parameters found so far "
            "were kept.",
            UserWarning,
            stacklevel=5,
        )
    elif not outcome.converged:
        warnings.warn(
            f"lbfgs failed to converge after {outcome.n_iter} iterations "
            f"(max_iter={params.max_iter}, max_fun={params.max_fun}): {outcome.message}",
            ConvergenceWarning,
            stacklevel=5,
        )
