"""make_tabular_classifier: one line from a raw DataFrame to a fitted, searchable model."""

import pickle

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.model_selection import RandomizedSearchCV, cross_val_score
from sklearn.pipeline import Pipeline

from skdeep import MLPSoftmaxClassifier, MLPSVMClassifier, make_tabular_classifier
from skdeep.distributions import loguniform
from skdeep.ensemble import CrossFitClassifier
from skdeep.preprocessing import TabularEncoder

QUICK = dict(n_estimators=2, max_iter=6, hidden_layer_sizes=(16,))


@pytest.fixture(scope="module")
def table():
    rng = np.random.default_rng(0)
    n = 240
    age = rng.normal(40, 12, n)
    city = rng.choice(["paris", "lyon", "nice"], n)
    income = np.exp(rng.normal(10, 1, n))
    logit = (age - 40) / 10 + (city == "lyon") * 1.5 - 0.5
    y = np.where(rng.random(n) < 1 / (1 + np.exp(-logit)), "yes", "no")
    X = pd.DataFrame({"age": age, "city": city, "income": income, "flag": rng.random(n) < 0.3})
    X.loc[rng.choice(n, 15, replace=False), "age"] = np.nan
    X.loc[rng.choice(n, 8, replace=False), "city"] = None
    return X, y


def test_recipe_is_a_pipeline_of_encoder_and_classifier():
    model = make_tabular_classifier(random_state=3)
    assert isinstance(model, Pipeline)
    assert [name for name, _ in model.steps] == ["encoder", "classifier"]
    assert isinstance(model.named_steps["encoder"], TabularEncoder)
    ensemble = model.named_steps["classifier"]
    assert isinstance(ensemble, CrossFitClassifier)
    assert isinstance(ensemble.estimator, MLPSoftmaxClassifier)
    assert ensemble.random_state == 3 and ensemble.estimator.early_stopping
    params = model.get_params()
    assert params["classifier__estimator__learning_rate"] == "cosine"
    assert params["classifier__n_estimators"] == "auto"
    assert params["encoder__n_bins"] > 0 and params["encoder__bins"] == "tree"
    # Many-level categories are target-encoded, seeded like the rest.
    assert params["encoder__one_hot_max_size"] == 20 and params["encoder__random_state"] == 3
    # So are integer columns that behave like categories (ids).
    assert params["encoder__numeric_target_encoding"]
    # The classifier's own defaults stay MLPClassifier's: the recipe is separate.
    assert MLPSoftmaxClassifier().n_members == 1
    assert MLPSoftmaxClassifier().learning_rate == "constant"


def test_recipe_fits_a_raw_dataframe(table):
    X, y = table
    model = make_tabular_classifier(random_state=0, **QUICK).fit(X, y)
    proba = model.predict_proba(X)
    assert proba.shape == (len(y), 2) and np.allclose(proba.sum(axis=1), 1)
    assert set(model.predict(X)) <= {"no", "yes"}
    assert list(model.classes_) == ["no", "yes"]
    new = X.head(4).copy()
    new["city"] = ["tokyo", None, "paris", "lyon"]  # unseen and missing categories
    assert model.predict(new).shape == (4,)


def test_overrides_reach_the_right_step():
    model = make_tabular_classifier(n_bins=0, n_members=3, alpha=1e-3, clip=None, n_estimators=4)
    params = model.get_params()
    assert params["encoder__n_bins"] == 0 and params["encoder__clip"] is None
    assert params["classifier__estimator__n_members"] == 3
    assert params["classifier__estimator__alpha"] == 1e-3
    assert params["classifier__n_estimators"] == 4
    with pytest.raises(TypeError, match="n_member"):
        make_tabular_classifier(n_member=3)
    with pytest.raises(ValueError, match="head"):
        make_tabular_classifier(head="tree")


def test_svm_head(table):
    X, y = table
    model = make_tabular_classifier(random_state=0, head="svm", margin=0.5, **QUICK).fit(X, y)
    networks = model.named_steps["classifier"].estimators_
    assert len(networks) == 2 and all(isinstance(n, MLPSVMClassifier) for n in networks)
    assert networks[0].margin == 0.5
    assert model.predict_proba(X).shape == (len(y), 2)


def test_clone_pickle_and_determinism(table):
    X, y = table
    model = make_tabular_classifier(random_state=1, **QUICK)
    first = clone(model).fit(X, y)
    second = clone(model).fit(X, y)
    np.testing.assert_array_equal(first.predict_proba(X), second.predict_proba(X))
    restored = pickle.loads(pickle.dumps(first))
    np.testing.assert_array_equal(restored.predict_proba(X), first.predict_proba(X))


def test_searchable_and_cross_validated(table):
    X, y = table
    scores = cross_val_score(make_tabular_classifier(random_state=0, **QUICK), X, y, cv=3)
    assert scores.shape == (3,) and np.all(scores > 0.5)
    search = RandomizedSearchCV(
        make_tabular_classifier(random_state=0, **QUICK),
        {
            "classifier__estimator__learning_rate_init": loguniform(1e-3, 1e-2),
            "encoder__n_bins": [0, 4],
        },
        n_iter=2,
        cv=2,
        random_state=0,
    ).fit(X, y)
    assert search.best_estimator_.predict(X).shape == (len(y),)


def test_recipe_target_encodes_a_many_level_column():
    rng = np.random.default_rng(5)
    n = 400
    state = rng.integers(0, 40, n)
    X = pd.DataFrame({"state": [f"s{code}" for code in state], "x": rng.normal(size=n)})
    y = np.where((state % 4 == 0) ^ (rng.random(n) < 0.1), "churn", "stay")
    model = make_tabular_classifier(random_state=0, **QUICK).fit(X, y)
    encoder = model.named_steps["encoder"]
    assert encoder.target_encoded_features_ == ["state"]
    names = [name for name in encoder.get_feature_names_out() if "state" in name]
    assert names == ["target_encoded__state"]  # one column, not 40
    first = model.predict_proba(X)
    again = make_tabular_classifier(random_state=0, **QUICK).fit(X, y).predict_proba(X)
    np.testing.assert_array_equal(first, again)
