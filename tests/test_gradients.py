"""Numerical gradient checks of the training objective.

Every check runs in float64 and asks for a relative error below 1e-6 per parameter
array. The parameters are *generic*: either an estimator trained for a few epochs
(``check_gradients`` on a fitted estimator uses its training parameters) or, at the
core level, an initialised network whose whole parameter vector is perturbed with
noise. At zero-initialised biases ReLU-family units sit exactly on their kink
(``z = 0`` for a row whose inputs were all dropped) and the centred difference
straddles it, which would make a correct gradient look wrong.
"""

import numpy as np
import pytest
import scipy.sparse as sp
from conftest import (
    ALL_ACTIVATIONS,
    batch_norm_statistics,
    fit_quietly,
    make_loss,
    training_network,
    training_parameters,
)
from sklearn.utils import compute_sample_weight

from skdeep import MLPSoftmaxClassifier, MLPSVMClassifier, check_gradients
from skdeep._building import make_objective
from skdeep._settings import settings_of
from skdeep.core import layers as core_layers
from skdeep.core import losses as core_losses
from skdeep.core import penalties as core_penalties
from skdeep.core.gradient_check import check_objective_gradients, relative_error
from skdeep.core.network import Network, NetworkSpec
from skdeep.core.objective import Objective
from skdeep.core.penalties import Penalty

TOL = 1e-6
EPSILON = 1e-6
# Largest gradient norm accepted as "zero": finite differences of a loss of order 1
# with a step of 1e-6 carry rounding noise of order 1e-10.
ZERO_ATOL = 1e-7
ACTIVATIONS = ALL_ACTIVATIONS
PENALTIES = [None, "l1", "l2", "elasticnet"]
HEADS = {
    "softmax": (MLPSoftmaxClassifier, {}),
    "hinge": (MLPSVMClassifier, {"loss": "hinge"}),
    "squared_hinge": (MLPSVMClassifier, {"loss": "squared_hinge"}),
}
HEAD_LOSS = {"softmax": "log_loss", "hinge": "hinge", "squared_hinge": "squared_hinge"}
N_SAMPLES, N_FEATURES, HIDDEN = 20, 5, (6, 4)


def _data(n_classes, seed=0):
    # Gaussian noise, no class structure: gradients are checked, not learning.
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(N_SAMPLES, N_FEATURES))
    # Every class present, in shuffled order.
    y = rng.permutation(np.arange(N_SAMPLES) % n_classes)
    return X, y


def _fitted(head, n_classes, X, y, sample_weight=None, **params):
    """An estimator trained for a few full-batch epochs: generic parameters."""
    cls, head_params = HEADS[head]
    settings = {
        "hidden_layer_sizes": HIDDEN,
        "max_iter": 5,
        "learning_rate_init": 0.02,
        "alpha": 1e-2,
        "random_state": 0,
        "dtype": "float64",
    }
    settings.update(head_params)
    settings.update(params)
    return fit_quietly(cls(**settings), X, y, sample_weight=sample_weight)


def _finite_differences(objective, X, y, weights, sl, seed=0):
    """Centred differences of the objective over ``theta[sl]`` (as the core check does)."""
    network = objective.network
    state = network.state.copy()
    theta = network.theta

    def loss():
        network.state[...] = state
        return objective.value_and_gradient(X, y, weights, np.random.default_rng(seed))

    loss()
    analytic = network.grad[sl].copy()
    numerical = np.empty_like(analytic)
    for k, i in enumerate(range(sl.start, sl.stop)):
        original = theta[i]
        theta[i] = original + EPSILON
        plus = loss()
        theta[i] = original - EPSILON
        minus = loss()
        theta[i] = original
        numerical[k] = (plus - minus) / (2 * EPSILON)
    network.state[...] = state
    return analytic, numerical


def _assert_gradients_match(errors, objective, X, y, weights=None, expected_keys=None, seed=0):
    """Every array has relative error < TOL, or its gradient vanishes (both forms).

    The relative error is meaningless for an array whose true gradient is exactly
    zero: then the analytic gradient is ~1e-17 and the centred difference is
    rounding noise (~1e-10), a ratio near 1. That happens structurally (the shift of
    a batch norm followed by an affine map and another batch norm: the second one
    removes any constant) and for piecewise-linear heads, whose bias gradients are
    integer multiples of 1/n and can cancel exactly. Such arrays are checked in
    absolute terms instead.
    """
    assert errors, "no parameter array was checked"
    if expected_keys is not None:
        assert set(errors) == set(expected_keys)
    for name, error in errors.items():
        if error < TOL:
            continue
        sl = objective.network.param_slices[name]
        analytic, numerical = _finite_differences(objective, X, y, weights, sl, seed)
        size = max(np.linalg.norm(analytic), np.linalg.norm(numerical))
        assert size < ZERO_ATOL, (
            f"{name}: relative error {error:.3g}, gradient norm {size:.3g} (all: {errors})"
        )


def _assert_estimator_gradients(est, X, y, sample_weight=None, expected_keys=None):
    """Run the public check, then re-examine any array whose gradient may vanish."""
    errors = check_gradients(est, X, y, sample_weight=sample_weight)
    if all(error < TOL for error in errors.values()):
        if expected_keys is not None:
            assert set(errors) == set(expected_keys)
        return
    # The same float64 objective check_gradients builds from the fitted estimator.
    trained = training_network(est)
    network = Network(trained.spec, np.float64)
    network.theta[...] = trained.theta
    network.state[...] = trained.state
    objective = make_objective(settings_of(est), network)
    weights = None if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
    if est.class_weight is not None:
        class_weights = compute_sample_weight(est.class_weight, y)
        weights = class_weights if weights is None else weights * class_weights
    if weights is not None:
        weights = weights / weights.sum()
    y_index = np.searchsorted(est.classes_, y)
    X = X.toarray() if sp.issparse(X) else np.asarray(X, dtype=np.float64)
    _assert_gradients_match(errors, objective, X, y_index, weights, expected_keys)


def _keys(n_hidden, batch_norm):
    keys = {f"coefs_{i}" for i in range(n_hidden + 1)} | {f"intercepts_{n_hidden}"}
    if batch_norm:
        keys |= {f"gamma_{i}" for i in range(n_hidden)} | {f"beta_{i}" for i in range(n_hidden)}
    else:
        keys |= {f"intercepts_{i}" for i in range(n_hidden)}
    return keys


# --------------------------------------------------------------- estimator level
@pytest.mark.parametrize("n_classes", [2, 3])
@pytest.mark.parametrize("head", list(HEADS))
@pytest.mark.parametrize("batch_norm", [False, True])
@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_check_gradients_activation_batch_norm_head(activation, batch_norm, head, n_classes):
    X, y = _data(n_classes)
    est = _fitted(head, n_classes, X, y, activation=activation, batch_norm=batch_norm)
    _assert_estimator_gradients(est, X, y, expected_keys=_keys(len(HIDDEN), batch_norm))


@pytest.mark.parametrize("n_classes", [2, 3])
@pytest.mark.parametrize("head", list(HEADS))
@pytest.mark.parametrize("penalty", PENALTIES)
def test_check_gradients_penalty(penalty, head, n_classes):
    X, y = _data(n_classes, seed=1)
    # A strong penalty so that its gradient is a sizeable part of the total.
    est = _fitted(
        head, n_classes, X, y, penalty=penalty, alpha=0.1, l1_ratio=0.4, activation="tanh"
    )
    _assert_estimator_gradients(est, X, y)


@pytest.mark.parametrize(
    "activation, batch_norm",
    [
        ("relu", False),
        ("relu", True),
        ("leaky_relu", False),
        ("elu", True),
        ("maxout", False),
        ("maxout", True),
        ("tanh", False),
    ],
)
@pytest.mark.parametrize("head", list(HEADS))
def test_check_gradients_dropout(head, activation, batch_norm):
    X, y = _data(3, seed=2)
    est = _fitted(head, 3, X, y, activation=activation, batch_norm=batch_norm, dropout=0.3)
    _assert_estimator_gradients(est, X, y, expected_keys=_keys(len(HIDDEN), batch_norm))


@pytest.mark.parametrize("n_classes", [2, 3])
@pytest.mark.parametrize("head", list(HEADS))
def test_check_gradients_sample_weight(head, n_classes):
    X, y = _data(n_classes, seed=3)
    rng = np.random.default_rng(3)
    sample_weight = rng.uniform(0.1, 3.0, size=N_SAMPLES)
    sample_weight[:3] = 0.0  # zero weights must simply drop out of the objective
    est = _fitted(
        head, n_classes, X, y, sample_weight=sample_weight, activation="relu", batch_norm=True
    )
    _assert_estimator_gradients(est, X, y, sample_weight=sample_weight)


@pytest.mark.parametrize("head", list(HEADS))
def test_check_gradients_class_weight_and_sparse(head):
    X, y = _data(3, seed=4)
    est = _fitted(head, 3, X, y, activation="elu", class_weight="balanced")
    _assert_estimator_gradients(est, sp.csr_matrix(X), y)


@pytest.mark.parametrize("n_classes", [2, 3])
@pytest.mark.parametrize("head", list(HEADS))
def test_check_gradients_linear_model(head, n_classes):
    X, y = _data(n_classes, seed=5)
    est = _fitted(head, n_classes, X, y, hidden_layer_sizes=(), penalty="elasticnet")
    _assert_estimator_gradients(est, X, y, expected_keys={"coefs_0", "intercepts_0"})


def test_check_gradients_unfitted_smooth_network_and_no_side_effects():
    # An unfitted estimator is checked at its initial parameters; with a smooth
    # activation there is no kink to worry about.
    X, y = _data(3)
    est = MLPSoftmaxClassifier(hidden_layer_sizes=HIDDEN, activation="tanh", random_state=0)
    errors = check_gradients(est, X, y)
    assert set(errors) == _keys(len(HIDDEN), False)
    assert max(errors.values()) < TOL, errors
    assert not hasattr(est, "coefs_")


def test_check_gradients_vanishing_gradient_does_not_read_as_error():
    # The documented contract of the relative error is "0 when both vanish, so an
    # array whose true gradient is zero does not read as an error". Here beta_0's
    # gradient is exactly zero: with identity units the shift of the first batch
    # norm only adds a constant to the second one's input, which it subtracts
    # again. The analytic gradient is ~1e-17 and the centred difference is rounding
    # noise, so a bare ratio reads ~1 for a correct gradient.
    X, y = _data(3)
    est = _fitted("softmax", 3, X, y, activation="identity", batch_norm=True)
    errors = check_gradients(est, X, y)
    assert errors["beta_0"] < TOL, errors


def test_check_gradients_does_not_modify_fitted_estimator():
    X, y = _data(3)
    est = _fitted("softmax", 3, X, y, activation="relu", batch_norm=True, dropout=0.2)
    theta = training_parameters(est).copy()
    state = batch_norm_statistics(est).copy()
    coefs = [W.copy() for W in est.coefs_]
    check_gradients(est, X, y)
    np.testing.assert_array_equal(training_parameters(est), theta)
    np.testing.assert_array_equal(batch_norm_statistics(est), state)
    for W, W0 in zip(est.coefs_, coefs):
        np.testing.assert_array_equal(W, W0)


def test_check_gradients_float32_estimator_checked_in_float64():
    # A float32 model is checked in float64 at its own parameters; a float32
    # finite difference would be far too noisy for 1e-6.
    X, y = _data(3)
    est = _fitted("softmax", 3, X.astype(np.float32), y, activation="tanh", dtype=None)
    assert est.coefs_[0].dtype == np.float32
    _assert_estimator_gradients(est, X.astype(np.float32), y)


# --------------------------------------------------------- the check can fail
def _scaled(method, factor):
    def wrapper(self, dy, cache):
        out = method(self, dy, cache)
        if out is not None:
            out *= factor
        return out

    return wrapper


@pytest.mark.parametrize("head", ["softmax", "hinge"])
def test_check_gradients_detects_wrong_dense_backward(monkeypatch, head):
    X, y = _data(3)
    est = _fitted(head, 3, X, y, activation="tanh")
    monkeypatch.setattr(core_layers.Dense, "backward", _scaled(core_layers.Dense.backward, 1.01))
    errors = check_gradients(est, X, y)
    # Every layer below the output receives a gradient scaled by 1.01 at least once.
    assert errors["coefs_0"] > 1e-3
    assert errors["coefs_1"] > 1e-3
    # The output layer's own gradient does not go through a scaled dx.
    assert errors["coefs_2"] < TOL


def test_check_gradients_detects_wrong_batch_norm_backward(monkeypatch):
    X, y = _data(3)
    est = _fitted("softmax", 3, X, y, activation="relu", batch_norm=True)
    monkeypatch.setattr(
        core_layers.BatchNorm, "backward", _scaled(core_layers.BatchNorm.backward, 1.01)
    )
    errors = check_gradients(est, X, y)
    assert errors["coefs_0"] > 1e-3
    assert errors["gamma_1"] < TOL  # computed before the scaled dx leaves the layer


def test_check_gradients_detects_missing_penalty_gradient(monkeypatch):
    X, y = _data(3)
    est = _fitted("softmax", 3, X, y, activation="tanh", penalty="l2", alpha=0.1)
    monkeypatch.setattr(core_penalties.Penalty, "add_gradient", lambda self, w, g: None)
    errors = check_gradients(est, X, y)
    assert min(errors[f"coefs_{i}"] for i in range(3)) > 1e-3
    assert errors["intercepts_0"] < TOL  # biases are not penalised


def test_check_gradients_detects_wrong_loss_gradient(monkeypatch):
    X, y = _data(3)
    est = _fitted("hinge", 3, X, y, activation="tanh", penalty=None)
    original = core_losses.MulticlassHinge.__call__

    def wrong(self, scores, y, weights=None, gradient=True):
        value = original(self, scores, y, weights, gradient)
        if gradient:
            scores *= 1.01
        return value

    monkeypatch.setattr(core_losses.MulticlassHinge, "__call__", wrong)
    errors = check_gradients(est, X, y)
    # Scaling the whole gradient by 1.01 gives a relative error of 0.01 / 2.01.
    for key, value in errors.items():
        assert value == pytest.approx(0.01 / 2.01, rel=1e-3), key


# ------------------------------------------------------------------ core level
def _network(activation, batch_norm, dropout, n_outputs, seed):
    spec = NetworkSpec(
        n_features=N_FEATURES,
        hidden_layer_sizes=HIDDEN,
        n_outputs=n_outputs,
        activation=activation,
        batch_norm=batch_norm,
        dropout=dropout,
        activation_params={"maxout_pieces": 3, "negative_slope": 0.1},
    )
    network = Network(spec, np.float64)
    rng = np.random.default_rng(seed)
    network.initialize("xavier", rng)
    # Move off the zero biases and unit BN scales: no unit sits on a kink.
    network.theta += 0.3 * rng.standard_normal(network.theta.size)
    return network


# The estimator-level tests cover every activation with and without batch norm;
# here: perturbed parameters, 3 maxout pieces, a margin of 0.7, dropout together
# with batch norm, and non-uniform weights.
CORE_CASES = [(act, True, 0.4) for act in ACTIVATIONS] + [
    ("relu", False, 0.4),
    ("maxout", False, 0.4),
]


@pytest.mark.parametrize("activation, batch_norm, dropout", CORE_CASES)
@pytest.mark.parametrize("loss", ["log_loss", "hinge", "squared_hinge"])
def test_core_objective_gradients(loss, activation, batch_norm, dropout):
    n_classes = 4
    X, y = _data(n_classes, seed=5)
    network = _network(activation, batch_norm, dropout, n_classes, seed=6)
    objective = Objective(
        network, make_loss(loss, margin=0.7), Penalty("elasticnet", 0.05, l1_ratio=0.5)
    )
    weights = np.random.default_rng(7).uniform(0, 1, N_SAMPLES)
    weights /= weights.sum()
    errors = check_objective_gradients(objective, X, y, weights)
    _assert_gradients_match(errors, objective, X, y, weights, _keys(len(HIDDEN), batch_norm))


@pytest.mark.parametrize("loss", ["log_loss", "hinge", "squared_hinge"])
def test_core_objective_gradients_binary_sparse(loss):
    X, y = _data(2, seed=8)
    X[np.abs(X) < 0.7] = 0.0
    network = _network("leaky_relu", False, 0.0, 1, seed=9)
    objective = Objective(network, make_loss(loss), Penalty("l1", 0.01))
    errors = check_objective_gradients(objective, sp.csr_matrix(X), y)
    _assert_gradients_match(errors, objective, X, y)


def test_core_check_is_deterministic_with_dropout():
    # The masks are re-drawn from the same seed at every evaluation; otherwise the
    # finite differences would be noise and the check would fail.
    X, y = _data(3)
    network = _network("relu", False, 0.5, 3, seed=10)
    objective = Objective(network, make_loss("log_loss"), Penalty(None, 0.0))
    first = check_objective_gradients(objective, X, y, seed=3)
    second = check_objective_gradients(objective, X, y, seed=3)
    assert first == second
    _assert_gradients_match(first, objective, X, y, seed=3)


def test_core_check_restores_parameters_and_state():
    X, y = _data(3)
    network = _network("relu", True, 0.0, 3, seed=11)
    theta, state = network.theta.copy(), network.state.copy()
    objective = Objective(network, make_loss("log_loss"), Penalty("l2", 0.1))
    check_objective_gradients(objective, X, y)
    np.testing.assert_array_equal(network.theta, theta)
    np.testing.assert_array_equal(network.state, state)


def test_core_check_detects_wrong_activation_derivative(monkeypatch):
    from skdeep.core import activations

    X, y = _data(3)
    network = _network("tanh", False, 0.0, 3, seed=12)
    objective = Objective(network, make_loss("log_loss"), Penalty(None, 0.0))

    def wrong_derivative(self, da, a):
        da *= 1.0 - 0.9 * a * a  # should be 1 - a**2

    monkeypatch.setattr(activations.Tanh, "_multiply_derivative", wrong_derivative)
    errors = check_objective_gradients(objective, X, y)
    assert errors["coefs_0"] > 1e-3
    assert errors["coefs_2"] < TOL


def test_relative_error_definition():
    a = np.array([1.0, 2.0, 2.0])
    assert relative_error(a, a) == 0.0
    assert relative_error(np.zeros(3), np.zeros(3)) == 0.0
    # ||a - 1.01 a|| / (||a|| + 1.01 ||a||) = 0.01 / 2.01
    assert relative_error(a, 1.01 * a) == pytest.approx(0.01 / 2.01)
    assert relative_error(a, np.zeros(3)) == pytest.approx(1.0)


@pytest.mark.parametrize("n_classes", [2, 3])
@pytest.mark.parametrize("smoothing", [0.1, 0.3])
def test_check_gradients_label_smoothing(smoothing, n_classes):
    # The smoothed targets change the softmax head's gradient: checked numerically.
    X, y = _data(n_classes, seed=11)
    est = _fitted("softmax", n_classes, X, y, label_smoothing=smoothing, activation="gelu")
    _assert_estimator_gradients(est, X, y, expected_keys=_keys(len(HIDDEN), False))


@pytest.mark.parametrize("head", list(HEADS))
def test_check_gradients_recipe_settings(head):
    # The real-table recipe's network: zero output layer, no L2, decoupled decay,
    # cosine schedule; after a few epochs the output layer is no longer zero.
    X, y = _data(3, seed=12)
    est = _fitted(
        head, 3, X, y, output_init="zero", alpha=0.0, weight_decay=0.02,
        learning_rate="cosine", solver="adam", beta_2=0.95,
    )  # fmt: skip
    _assert_estimator_gradients(est, X, y, expected_keys=_keys(len(HIDDEN), False))
