"""partial_fit and warm_start, with MLPClassifier's semantics.

partial_fit carries everything between calls (parameters, optimizer moments,
schedule, average, random generator, counters, history), so with the same
``random_state`` k calls (one epoch each) must reproduce ``fit(max_iter=k)`` exactly
when the plateau rule cannot stop the latter. A warm-started fit carries the
weights, batch-norm statistics, generator, counters and history, but builds the
optimizer, schedule and average afresh from the current parameters.
"""

import math
from functools import partial

import numpy as np
import pytest
from conftest import (
    TRAINING_K,
    assert_close_to_rounding,
    batch_norm_statistics,
    classification_data,
    fit_quietly,
    optimizer_steps,
    small_model,
    total_epochs,
    training_parameters,
)

from skdeep import MLPSoftmaxClassifier, MLPSVMClassifier

N_EPOCHS = 6
BATCH = 40


@pytest.fixture
def data():
    return classification_data(n_samples=130)  # 4 mini-batches of 40, the last one of 10


_model = partial(small_model, hidden_layer_sizes=(7,), batch_size=BATCH, learning_rate_init=0.02)


def _assert_same_model(a, b, X):
    assert total_epochs(a) == total_epochs(b)
    assert a.t_ == b.t_
    for p, q in zip(a.coefs_ + a.intercepts_, b.coefs_ + b.intercepts_, strict=True):
        assert_close_to_rounding(p, q, k=TRAINING_K)
    assert_close_to_rounding(training_parameters(a), training_parameters(b), k=TRAINING_K)
    assert_close_to_rounding(a.loss_curve_, b.loss_curve_, k=TRAINING_K)
    assert_close_to_rounding(a.predict_proba(X), b.predict_proba(X), k=TRAINING_K)


@pytest.mark.parametrize("solver", ["sgd", "adam", "adagrad", "rmsprop"])
@pytest.mark.parametrize("shuffle", [False, True])
def test_partial_fit_k_times_equals_fit_k_epochs(data, solver, shuffle):
    X, y = data
    params = dict(solver=solver, shuffle=shuffle, learning_rate="invscaling")
    whole = fit_quietly(_model(max_iter=N_EPOCHS, **params), X, y)
    pieces = _model(**params)
    for _ in range(N_EPOCHS):
        pieces.partial_fit(X, y, classes=np.unique(y))
    _assert_same_model(pieces, whole, X)
    # One optimizer carried through: its step counter saw every mini-batch.
    assert optimizer_steps(pieces) == N_EPOCHS * math.ceil(len(y) / BATCH)


@pytest.mark.parametrize("cls", [MLPSoftmaxClassifier, MLPSVMClassifier])
@pytest.mark.parametrize(
    "extra",
    [
        dict(batch_norm=True),
        dict(dropout=0.3),
        dict(average=0.8),
        dict(learning_rate="step", decay_steps=2),
    ],
    ids=["batch_norm", "dropout", "average", "step"],
)
def test_partial_fit_pieces_with_stateful_features(data, cls, extra):
    X, y = data
    whole = fit_quietly(_model(cls, max_iter=N_EPOCHS, **extra), X, y)
    pieces = _model(cls, **extra)
    for _ in range(N_EPOCHS):
        pieces.partial_fit(X, y, classes=np.unique(y))
    _assert_same_model(pieces, whole, X)
    np.testing.assert_array_equal(batch_norm_statistics(pieces), batch_norm_statistics(whole))


def test_partial_fit_with_sample_weight_equals_fit(data):
    X, y = data
    sample_weight = np.random.default_rng(0).uniform(0.2, 3.0, size=len(y))
    whole = fit_quietly(_model(max_iter=4), X, y, sample_weight=sample_weight)
    pieces = _model()
    for _ in range(4):
        pieces.partial_fit(X, y, classes=np.unique(y), sample_weight=sample_weight)
    _assert_same_model(pieces, whole, X)


def test_partial_fit_over_different_chunks_keeps_state(data):
    """Chunks of a stream: counters add up, the optimizer keeps counting steps."""
    X, y = data
    model = _model(solver="adam")
    classes = np.unique(y)
    chunks = np.array_split(np.arange(len(y)), 3)
    for rows in chunks:
        model.partial_fit(X[rows], y[rows], classes=classes)
    assert total_epochs(model) == 3
    assert model.t_ == len(y)
    assert optimizer_steps(model) == sum(math.ceil(len(r) / BATCH) for r in chunks)
    assert len(model.history_) == len(model.loss_curve_) == 3


def test_partial_fit_requires_classes_on_first_call(data):
    X, y = data
    with pytest.raises(ValueError, match="classes"):
        _model().partial_fit(X, y)


def test_partial_fit_accepts_classes_missing_from_first_batch(data):
    X, y = data
    model = _model()
    rows = y != 2
    model.partial_fit(X[rows], y[rows], classes=[0, 1, 2])
    np.testing.assert_array_equal(model.classes_, [0, 1, 2])
    assert model.predict_proba(X).shape == (len(y), 3)
    model.partial_fit(X, y)  # the third class arrives later: fine
    assert total_epochs(model) == 2


def test_partial_fit_classes_order_does_not_matter(data):
    X, y = data
    sorted_model, shuffled_model = _model(), _model()
    for _ in range(2):
        sorted_model.partial_fit(X, y, classes=[0, 1, 2])
        shuffled_model.partial_fit(X, y, classes=[2, 0, 1])
    np.testing.assert_array_equal(shuffled_model.classes_, [0, 1, 2])
    _assert_same_model(shuffled_model, sorted_model, X)


def test_partial_fit_string_labels(data):
    X, y = data
    labels = np.array(["ant", "bee", "cat"])[y]
    model = _model()
    model.partial_fit(X, labels, classes=["ant", "bee", "cat"])
    model.partial_fit(X, labels)
    assert set(model.predict(X)) <= {"ant", "bee", "cat"}


def test_partial_fit_rejects_labels_outside_classes(data):
    X, y = data
    with pytest.raises(ValueError, match="not in classes|classes"):
        _model().partial_fit(X, y, classes=[0, 1])
    model = _model().partial_fit(X[y < 2], y[y < 2], classes=[0, 1])
    with pytest.raises(ValueError):
        model.partial_fit(X, y)  # label 2 was not declared


def test_partial_fit_rejects_changed_classes(data):
    X, y = data
    model = _model().partial_fit(X, y, classes=[0, 1, 2])
    with pytest.raises(ValueError, match="classes"):
        model.partial_fit(X, y, classes=[0, 1, 2, 3])


def test_partial_fit_rejects_changed_n_features(data):
    X, y = data
    model = _model().partial_fit(X, y, classes=[0, 1, 2])
    with pytest.raises(ValueError, match="features"):
        model.partial_fit(X[:, :-1], y)


@pytest.mark.parametrize("cls", [MLPSoftmaxClassifier, MLPSVMClassifier])
def test_partial_fit_with_lbfgs_raises(data, cls):
    X, y = data
    model = _model(cls, solver="lbfgs")
    with pytest.raises(ValueError, match="lbfgs"):
        model.partial_fit(X, y, classes=[0, 1, 2])
    assert not hasattr(model, "coefs_")


def test_partial_fit_continues_a_fitted_model(data):
    X, y = data
    model = fit_quietly(_model(max_iter=3), X, y)
    model.partial_fit(X, y)
    reference = fit_quietly(_model(max_iter=4), X, y)
    _assert_same_model(model, reference, X)


def test_partial_fit_ignores_early_stopping(data):
    """As in MLPClassifier, partial_fit trains on all rows and does no validation."""
    X, y = data
    model = _model(early_stopping=True)
    model.partial_fit(X, y, classes=[0, 1, 2])
    assert model.t_ == len(y)
    assert "validation_score" not in model.history_[0]


@pytest.mark.parametrize(
    "extra", [{}, dict(batch_norm=True, shuffle=False)], ids=["plain", "bn-no-shuffle"]
)
def test_warm_start_continues_exactly_with_stateless_optimizer(data, extra):
    """Plain SGD has no optimizer state, so rebuilding it changes nothing: two
    warm-started fits of k epochs must equal one fit of 2k epochs (weights, batch-norm
    statistics, shuffling generator and epoch count all carry over). The rate is
    constant: a decaying schedule starts afresh with each fit (test_schedules.py)."""
    X, y = data
    params = dict(solver="sgd", momentum=0.0, learning_rate="constant", **extra)
    whole = fit_quietly(_model(max_iter=N_EPOCHS, **params), X, y)
    model = fit_quietly(_model(max_iter=N_EPOCHS // 2, warm_start=True, **params), X, y)
    first_losses = list(model.loss_curve_)
    fit_quietly(model, X, y)
    assert total_epochs(model) == N_EPOCHS
    assert model.t_ == N_EPOCHS * len(y)
    assert model.loss_curve_[: N_EPOCHS // 2] == first_losses
    assert [r["epoch"] for r in model.history_] == list(range(1, N_EPOCHS + 1))
    _assert_same_model(model, whole, X)
    assert_close_to_rounding(
        batch_norm_statistics(model), batch_norm_statistics(whole), k=TRAINING_K
    )


@pytest.mark.parametrize("solver", ["sgd", "adam", "rmsprop"])
@pytest.mark.parametrize(
    "extra", [{}, dict(batch_norm=True, average=True)], ids=["plain", "bn+avg"]
)
def test_warm_start_loss_continues(data, solver, extra):
    X, y = data
    k = N_EPOCHS // 2
    model = fit_quietly(_model(solver=solver, max_iter=k, warm_start=True, **extra), X, y)
    fit_quietly(model, X, y)
    losses = model.loss_curve_
    assert total_epochs(model) == len(losses) == len(model.history_) == 2 * k
    # The second call starts from the trained weights, not from a new initialisation.
    assert losses[k] < losses[0]
    assert losses[k] < 1.25 * losses[k - 1]


def test_warm_start_rebuilds_optimizer_as_mlpclassifier(data):
    """MLPClassifier creates a new optimizer for every warm-started fit; partial_fit keeps it."""
    X, y = data
    steps_per_call = (N_EPOCHS // 2) * math.ceil(len(y) / BATCH)
    model = fit_quietly(_model(solver="adam", max_iter=N_EPOCHS // 2, warm_start=True), X, y)
    fit_quietly(model, X, y)
    assert optimizer_steps(model) == steps_per_call
    model.partial_fit(X, y)
    assert optimizer_steps(model) == steps_per_call + math.ceil(len(y) / BATCH)


def test_warm_start_accepts_non_layout_changes(data):
    X, y = data
    model = fit_quietly(_model(max_iter=3, warm_start=True), X, y)
    model.set_params(dropout=0.2, alpha=1e-2, solver="rmsprop")
    fit_quietly(model, X, y)
    assert total_epochs(model) == 6
    assert np.all(np.isfinite(model.predict_proba(X)))


def test_without_warm_start_fit_restarts(data):
    X, y = data
    model = fit_quietly(_model(max_iter=3), X, y)
    fit_quietly(model, X, y)
    fresh = fit_quietly(_model(max_iter=3), X, y)
    assert model.n_iter_ == 3 and len(model.loss_curve_) == 3
    _assert_same_model(model, fresh, X)


def test_warm_start_rejects_architecture_change(data):
    X, y = data
    model = fit_quietly(_model(max_iter=2, warm_start=True), X, y)
    model.set_params(hidden_layer_sizes=(9,))
    with pytest.raises(ValueError, match="warm_start"):
        model.fit(X, y)


def test_warm_start_rejects_new_labels(data):
    X, y = data
    model = fit_quietly(_model(max_iter=2, warm_start=True), X[y < 2], y[y < 2])
    with pytest.raises(ValueError):
        model.fit(X, y)


def test_warm_start_lbfgs_continues_from_previous_solution(data):
    X, y = data
    model = fit_quietly(_model(solver="lbfgs", max_iter=5, warm_start=True), X, y)
    n_first, last_loss = total_epochs(model), model.loss_curve_[-1]
    fit_quietly(model, X, y)
    assert total_epochs(model) > n_first
    assert len(model.loss_curve_) == total_epochs(model)
    # L-BFGS decreases the loss monotonically from where it stopped.
    assert max(model.loss_curve_[n_first:]) <= last_loss + 1e-12


def test_warm_start_honours_changed_learning_rate(data):
    """As MLPClassifier, a warm-started fit uses the learning-rate settings it is given.

    MLPClassifier builds its optimizer afresh for each warm-started ``fit``, so
    ``set_params(learning_rate_init=...)`` between fits (the usual way to lower
    the rate and go on) takes effect; silently training on with the old rate
    would make that common recipe a no-op.
    """
    X, y = data
    model = fit_quietly(_model(max_iter=3, learning_rate_init=0.02, warm_start=True), X, y)
    model.set_params(learning_rate_init=0.002, learning_rate="step", decay_steps=1)
    fit_quietly(model, X, y)
    rates = [record["learning_rate"] for record in model.history_]
    # Epochs 4-6 run the new step schedule from its start: 0.002 * 0.5 ** (0, 1, 2).
    np.testing.assert_allclose(rates, [0.02] * 3 + [0.002 * 0.5**e for e in (0, 1, 2)], rtol=1e-12)


def test_curves_stay_whole_through_a_stream_of_calls(data):
    # Each call exports only its own records; the attributes must still describe
    # every epoch of every call, as one export of the whole state would.
    X, y = data
    model = MLPSoftmaxClassifier(hidden_layer_sizes=(8,), random_state=0)

    def assert_whole(n_epochs):
        assert len(model.history_) == len(model.loss_curve_) == n_epochs
        assert [r["epoch"] for r in model.history_] == list(range(1, n_epochs + 1))
        assert [r["loss"] for r in model.history_] == model.loss_curve_
        assert model.best_loss_ == min(model.loss_curve_)

    for k in range(1, 31):
        model.partial_fit(X, y, classes=np.unique(y))
        assert_whole(k)
    # Labels it cannot fit: the losses rise, and the best stays an earlier call's.
    shuffled = np.random.default_rng(0).permutation(y)
    model.partial_fit(X, shuffled)
    assert model.loss_curve_[-1] > min(model.loss_curve_[:-1])
    assert_whole(31)
    model.partial_fit(X, y)
    model.set_params(warm_start=True, max_iter=3)
    fit_quietly(model, X, y)
    assert_whole(35)
    # A validated warm start has no best_loss_; the next plain call covers every epoch.
    model.set_params(early_stopping=True)
    fit_quietly(model, X, y)
    assert model.best_loss_ is None
    model.set_params(early_stopping=False)
    model.partial_fit(X, y)
    assert_whole(model.history_[-1]["epoch"])
    # A fresh fit starts the curves again.
    model.set_params(warm_start=False)
    fit_quietly(model, X, y)
    assert_whole(model.n_iter_)
