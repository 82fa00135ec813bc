"""From estimator parameters to core objects: network, objective, optimizer, state.

These functions read an estimator's public parameters (``params``) and build the
corresponding :mod:`skdeep.core` objects, so that the estimator classes only
validate, call and export.
"""

import contextlib
from numbers import Integral

import numpy as np

from .core.averaging import ParameterAverage
from .core.losses import LOSSES
from .core.network import Network, NetworkSpec
from .core.objective import Objective
from .core.optimizers import OptimizerSpec
from .core.penalties import Penalty
from .core.schedules import Schedule
from .core.training import TrainingState

DEFAULT_AVERAGE_DECAY = 0.999

# Below this many multiply-adds in a batch's largest matrix product, a second
# OpenBLAS thread costs more than it gains: measured on 2 cores, (200x64)@(64x100)
# took 68 us on one thread and 371 us on two, while (200x256)@(256x256) took
# 592 us and 330 us (see doc/benchmarks.md).
SMALL_GEMM_MULTIPLY_ADDS = 5e6
MAX_SEED = np.iinfo(np.int32).max


def resolved_batch_size(params, n_samples):
    """Mini-batch size: ``'auto'`` is ``min(200, n_samples)``."""
    return min(200, n_samples) if params.batch_size == "auto" else min(params.batch_size, n_samples)


def training_dtype(params, X_dtype):
    """Training precision: ``dtype`` if set, else float32 for float32 X, else float64."""
    if params.dtype is not None:
        return np.dtype(params.dtype)
    return np.dtype(np.float32) if X_dtype == np.float32 else np.dtype(np.float64)


def hidden_sizes(params):
    """``hidden_layer_sizes`` as a tuple of positive ints (ValueError otherwise)."""
    sizes = params.hidden_layer_sizes
    sizes = [sizes] if isinstance(sizes, Integral) else list(sizes)
    if not all(isinstance(s, Integral) and not isinstance(s, bool) and s > 0 for s in sizes):
        raise ValueError(
            f"hidden_layer_sizes must contain positive integers; got {params.hidden_layer_sizes!r}."
        )
    return tuple(int(s) for s in sizes)


def network_spec(params, n_features, n_outputs):
    """The :class:`NetworkSpec` the estimator's parameters describe."""
    return NetworkSpec(
        n_features=n_features,
        hidden_layer_sizes=hidden_sizes(params),
        n_outputs=n_outputs,
        activation=params.activation,
        negative_slope=params.negative_slope,
        maxout_pieces=params.maxout_pieces,
        batch_norm=params.batch_norm,
        batch_norm_momentum=params.batch_norm_momentum,
        dropout=params.dropout,
    )


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
    if batch_rows * largest >= SMALL_GEMM_MULTIPLY_ADDS:
        return contextlib.nullcontext()
    try:  # a dependency of scikit-learn; without it, leave BLAS as it is
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover
        return contextlib.nullcontext()
    return threadpool_limits(limits=1, user_api="blas")


def make_objective(params, network):
    """The training objective: the estimator's head plus its penalty."""
    loss = LOSSES[params._loss_name()](margin=params._margin())
    return Objective(network, loss, Penalty(params.penalty, params.alpha, params.l1_ratio))


def optimizer_spec(params, size, dtype):
    """The :class:`OptimizerSpec` of the estimator's solver."""
    hyper = {
        "sgd": {"momentum": params.momentum, "nesterovs_momentum": params.nesterovs_momentum},
        "adagrad": {"epsilon": params.epsilon},
        "rmsprop": {"rho": params.rho, "epsilon": params.epsilon},
        "adam": {"beta_1": params.beta_1, "beta_2": params.beta_2, "epsilon": params.epsilon},
    }
    # lbfgs never runs the stochastic loop; its state holds a plain SGD spec.
    name = "sgd" if params.solver == "lbfgs" else params.solver
    return OptimizerSpec(name, size, np.dtype(dtype).name, hyper[name])


def make_schedule(params):
    """The learning-rate :class:`Schedule` of the estimator's parameters."""
    return Schedule(
        params.learning_rate,
        params.learning_rate_init,
        power_t=params.power_t,
        decay_rate=params.decay_rate,
        decay_steps=params.decay_steps,
    )


def make_averager(params):
    """A :class:`ParameterAverage` when ``average`` asks for one, else None."""
    average = params.average
    if isinstance(average, (bool, np.bool_)):  # True: the default decay; False: off
        average = DEFAULT_AVERAGE_DECAY if average else None
    if average is None or params.solver == "lbfgs":
        return None
    return ParameterAverage(float(average))


# Parameters that change the number or meaning of the trained arrays; the others
# (dropout rate, batch-norm momentum, leaky slope) may change between warm starts.
_LAYOUT_FIELDS = (
    "n_features",
    "hidden_layer_sizes",
    "n_outputs",
    "activation",
    "maxout_pieces",
    "batch_norm",
)


def rebuild_for_warm_start(params, state, spec):
    """Prepare ``state`` for a ``warm_start`` fit with the estimator's current parameters.

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
    changed = [f for f in _LAYOUT_FIELDS if getattr(old.spec, f) != getattr(spec, f)]
    if changed:
        raise ValueError(
            f"warm_start cannot continue: {', '.join(changed)} changed since the last fit, "
            "which changes the network's weights. Set warm_start=False to refit."
        )
    if spec != old.spec:
        network = Network(spec, old.dtype)
        network.theta[...], network.state[...] = old.theta, old.state
        state.network = network
    state.optimizer_spec = optimizer_spec(params, state.network.theta.size, old.dtype)
    state.optimizer = state.optimizer_spec.build()
    state.schedule = make_schedule(params)
    state.averager = make_averager(params)


def new_training_state(params, X, n_outputs, dtype, seed_source):
    """A freshly initialised :class:`TrainingState` (network, optimizer, schedule, rng)."""
    rng = np.random.default_rng(seed_source.randint(MAX_SEED))
    network = Network(network_spec(params, X.shape[1], n_outputs), dtype)
    sample = None
    if params.weight_init == "lsuv":
        n = X.shape[0]
        size = min(n, max(resolved_batch_size(params, n), 500))
        sample = X[np.sort(rng.choice(n, size=size, replace=False))]
    network.initialize(params.weight_init, rng, params.init_scale, X_sample=sample)
    spec = optimizer_spec(params, network.theta.size, dtype)
    return TrainingState(
        network, spec.build(), spec, make_schedule(params), rng, make_averager(params)
    )
