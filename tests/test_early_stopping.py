"""Early stopping: stratified validation split, per-epoch records, restore of the best epoch.

The restore is checked exactly without any hook into the loop: with a fixed
``random_state`` the trajectory is deterministic (same initialisation, same
split, same shuffling and dropout masks), so a run stopped by ``max_iter`` at the
best epoch ``b`` of a longer run holds exactly the parameters (and batch-norm
running statistics) the longer run must restore.
"""

import warnings

import numpy as np
import pytest
from conftest import (
    batch_norm_statistics,
    classification_data,
    fit_quietly,
    training_parameters,
)
from sklearn.exceptions import ConvergenceWarning

from skdeep import MLPSoftmaxClassifier, MLPSVMClassifier

N_EPOCHS = 20


@pytest.fixture
def noisy_data():
    # Label noise makes the validation score peak and fall back, so the best
    # epoch lies strictly inside the run.
    return classification_data(n_samples=300, n_features=20, n_informative=3, flip_y=0.3)


def _params(seed, **extra):
    # Not small_model: a wider network with validation, the default tol and a seed to vary.
    return dict(
        hidden_layer_sizes=(50,),
        learning_rate_init=0.01,
        batch_size=32,
        early_stopping=True,
        validation_fraction=0.2,
        n_iter_no_change=1000,  # never stop early: run all epochs, then restore
        random_state=seed,
        **extra,
    )


def _first_interior_best(cls, X, y, extra):
    """A long run whose best validation epoch is neither the first nor the last."""
    for seed in range(8):
        model = fit_quietly(cls(max_iter=N_EPOCHS, **_params(seed, **extra)), X, y)
        best = int(np.argmax(model.validation_scores_)) + 1
        if 1 < best < model.n_iter_:
            return seed, model, best
    raise AssertionError("no seed gave a best epoch strictly inside the run")


@pytest.mark.parametrize("cls", [MLPSoftmaxClassifier, MLPSVMClassifier])
@pytest.mark.parametrize(
    "extra",
    [dict(batch_norm=True), dict(batch_norm=True, dropout=0.2), dict(average=0.9)],
    ids=["batch_norm", "batch_norm+dropout", "average"],
)
def test_best_epoch_is_restored_exactly(noisy_data, cls, extra):
    X, y = noisy_data
    seed, long_run, best = _first_interior_best(cls, X, y, extra)
    assert long_run.n_iter_ == N_EPOCHS  # it trained past the best epoch...
    short_run = fit_quietly(cls(max_iter=best, **_params(seed, **extra)), X, y)

    # ...the shorter run retraces the same trajectory up to the best epoch...
    assert short_run.validation_scores_ == long_run.validation_scores_[:best]
    # ...and the long run's final model is the best epoch's, to the last bit.
    for a, b in zip(
        long_run.coefs_ + long_run.intercepts_,
        short_run.coefs_ + short_run.intercepts_,
        strict=True,
    ):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(batch_norm_statistics(long_run), batch_norm_statistics(short_run))
    np.testing.assert_array_equal(training_parameters(long_run), training_parameters(short_run))
    np.testing.assert_array_equal(long_run.predict_proba(X), short_run.predict_proba(X))
    assert long_run.best_validation_score_ == long_run.validation_scores_[best - 1]


def test_batch_norm_statistics_move_every_epoch(noisy_data):
    """Premise of the restore test: a restore that forgot the statistics would show."""
    X, y = noisy_data
    params = _params(0, batch_norm=True) | {"early_stopping": False}
    runs = [fit_quietly(MLPSoftmaxClassifier(max_iter=k, **params), X, y) for k in (3, 4)]
    states = [batch_norm_statistics(run) for run in runs]
    assert states[0].size > 0
    assert not np.allclose(states[0], states[1])


@pytest.mark.parametrize("cls", [MLPSoftmaxClassifier, MLPSVMClassifier])
def test_history_and_attributes_with_early_stopping(noisy_data, cls):
    X, y = noisy_data
    model = fit_quietly(cls(max_iter=8, **_params(0)), X, y)
    assert len(model.history_) == model.n_iter_ == 8
    for record in model.history_:
        assert {"validation_loss", "validation_score"} <= set(record)
        assert np.isfinite(record["validation_loss"]) and record["validation_loss"] >= 0
        assert 0.0 <= record["validation_score"] <= 1.0
    assert model.validation_scores_ == [r["validation_score"] for r in model.history_]
    assert model.best_validation_score_ == max(model.validation_scores_)
    assert model.best_loss_ is None
    # 60 validation rows: a score is a multiple of 1/60.
    scores = np.array(model.validation_scores_) * 60
    np.testing.assert_allclose(scores, np.round(scores), atol=1e-9)


def test_attributes_without_early_stopping(noisy_data):
    X, y = noisy_data
    params = _params(0) | {"early_stopping": False}
    model = fit_quietly(MLPSoftmaxClassifier(max_iter=5, **params), X, y)
    assert model.validation_scores_ is None
    assert model.best_validation_score_ is None
    assert model.best_loss_ == min(model.loss_curve_)
    for record in model.history_:
        assert "validation_loss" not in record and "validation_score" not in record


@pytest.mark.parametrize("counts", [(180, 20), (150, 30, 20)], ids=["binary", "three-class"])
@pytest.mark.parametrize("seed", [0, 1, 2, 3, 4])
def test_validation_split_is_stratified(counts, seed):
    """With constant features the model predicts the majority class everywhere.

    Its validation accuracy is then the majority share of the validation set,
    which equals the share in the whole data for every seed only when the split
    is stratified (a random 20-row split of 180/20 has exactly 2 minority rows
    less than a third of the time).
    """
    y = np.repeat(np.arange(len(counts)), counts)
    X = np.zeros((len(y), 3))
    model = MLPSoftmaxClassifier(
        hidden_layer_sizes=(4,),
        early_stopping=True,
        validation_fraction=0.1,
        n_iter_no_change=3,
        max_iter=50,
        learning_rate_init=0.01,
        random_state=seed,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        model.fit(X, y)
    majority_share = counts[0] / len(y)
    np.testing.assert_allclose(model.validation_scores_, majority_share, rtol=0, atol=1e-12)

    # The score never improves after epoch 1, so epoch 1 is restored and stopping
    # comes after n_iter_no_change (+1, if counted as MLPClassifier does) stalls.
    assert model.n_iter_ <= 3 + 2 < 50
    # The recorded validation loss of epoch 1 is the log-loss of the restored
    # (constant) prediction on a validation set with the data's class shares.
    proba = model.predict_proba(X[:1])[0]
    val_counts = np.array(counts) // 10
    expected_loss = -np.dot(val_counts, np.log(proba)) / val_counts.sum()
    np.testing.assert_allclose(model.history_[0]["validation_loss"], expected_loss, rtol=1e-9)


def test_early_stopping_stops_when_validation_plateaus(noisy_data):
    X, y = noisy_data
    model = MLPSoftmaxClassifier(
        hidden_layer_sizes=(50,),
        learning_rate_init=0.01,
        batch_size=32,
        early_stopping=True,
        validation_fraction=0.2,
        n_iter_no_change=3,
        tol=0.5,
        max_iter=200,
        random_state=0,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        model.fit(X, y)
    # tol=0.5 on an accuracy: only epoch 1 counts as an improvement.
    assert model.n_iter_ in (4, 5)
    assert len(model.validation_scores_) == model.n_iter_


def test_split_impossible_raises_clear_error():
    X = np.arange(40, dtype=float).reshape(20, 2)
    y = np.array([0] * 10 + [1] * 9 + [2])  # class 2 has a single member
    model = MLPSoftmaxClassifier(hidden_layer_sizes=(3,), early_stopping=True, max_iter=5)
    with pytest.raises(ValueError, match="validation"):
        model.fit(X, y)


def test_validation_score_is_weighted():
    """Zero-weight rows count neither in training nor in the validation score."""
    y = np.repeat([0, 1], [180, 20])
    X = np.zeros((200, 3))
    sample_weight = np.where(y == 0, 0.0, 1.0)
    model = fit_quietly(
        MLPSoftmaxClassifier(
            hidden_layer_sizes=(4,),
            early_stopping=True,
            learning_rate_init=0.05,
            n_iter_no_change=1000,
            max_iter=5,
            random_state=0,
        ),
        X,
        y,
        sample_weight=sample_weight,
    )
    # Trained on class 1 only, the model predicts class 1 everywhere: the weighted
    # validation accuracy is 1 (an unweighted one would be 0.1).
    assert np.all(model.predict(X) == 1)
    assert model.validation_scores_[-1] == pytest.approx(1.0)


def test_warm_start_keeps_the_validation_split():
    """A warm-started fit on the same data must validate on the same rows.

    Otherwise rows validated on before are trained on now (and vice versa), and
    ``best_validation_score_``, the maximum over all calls, compares scores of
    different sets. With constant features the model predicts one class
    everywhere, so with distinct random sample weights its validation score
    identifies the validation rows.
    """
    rng = np.random.default_rng(0)
    y = np.repeat([0, 1], [150, 50])
    X = np.zeros((200, 2))
    sample_weight = rng.uniform(0.5, 1.5, size=200)
    model = MLPSoftmaxClassifier(
        hidden_layer_sizes=(3,),
        early_stopping=True,
        validation_fraction=0.2,
        learning_rate_init=0.01,
        n_iter_no_change=1000,
        max_iter=2,
        warm_start=True,
        random_state=0,
    )
    fit_quietly(model, X, y, sample_weight=sample_weight)
    fit_quietly(model, X, y, sample_weight=sample_weight)
    assert np.all(model.predict(X) == 0)
    scores = model.validation_scores_
    assert len(scores) == 4
    np.testing.assert_allclose(scores, scores[0], rtol=1e-12)


@pytest.mark.parametrize("cls", [MLPSoftmaxClassifier, MLPSVMClassifier])
def test_best_epoch_selection_without_stopping(cls):
    # n_iter_no_change=None runs every epoch and still keeps the best validation
    # epoch's parameters; scoring="loss" monitors the negative validation loss.
    X, y = classification_data(n_samples=300, flip_y=0.2)
    model = fit_quietly(
        cls(
            hidden_layer_sizes=(32,), early_stopping=True, n_iter_no_change=None,
            scoring="loss", max_iter=25, learning_rate_init=0.03, random_state=0,
        ),
        X, y,
    )  # fmt: skip
    assert model.n_iter_ == 25 == len(model.validation_scores_)
    losses = [record["validation_loss"] for record in model.history_]
    np.testing.assert_allclose(model.validation_scores_, -np.asarray(losses))
    best = int(np.argmax(model.validation_scores_))
    assert model.best_validation_score_ == model.validation_scores_[best]
    assert best < 24, "the test needs the best epoch before the last"
    # The kept parameters are those of the best epoch: retraining for exactly
    # best + 1 epochs without early stopping's restore gives the same weights.
    again = fit_quietly(
        cls(
            hidden_layer_sizes=(32,), early_stopping=True, n_iter_no_change=None,
            scoring="loss", max_iter=best + 1, learning_rate_init=0.03, random_state=0,
        ),
        X, y,
    )  # fmt: skip
    for a, b in zip(model.coefs_, again.coefs_, strict=True):
        np.testing.assert_array_equal(a, b)
