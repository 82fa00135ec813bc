"""Weight averaging: the model predicts with the average, trains on the raw weights.

The average is an exponential moving average of the parameters taken after every
update, ``avg <- d_t * avg + (1 - d_t) * theta`` with ``d_t = min(d, (1 + t) / (10 + t))``,
started at the first updated parameters (``skdeep.core.averaging``).
"""

from functools import partial

import numpy as np
import pytest
from conftest import (
    TRAINING_K,
    assert_close_to_rounding,
    batch_norm_statistics,
    classification_data,
    fit_quietly,
    parameter_average,
    parameter_vector,
    small_model,
    total_epochs,
    training_network,
    training_parameters,
)
from sklearn.metrics import log_loss

from skdeep import MLPSoftmaxClassifier, MLPSVMClassifier
from skdeep.core.averaging import ParameterAverage
from skdeep.core.network import predict_scores


@pytest.fixture
def data():
    return classification_data(n_samples=150)  # 5 mini-batches of 30 per epoch


_model = partial(small_model, batch_size=30, learning_rate_init=0.02, max_iter=6)


def _raw_export(model):
    """Inference-form parameters of the raw (training) weights."""
    return training_network(model).inference_params()


def _arrays_differ(left, right):
    pairs = zip(left, right, strict=True)
    return any(not np.allclose(a, b, rtol=1e-6, atol=1e-9) for a, b in pairs)


@pytest.mark.parametrize("cls", [MLPSoftmaxClassifier, MLPSVMClassifier])
@pytest.mark.parametrize("average", [True, 0.9])
@pytest.mark.parametrize("solver", ["sgd", "adam"])
def test_average_changes_predicting_weights_not_training(data, cls, average, solver):
    X, y = data
    plain = fit_quietly(_model(cls, solver=solver), X, y)
    averaged = fit_quietly(_model(cls, solver=solver, average=average), X, y)

    # Training is untouched by averaging: same raw weights, same losses.
    np.testing.assert_array_equal(training_parameters(averaged), parameter_vector(plain))
    assert averaged.loss_curve_ == plain.loss_curve_
    raw_coefs, raw_intercepts = _raw_export(averaged)
    for a, b in zip(raw_coefs + raw_intercepts, plain.coefs_ + plain.intercepts_, strict=True):
        np.testing.assert_array_equal(a, b)

    # Prediction is not: the exported weights are the average.
    assert _arrays_differ(averaged.coefs_ + averaged.intercepts_, raw_coefs + raw_intercepts)
    avg_coefs, avg_intercepts = training_network(averaged).inference_params(
        theta=parameter_average(averaged)
    )
    exported = averaged.coefs_ + averaged.intercepts_
    for a, b in zip(exported, avg_coefs + avg_intercepts, strict=True):
        np.testing.assert_array_equal(a, b)
    activation = training_network(averaged).activation
    assert_close_to_rounding(
        averaged.decision_function(X),
        predict_scores(avg_coefs, avg_intercepts, activation, X).squeeze(),
    )
    assert not np.allclose(
        averaged.decision_function(X),
        predict_scores(raw_coefs, raw_intercepts, activation, X).squeeze(),
    )


@pytest.mark.parametrize("average, decay", [(True, 0.999), (0.5, 0.5), (0.95, 0.95)])
def test_average_follows_documented_formula(data, monkeypatch, average, decay):
    X, y = data
    seen = []
    original = ParameterAverage.update

    def recording(self, theta):
        seen.append(theta.copy())
        return original(self, theta)

    monkeypatch.setattr(ParameterAverage, "update", recording)
    model = fit_quietly(_model(average=average, solver="sgd", max_iter=3), X, y)
    assert len(seen) == 3 * 5  # one update per mini-batch

    # t counts the updates already folded in; the first one sets the average.
    expected = seen[0].copy()
    for t, theta in enumerate(seen[1:], start=1):
        keep = min(decay, (1.0 + t) / (10.0 + t))
        expected = keep * expected + (1.0 - keep) * theta
    assert_close_to_rounding(parameter_average(model), expected)
    np.testing.assert_array_equal(seen[-1], training_parameters(model))


def test_average_with_batch_norm_uses_running_statistics(data):
    X, y = data
    model = fit_quietly(_model(average=0.9, batch_norm=True), X, y)
    network = training_network(model)
    coefs, intercepts = network.inference_params(
        theta=parameter_average(model), state=batch_norm_statistics(model)
    )
    for a, b in zip(model.coefs_ + model.intercepts_, coefs + intercepts, strict=True):
        np.testing.assert_array_equal(a, b)
    assert _arrays_differ(model.coefs_, network.inference_params()[0])


@pytest.mark.parametrize("solver", ["sgd", "adam"])
def test_warm_start_continues_from_raw_weights(data, solver):
    """Averaging never touches training, across warm-started fits too.

    A warm-started fit with averaging must follow the raw trajectory of the same
    fits without averaging; had it resumed from the averaged weights, it would not.
    """
    X, y = data
    plain = fit_quietly(_model(solver=solver, max_iter=3, warm_start=True), X, y)
    averaged = fit_quietly(_model(solver=solver, max_iter=3, average=0.9, warm_start=True), X, y)
    assert _arrays_differ(averaged.coefs_, plain.coefs_)
    fit_quietly(plain, X, y)
    fit_quietly(averaged, X, y)
    assert total_epochs(averaged) == 6
    np.testing.assert_array_equal(training_parameters(averaged), parameter_vector(plain))
    assert averaged.loss_curve_ == plain.loss_curve_
    assert _arrays_differ(averaged.coefs_, plain.coefs_)


def test_partial_fit_continues_from_raw_weights(data):
    X, y = data
    plain = fit_quietly(_model(max_iter=4), X, y)
    model = _model(average=True)
    for _ in range(4):
        model.partial_fit(X, y, classes=[0, 1, 2])
    assert_close_to_rounding(training_parameters(model), parameter_vector(plain), k=TRAINING_K)
    assert _arrays_differ(model.coefs_, plain.coefs_)


def test_average_ignored_by_lbfgs(data):
    X, y = data
    plain = fit_quietly(_model(solver="lbfgs", max_iter=20), X, y)
    averaged = fit_quietly(_model(solver="lbfgs", max_iter=20, average=True), X, y)
    exported = averaged.coefs_ + averaged.intercepts_
    for a, b in zip(exported, plain.coefs_ + plain.intercepts_, strict=True):
        np.testing.assert_array_equal(a, b)


def test_average_smooths_noisy_sgd():
    """Polyak averaging: with a large constant step the average beats the last iterate."""
    X, y = classification_data(
        n_samples=300, n_features=10, n_informative=5, flip_y=0.1, random_state=3
    )
    averaged_losses, raw_losses = [], []
    for seed in range(3):
        model = fit_quietly(
            _model(
                hidden_layer_sizes=(),
                solver="sgd",
                momentum=0.0,
                learning_rate_init=0.5,
                batch_size=10,
                alpha=0.0,
                max_iter=30,
                average=0.99,
                random_state=seed,
            ),
            X,
            y,
        )
        raw_coefs, raw_intercepts = _raw_export(model)
        scores = predict_scores(raw_coefs, raw_intercepts, training_network(model).activation, X)
        raw_proba = np.exp(scores - scores.max(axis=1, keepdims=True))
        raw_proba /= raw_proba.sum(axis=1, keepdims=True)
        averaged_losses.append(log_loss(y, model.predict_proba(X)))
        raw_losses.append(log_loss(y, raw_proba))
    assert np.mean(averaged_losses) < 0.9 * np.mean(raw_losses)


def test_invalid_average_rejected(data):
    X, y = data
    for bad in (1.0, 0.0, -0.5, 2):
        with pytest.raises(ValueError, match="average"):
            _model(average=bad).fit(X, y)
