"""From estimator parameters to core objects: network, objective, optimizer, state.

These functions read an estimator's public parameters (``params``) and build the
corresponding :mod:`skdeep.core` objects, so that the estimator classes only
validate, call and export.
"""

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
    averager = None
    average = params.average
    if isinstance(average, (bool, np.bool_)):  # True: the default decay; False: off
        average = DEFAULT_AVERAGE_DECAY if average else None
    if average is not None and params.solver != "lbfgs":
        averager = ParameterAverage(float(average))
    schedule = Schedule(
        params.learning_rate,
        params.learning_rate_init,
        power_t=params.power_t,
        decay_rate=params.decay_rate,
        decay_steps=params.decay_steps,
    )
    return TrainingState(network, spec.build(), spec, schedule, rng, averager)
