"""Fit several clones of one network on their own folds, training them in lockstep.

Each clone goes through its own ``fit`` (parameter validation, data checks,
callbacks, the fitted attributes) as :meth:`~skdeep._base.BaseMLP._fit_stages`
lays it out, except that the clones' training stages run together
(:mod:`skdeep.core.lockstep`) when they can, and one by one otherwise. Either
way each clone ends up fitted as by its own ``fit``: the lockstep only removes
the per-step overhead that ``k`` separate loops would pay ``k`` times.
"""

from sklearn import config_context

from ._base import BaseMLP, _finish
from ._building import blas_threads_for
from ._callbacks import with_callbacks
from .core.lockstep import lockstep_obstacle, run_lockstep

LOCKSTEP_MAX_BATCH_ENTRIES = 1 << 16
"""Largest batch of one network's input (rows x features) that trains in lockstep.

Beyond it a step is arithmetic more than overhead, so stacking saves nothing:
Caravan (233 rows x 431 columns a batch) fits in 0.98x the time of its networks
trained one by one, mlc_churn (250 x 139) in 0.9x-1.0x, where the small tables
(a few thousand entries a batch) gain 1.3x-1.6x (``benchmarks/bench_lockstep.py``).
"""


def fit_together(models, fits):
    """Fit each model on its arguments; train the stochastic ones in lockstep when possible.

    Parameters
    ----------
    models : list of BaseMLP
        Unfitted clones (fresh fits: no ``warm_start`` state).
    fits : list of dict
        Each model's ``fit`` arguments: ``X``, ``y``, ``X_val``, ``y_val``,
        and optionally ``sample_weight`` and ``sample_weight_val``.

    Returns
    -------
    models : list of BaseMLP
        The same models, fitted.
    """
    if not all(isinstance(model, BaseMLP) for model in models):
        return [model.fit(**arguments) for model, arguments in zip(models, fits)]
    return _within_callbacks(models, lambda: _fit_stages_together(models, fits))


def _within_callbacks(models, body):
    """Run ``body`` inside each model's callback management (as its ``fit`` would)."""
    if not models:
        return body()
    managed = with_callbacks(lambda model: _within_callbacks(models[1:], body))
    return managed(models[0])


def _fit_stages_together(models, fits):
    for model in models:
        model._validate_params()
    with config_context(skip_parameter_validation=True):
        stages = []
        try:
            for model, arguments in zip(models, fits):
                validation = tuple(
                    arguments.get(name) for name in ("X_val", "y_val", "sample_weight_val")
                )
                stage = model._fit_stages(
                    arguments["X"],
                    arguments["y"],
                    arguments.get("sample_weight"),
                    classes=None,
                    incremental=False,
                    continuing=False,
                    validation_data=validation,
                )
                plan = next(stage)
                stages.append((model, stage, plan))
            outcomes = _train_together([(model, plan) for model, _, plan in stages])
        except BaseException:
            for _, stage, _ in stages:
                stage.close()  # each model puts itself back
            raise
        return [_finish(stage, outcome) for (_, stage, _), outcome in zip(stages, outcomes)]


def _train_together(plans):
    """Each plan's ``(epochs, best validation score)``, in lockstep when they allow it."""
    loops = [model._loop_of(plan) for model, plan in plans]
    states = [plan.state for _, plan in plans]
    trains = [plan.train for _, plan in plans]
    validations = [plan.validation for _, plan in plans]
    batch_rows = max(loop.batch_size for loop in loops)
    # A full-batch solver has no validation data, one of the obstacles.
    reason = lockstep_obstacle(states, trains, loops, validations)
    if reason is not None or batch_rows * plans[0][1].X.shape[1] > LOCKSTEP_MAX_BATCH_ENTRIES:
        return [model._train(plan) for model, plan in plans]
    with blas_threads_for(states[0].network, len(plans) * batch_rows):
        reports = run_lockstep(
            states,
            [plan.objective for _, plan in plans],
            trains,
            loops,
            validations,
            [(plan.callbacks.epoch_begin, plan.callbacks.epoch_end) for _, plan in plans],
        )
    return [model._outcome(plan, report) for (model, plan), report in zip(plans, reports)]
