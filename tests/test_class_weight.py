"""class_weight: per-class weights multiplied into the sample weights.

Each mini-batch loss is the weighted mean over the batch, so a class weight must
act exactly as the corresponding per-sample weight, whatever the solver.
"""

from functools import partial

import numpy as np
import pytest
from conftest import (
    TRAINING_K,
    assert_same_parameters,
    classification_data,
    fit_quietly,
    small_model,
)
from sklearn.metrics import recall_score
from sklearn.model_selection import train_test_split

from skdeep import MLPSoftmaxClassifier, MLPSVMClassifier


@pytest.fixture
def imbalanced():
    X, y = classification_data(
        n_samples=1000,
        n_features=8,
        n_classes=2,
        weights=[0.9, 0.1],
        class_sep=0.6,
        flip_y=0.02,
    )
    return train_test_split(X, y, stratify=y, random_state=0)


@pytest.fixture
def three_class():
    return classification_data(n_samples=150, weights=[0.6, 0.3, 0.1])


_model = partial(small_model, batch_size=32, learning_rate_init=0.02, max_iter=5)


@pytest.mark.parametrize("cls", [MLPSoftmaxClassifier, MLPSVMClassifier])
def test_balanced_raises_minority_recall(imbalanced, cls):
    X_train, X_test, y_train, y_test = imbalanced
    recalls = {}
    for class_weight in (None, "balanced"):
        model = fit_quietly(
            cls(
                hidden_layer_sizes=(16,),
                class_weight=class_weight,
                max_iter=40,
                learning_rate_init=0.01,
                random_state=0,
            ),
            X_train,
            y_train,
        )
        recalls[class_weight] = recall_score(y_test, model.predict(X_test))
    assert recalls["balanced"] > recalls[None] + 0.25


@pytest.mark.parametrize("cls", [MLPSoftmaxClassifier, MLPSVMClassifier])
@pytest.mark.parametrize("solver", ["sgd", "adam", "rmsprop"])
def test_dict_equals_sample_weight(three_class, cls, solver):
    X, y = three_class
    class_weight = {0: 0.5, 1: 2.0, 2: 7.0}
    by_class = fit_quietly(_model(cls, solver=solver, class_weight=class_weight), X, y)
    by_sample = fit_quietly(
        _model(cls, solver=solver), X, y, sample_weight=np.array([class_weight[c] for c in y])
    )
    assert_same_parameters(by_class, by_sample)
    assert by_class.loss_curve_ == by_sample.loss_curve_


def test_dict_with_string_labels_and_missing_classes(three_class):
    X, y = three_class
    labels = np.array(["low", "mid", "high"])[y]
    # Classes left out of the dict weigh 1.
    by_class = fit_quietly(_model(class_weight={"high": 4.0}), X, labels)
    by_sample = fit_quietly(_model(), X, labels, sample_weight=np.where(labels == "high", 4.0, 1.0))
    assert_same_parameters(by_class, by_sample)


@pytest.mark.parametrize("class_weight", [{0: 3.0, 1: 1.0, 2: 0.25}, "balanced"])
def test_class_weight_multiplies_sample_weight(three_class, class_weight):
    X, y = three_class
    sample_weight = np.random.default_rng(0).uniform(0.1, 2.0, size=len(y))
    if class_weight == "balanced":
        counts = np.bincount(y)
        per_class = len(y) / (len(counts) * counts)
    else:
        per_class = np.array([class_weight[c] for c in range(3)])
    combined = fit_quietly(_model(class_weight=class_weight), X, y, sample_weight=sample_weight)
    reference = fit_quietly(_model(), X, y, sample_weight=per_class[y] * sample_weight)
    assert_same_parameters(combined, reference, k=TRAINING_K)


def test_balanced_equals_inverse_frequency_dict(three_class):
    X, y = three_class
    counts = np.bincount(y)
    inverse = {c: len(y) / (3 * counts[c]) for c in range(3)}
    balanced = fit_quietly(_model(class_weight="balanced"), X, y)
    explicit = fit_quietly(_model(class_weight=inverse), X, y)
    assert_same_parameters(balanced, explicit, k=TRAINING_K)


def test_class_weight_with_lbfgs(three_class):
    X, y = three_class
    class_weight = {0: 1.0, 1: 3.0, 2: 9.0}
    by_class = fit_quietly(_model(solver="lbfgs", max_iter=30, class_weight=class_weight), X, y)
    by_sample = fit_quietly(
        _model(solver="lbfgs", max_iter=30),
        X,
        y,
        sample_weight=np.array([class_weight[c] for c in y]),
    )
    assert_same_parameters(by_class, by_sample, k=TRAINING_K)


def test_class_weight_with_partial_fit(three_class):
    X, y = three_class
    class_weight = {0: 1.0, 1: 3.0, 2: 9.0}
    by_class = _model(class_weight=class_weight)
    by_sample = _model()
    weights = np.array([class_weight[c] for c in y])
    for _ in range(3):
        by_class.partial_fit(X, y, classes=[0, 1, 2])
        by_sample.partial_fit(X, y, classes=[0, 1, 2], sample_weight=weights)
    assert_same_parameters(by_class, by_sample)


def test_zero_class_weight_ignores_the_class(three_class):
    X, y = three_class
    model = fit_quietly(_model(class_weight={2: 0.0}, max_iter=30), X, y)
    assert not np.any(model.predict(X) == 2)


def test_unknown_class_in_dict_raises(three_class):
    X, y = three_class
    with pytest.raises(ValueError, match="class_weight"):
        _model(class_weight={0: 1.0, 5: 2.0}).fit(X, y)


def test_invalid_class_weight_string_raises(three_class):
    X, y = three_class
    with pytest.raises(ValueError, match="class_weight"):
        _model(class_weight="balanced_subsample").fit(X, y)
