"""The regression twins: CrossFitRegressor and make_tabular_regressor."""

import pickle

import numpy as np
import pandas as pd
import pytest
from conftest import assert_close_to_rounding, fit_quietly
from sklearn.base import clone
from sklearn.ensemble import HistGradientBoostingRegressor
from sklearn.metrics import r2_score
from sklearn.model_selection import RandomizedSearchCV, cross_val_score
from sklearn.pipeline import Pipeline
from sklearn.utils.estimator_checks import parametrize_with_checks

from skdeep import MLPRegressor, make_tabular_regressor
from skdeep.distributions import loguniform
from skdeep.ensemble import CrossFitRegressor
from skdeep.preprocessing import TabularEncoder

NET = dict(hidden_layer_sizes=(8,), early_stopping=True, learning_rate_init=0.02, max_iter=8)
QUICK = dict(n_estimators=2, max_iter=6, hidden_layer_sizes=(16,))
# As for CrossFitClassifier: the folds are drawn over rows, so a row of weight 2
# falls in one fold where its two copies may fall in two.
RESAMPLING = "folds are drawn over rows: a weight of 2 is not two rows in two folds"


@pytest.fixture(scope="module")
def table():
    """A raw table: a price in dollars from numbers, a category, missing values."""
    rng = np.random.default_rng(0)
    n = 240
    area = rng.uniform(30, 200, n)
    city = rng.choice(["paris", "lyon", "nice"], n)
    age = rng.normal(40, 12, n)
    price = 4000 * area * np.where(city == "paris", 2.0, 1.0) + 2000 * age
    price += rng.normal(0, 2e4, n)
    X = pd.DataFrame({"area": area, "city": city, "age": age, "lift": rng.random(n) < 0.5})
    X.loc[rng.choice(n, 15, replace=False), "age"] = np.nan
    X.loc[rng.choice(n, 8, replace=False), "city"] = None
    return X, price


# check_regressors_train asks for R^2 > 0.5 on its 200-row regression data.
CHECKED = dict(NET, hidden_layer_sizes=(32,), max_iter=60)


@parametrize_with_checks(
    [CrossFitRegressor(MLPRegressor(random_state=0, **CHECKED))],
    expected_failed_checks=lambda estimator: {
        "check_sample_weight_equivalence_on_dense_data": RESAMPLING,
        "check_sample_weight_equivalence_on_sparse_data": RESAMPLING,
    },
)
def test_scikit_learn_compatible(estimator, check):
    check(estimator)


def test_each_model_validates_on_its_own_fold(monkeypatch):
    seen = []
    original = MLPRegressor._fit_stages

    # Every fit goes through its stages, trained alone or in lockstep.
    def recording(self, X, y, sample_weight, **stage_options):
        seen.append((len(X), len(stage_options["validation_data"][0])))
        return original(self, X, y, sample_weight, **stage_options)

    monkeypatch.setattr(MLPRegressor, "_fit_stages", recording)
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(100, 3)), rng.normal(size=100)
    model = CrossFitRegressor(MLPRegressor(random_state=0, **NET), random_state=0)
    fit_quietly(model, X, y)
    assert seen == [(80, 20)] * 5
    assert len(model.estimators_) == 5


def test_prediction_is_the_models_mean():
    rng = np.random.default_rng(1)
    X, Y = rng.normal(size=(60, 3)), rng.normal(size=(60, 2))
    model = fit_quietly(
        CrossFitRegressor(MLPRegressor(random_state=0, **NET), random_state=0), X, Y
    )
    mean = np.mean([m.predict(X) for m in model.estimators_], axis=0)
    assert_close_to_rounding(model.predict(X), mean)
    assert model.predict(X).shape == (60, 2)


def test_works_with_histgradientboosting_too():
    rng = np.random.default_rng(2)
    X = rng.normal(size=(200, 3))
    y = X[:, 0] * 3 + rng.normal(size=200)
    hgb = HistGradientBoostingRegressor(early_stopping=True, max_iter=30, random_state=0)
    model = CrossFitRegressor(hgb, n_estimators=3, random_state=0).fit(X, y)
    assert len(model.estimators_) == 3
    assert model.score(X, y) > 0.8


def test_tiny_table_falls_back_to_one_model():
    X, y = np.arange(6.0).reshape(-1, 1), np.arange(6.0)
    model = CrossFitRegressor(MLPRegressor(random_state=0, **NET), validation_fraction=0.2)
    fit_quietly(model, X[:1], y[:1])
    assert len(model.estimators_) == 1


# ------------------------------------------------------------------ the recipe
def test_recipe_is_a_pipeline_of_encoder_and_regressor():
    model = make_tabular_regressor(random_state=3)
    assert isinstance(model, Pipeline)
    assert [name for name, _ in model.steps] == ["encoder", "regressor"]
    assert isinstance(model[0], TabularEncoder)
    # Quantile bins (what was measured on regression tables); tree bins, when asked
    # for, grow regression trees even on an integer target.
    assert model[0].bins == "quantile" and model[0].target_type == "continuous"
    ensemble = model[-1]
    assert isinstance(ensemble, CrossFitRegressor) and ensemble.random_state == 3
    network = ensemble.estimator
    assert isinstance(network, MLPRegressor)
    assert network.normalize_y and network.early_stopping and network.scoring == "loss"
    assert network.loss == "squared_error"
    assert model[0].one_hot_max_size == 20 and model[0].random_state == 3
    assert model[0].numeric_target_encoding


def test_recipe_fits_a_raw_price_table(table):
    X, y = table
    model = fit_quietly(make_tabular_regressor(random_state=0, max_iter=30), X, y)
    assert model.predict(X).shape == (len(y),)
    # Raw prices (a mean near 6e5) train without a hand-made target scaler.
    assert r2_score(y, model.predict(X)) > 0.9


def test_overrides_reach_the_right_step():
    model = make_tabular_regressor(n_bins=0, n_estimators=2, loss="huber", huber_delta=0.5)
    assert model[0].n_bins == 0
    assert model[-1].n_estimators == 2
    assert model[-1].estimator.loss == "huber" and model[-1].estimator.huber_delta == 0.5
    with pytest.raises(TypeError, match="make_tabular_regressor got an unexpected setting"):
        make_tabular_regressor(label_smoothing=0.1)


def test_clone_pickle_and_determinism(table):
    X, y = table
    model = make_tabular_regressor(random_state=0, **QUICK)
    first = fit_quietly(clone(model), X, y).predict(X)
    second = fit_quietly(clone(model), X, y)
    np.testing.assert_array_equal(second.predict(X), first)
    np.testing.assert_array_equal(pickle.loads(pickle.dumps(second)).predict(X), first)


def test_searchable_and_cross_validated(table):
    X, y = table
    search = RandomizedSearchCV(
        make_tabular_regressor(random_state=0, **QUICK),
        {"regressor__estimator__learning_rate_init": loguniform(1e-3, 1e-2)},
        n_iter=2,
        cv=2,
        random_state=0,
    )
    fit_quietly(search, X, y)
    assert np.isfinite(search.best_score_)
    scores = cross_val_score(make_tabular_regressor(random_state=0, **QUICK), X, y, cv=2)
    assert np.all(np.isfinite(scores))
