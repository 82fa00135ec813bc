"""Interruptions and faults never leave a broken estimator behind.

* ``KeyboardInterrupt`` during ``fit`` (in an optimizer update, between epochs,
  inside L-BFGS) stops training with a ``UserWarning``; the estimator keeps the
  parameters of the best epoch so far and predicts finite probabilities. The
  kept model is exactly the model an uninterrupted fit of that many epochs gives.
* An exception inside a user callback (``sklearn.callback``) or inside the
  training machinery propagates, and leaves the estimator as it was: a
  previously fitted estimator predicts exactly as before, and ``fit`` /
  ``partial_fit`` can be called again as if the failed call never happened. The
  callbacks' ``teardown`` still runs (scikit-learn's callback contract).

Interrupts are simulated by replacing a method with one that raises on its N-th
call (``monkeypatch`` restores it afterwards).
"""

from functools import partial

import numpy as np
import pytest
from conftest import (
    assert_same_parameters,
    classification_data,
    fit_quietly,
    small_model,
    total_epochs,
)
from sklearn.base import clone
from sklearn.metrics import log_loss

import skdeep.core.training as training_module
from skdeep import MLPSoftmaxClassifier, MLPSVMClassifier
from skdeep.core.objective import Objective
from skdeep.core.optimizers import OPTIMIZERS

CLASSES = [MLPSoftmaxClassifier, MLPSVMClassifier]
BATCH, N_SAMPLES = 30, 120
BATCHES_PER_EPOCH = N_SAMPLES // BATCH


@pytest.fixture
def data():
    return classification_data(n_samples=N_SAMPLES)


_model = partial(small_model, batch_size=BATCH, max_iter=10, learning_rate_init=0.01)


def raise_on_call(monkeypatch, owner, name, n, exception=KeyboardInterrupt):
    """Make ``owner.name`` raise ``exception`` on its ``n``-th call (1-based)."""
    original = getattr(owner, name)
    calls = {"count": 0}

    def wrapper(*args, **kwargs):
        calls["count"] += 1
        if calls["count"] == n:
            raise exception()
        return original(*args, **kwargs)

    monkeypatch.setattr(owner, name, wrapper)
    return calls


def _assert_usable(model, X):
    proba = model.predict_proba(X)
    n_bad = int(np.count_nonzero(~np.isfinite(proba)))
    assert n_bad == 0, f"{n_bad} non-finite probabilities"
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    assert np.isin(model.predict(X), model.classes_).all()
    for array in model.coefs_ + model.intercepts_:
        assert np.isfinite(array).all()


# ------------------------------------------------------- KeyboardInterrupt: SGD
@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: c.__name__)
@pytest.mark.parametrize("solver", ["sgd", "adagrad", "rmsprop", "adam"])
def test_interrupt_in_optimizer_update_keeps_best_epoch(monkeypatch, data, cls, solver):
    X, y = data
    # Two batches into the fourth epoch.
    calls = raise_on_call(monkeypatch, OPTIMIZERS[solver], "_update", 3 * BATCHES_PER_EPOCH + 2)
    with pytest.warns(UserWarning, match="interrupted"):
        model = _model(cls, solver=solver, dropout=0.1).fit(X, y)
    monkeypatch.undo()
    assert calls["count"] == 3 * BATCHES_PER_EPOCH + 2
    assert model.n_iter_ == 3
    assert len(model.loss_curve_) == len(model.history_) == 3
    _assert_usable(model, X)
    # The kept parameters are those of the best completed epoch, exactly.
    best_epoch = int(np.argmin(model.loss_curve_)) + 1
    reference = fit_quietly(_model(cls, solver=solver, dropout=0.1, max_iter=best_epoch), X, y)
    assert_same_parameters(model, reference)


@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: c.__name__)
def test_interrupt_between_epochs(monkeypatch, data, cls):
    X, y = data
    raise_on_call(monkeypatch, training_module, "_one_epoch", 3)
    with pytest.warns(UserWarning, match="interrupted"):
        model = _model(cls, batch_norm=True, average=True).fit(X, y)
    monkeypatch.undo()
    assert model.n_iter_ == 2
    _assert_usable(model, X)
    best_epoch = int(np.argmin(model.loss_curve_)) + 1
    reference = fit_quietly(_model(cls, batch_norm=True, average=True, max_iter=best_epoch), X, y)
    assert_same_parameters(model, reference)


@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: c.__name__)
def test_interrupt_before_the_first_update(monkeypatch, data, cls):
    X, y = data
    raise_on_call(monkeypatch, OPTIMIZERS["adam"], "_update", 1)
    with pytest.warns(UserWarning, match="interrupted"):
        model = _model(cls, batch_norm=True).fit(X, y)
    monkeypatch.undo()
    assert model.n_iter_ == 0
    _assert_usable(model, X)
    # Nothing is left over from the interrupted call: fitting again is a fresh fit.
    fit_quietly(model, X, y)
    assert_same_parameters(model, fit_quietly(_model(cls, batch_norm=True), X, y))


@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: c.__name__)
def test_interrupted_partial_fit_keeps_previous_parameters(monkeypatch, data, cls):
    X, y = data
    model = _model(cls).partial_fit(X, y, classes=[0, 1, 2])
    proba, n_iter = model.predict_proba(X), total_epochs(model)
    raise_on_call(monkeypatch, OPTIMIZERS["adam"], "_update", 2)
    with pytest.warns(UserWarning, match="interrupted"):
        model.partial_fit(X, y)
    monkeypatch.undo()
    assert total_epochs(model) == n_iter
    np.testing.assert_array_equal(model.predict_proba(X), proba)
    model.partial_fit(X, y)
    assert total_epochs(model) == n_iter + 1
    _assert_usable(model, X)


# ----------------------------------------------------- KeyboardInterrupt: L-BFGS
@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: c.__name__)
@pytest.mark.parametrize("batch_norm", [False, True])
@pytest.mark.parametrize("n", [1, 2, 8])
def test_interrupt_inside_lbfgs(monkeypatch, data, cls, batch_norm, n):
    X, y = data
    raise_on_call(monkeypatch, Objective, "value_and_gradient", n)
    with pytest.warns(UserWarning, match="interrupted"):
        model = _model(cls, solver="lbfgs", batch_norm=batch_norm, max_iter=50).fit(X, y)
    monkeypatch.undo()
    _assert_usable(model, X)
    # The loss curve describes the iterations that were made, in finite numbers.
    assert len(model.loss_curve_) == model.n_iter_
    assert np.isfinite(model.loss_curve_).all()
    fit_quietly(model, X, y)  # and the estimator trains normally afterwards
    _assert_usable(model, X)


@pytest.mark.parametrize("n", [3, 8, 15])
def test_lbfgs_interrupt_keeps_the_best_evaluated_parameters(monkeypatch, data, n):
    # Softmax, no penalty, no batch norm: the training loss of the kept model is
    # the log-loss of its probabilities, which must not exceed any loss L-BFGS
    # recorded before the interrupt (the best evaluation is kept).
    X, y = data
    raise_on_call(monkeypatch, Objective, "value_and_gradient", n)
    with pytest.warns(UserWarning, match="interrupted"):
        model = _model(solver="lbfgs", alpha=0.0, max_iter=50).fit(X, y)
    monkeypatch.undo()
    assert model.n_iter_ >= 1
    kept_loss = log_loss(y, model.predict_proba(X))
    assert kept_loss <= min(model.loss_curve_) + 1e-10
    initial = fit_quietly(_model(solver="lbfgs", alpha=0.0, max_iter=1, max_fun=1), X, y)
    assert kept_loss <= log_loss(y, initial.predict_proba(X)) + 1e-10


# ------------------------------------------------------------- user callbacks
class FailingCallback:
    """A FitCallback whose ``on_fit_task_end`` raises at the chosen epoch."""

    def __init__(self, fail_at_epoch=None, fail_at_fit_end=False, fail_at_begin=False):
        self.fail_at_epoch = fail_at_epoch
        self.fail_at_fit_end = fail_at_fit_end
        self.fail_at_begin = fail_at_begin
        self.epochs_seen = 0
        self.events = []

    def setup(self, estimator, context):
        self.events.append("setup")

    def teardown(self, estimator, context):
        self.events.append("teardown")

    def on_fit_task_begin(self, estimator, context, **kwargs):
        if self.fail_at_begin and context.task_name == "fit":
            raise RuntimeError("callback failed at the beginning of fit")

    def on_fit_task_end(self, estimator, context, **kwargs):
        if context.task_name == "fit":
            if self.fail_at_fit_end:
                raise RuntimeError("callback failed at the end of fit")
            return False
        self.epochs_seen += 1
        if self.epochs_seen == self.fail_at_epoch:
            raise RuntimeError(f"callback failed at epoch {self.epochs_seen}")
        return False


CALLBACK_FAILURES = {
    "epoch_2": dict(fail_at_epoch=2),
    "fit_end": dict(fail_at_fit_end=True),
    "fit_begin": dict(fail_at_begin=True),
}


def _require_callbacks(model):
    if not hasattr(model, "set_callbacks"):  # pragma: no cover - old scikit-learn
        pytest.skip("scikit-learn without sklearn.callback")


@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: c.__name__)
@pytest.mark.parametrize("failure", list(CALLBACK_FAILURES))
def test_callback_error_leaves_fitted_estimator_intact(data, cls, failure):
    X, y = data
    model = fit_quietly(_model(cls, max_iter=4), X, y)
    _require_callbacks(model)
    proba, coefs = model.predict_proba(X), [c.copy() for c in model.coefs_]
    n_iter, history = model.n_iter_, len(model.history_)
    callback = FailingCallback(**CALLBACK_FAILURES[failure])
    model.set_callbacks(callback)
    with pytest.raises(RuntimeError, match="callback failed"):
        fit_quietly(model, X[::2] * 3.0, y[::2])
    np.testing.assert_array_equal(model.predict_proba(X), proba)
    for a, b in zip(model.coefs_, coefs, strict=True):
        np.testing.assert_array_equal(a, b)
    assert (model.n_iter_, len(model.history_)) == (n_iter, history)
    # Fit can be called again, and it is an ordinary fit.
    model.set_callbacks()
    fit_quietly(model, X, y)
    np.testing.assert_array_equal(model.predict_proba(X), proba)


@pytest.mark.parametrize("failure", ["epoch_2", "fit_end"])
def test_callback_teardown_runs_when_fit_fails(data, failure):
    # scikit-learn's callback contract: teardown runs whether fit succeeds or not
    # (a progress bar must be closed, a log file flushed).
    X, y = data
    model = _model(max_iter=4)
    _require_callbacks(model)
    callback = FailingCallback(**CALLBACK_FAILURES[failure])
    with pytest.raises(RuntimeError, match="callback failed"):
        fit_quietly(model.set_callbacks(callback), X, y)
    assert callback.events == ["setup", "teardown"]


@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: c.__name__)
def test_callback_error_in_partial_fit_does_not_advance_training(data, cls):
    X, y = data
    uninterrupted = _model(cls)
    failed = _model(cls)
    _require_callbacks(failed)
    for model in (uninterrupted, failed):
        model.partial_fit(X, y, classes=[0, 1, 2])
    uninterrupted.partial_fit(X, y)
    proba = failed.predict_proba(X)
    failed.set_callbacks(FailingCallback(fail_at_epoch=1))
    with pytest.raises(RuntimeError, match="callback failed"):
        failed.partial_fit(X, y)
    np.testing.assert_array_equal(failed.predict_proba(X), proba)
    # The failed call must not count: the next call is the second epoch.
    failed.set_callbacks()
    failed.partial_fit(X, y)
    assert total_epochs(failed) == total_epochs(uninterrupted) == 2
    assert_same_parameters(failed, uninterrupted)


@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: c.__name__)
def test_callback_error_in_warm_start_fit_does_not_advance_training(data, cls):
    X, y = data
    uninterrupted = fit_quietly(_model(cls, warm_start=True, max_iter=3), X, y)
    failed = clone(uninterrupted)
    fit_quietly(failed, X, y)
    _require_callbacks(failed)
    fit_quietly(uninterrupted, X, y)
    failed.set_callbacks(FailingCallback(fail_at_epoch=2))
    with pytest.raises(RuntimeError, match="callback failed"):
        fit_quietly(failed, X, y)
    failed.set_callbacks()
    fit_quietly(failed, X, y)
    assert total_epochs(failed) == total_epochs(uninterrupted) == 6
    assert_same_parameters(failed, uninterrupted)


# ------------------------------------------------------------ internal faults
@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: c.__name__)
@pytest.mark.parametrize("exception", [MemoryError, FloatingPointError])
def test_exception_in_training_leaves_fitted_estimator_intact(monkeypatch, data, cls, exception):
    X, y = data
    model = fit_quietly(_model(cls, max_iter=4), X, y)
    proba = model.predict_proba(X)
    raise_on_call(monkeypatch, OPTIMIZERS["adam"], "_update", 5, exception)
    with pytest.raises(exception):
        model.fit(X, y)
    monkeypatch.undo()
    np.testing.assert_array_equal(model.predict_proba(X), proba)
    fit_quietly(model, X, y)
    np.testing.assert_array_equal(model.predict_proba(X), proba)


@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: c.__name__)
def test_exception_in_partial_fit_does_not_advance_training(monkeypatch, data, cls):
    X, y = data
    uninterrupted, failed = _model(cls), _model(cls)
    for model in (uninterrupted, failed):
        model.partial_fit(X, y, classes=[0, 1, 2])
    uninterrupted.partial_fit(X, y)
    raise_on_call(monkeypatch, OPTIMIZERS["adam"], "_update", BATCHES_PER_EPOCH, MemoryError)
    with pytest.raises(MemoryError):
        failed.partial_fit(X, y)
    monkeypatch.undo()
    failed.partial_fit(X, y)
    assert failed.n_iter_ == uninterrupted.n_iter_
    assert_same_parameters(failed, uninterrupted)
