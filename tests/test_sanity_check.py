"""sanity_check: initial loss at its theoretical value, and overfitting a tiny subset."""

import math

import numpy as np
import pytest
from conftest import classification_data
from sklearn.datasets import load_iris
from sklearn.preprocessing import StandardScaler

from skdeep import MLPSoftmaxClassifier, MLPSVMClassifier, sanity_check
from skdeep.core.losses import SoftmaxCrossEntropy


@pytest.fixture(scope="module")
def iris():
    X, y = load_iris(return_X_y=True)
    return StandardScaler().fit_transform(X), y


def _xor(n_per_corner=2, seed=0):
    """Four tight clusters labelled by XOR: no linear model separates them."""
    rng = np.random.default_rng(seed)
    corners = np.array([[1.0, 1.0], [-1.0, -1.0], [1.0, -1.0], [-1.0, 1.0]])
    noise = rng.normal(scale=0.05, size=(4 * n_per_corner, 2))
    X = np.repeat(corners, n_per_corner, axis=0) + noise
    y = np.repeat([0, 0, 1, 1], n_per_corner)
    return X, y


def _blobs(n_classes, seed=0):
    return classification_data(
        n_samples=40 * n_classes, n_classes=n_classes, n_clusters_per_class=1, random_state=seed
    )


@pytest.mark.parametrize("n_classes", [2, 3, 5])
def test_softmax_initial_loss_is_log_n_classes(n_classes):
    X, y = _blobs(n_classes)
    report = sanity_check(
        MLPSoftmaxClassifier(hidden_layer_sizes=(16,), random_state=0), X, y, overfit_max_iter=1
    )
    assert report.expected_initial_loss == pytest.approx(math.log(n_classes), rel=1e-12)
    assert report.initial_loss == pytest.approx(math.log(n_classes), rel=0.02)
    assert report.initial_loss_ok


@pytest.mark.parametrize("n_classes", [2, 3, 5])
@pytest.mark.parametrize(
    "loss, margin, power",
    [("hinge", 1.0, 1), ("hinge", 2.5, 1), ("squared_hinge", 1.0, 2), ("squared_hinge", 2.0, 2)],
)
def test_hinge_initial_loss(n_classes, loss, margin, power):
    X, y = _blobs(n_classes)
    estimator = MLPSVMClassifier(hidden_layer_sizes=(16,), loss=loss, margin=margin, random_state=0)
    report = sanity_check(estimator, X, y, overfit_max_iter=1)
    expected = (n_classes - 1) * margin**power
    assert report.expected_initial_loss == pytest.approx(expected, rel=1e-12)
    assert report.initial_loss == pytest.approx(expected, rel=0.02)
    assert report.initial_loss_ok


@pytest.mark.parametrize("cls", [MLPSoftmaxClassifier, MLPSVMClassifier])
def test_healthy_network_passes(iris, cls):
    X, y = iris
    report = sanity_check(
        cls(hidden_layer_sizes=(32,), learning_rate_init=0.01, random_state=0), X, y
    )
    assert report.passed
    assert report.overfit_ok and report.overfit_accuracy == 1.0
    assert report.n_overfit_samples == 20
    assert report.penalty_raises_loss is True
    text = str(report)
    assert "passed" in text
    assert "initial loss" in text
    assert f"{report.initial_loss:.4f}" in text and f"{report.expected_initial_loss:.4f}" in text
    assert "1.000" in text and "20 samples" in text
    assert "penalty" in text


def test_linear_model_cannot_overfit_xor():
    X, y = _xor()
    params = dict(learning_rate_init=0.05, random_state=0)
    broken = sanity_check(
        MLPSoftmaxClassifier(hidden_layer_sizes=(), **params),
        X,
        y,
        n_overfit_samples=len(y),
        overfit_max_iter=300,
    )
    assert not broken.passed
    assert not broken.overfit_ok
    assert broken.overfit_accuracy <= 0.75
    assert broken.initial_loss_ok  # the loss is fine; only the capacity is missing
    text = str(broken)
    assert "FAILED" in text
    assert "cannot overfit" in text

    # The same data with a hidden layer passes: the check tells the two apart.
    healthy = sanity_check(
        MLPSoftmaxClassifier(hidden_layer_sizes=(16,), **params),
        X,
        y,
        n_overfit_samples=len(y),
        overfit_max_iter=300,
    )
    assert healthy.passed


@pytest.mark.parametrize("cls", [MLPSoftmaxClassifier, MLPSVMClassifier])
def test_tiny_learning_rate_fails_to_overfit(iris, cls):
    X, y = iris
    report = sanity_check(
        cls(hidden_layer_sizes=(16,), learning_rate_init=1e-8, random_state=0),
        X,
        y,
        overfit_max_iter=5,
    )
    assert not report.passed
    assert report.overfit_accuracy < 1.0
    assert "FAILED" in str(report)


def test_broken_loss_is_reported(iris, monkeypatch):
    """A loss with an additive bug shows up as an initial-loss mismatch."""
    X, y = iris
    original = SoftmaxCrossEntropy.__call__

    def off_by_half(self, scores, y, weights=None, gradient=True):
        return original(self, scores, y, weights, gradient) + 0.5

    monkeypatch.setattr(SoftmaxCrossEntropy, "__call__", off_by_half)
    report = sanity_check(
        MLPSoftmaxClassifier(hidden_layer_sizes=(8,), random_state=0), X, y, overfit_max_iter=1
    )
    assert not report.initial_loss_ok
    assert not report.passed
    assert "MISMATCH" in str(report)


@pytest.mark.parametrize("params", [dict(penalty=None), dict(alpha=0.0)])
def test_no_penalty_is_reported_as_such(iris, params):
    X, y = iris
    report = sanity_check(
        MLPSoftmaxClassifier(hidden_layer_sizes=(8,), random_state=0, **params),
        X,
        y,
        overfit_max_iter=1,
    )
    assert report.penalty_raises_loss is None
    assert "no penalty" in str(report)


def test_regularisation_is_switched_off_for_the_overfit(iris):
    """Strong dropout and weight decay would prevent overfitting; the check removes them."""
    X, y = iris
    estimator = MLPSoftmaxClassifier(
        hidden_layer_sizes=(32,),
        dropout=0.5,
        alpha=1.0,
        early_stopping=True,
        learning_rate_init=0.01,
        random_state=0,
    )
    assert sanity_check(estimator, X, y).overfit_ok


def test_estimator_is_not_modified(iris):
    X, y = iris
    estimator = MLPSoftmaxClassifier(hidden_layer_sizes=(8,), random_state=0)
    params = estimator.get_params()
    sanity_check(estimator, X, y, overfit_max_iter=5)
    assert estimator.get_params() == params
    assert not hasattr(estimator, "coefs_")


def test_overfit_subset_size(iris):
    X, y = iris
    report = sanity_check(
        MLPSoftmaxClassifier(hidden_layer_sizes=(8,), random_state=0),
        X,
        y,
        n_overfit_samples=6,
        overfit_max_iter=1,
    )
    assert report.n_overfit_samples == 6


@pytest.mark.parametrize(
    "kwargs", [dict(n_overfit_samples=1), dict(overfit_max_iter=0), dict(n_overfit_samples=2.5)]
)
def test_invalid_arguments(iris, kwargs):
    X, y = iris
    with pytest.raises(ValueError):
        sanity_check(MLPSoftmaxClassifier(), X, y, **kwargs)


def test_rejects_other_estimators(iris):
    from sklearn.linear_model import LogisticRegression

    X, y = iris
    with pytest.raises(TypeError):
        sanity_check(LogisticRegression(), X, y)
