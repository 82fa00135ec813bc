"""From frozen settings to core objects: network, objective, optimizer, training state.

Every function here reads a :class:`~skdeep._settings.Settings` object, never an
estimator. Registry entries get exactly the settings they declare
(:func:`skdeep.core.hyperparameters.select`), so there is no list of
hyperparameters to keep in step with the registries.
"""

import contextlib
import functools
import math

import numpy as np

from .core._registry import lookup
from .core.averaging import ParameterAverage
from .core.hyperparameters import select
from .core.losses import LOSSES, get_loss
from .core.network import Network, NetworkSpec
from .core.objective import Objective
from .core.optimizers import OPTIMIZERS, OptimizerSpec
from .core.penalties import PENALTIES, Penalty
from .core.schedules import SCHEDULES, get_schedule
from .core.training import LoopSettings, TrainingState

# Below this many multiply-adds in a batch's largest matrix product, a second
# OpenBLAS thread costs more than it gains: measured on 2 cores, (200x64)@(64x100)
# took 68 us on one thread and 371 us on two, while (200x256)@(256x256) took
# 592 us and 330 us (see doc/benchmarks.md).
SMALL_GEMM_MULTIPLY_ADDS = 5e6
MAX_SEED = np.iinfo(np.int32).max


def resolved_batch_size(settings, n_samples):
    """Mini-batch size: ``'auto'`` is ``min(200, n_samples)``; a float is a fraction of the rows."""
    batch_size = settings.batch_size
    if batch_size == "auto":
        return min(200, n_samples)
    if isinstance(batch_size, float):
        return max(1, min(n_samples, math.ceil(batch_size * n_samples)))
    return min(batch_size, n_samples)


def training_dtype(settings, X_dtype):
    """Training precision: ``dtype`` if set, else float32 for float32 X, else float64."""
    if settings.dtype is not None:
        return np.dtype(settings.dtype)
    return np.dtype(np.float32) if X_dtype == np.float32 else np.dtype(np.float64)


def network_spec(settings, n_features, n_outputs):
    """The :class:`NetworkSpec` the settings describe."""
    return NetworkSpec(
        n_features=n_features,
        hidden_layer_sizes=settings.hidden_layer_sizes,
        n_outputs=n_outputs,
        activation=settings.activation,
        activation_params=settings.values,
        batch_norm=settings.batch_norm,
        batch_norm_momentum=settings.batch_norm_momentum,
        dropout=settings.dropout,
        n_members=settings.n_members,
        zero_output=zero_output_layer(settings),
    )


def zero_output_layer(settings):
    """Whether the output layer starts at zero: ``'zero'``, or ``'auto'`` for regression.

    A regressor whose output layer starts at zero predicts the mean of the
    (standardised) targets until its first step, so no random first prediction
    sends the loss of a small batch far above that of the mean.
    """
    if settings.output_init == "auto":
        return lookup(settings.head, LOSSES, "loss").family == "regression"
    return settings.output_init == "zero"


def blas_threads_for(network, batch_rows):
    """Context limiting BLAS to one thread when the batch's matrix products are small.

    Parameters
    ----------
    network : Network
    batch_rows : int
        Rows per forward pass.

    Returns
    -------
    context : context manager
    """
    largest = max(layer.fan_in * layer.fan_out for layer in network.dense_layers)
    controller = _blas_controller()
    if batch_rows * largest >= SMALL_GEMM_MULTIPLY_ADDS or controller is None:
        return contextlib.nullcontext()
    return controller.limit(limits=1, user_api="blas")


@functools.cache
def _blas_controller():
    """One thread-pool controller for the process (None without threadpoolctl).

    ``threadpool_limits`` rescans the loaded libraries on every call (0.7-3 ms,
    more than a whole small ``partial_fit``); a controller made once limits them
    in microseconds. BLAS libraries loaded after the first fit are not limited.
    """
    try:  # a dependency of scikit-learn; without it, leave BLAS as it is
        from threadpoolctl import ThreadpoolController
    except ImportError:  # pragma: no cover
        return None
    return ThreadpoolController()


def make_loss(settings):
    """The head of the settings, built with the settings it declares."""
    return get_loss(settings.head, **select(lookup(settings.head, LOSSES, "loss"), settings.values))


def make_penalty(settings):
    """The weight penalty of the settings."""
    name = settings.penalty
    declared = {} if name is None else select(lookup(name, PENALTIES, "penalty"), settings.values)
    return Penalty(name, settings.alpha, **declared)


def make_objective(settings, network):
    """The training objective: the head plus the weight penalty."""
    return Objective(network, make_loss(settings), make_penalty(settings))


def optimizer_spec(settings, network):
    """The :class:`OptimizerSpec` of the settings' solver for ``network``.

    The step adds the penalty's gradient itself (fused), so the spec carries the
    penalty's coefficients, and the kernel backend chosen for the network's size.
    """
    # lbfgs never runs the stochastic loop; its state holds a plain SGD spec.
    name = "sgd" if settings.solver == "lbfgs" else settings.solver
    hyperparameters = select(lookup(name, OPTIMIZERS, "solver"), settings.values)
    size, dtype = network.theta.size, network.dtype.name
    return OptimizerSpec(
        name,
        size,
        dtype,
        hyperparameters,
        n_weights=network.n_weights,
        penalty=make_penalty(settings).coefficients,
        kernels=network.kernels,
    )


def make_schedule(settings):
    """The learning-rate schedule of the settings."""
    name = settings.learning_rate
    declared = select(lookup(name, SCHEDULES, "learning-rate schedule"), settings.values)
    return get_schedule(name, settings.learning_rate_init, horizon=settings.max_iter, **declared)


def make_averager(settings, network):
    """A :class:`ParameterAverage` when ``average`` asks for one, else None."""
    if settings.average is None or settings.solver == "lbfgs":
        return None
    return ParameterAverage(settings.average, kernels=network.kernels)


def loop_settings(settings, n_samples, incremental, verbose):
    """How one call of the epoch loop trains (:class:`~skdeep.core.training.LoopSettings`)."""
    return LoopSettings(
        batch_size=resolved_batch_size(settings, n_samples),
        # A fraction of the rows asks for a number of batches: make them equal.
        even_batches=isinstance(settings.batch_size, float),
        max_epochs=1 if incremental else settings.max_iter,
        shuffle=settings.shuffle,
        tol=settings.tol,
        n_iter_no_change=settings.n_iter_no_change,
        stop_on_plateau=not incremental,
        max_norm=settings.max_norm,
        verbose=verbose,
        scoring=settings.scoring,
    )


def rebuild_for_warm_start(settings, state, spec):
    """Prepare ``state`` for a ``warm_start`` fit with the current settings.

    As in scikit-learn's ``MLPClassifier``, the weights carry over while the
    optimizer, the schedule and the weight average start afresh from the current
    parameters, so that e.g. a lower ``learning_rate_init`` fine-tunes a model.
    (``partial_fit`` keeps them instead.)

    Raises
    ------
    ValueError
        When a parameter that shapes the network changed since the last fit.
    """
    old = state.network
    changed = old.spec.layout_changes(spec)
    if changed:
        raise ValueError(
            f"warm_start cannot continue: {', '.join(changed)} changed since the last fit, "
            "which changes the network's weights. Set warm_start=False to refit."
        )
    if spec != old.spec:
        network = Network(spec, old.dtype, kernels=old.kernels)
        network.theta[...], network.state[...] = old.theta, old.state
        state.network = network
    state.optimizer_spec = optimizer_spec(settings, state.network)
    state.optimizer = state.optimizer_spec.build()
    # This call's schedule starts at the epochs already run: a second fit runs the
    # whole schedule again instead of continuing past its horizon.
    state.schedule = make_schedule(settings).start_at(state.n_epochs)
    state.averager = make_averager(settings, state.network)


def initial_network(settings, X, n_outputs, dtype, rng):
    """A freshly initialised :class:`Network` (draws from ``rng``)."""
    network = Network(network_spec(settings, X.shape[1], n_outputs), dtype, kernels="auto")
    sample = None
    if settings.weight_init == "lsuv":
        n = X.shape[0]
        size = min(n, max(resolved_batch_size(settings, n), 500))
        sample = X[np.sort(rng.choice(n, size=size, replace=False))]
    network.initialize(settings.weight_init, rng, X_sample=sample, hyperparameters=settings.values)
    return network


def new_training_state(settings, X, n_outputs, dtype, seed_source):
    """A freshly initialised :class:`TrainingState` (network, optimizer, schedule, rng)."""
    rng = np.random.default_rng(seed_source.randint(MAX_SEED))
    network = initial_network(settings, X, n_outputs, dtype, rng)
    spec = optimizer_spec(settings, network)
    return TrainingState(
        network, spec.build(), spec, make_schedule(settings), rng, make_averager(settings, network)
    )
