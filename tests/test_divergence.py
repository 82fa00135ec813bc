"""Divergence guard: a loss that explodes stops training, warns, and keeps the best parameters."""

import math
import re
import warnings
from functools import partial

import numpy as np
import pytest
from conftest import batch_norm_statistics, classification_data, small_model, total_epochs
from sklearn.exceptions import ConvergenceWarning

from skdeep import MLPSoftmaxClassifier, MLPSVMClassifier
from skdeep.core.objective import Objective

BATCH = 40


@pytest.fixture
def data():
    return classification_data(n_samples=400, n_features=10, n_informative=5)  # 10 batches


# A long patience (no plateau stop) but the default tol.
_model = partial(
    small_model,
    exact_epochs=False,
    hidden_layer_sizes=(20,),
    batch_size=BATCH,
    max_iter=20,
    n_iter_no_change=1000,
)


def _divergence_warnings(records):
    return [
        r
        for r in records
        if issubclass(r.category, ConvergenceWarning) and "diverged" in str(r.message)
    ]


def _fit_recording(model, X, y, **kwargs):
    with warnings.catch_warnings(record=True) as records:
        warnings.simplefilter("always")
        model.fit(X, y, **kwargs)
    return records


def _assert_usable(model, X):
    proba = model.predict_proba(X)
    assert np.all(np.isfinite(proba))
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-6)
    assert np.all(np.isfinite(model.decision_function(X)))
    assert np.all(np.isfinite(model.predict_log_proba(X)))
    assert set(model.predict(X)) <= set(model.classes_)
    for array in model.coefs_ + model.intercepts_:
        assert np.all(np.isfinite(array))
    assert all(np.isfinite(loss) for loss in model.loss_curve_)


@pytest.mark.parametrize("cls", [MLPSoftmaxClassifier, MLPSVMClassifier])
@pytest.mark.parametrize("solver", ["adam", "sgd", "rmsprop"])
def test_huge_learning_rate_warns_and_stays_finite(data, cls, solver):
    X, y = data
    model = _model(cls, solver=solver, learning_rate_init=10.0)
    records = _fit_recording(model, X, y)
    diverged = _divergence_warnings(records)
    assert len(diverged) == 1
    message = str(diverged[0].message)
    assert "learning rate" in message
    assert re.search(r"\b10\b", message), message
    _assert_usable(model, X)
    # Only complete, finite epochs are recorded.
    assert len(model.history_) == model.n_iter_ == len(model.loss_curve_)


def _blow_up_on_call(monkeypatch, bad_call, bad_value=np.nan):
    """Make the ``bad_call``-th mini-batch loss from now on ``bad_value``."""
    calls = {"n": 0}
    original = Objective.value_and_gradient

    def failing(self, *args, **kwargs):
        loss = original(self, *args, **kwargs)
        calls["n"] += 1
        return bad_value if calls["n"] == bad_call else loss

    monkeypatch.setattr(Objective, "value_and_gradient", failing)


def test_warm_start_into_divergence_keeps_previous_parameters(data, monkeypatch):
    X, y = data
    model = _model(learning_rate_init=0.01, max_iter=5, warm_start=True)
    _fit_recording(model, X, y)
    before = [a.copy() for a in model.coefs_ + model.intercepts_]
    n_iter, losses = total_epochs(model), list(model.loss_curve_)
    score = model.score(X, y)

    _blow_up_on_call(monkeypatch, bad_call=3)  # inside the first epoch of the next call
    records = _fit_recording(model, X, y)
    monkeypatch.undo()
    assert len(_divergence_warnings(records)) == 1
    # The divergent epoch left nothing behind: same parameters, counters, curve.
    for a, b in zip(model.coefs_ + model.intercepts_, before, strict=True):
        np.testing.assert_array_equal(a, b)
    assert total_epochs(model) == n_iter
    assert model.loss_curve_ == losses
    assert model.score(X, y) == score

    # Training can go on from the kept parameters.
    model.set_params(max_iter=3)
    records = _fit_recording(model, X, y)
    assert not _divergence_warnings(records)
    assert total_epochs(model) == n_iter + 3
    _assert_usable(model, X)


def test_partial_fit_divergence_keeps_previous_parameters(data, monkeypatch):
    X, y = data
    model = _model(learning_rate_init=0.01)
    for _ in range(3):
        model.partial_fit(X, y, classes=[0, 1, 2])
    before = [a.copy() for a in model.coefs_ + model.intercepts_]
    _blow_up_on_call(monkeypatch, bad_call=2, bad_value=np.inf)
    with pytest.warns(ConvergenceWarning, match="learning rate 0.01"):
        model.partial_fit(X, y)
    monkeypatch.undo()
    for a, b in zip(model.coefs_ + model.intercepts_, before, strict=True):
        np.testing.assert_array_equal(a, b)
    assert total_epochs(model) == 3
    _assert_usable(model, X)
    model.partial_fit(X, y)
    assert total_epochs(model) == 4


@pytest.mark.parametrize("cls", [MLPSoftmaxClassifier, MLPSVMClassifier])
@pytest.mark.parametrize("bad_value", [np.nan, np.inf, 1e6], ids=["nan", "inf", "huge"])
def test_mid_run_blow_up_restores_best_epoch(data, monkeypatch, cls, bad_value):
    """A non-finite (or > 3x) batch loss in epoch 5 leaves the best of epochs 1-4."""
    X, y = data
    params = dict(
        learning_rate="invscaling",
        learning_rate_init=0.05,
        power_t=0.5,
        batch_norm=True,
        average=0.9,
    )
    batches = math.ceil(len(y) / BATCH)
    _blow_up_on_call(monkeypatch, bad_call=4 * batches + 2, bad_value=bad_value)  # epoch 5
    model = _model(cls, **params)
    records = _fit_recording(model, X, y)
    monkeypatch.undo()

    diverged = _divergence_warnings(records)
    assert len(diverged) == 1
    # The message names the rate in force when it happened (epoch index 4).
    assert f"learning rate {0.05 / 5**0.5:g}" in str(diverged[0].message)
    assert model.n_iter_ == 4
    best_epoch = int(np.argmin(model.loss_curve_)) + 1
    reference = _model(cls, **params | {"max_iter": best_epoch})
    _fit_recording(reference, X, y)
    expected = reference.coefs_ + reference.intercepts_
    for a, b in zip(model.coefs_ + model.intercepts_, expected, strict=True):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(batch_norm_statistics(model), batch_norm_statistics(reference))
    _assert_usable(model, X)


def test_no_false_alarm_on_ordinary_training(data):
    X, y = data
    model = _model(learning_rate_init=0.01, max_iter=30)
    records = _fit_recording(model, X, y)
    assert not _divergence_warnings(records)
    assert model.n_iter_ == 30


def test_no_false_alarm_when_continuing_from_a_near_perfect_fit():
    """A tiny starting loss must not make ordinary mini-batch noise look like divergence."""
    X, y = classification_data(
        n_samples=200,
        n_features=5,
        n_informative=5,
        n_classes=2,
        n_redundant=0,
        class_sep=3.0,
        random_state=1,
    )
    model = _model(learning_rate_init=0.05, max_iter=60, warm_start=True, alpha=0.0)
    _fit_recording(model, X, y)
    assert model.loss_ < 0.05
    model.set_params(max_iter=10)
    records = _fit_recording(model, X, y)
    assert not _divergence_warnings(records)
    assert total_epochs(model) == 70
