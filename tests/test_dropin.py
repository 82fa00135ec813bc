"""Drop-in means drop-in: the fitted-attribute contract of MLPClassifier, checked against it.

Each test runs scikit-learn's ``MLPClassifier`` and skdeep's classifiers on the
same data and call sequence and compares what a user reads afterwards. Where
skdeep deliberately differs, the test pins the difference (and the docstrings
say so).
"""

import warnings

import numpy as np
import pytest
from conftest import TRAINING_K, assert_close_to_rounding, training_network
from sklearn.datasets import load_iris, make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier

from skdeep import MLPSoftmaxClassifier, MLPSVMClassifier

CLASSES = [MLPSoftmaxClassifier, MLPSVMClassifier]


@pytest.fixture(scope="module")
def iris():
    X, y = load_iris(return_X_y=True)
    return (X - X.mean(axis=0)) / X.std(axis=0), y


def _quiet(method, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return method(*args, **kwargs)


def _pair(cls, **params):
    return MLPClassifier(**params), cls(**params)


CALL_SEQUENCES = {
    "warm_start twice": [("fit", {}), ("fit", {})],
    "warm_start, then more epochs": [("fit", {}), ("fit", {"max_iter": 20})],
    "partial_fit twice": [("partial_fit", {}), ("partial_fit", {})],
    "partial_fit, then fit": [("partial_fit", {}), ("fit", {})],
    "fit, then partial_fit": [("fit", {}), ("partial_fit", {})],
}


@pytest.mark.parametrize("sequence", CALL_SEQUENCES)
@pytest.mark.parametrize("cls", CLASSES)
def test_iteration_counters_follow_mlpclassifier(iris, cls, sequence):
    X, y = iris
    theirs, ours = _pair(cls, warm_start=True, max_iter=3, solver="sgd", random_state=0)
    for method, params in CALL_SEQUENCES[sequence]:
        for model in (theirs, ours):
            model.set_params(**params)
            if method == "fit":
                _quiet(model.fit, X, y)
            else:
                _quiet(model.partial_fit, X, y, classes=np.unique(y))
        assert ours.n_iter_ == theirs.n_iter_, (method, params)
        assert ours.t_ == theirs.t_
        assert len(ours.loss_curve_) == len(theirs.loss_curve_)
    # The count across calls is in the history.
    assert ours.history_[-1]["epoch"] == len(ours.loss_curve_)


@pytest.mark.parametrize("cls", CLASSES)
def test_non_convergence_is_detectable_as_with_mlpclassifier(iris, cls):
    # Code that tests n_iter_ == max_iter to detect non-convergence keeps working
    # after a warm-started refit with a larger max_iter.
    X, y = iris
    model = _quiet(cls(warm_start=True, max_iter=10, tol=0, random_state=0).fit, X, y)
    assert model.n_iter_ == model.max_iter == 10
    _quiet(model.set_params(max_iter=20).fit, X, y)
    assert model.n_iter_ == model.max_iter == 20
    assert len(model.loss_curve_) == 30


@pytest.mark.parametrize("cls", CLASSES)
def test_warm_start_on_other_classes_is_refused_as_by_mlpclassifier(iris, cls):
    X, y = iris
    theirs, ours = _pair(cls, warm_start=True, max_iter=3, random_state=0)
    for model in (theirs, ours):
        _quiet(model.fit, X, y)
    messages = []
    for model in (theirs, ours):
        with pytest.raises(ValueError, match="warm_start can only be used where") as caught:
            model.fit(X[y < 2], y[y < 2])
        messages.append(str(caught.value).rstrip("."))
    assert messages[0] == messages[1]
    # The refused call changed nothing; a fit with the right classes goes on.
    assert ours.n_iter_ == 3 and list(ours.classes_) == [0, 1, 2]
    _quiet(ours.fit, X, y)
    assert len(ours.loss_curve_) == 6


@pytest.mark.parametrize("cls", CLASSES)
def test_partial_fit_may_see_a_subset_of_the_classes(iris, cls):
    # partial_fit (unlike a warm-started fit) takes batches that miss classes.
    X, y = iris
    model = _quiet(cls(random_state=0).partial_fit, X, y, classes=[0, 1, 2])
    _quiet(model.partial_fit, X[y < 2], y[y < 2])
    assert model.n_iter_ == 1 and len(model.loss_curve_) == 2


FIT_KINDS = {
    "fit": {},
    "early_stopping": {"early_stopping": True},
    "lbfgs": {"solver": "lbfgs"},
    "binary": {},
}


@pytest.mark.parametrize("kind", FIT_KINDS)
@pytest.mark.parametrize("cls", CLASSES)
def test_fitted_attributes_are_a_superset_of_mlpclassifier(iris, cls, kind):
    X, y = iris
    if kind == "binary":
        y = (y == 1).astype(int)
    theirs, ours = _pair(cls, max_iter=5, random_state=0, **FIT_KINDS[kind])
    for model in (theirs, ours):
        _quiet(model.fit, X, y)

    def public(model):
        return {k for k in vars(model) if k.endswith("_") and not k.startswith("_")}

    assert public(theirs) <= public(ours)
    for name in ("n_iter_", "n_layers_", "n_outputs_", "t_", "n_features_in_"):
        if kind == "lbfgs" and name == "t_":
            continue  # MLPClassifier leaves t_ at 0 for lbfgs; skdeep counts samples
        assert getattr(ours, name) == getattr(theirs, name), name
    assert [W.shape for W in ours.coefs_] == [W.shape for W in theirs.coefs_]
    if cls is MLPSoftmaxClassifier:
        assert ours.out_activation_ == theirs.out_activation_
        assert ours.loss == theirs.loss == "log_loss"
    for name in ("best_loss_", "validation_scores_", "best_validation_score_"):
        if hasattr(theirs, name):
            assert (getattr(ours, name) is None) == (getattr(theirs, name) is None), name


def _one_sgd_epoch(model, X, y, coefs, intercepts):
    """Train ``model`` for one epoch of plain SGD from the given weights."""
    if isinstance(model, MLPClassifier):
        _quiet(model.fit, X, y)  # initialises; then overwrite and run one epoch
        for mine, given in zip(model.coefs_ + model.intercepts_, coefs + intercepts):
            mine[...] = given
        _quiet(model.fit, X, y)
        return [W.copy() for W in model.coefs_] + [b.copy() for b in model.intercepts_]
    _quiet(model.fit, X, y)
    network = training_network(model)  # no public setter for the training weights
    for i, (W, b) in enumerate(zip(coefs, intercepts)):
        network.theta[network.param_slices[f"coefs_{i}"]] = W.ravel()
        network.theta[network.param_slices[f"intercepts_{i}"]] = b
    _quiet(model.fit, X, y)
    return [W.copy() for W in model.coefs_] + [b.copy() for b in model.intercepts_]


@pytest.mark.parametrize("batch_size", [20, 60])
@pytest.mark.parametrize("n_classes", [2, 3])
def test_alpha_is_mlpclassifier_alpha_divided_by_the_batch_size(batch_size, n_classes):
    # skdeep adds alpha * ||W||^2 / 2 to the mean loss of a batch (SGDClassifier's
    # convention); MLPClassifier divides its alpha by the batch size. From the same
    # weights, one epoch of plain SGD with alpha_skdeep = alpha_mlp / batch_size
    # takes exactly the same steps.
    X, y = make_classification(
        n_samples=120, n_features=5, n_informative=4, n_redundant=0, n_classes=n_classes,
        random_state=0,
    )  # fmt: skip
    alpha_mlp = 2.0
    common = dict(
        hidden_layer_sizes=(6,), solver="sgd", momentum=0.0, learning_rate_init=0.05,
        batch_size=batch_size, shuffle=False, max_iter=1, warm_start=True, random_state=0,
    )  # fmt: skip
    rng = np.random.default_rng(1)
    n_out = 1 if n_classes == 2 else n_classes
    coefs = [rng.normal(scale=0.5, size=(5, 6)), rng.normal(scale=0.5, size=(6, n_out))]
    intercepts = [rng.normal(scale=0.1, size=6), rng.normal(scale=0.1, size=n_out)]

    theirs = _one_sgd_epoch(MLPClassifier(alpha=alpha_mlp, **common), X, y, coefs, intercepts)
    converted = MLPSoftmaxClassifier(alpha=alpha_mlp / batch_size, dtype="float64", **common)
    ours = _one_sgd_epoch(converted, X, y, coefs, intercepts)
    for mine, reference in zip(ours, theirs):
        assert_close_to_rounding(mine, reference, k=TRAINING_K)
    # And the same alpha value means a different (stronger) penalty: the steps differ.
    same_value = MLPSoftmaxClassifier(alpha=alpha_mlp, dtype="float64", **common)
    unconverted = _one_sgd_epoch(same_value, X, y, coefs, intercepts)
    assert not np.allclose(unconverted[0], theirs[0], rtol=1e-3)
