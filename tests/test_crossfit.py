"""Explicit validation sets (X_val) and the cross-fitted ensemble built on them."""

import warnings

import numpy as np
import pytest
from conftest import classification_data, fit_quietly
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.metrics import log_loss
from sklearn.utils.estimator_checks import parametrize_with_checks

from skdeep import MLPSoftmaxClassifier, MLPSVMClassifier
from skdeep.ensemble import CrossFitClassifier

NET = dict(hidden_layer_sizes=(8,), early_stopping=True, max_iter=8, learning_rate_init=0.02)


@pytest.mark.parametrize("cls", [MLPSoftmaxClassifier, MLPSVMClassifier])
def test_x_val_is_the_early_stopping_set(cls):
    X, y = classification_data(n_samples=200)
    X_val, y_val = classification_data(n_samples=200, random_state=1)
    model = fit_quietly(cls(random_state=0, **NET), X, y, X_val=X_val, y_val=y_val)
    # Validation scores are those of X_val, and every row of X trained.
    assert len(model.validation_scores_) == model.n_iter_
    assert model.t_ == model.n_iter_ * len(y)
    again = fit_quietly(cls(random_state=0, **{**NET, "max_iter": model.n_iter_}), X, y)
    assert again.t_ < model.t_  # the internal split holds rows out


def test_x_val_is_refused_without_early_stopping_or_with_bad_labels():
    X, y = classification_data(n_samples=100)
    with pytest.raises(ValueError, match="early_stopping=True"):
        MLPSoftmaxClassifier().fit(X, y, X_val=X, y_val=y)
    with pytest.raises(ValueError, match="together"):
        MLPSoftmaxClassifier(early_stopping=True).fit(X, y, X_val=X)
    with pytest.raises(ValueError, match="labels not in the training data"):
        MLPSoftmaxClassifier(early_stopping=True).fit(X, y, X_val=X, y_val=y + 7)
    with pytest.raises(ValueError, match="features"):
        MLPSoftmaxClassifier(early_stopping=True).fit(X, y, X_val=X[:, :3], y_val=y)


# Weights cannot equal repeated rows: the folds are drawn over rows, so a row given
# weight 2 falls in one fold where its two copies may fall in two (as with any
# resampling ensemble; scikit-learn's BaggingClassifier fails these checks too).
RESAMPLING = "folds are drawn over rows: a weight of 2 is not two rows in two folds"


@parametrize_with_checks(
    [CrossFitClassifier(MLPSoftmaxClassifier(random_state=0, **NET))],
    expected_failed_checks=lambda estimator: {
        "check_sample_weight_equivalence_on_dense_data": RESAMPLING,
        "check_sample_weight_equivalence_on_sparse_data": RESAMPLING,
    },
)
def test_scikit_learn_compatible(estimator, check):
    check(estimator)


def test_each_model_validates_on_its_own_fold(monkeypatch):
    seen = []
    original = MLPSoftmaxClassifier._fit_stages

    # Every fit goes through its stages, trained alone or in lockstep.
    def recording(self, X, y, sample_weight, **stage_options):
        seen.append((len(y), len(stage_options["validation_data"][1])))
        return original(self, X, y, sample_weight, **stage_options)

    monkeypatch.setattr(MLPSoftmaxClassifier, "_fit_stages", recording)
    X, y = classification_data(n_samples=300)
    model = CrossFitClassifier(MLPSoftmaxClassifier(**NET), random_state=0)
    fit_quietly(model, X, y)
    # 'auto': round(10000 / 300) models, at most the 5 folds; each trains on 4/5.
    assert len(model.estimators_) == 5
    assert seen == [(240, 60)] * 5
    seeds = {m.random_state for m in model.estimators_}
    assert len(seeds) == 5  # every model its own initialisation


@pytest.mark.parametrize(
    "n_samples, row_budget, expected", [(300, 10000, 5), (3000, 10000, 3), (20000, 10000, 1)]
)
def test_auto_number_of_models_spends_a_row_budget(n_samples, row_budget, expected):
    X, y = classification_data(n_samples=n_samples)
    net = MLPSoftmaxClassifier(hidden_layer_sizes=(4,), early_stopping=True, max_iter=1)
    model = fit_quietly(CrossFitClassifier(net, row_budget=row_budget, random_state=0), X, y)
    assert len(model.estimators_) == expected


def test_probabilities_are_the_models_mean():
    X, y = classification_data(n_samples=200)
    model = fit_quietly(
        CrossFitClassifier(MLPSoftmaxClassifier(**NET), n_estimators=3, random_state=0), X, y
    )
    expected = np.mean([m.predict_proba(X) for m in model.estimators_], axis=0)
    np.testing.assert_allclose(model.predict_proba(X), expected)
    np.testing.assert_array_equal(model.predict(X), model.classes_[expected.argmax(axis=1)])
    again = fit_quietly(
        CrossFitClassifier(MLPSoftmaxClassifier(**NET), n_estimators=3, random_state=0), X, y
    )
    np.testing.assert_array_equal(again.predict_proba(X), model.predict_proba(X))


def test_float32_models_give_probabilities_that_sum_to_one():
    # Each model computes in float32; the ensemble's rows must still sum to one
    # within float64 rounding, or log_loss warns that they are not probabilities.
    X, y = classification_data(n_samples=200, n_classes=3)
    model = fit_quietly(
        CrossFitClassifier(MLPSoftmaxClassifier(**NET), n_estimators=3, random_state=0),
        X.astype(np.float32),
        y,
    )
    proba = model.predict_proba(X.astype(np.float32))
    assert proba.dtype == np.float64
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=0, atol=4 * np.finfo(np.float64).eps)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        log_loss(y, proba)


def test_works_with_histgradientboosting_too():
    X, y = classification_data(n_samples=200)
    hgb = HistGradientBoostingClassifier(early_stopping=True, max_iter=20)
    model = CrossFitClassifier(hgb, n_estimators=2, random_state=0).fit(X, y)
    assert model.predict_proba(X).shape == (200, 3)


def test_small_classes_shrink_the_folds():
    X, y = classification_data(n_samples=40)
    y[:3] = 7  # a class of three samples: three folds
    model = fit_quietly(CrossFitClassifier(MLPSoftmaxClassifier(**NET), random_state=0), X, y)
    assert len(model.estimators_) == 3
    y[:3] = [7, 8, 9]  # classes of one sample: one model on every row
    model = fit_quietly(CrossFitClassifier(MLPSoftmaxClassifier(**NET), random_state=0), X, y)
    assert len(model.estimators_) == 1 and model.estimators_[0].t_ % 40 == 0
