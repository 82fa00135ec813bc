"""The NumPy and the compiled (numba) kernel backends train the same models.

Issue: both paths tested in CI, agreeing to float tolerance (float64 within 1e-10
relative on a short fit), each deterministic. ``SKDEEP_KERNELS`` forces a backend.
"""

import numpy as np
import pytest
from conftest import (
    TRAINING_K,
    assert_close_to_rounding,
    classification_data,
    fit_quietly,
    training_network,
    training_state,
)

from skdeep import MLPSoftmaxClassifier, MLPSVMClassifier
from skdeep.core.kernels import BACKEND_ENV, FUSED_MIN_PARAMETERS, backend_name_for

pytest.importorskip("numba")

CONFIGS = {
    "adam l2": dict(solver="adam"),
    "adam elasticnet + decay + average": dict(
        solver="adam", penalty="elasticnet", alpha=1e-3, weight_decay=0.1, average=0.9
    ),
    "nesterov + max_norm": dict(solver="sgd", max_norm=1.0, learning_rate_init=0.05),
    "momentum": dict(solver="sgd", nesterovs_momentum=False, learning_rate_init=0.05),
    "adagrad": dict(solver="adagrad", learning_rate_init=0.05),
    "rmsprop l1": dict(solver="rmsprop", penalty="l1", alpha=1e-4),
    "adam batch norm + dropout": dict(solver="adam", batch_norm=True, dropout=0.3),
}


def _fit(monkeypatch, backend, cls=MLPSoftmaxClassifier, dtype="float64", **params):
    monkeypatch.setenv(BACKEND_ENV, backend)
    X, y = classification_data(n_samples=300, n_features=12, n_informative=8)
    model = cls(
        hidden_layer_sizes=(24, 16), max_iter=4, batch_size=64, random_state=0, dtype=dtype,
        tol=0, n_iter_no_change=1000, **params,
    )  # fmt: skip
    return fit_quietly(model, X, y)


def _arrays(model):
    return [*model.coefs_, *model.intercepts_]


@pytest.mark.parametrize("config", CONFIGS)
@pytest.mark.parametrize("cls", [MLPSoftmaxClassifier, MLPSVMClassifier])
def test_backends_agree_in_float64(monkeypatch, cls, config):
    reference = _fit(monkeypatch, "numpy", cls, **CONFIGS[config])
    compiled = _fit(monkeypatch, "numba", cls, **CONFIGS[config])
    assert training_state(compiled).optimizer.kernel_backend == "numba"
    assert training_state(reference).optimizer.kernel_backend == "numpy"
    for a, b in zip(_arrays(compiled), _arrays(reference), strict=True):
        assert_close_to_rounding(a, b, k=TRAINING_K)
    assert_close_to_rounding(compiled.loss_curve_, reference.loss_curve_, k=TRAINING_K)


@pytest.mark.parametrize("backend", ["numpy", "numba"])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_each_backend_is_deterministic(monkeypatch, backend, dtype):
    first = _fit(monkeypatch, backend, dtype=dtype, **CONFIGS["adam elasticnet + decay + average"])
    second = _fit(monkeypatch, backend, dtype=dtype, **CONFIGS["adam elasticnet + decay + average"])
    for a, b in zip(_arrays(first), _arrays(second), strict=True):
        np.testing.assert_array_equal(a, b)


def test_float32_backends_agree_to_float32_precision(monkeypatch):
    reference = _fit(monkeypatch, "numpy", dtype="float32")
    compiled = _fit(monkeypatch, "numba", dtype="float32")
    for a, b in zip(_arrays(compiled), _arrays(reference), strict=True):
        assert_close_to_rounding(a, b, k=TRAINING_K)


def test_small_networks_stay_on_numpy_unless_forced(monkeypatch):
    # Below the threshold the compiled path saves microseconds per step and would
    # cost numba's import in the first fit; a forced backend is always honoured.
    monkeypatch.delenv(BACKEND_ENV, raising=False)
    assert backend_name_for(FUSED_MIN_PARAMETERS - 1) == "numpy"
    assert backend_name_for(FUSED_MIN_PARAMETERS) == "numba"
    monkeypatch.setenv(BACKEND_ENV, "numpy")
    assert backend_name_for(10 * FUSED_MIN_PARAMETERS) == "numpy"
    monkeypatch.setenv(BACKEND_ENV, "fortran")
    with pytest.raises(ValueError, match="fortran"):
        backend_name_for(10)


@pytest.mark.parametrize(
    "activation", ["relu", "leaky_relu", "tanh", "logistic", "elu", "selu", "silu", "gelu"]
)
@pytest.mark.parametrize("dropout", [0.0, 0.3])
def test_fused_bias_and_activation_agree(monkeypatch, activation, dropout):
    # The compiled backend adds each hidden bias inside the activation's pass and
    # sums its gradient in the backward pass; the models agree with NumPy's.
    reference = _fit(monkeypatch, "numpy", activation=activation, dropout=dropout)
    compiled = _fit(monkeypatch, "numba", activation=activation, dropout=dropout)
    layers = training_network(compiled).layers
    fused = [layer for layer in layers if getattr(layer, "bias_handed_on", False)]
    assert bool(fused) == (activation != "gelu")  # gelu's compiled backward is not used
    for a, b in zip(_arrays(compiled), _arrays(reference), strict=True):
        assert_close_to_rounding(a, b, k=TRAINING_K)
