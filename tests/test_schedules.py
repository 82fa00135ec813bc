"""Learning-rate schedules: the rate recorded in ``history_`` and the rate the solver uses.

``history_[i]["learning_rate"]`` is the rate in force during epoch ``i``; the
schedules are functions of the number of epochs the model has completed, so they
must produce the documented closed forms for every stochastic solver, start
afresh with every ``fit`` (a warm-started one too), continue across
``partial_fit`` without ever silently stopping the model (the cosine restarts past
its horizon; an exhausted decay warns), and ``adaptive`` must divide by 5 after
``n_iter_no_change`` epochs without an improvement of more than ``tol``.
"""

import math
import warnings
from functools import partial

import numpy as np
import pytest
from conftest import classification_data, fit_quietly, small_model, total_epochs
from sklearn.exceptions import ConvergenceWarning

from skdeep import MLPSVMClassifier
from skdeep.core.optimizers import Optimizer

SOLVERS = ["sgd", "adam", "adagrad", "rmsprop"]
LR0 = 0.01
POWER_T = 0.7
DECAY_RATE = 0.5
DECAY_STEPS = 3
MIN_ADAPTIVE_RATE = 1e-6


@pytest.fixture
def data():
    return classification_data(n_samples=120, n_features=8)  # 3 mini-batches of 40


_model = partial(
    small_model,
    batch_size=40,
    learning_rate_init=LR0,
    power_t=POWER_T,
    decay_rate=DECAY_RATE,
    decay_steps=DECAY_STEPS,
)


def _closed_form(schedule, epoch):
    """The documented rate of epoch ``epoch`` (0-based) for the stateless schedules."""
    if schedule == "constant":
        return LR0
    if schedule == "invscaling":
        return LR0 / (epoch + 1) ** POWER_T
    if schedule == "step":
        return LR0 * DECAY_RATE ** math.floor(epoch / DECAY_STEPS)
    if schedule == "exponential":
        return LR0 * DECAY_RATE ** (epoch / DECAY_STEPS)
    raise AssertionError(schedule)


def _rates(model):
    return np.array([record["learning_rate"] for record in model.history_])


def _reference_adaptive(losses, lr0, tol, patience):
    """Rates the adaptive rule gives for a sequence of epoch losses, and whether it stops.

    An epoch improves when its loss is below the best loss so far minus ``tol``;
    after ``patience`` epochs in a row without improvement the rate is divided by 5
    and the count restarts, unless the new rate would fall below 1e-6, in which
    case training stops.
    """
    best, count, lr, rates = np.inf, 0, lr0, []
    for loss in losses:
        rates.append(lr)
        count = 0 if loss < best - tol else count + 1
        best = min(best, loss)
        if count >= patience:
            if lr / 5 < MIN_ADAPTIVE_RATE:
                return rates, True
            lr /= 5
            count = 0
    return rates, False


@pytest.mark.parametrize("solver", SOLVERS)
@pytest.mark.parametrize("schedule", ["constant", "invscaling", "step", "exponential"])
def test_stateless_schedule_sequence(data, solver, schedule):
    X, y = data
    n_epochs = 10
    model = fit_quietly(_model(solver=solver, learning_rate=schedule, max_iter=n_epochs), X, y)
    assert model.n_iter_ == n_epochs
    expected = [_closed_form(schedule, e) for e in range(n_epochs)]
    np.testing.assert_allclose(_rates(model), expected, rtol=1e-12, atol=0)


@pytest.mark.parametrize("schedule", ["invscaling", "step", "exponential"])
def test_schedule_with_hinge_head(data, schedule):
    X, y = data
    model = fit_quietly(
        _model(MLPSVMClassifier, solver="sgd", learning_rate=schedule, max_iter=7), X, y
    )
    expected = [_closed_form(schedule, e) for e in range(7)]
    np.testing.assert_allclose(_rates(model), expected, rtol=1e-12, atol=0)


@pytest.mark.parametrize(
    "solver, schedule", [("sgd", "step"), ("adam", "invscaling"), ("rmsprop", "exponential")]
)
def test_solver_uses_the_recorded_rate(data, monkeypatch, solver, schedule):
    """The rate handed to every update step is the one recorded for its epoch."""
    X, y = data
    used = []
    original_step = Optimizer.step

    def recording_step(self, theta, grad, lr):
        used.append(float(lr))
        return original_step(self, theta, grad, lr)

    monkeypatch.setattr(Optimizer, "step", recording_step)
    model = fit_quietly(_model(solver=solver, learning_rate=schedule, max_iter=6), X, y)
    batches_per_epoch = math.ceil(X.shape[0] / 40)
    assert len(used) == 6 * batches_per_epoch
    expected = np.repeat([_closed_form(schedule, e) for e in range(6)], batches_per_epoch)
    np.testing.assert_allclose(used, expected, rtol=1e-12, atol=0)
    np.testing.assert_allclose(_rates(model), expected[::batches_per_epoch], rtol=1e-12)


@pytest.mark.parametrize("schedule", ["invscaling", "step", "exponential"])
def test_warm_start_runs_the_schedule_again(data, schedule):
    """Each fit runs its own schedule over its own max_iter (the warm_start docstring)."""
    X, y = data
    model = fit_quietly(_model(learning_rate=schedule, max_iter=4, warm_start=True), X, y)
    fit_quietly(model.set_params(max_iter=5), X, y)
    assert total_epochs(model) == 9
    expected = [_closed_form(schedule, e) for e in [*range(4), *range(5)]]
    np.testing.assert_allclose(_rates(model), expected, rtol=1e-12, atol=0)


@pytest.mark.parametrize("warmup_epochs", [0.0, 1.5])
def test_warm_started_cosine_fit_trains_like_a_fresh_cosine(step_rates, warmup_epochs):
    """A second fit with the cosine schedule steps with a fresh cosine's rates.

    Before, the schedule's counter ran on past max_iter: the second fit stepped
    with a rate of 0, its weights did not move, and nothing said so.
    """
    X, y = classification_data(n_samples=100)
    params = {
        "learning_rate": "cosine",
        "warmup_epochs": warmup_epochs,
        "max_iter": 5,
        "batch_size": 25,
        "learning_rate_init": 0.05,
    }
    steps = step_rates
    fresh = fit_quietly(small_model(**params), X, y)
    fresh_steps, steps[:] = list(steps), []
    model = fit_quietly(small_model(warm_start=True, **params), X, y)
    before = [W.copy() for W in model.coefs_]
    steps.clear()
    fit_quietly(model, X, y)
    assert model.n_iter_ == fresh.n_iter_ == 5
    # Every step of the second fit has the rate a fresh cosine fit steps with.
    np.testing.assert_allclose(steps, fresh_steps, rtol=1e-12, atol=0)
    assert max(steps) == pytest.approx(0.05)
    np.testing.assert_allclose(_rates(model)[5:], _rates(fresh), rtol=1e-12, atol=0)
    assert all(rate > 0 for rate in _rates(model)[6:])
    # The weights move in the second fit.
    assert all(np.abs(W - W0).max() > 1e-3 for W, W0 in zip(model.coefs_, before))


@pytest.mark.parametrize("schedule", ["invscaling", "step"])
def test_schedule_continues_across_partial_fit(data, schedule):
    X, y = data
    model = _model(learning_rate=schedule)
    for _ in range(7):
        model.partial_fit(X, y, classes=np.unique(y))
    expected = [_closed_form(schedule, e) for e in range(7)]
    np.testing.assert_allclose(_rates(model), expected, rtol=1e-12, atol=0)


@pytest.mark.parametrize("solver", SOLVERS)
def test_adaptive_divides_by_five_on_forced_plateaus(data, solver):
    """A huge tol makes every epoch after the first a non-improvement."""
    X, y = data
    patience = 2
    model = _model(
        solver=solver,
        learning_rate="adaptive",
        learning_rate_init=1e-3,
        tol=1e3,
        n_iter_no_change=patience,
        max_iter=200,
    )
    with warnings.catch_warnings():
        # Stopping because the rate became too small is convergence, not a failure.
        warnings.simplefilter("error", ConvergenceWarning)
        model.fit(X, y)
    # Epoch 1 improves on +inf; then each block of `patience` stalled epochs
    # ends with a division by 5, until the next rate would fall below 1e-6.
    levels = [1e-3 / 5**k for k in range(5)]  # 1e-3 ... 1.6e-6; 3.2e-7 is too small
    expected = [levels[0]] * (patience + 1)
    for level in levels[1:]:
        expected += [level] * patience
    np.testing.assert_allclose(_rates(model), expected, rtol=1e-12)
    assert model.n_iter_ == len(expected) < 200
    assert min(_rates(model)) >= MIN_ADAPTIVE_RATE
    assert _rates(model)[-1] / 5 < MIN_ADAPTIVE_RATE


@pytest.mark.parametrize("solver", ["sgd", "adam"])
def test_adaptive_matches_reference_rule_on_real_losses(data, solver):
    """With a moderate tol the plateaus come from the actual loss curve."""
    X, y = data
    tol, patience = 2e-2, 3
    model = _model(
        solver=solver,
        learning_rate="adaptive",
        learning_rate_init=0.05,
        tol=tol,
        n_iter_no_change=patience,
        max_iter=80,
    )
    fit_quietly(model, X, y)
    losses = [record["loss"] for record in model.history_]
    expected, stops = _reference_adaptive(losses, 0.05, tol, patience)
    np.testing.assert_allclose(_rates(model), expected, rtol=1e-12)
    # The run must exercise both an unchanged rate after improvements and a reduction.
    assert len(set(expected)) >= 2
    assert stops == (model.n_iter_ < 80)


def test_adaptive_uses_validation_score_with_early_stopping(data):
    """With early stopping the plateau rule watches the validation score (higher is better)."""
    X, y = data
    patience = 2
    model = _model(
        learning_rate="adaptive",
        learning_rate_init=1e-3,
        tol=10.0,
        n_iter_no_change=patience,
        early_stopping=True,
        validation_fraction=0.25,
        max_iter=200,
    )
    fit_quietly(model, X, y)
    scores = [record["validation_score"] for record in model.history_]
    # The reference rule minimises, so feed it the negated score.
    expected, stops = _reference_adaptive([-s for s in scores], 1e-3, 10.0, patience)
    assert stops
    np.testing.assert_allclose(_rates(model), expected, rtol=1e-12)


def test_adaptive_reduces_rate_across_partial_fit_calls(data):
    """partial_fit follows MLPClassifier: the plateau count persists across calls.

    MLPClassifier(solver='sgd', learning_rate='adaptive').partial_fit keeps its
    no-improvement count between calls and divides the rate by 5 after a plateau,
    so k calls of partial_fit follow the same rate sequence as fit(max_iter=k).
    """
    X, y = data
    params = dict(learning_rate="adaptive", learning_rate_init=1e-3, tol=1e3, n_iter_no_change=2)
    reference = fit_quietly(_model(max_iter=8, **params), X, y)
    incremental = _model(**params)
    for _ in range(8):
        incremental.partial_fit(X, y, classes=np.unique(y))
    np.testing.assert_allclose(_rates(incremental), _rates(reference), rtol=1e-12)


def test_warm_start_restarts_adaptive_rate(data):
    """As MLPClassifier, a warm-started fit starts again from learning_rate_init."""
    X, y = data
    params = dict(learning_rate="adaptive", learning_rate_init=1e-3, tol=1e3, n_iter_no_change=2)
    model = fit_quietly(_model(max_iter=6, warm_start=True, **params), X, y)
    np.testing.assert_allclose(_rates(model), [1e-3] * 3 + [2e-4] * 2 + [4e-5], rtol=1e-12)
    fit_quietly(model.set_params(max_iter=2), X, y)
    np.testing.assert_allclose(_rates(model)[6:], [1e-3, 1e-3], rtol=1e-12)


def test_unknown_schedule_is_rejected(data):
    X, y = data
    with pytest.raises(ValueError, match="learning_rate"):
        _model(learning_rate="triangular").fit(X, y)


def _documented_cosine(lr0, warmup, horizon, epoch):
    """The user guide's formula: ``lr0 * min(1, e / w) * (1 + cos(pi * u)) / 2``."""
    ramp = min(1.0, epoch / warmup) if warmup else 1.0
    u = min(max((epoch - warmup) / (horizon - warmup), 0.0), 1.0)
    return lr0 * ramp * 0.5 * (1 + math.cos(math.pi * u))


def test_cosine_schedule_warms_up_then_decays_to_zero():
    from skdeep.core.schedules import get_schedule

    schedule = get_schedule("cosine", 0.1, horizon=10, warmup_epochs=2.0)
    assert schedule.continuous
    assert schedule.rate(0) == 0.0  # the ramp starts from 0, as documented
    assert schedule.rate(0.5) == pytest.approx(0.025, rel=1e-12)
    assert schedule.rate(1.0) == pytest.approx(0.05, rel=1e-12)  # halfway up the ramp
    assert schedule.rate(2.0) == pytest.approx(0.1)
    assert schedule.rate(6.0) == pytest.approx(0.05)  # halfway down the cosine
    assert schedule.rate(9.999) == pytest.approx(0.0, abs=1e-6)
    rates = [schedule.rate(e / 4) for e in range(40)]
    assert np.all(np.diff(rates[8:]) <= 0) and np.all(np.diff(rates[:9]) >= 0)
    for e in np.linspace(0, 9.99, 37):
        assert schedule.rate(e) == pytest.approx(_documented_cosine(0.1, 2.0, 10, e), rel=1e-12)
    with pytest.raises(ValueError, match="number of epochs"):
        get_schedule("cosine", 0.1)


@pytest.mark.parametrize("warmup", [0.0, 2.0])
def test_cosine_restarts_past_its_horizon(warmup):
    """Past max_iter epochs (partial_fit) the cycle starts again: never a rate of 0 for good."""
    from skdeep.core.schedules import get_schedule

    schedule = get_schedule("cosine", 0.1, horizon=10, warmup_epochs=warmup)
    for e in np.linspace(0, 9.9, 34):
        for cycle in (1, 2, 7):
            assert schedule.rate(10 * cycle + e) == pytest.approx(schedule.rate(e), rel=1e-9)
    assert not schedule.exhausted(1e6)


def test_cosine_partial_fit_stream_keeps_learning(step_rates):
    """A partial_fit stream longer than max_iter steps with the restarted cycle's rates."""
    X, y = classification_data(n_samples=100)
    steps = step_rates
    model = small_model(learning_rate="cosine", max_iter=3, batch_size=25, learning_rate_init=0.05)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for _ in range(9):
            model.partial_fit(X, y, classes=np.unique(y))
    per_batch = [_documented_cosine(0.05, 0.0, 3, (i % 12) / 4) for i in range(36)]
    np.testing.assert_allclose(steps, per_batch, rtol=1e-12, atol=0)
    np.testing.assert_allclose(_rates(model), [0.05, 0.0375, 0.0125] * 3, rtol=1e-12)
    before = [W.copy() for W in model.coefs_]
    model.partial_fit(X, y)  # the tenth call, three horizons in
    assert all(np.abs(W - W0).max() > 1e-4 for W, W0 in zip(model.coefs_, before))


@pytest.mark.parametrize("schedule", ["step", "exponential"])
def test_exhausted_decay_says_so(data, schedule):
    """A decay that brings the rate below 1e-6 of its start warms, naming learning_rate."""
    X, y = data
    model = _model(learning_rate=schedule, decay_rate=0.01, decay_steps=1)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for _ in range(3):  # rates 1, 1e-2, 1e-4 (x LR0); the next would be 1e-6
            model.partial_fit(X, y, classes=np.unique(y))
    with pytest.warns(UserWarning, match=f"learning_rate='{schedule}' has decayed"):
        model.partial_fit(X, y)
    # A warm-started fit starts the schedule afresh and has nothing to say.
    model.set_params(warm_start=True, max_iter=2, n_iter_no_change=None)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model.fit(X, y)
    assert _rates(model)[-2:] == pytest.approx([LR0, LR0 * 0.01], rel=1e-12)


def test_cosine_schedule_changes_the_rate_within_an_epoch(step_rates):
    # The training loop asks a continuous schedule for the rate at every batch.

    rates = step_rates
    X, y = classification_data(n_samples=100)
    model = small_model(learning_rate="cosine", max_iter=2, batch_size=25, learning_rate_init=0.1)
    fit_quietly(model, X, y)
    assert len(rates) == 8
    expected = [0.1 * 0.5 * (1 + np.cos(np.pi * (i / 4) / 2)) for i in range(8)]
    np.testing.assert_allclose(rates, expected, rtol=1e-12)
    # The history records the rate at each epoch's start.
    assert [r["learning_rate"] for r in model.history_] == pytest.approx([0.1, 0.05])


@pytest.mark.parametrize(
    "params, warns",
    [
        ({}, True),
        ({"learning_rate": "cosine"}, False),
        ({"n_iter_no_change": None}, False),
    ],
)
def test_max_iter_warning_only_when_stopping_was_expected(params, warns):
    # A cosine schedule ends at max_iter by design, and n_iter_no_change=None
    # asks for every epoch: reaching max_iter says nothing about convergence.
    X, y = classification_data(n_samples=100)
    model = small_model(max_iter=3, **{"tol": 0.0, "n_iter_no_change": 10, **params})
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model.fit(X, y)
    found = any(issubclass(w.category, ConvergenceWarning) for w in caught)
    assert found == warns
