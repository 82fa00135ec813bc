"""Ctrl-C during fit: training stops, a UserWarning says so, the model stays usable.

The interruption is simulated by making an internal step raise KeyboardInterrupt
on its N-th call (an epoch, or a single optimizer update in the middle of an
epoch). The parameters kept are those of the best completed epoch, which with a
fixed ``random_state`` are exactly those of a run stopped there by ``max_iter``.
"""

import math
import warnings
from functools import partial

import numpy as np
import pytest
from conftest import (
    assert_same_parameters,
    batch_norm_statistics,
    classification_data,
    fit_quietly,
    parameter_vector,
    small_model,
    total_epochs,
)

from skdeep import MLPSoftmaxClassifier, MLPSVMClassifier
from skdeep.core import training
from skdeep.core.objective import Objective
from skdeep.core.optimizers import Optimizer

BATCH = 40


@pytest.fixture
def data():
    return classification_data(n_samples=200, n_features=8, n_informative=5)  # 5 batches


_model = partial(
    small_model, hidden_layer_sizes=(10,), batch_size=BATCH, learning_rate_init=0.02, max_iter=10
)


def _interrupt_on_call(monkeypatch, owner, name, n):
    """Make ``owner.name`` raise KeyboardInterrupt on its ``n``-th call."""
    original = getattr(owner, name)
    calls = {"n": 0}

    def interrupting(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == n:
            raise KeyboardInterrupt
        return original(*args, **kwargs)

    monkeypatch.setattr(owner, name, interrupting)
    return calls


def _fit_interrupted(model, X, y, **kwargs):
    """Fit, expecting exactly one interruption warning; return it."""
    with warnings.catch_warnings(record=True) as records:
        warnings.simplefilter("always")
        returned = model.fit(X, y, **kwargs)
    assert returned is model
    interrupted = [r for r in records if "interrupt" in str(r.message).lower()]
    assert len(interrupted) == 1, [str(r.message) for r in records]
    assert interrupted[0].category is UserWarning
    return interrupted[0]


def _assert_usable(model, X):
    for name in (
        "classes_",
        "n_features_in_",
        "coefs_",
        "intercepts_",
        "n_layers_",
        "n_outputs_",
        "out_activation_",
        "n_iter_",
        "t_",
        "loss_curve_",
        "history_",
    ):
        assert hasattr(model, name), name
    proba = model.predict_proba(X)
    assert np.all(np.isfinite(proba))
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-6)
    assert np.all(np.isfinite(model.decision_function(X)))
    assert set(model.predict(X)) <= set(model.classes_)


def _assert_same_parameters(a, b):
    assert_same_parameters(a, b)
    np.testing.assert_array_equal(batch_norm_statistics(a), batch_norm_statistics(b))


@pytest.mark.parametrize("cls", [MLPSoftmaxClassifier, MLPSVMClassifier])
def test_interrupt_between_epochs(data, monkeypatch, cls):
    X, y = data
    _interrupt_on_call(monkeypatch, training, "_one_epoch", 4)
    model = _model(cls, batch_norm=True)
    _fit_interrupted(model, X, y)
    monkeypatch.undo()

    assert model.n_iter_ == 3
    assert len(model.history_) == len(model.loss_curve_) == 3
    _assert_usable(model, X)
    best_epoch = int(np.argmin(model.loss_curve_)) + 1
    reference = fit_quietly(_model(cls, batch_norm=True, max_iter=best_epoch), X, y)
    _assert_same_parameters(model, reference)


@pytest.mark.parametrize("solver", ["sgd", "adam"])
def test_interrupt_inside_an_epoch_discards_the_partial_epoch(data, monkeypatch, solver):
    X, y = data
    batches = math.ceil(len(y) / BATCH)
    _interrupt_on_call(monkeypatch, Optimizer, "step", 3 * batches + 2)  # epoch 4, batch 2
    model = _model(solver=solver, average=0.9)
    _fit_interrupted(model, X, y)
    monkeypatch.undo()

    assert model.n_iter_ == 3
    _assert_usable(model, X)
    best_epoch = int(np.argmin(model.loss_curve_)) + 1
    reference = fit_quietly(_model(solver=solver, average=0.9, max_iter=best_epoch), X, y)
    _assert_same_parameters(model, reference)


def test_interrupt_before_the_first_epoch_completes(data, monkeypatch):
    X, y = data
    _interrupt_on_call(monkeypatch, Optimizer, "step", 2)
    model = _model()
    _fit_interrupted(model, X, y)
    monkeypatch.undo()
    assert model.n_iter_ == 0
    _assert_usable(model, X)


def test_interrupt_with_early_stopping_keeps_best_validation_epoch(data, monkeypatch):
    X, y = data
    params = dict(early_stopping=True, validation_fraction=0.2, batch_norm=True)
    _interrupt_on_call(monkeypatch, training, "_one_epoch", 7)
    model = _model(**params)
    _fit_interrupted(model, X, y)
    monkeypatch.undo()

    assert model.n_iter_ == 6
    assert model.best_validation_score_ == max(model.validation_scores_)
    best_epoch = int(np.argmax(model.validation_scores_)) + 1
    reference = fit_quietly(_model(**params, max_iter=best_epoch), X, y)
    _assert_same_parameters(model, reference)
    _assert_usable(model, X)


def test_fit_again_after_interrupt(data, monkeypatch):
    X, y = data
    _interrupt_on_call(monkeypatch, training, "_one_epoch", 3)
    model = _model()
    _fit_interrupted(model, X, y)
    monkeypatch.undo()

    fit_quietly(model, X, y)  # a fresh fit: as if nothing had happened
    fresh = fit_quietly(_model(), X, y)
    assert model.n_iter_ == fresh.n_iter_ == 10
    _assert_same_parameters(model, fresh)


def test_warm_start_continues_after_interrupt(data, monkeypatch):
    X, y = data
    _interrupt_on_call(monkeypatch, training, "_one_epoch", 4)
    model = _model(warm_start=True, max_iter=5)
    _fit_interrupted(model, X, y)
    monkeypatch.undo()
    assert total_epochs(model) == 3
    loss_at_interrupt = min(model.loss_curve_)

    with warnings.catch_warnings(record=True) as records:
        warnings.simplefilter("always")
        model.fit(X, y)
    assert not [r for r in records if "interrupt" in str(r.message).lower()]
    assert total_epochs(model) == 8
    assert len(model.history_) == 8
    assert min(model.loss_curve_[3:]) < loss_at_interrupt
    _assert_usable(model, X)


def test_partial_fit_interrupt(data, monkeypatch):
    X, y = data
    model = _model()
    model.partial_fit(X, y, classes=[0, 1, 2])
    before = [a.copy() for a in model.coefs_ + model.intercepts_]
    _interrupt_on_call(monkeypatch, Optimizer, "step", 2)
    with pytest.warns(UserWarning, match="[Ii]nterrupt"):
        model.partial_fit(X, y)
    monkeypatch.undo()
    assert total_epochs(model) == 1
    for a, b in zip(model.coefs_ + model.intercepts_, before, strict=True):
        np.testing.assert_array_equal(a, b)
    model.partial_fit(X, y)
    assert total_epochs(model) == 2
    _assert_usable(model, X)


@pytest.mark.parametrize("cls", [MLPSoftmaxClassifier, MLPSVMClassifier])
def test_lbfgs_interrupt(data, monkeypatch, cls):
    X, y = data
    seen = []
    original = Objective.value_and_gradient

    def recording(self, *args, **kwargs):
        loss = original(self, *args, **kwargs)
        seen.append((loss, self.network.theta.copy()))
        return loss

    monkeypatch.setattr(Objective, "value_and_gradient", recording)
    _interrupt_on_call(monkeypatch, Objective, "value_and_gradient", 15)
    model = _model(cls, solver="lbfgs", max_iter=100)
    _fit_interrupted(model, X, y)
    monkeypatch.undo()
    _assert_usable(model, X)
    assert len(seen) == 14
    # The best parameters evaluated before the interruption are kept.
    losses = [loss for loss, _ in seen]
    best = int(np.argmin(losses))
    assert losses[best] < losses[0]
    # No batch norm, no averaging: the exported parameters are the training vector.
    np.testing.assert_array_equal(parameter_vector(model), seen[best][1])
