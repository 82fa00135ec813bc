"""The hybrid: a gradient-boosting member cross-fitted with the networks, blended out of fold."""

import pickle

import numpy as np
import pandas as pd
import pytest
from conftest import classification_data, fit_quietly
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin, clone
from sklearn.dummy import DummyClassifier, DummyRegressor
from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor
from sklearn.metrics import log_loss, mean_squared_error
from sklearn.utils._param_validation import InvalidParameterError
from sklearn.utils.estimator_checks import parametrize_with_checks
from threadpoolctl import threadpool_limits

from skdeep import (
    MLPRegressor,
    MLPSoftmaxClassifier,
    make_tabular_classifier,
    make_tabular_regressor,
)
from skdeep._blending import BLEND_GRID
from skdeep.ensemble import CrossFitClassifier, CrossFitRegressor

NET = dict(hidden_layer_sizes=(8,), early_stopping=True, max_iter=8, learning_rate_init=0.02)
SMALL_TREES = dict(max_iter=15)
RESAMPLING = "folds are drawn over rows: a weight of 2 is not two rows in two folds"


class _Member(BaseEstimator):
    """A test member that records its rows and predicts from one column of ``X``.

    The last column of ``X`` is the row's index. ``mode='column'`` predicts from
    column ``column`` (a label for the classifier, a value for the regressor);
    ``mode='noise'`` predicts noise seeded by ``random_state``.
    """

    def __init__(self, mode="column", column=0, random_state=None):
        self.mode = mode
        self.column = column
        self.random_state = random_state

    def fit(self, X, y, sample_weight=None, X_val=None, y_val=None, sample_weight_val=None):
        self.train_rows_ = X[:, -1].astype(int)
        self.val_rows_ = None if X_val is None else X_val[:, -1].astype(int)
        self.sample_weight_ = sample_weight
        self.classes_ = np.unique(y)
        return self

    def _noise(self, X, shape):
        return np.random.default_rng(self.random_state).random((X.shape[0], *shape))


class _ClassifierMember(ClassifierMixin, _Member):
    def predict_proba(self, X):
        if self.mode == "noise":
            noise = self._noise(X, (len(self.classes_),))
            return noise / noise.sum(axis=1, keepdims=True)
        guess = np.clip(X[:, [self.column]], self.classes_[0], self.classes_[-1])
        hit = guess == self.classes_
        return np.where(hit, 0.9, 0.1 / (len(self.classes_) - 1))


class _RegressorMember(RegressorMixin, _Member):
    def predict(self, X):
        if self.mode == "noise":
            return 1000 * (self._noise(X, ()) - 0.5)
        return X[:, self.column].astype(float)


@pytest.fixture(autouse=True)
def _one_openmp_thread():
    """Trees on one OpenMP thread: on a busy shared machine, HGB's threads wait on each other."""
    with threadpool_limits(limits=1, user_api="openmp"):
        yield


def _with_row_index(X):
    return np.column_stack([X, np.arange(X.shape[0])])


def _gap_classification(n=300, seed=0):
    """Two classes split by the sign of x0, with no row near the boundary."""
    rng = np.random.default_rng(seed)
    x0 = rng.choice([-1.0, 1.0], n) * (0.5 + np.abs(rng.normal(size=n)))
    X = np.column_stack([x0, rng.normal(size=(n, 2))])
    return _with_row_index(X), (x0 > 0).astype(int)


# ------------------------------------------------------------------ default off
def test_default_is_networks_only_and_boosting_leaves_the_networks_alone():
    X, y = classification_data(n_samples=200)
    plain = fit_quietly(CrossFitClassifier(MLPSoftmaxClassifier(**NET), random_state=0), X, y)
    assert plain.boosting is False
    assert plain.boosting_estimators_ == [] and plain.blend_weight_ == 1.0
    expected = np.zeros((200, 3))
    for model in plain.estimators_:
        expected += model.predict_proba(X)
    expected /= len(plain.estimators_)
    np.testing.assert_allclose(plain.predict_proba(X), expected, rtol=1e-12)
    hybrid = fit_quietly(
        CrossFitClassifier(
            MLPSoftmaxClassifier(**NET), random_state=0, boosting=HistGradientBoostingClassifier()
        ),
        X,
        y,
    )
    # Same folds and seeds for the networks: the same networks, exactly.
    for a, b in zip(plain.estimators_, hybrid.estimators_, strict=True):
        assert a.random_state == b.random_state
        for wa, wb in zip(a.coefs_, b.coefs_, strict=True):
            np.testing.assert_array_equal(wa, wb)
    assert len(hybrid.boosting_estimators_) == len(hybrid.estimators_)
    seeds = {tree.random_state for tree in hybrid.boosting_estimators_}
    assert len(seeds) == len(hybrid.estimators_) and all(isinstance(s, int) for s in seeds)
    w = hybrid.blend_weight_
    trees = np.mean([t.predict_proba(X) for t in hybrid.boosting_estimators_], axis=0)
    np.testing.assert_allclose(hybrid.predict_proba(X), w * expected + (1 - w) * trees)


# -------------------------------------------------------------------- the blend
def test_noise_networks_give_the_weight_to_the_trees_and_good_ones_keep_it():
    X, y = _gap_classification()
    noise = CrossFitClassifier(_ClassifierMember("noise"), boosting=True, random_state=0)
    assert noise.fit(X, y).blend_weight_ == 0.0
    assert np.mean(noise.predict(X) == y) == 1.0
    good = CrossFitClassifier(
        MLPSoftmaxClassifier(**{**NET, "max_iter": 30}),
        boosting=DummyClassifier(strategy="prior"),
        random_state=0,
    )
    assert fit_quietly(good, X[:, :-1], y).blend_weight_ == 1.0


def test_regressor_blend_extremes():
    rng = np.random.default_rng(0)
    X = _with_row_index(rng.normal(size=(300, 3)))
    y = np.where(X[:, 0] > 0, 5.0, -5.0)
    noise = CrossFitRegressor(_RegressorMember("noise"), boosting=True, random_state=0)
    assert noise.fit(X, y).blend_weight_ == 0.0
    exact = CrossFitRegressor(
        _RegressorMember("column", column=1), boosting=DummyRegressor(), random_state=0
    )
    X[:, 1] = y  # the networks read the target
    assert exact.fit(X, y).blend_weight_ == 1.0
    np.testing.assert_array_equal(exact.predict(X), y)


def _out_of_fold(model, X):
    """The rows each network validated on, and the networks' and trees' outputs on them."""
    rows = np.concatenate([net.val_rows_ for net in model.estimators_])
    nets = np.concatenate([n.predict_proba(X[n.val_rows_]) for n in model.estimators_])
    pairs = zip(model.estimators_, model.boosting_estimators_, strict=True)
    trees = np.concatenate([t.predict_proba(X[n.val_rows_]) for n, t in pairs])
    return rows, nets, trees


@pytest.mark.parametrize("n_estimators", [5, 1])
def test_trees_are_out_of_fold_and_the_weight_minimises_the_log_loss(n_estimators):
    X, y = classification_data(n_samples=250)
    X = _with_row_index(np.round(X))  # column 0 is a weak, noisy guess of the label
    y_noisy = np.where(np.random.default_rng(0).random(250) < 0.3, (y + 1) % 3, y)
    model = CrossFitClassifier(
        _ClassifierMember("column", column=0),
        boosting=_ClassifierMember("column", column=1),
        n_estimators=n_estimators,
        random_state=0,
    ).fit(X, y_noisy)
    assert len(model.boosting_estimators_) == n_estimators
    for net, tree in zip(model.estimators_, model.boosting_estimators_, strict=True):
        # Tree k trains on network k's training rows, never on its validation fold.
        np.testing.assert_array_equal(tree.train_rows_, net.train_rows_)
        assert np.intersect1d(tree.train_rows_, net.val_rows_).size == 0
        assert len(net.val_rows_) == 50
    rows, nets, trees = _out_of_fold(model, X)
    losses = [
        log_loss(y_noisy[rows], w * nets + (1 - w) * trees, labels=[0, 1, 2]) for w in BLEND_GRID
    ]
    assert 0.0 < model.blend_weight_ < 1.0
    assert model.blend_weight_ == BLEND_GRID[np.argmin(losses)]


def test_real_trees_never_see_the_validation_fold(monkeypatch):
    seen = []
    original = HistGradientBoostingClassifier.fit

    def recording(self, X, y, sample_weight=None, **kwargs):
        assert not kwargs  # no X_val
        seen.append(X[:, -1].astype(int))
        return original(self, X, y, sample_weight, **kwargs)

    monkeypatch.setattr(HistGradientBoostingClassifier, "fit", recording)
    X, y = classification_data(n_samples=200)
    model = CrossFitClassifier(_ClassifierMember(), boosting=True, random_state=0)
    model.fit(_with_row_index(X), y)
    assert len(seen) == 5
    for net, train in zip(model.estimators_, seen, strict=True):
        np.testing.assert_array_equal(np.sort(train), np.sort(net.train_rows_))
        assert np.intersect1d(train, net.val_rows_).size == 0


def test_sample_weight_reaches_the_trees_and_the_blend():
    # Networks right on the first half of the rows, trees on the second half.
    rng = np.random.default_rng(0)
    n = 200
    y = rng.integers(0, 2, n)
    first = np.arange(n) < n // 2
    net_guess = np.where(first, y, 1 - y)
    tree_guess = np.where(first, 1 - y, y)
    X = _with_row_index(np.column_stack([net_guess, tree_guess]))
    model = CrossFitClassifier(
        _ClassifierMember(column=0), boosting=_ClassifierMember(column=1), random_state=0
    )
    weights = np.where(first, 1.0, 0.0)
    model.fit(X, y, sample_weight=weights)
    assert model.blend_weight_ == 1.0
    for tree in model.boosting_estimators_:
        np.testing.assert_array_equal(tree.sample_weight_, weights[tree.train_rows_])
    assert model.fit(X, y, sample_weight=1.0 - weights).blend_weight_ == 0.0
    regressor = CrossFitRegressor(
        _RegressorMember(column=0), boosting=_RegressorMember(column=1), random_state=0
    )
    assert regressor.fit(X, y.astype(float), sample_weight=weights).blend_weight_ == 1.0
    assert regressor.fit(X, y.astype(float), sample_weight=1 - weights).blend_weight_ == 0.0
    rows = np.concatenate([net.val_rows_ for net in regressor.estimators_])
    assert len(rows) == n  # every row validated once: the blend saw all of them


def test_regressor_weight_minimises_the_squared_error():
    rng = np.random.default_rng(1)
    X = _with_row_index(rng.normal(size=(200, 2)))
    y = X[:, 0] + X[:, 1] + 0.3 * rng.normal(size=200)
    weights = rng.random(200)
    model = CrossFitRegressor(
        _RegressorMember(column=0), boosting=_RegressorMember(column=1), random_state=0
    ).fit(X, y, sample_weight=weights)
    nets = X[:, 0]
    trees = X[:, 1]
    errors = [
        mean_squared_error(y, w * nets + (1 - w) * trees, sample_weight=weights) for w in BLEND_GRID
    ]
    assert model.blend_weight_ == BLEND_GRID[np.argmin(errors)]
    assert 0.3 < model.blend_weight_ < 0.7


def test_no_held_out_row_gives_an_even_blend():
    X, y = classification_data(n_samples=40)
    y[:3] = [7, 8, 9]  # classes of one sample: one model on every row
    model = fit_quietly(
        CrossFitClassifier(MLPSoftmaxClassifier(**NET), boosting=True, random_state=0), X, y
    )
    assert len(model.estimators_) == len(model.boosting_estimators_) == 1
    assert model.blend_weight_ == 0.5
    assert model.predict_proba(X).shape == (40, 6)


# ---------------------------------------------------------------- sklearn API
def test_bad_values_name_the_parameter():
    X, y = classification_data(n_samples=60)
    for bad in ["yes", 1, HistGradientBoostingRegressor()]:
        model = CrossFitClassifier(MLPSoftmaxClassifier(**NET), boosting=bad)
        with pytest.raises(InvalidParameterError, match="'boosting' parameter of CrossFit"):
            model.fit(X, y)
    with pytest.raises(InvalidParameterError, match="'boosting' parameter of CrossFit"):
        CrossFitRegressor(MLPRegressor(**NET), boosting="lightgbm").fit(X, y.astype(float))


def test_params_clone_and_pickle():
    X, y = classification_data(n_samples=150)
    model = CrossFitClassifier(
        MLPSoftmaxClassifier(**NET),
        boosting=HistGradientBoostingClassifier(**SMALL_TREES),
        n_estimators=2,
        random_state=0,
    )
    params = model.get_params()
    assert params["boosting__max_iter"] == 15
    model.set_params(boosting__max_iter=10)
    copy = clone(model)
    assert copy.boosting is not model.boosting and copy.boosting.max_iter == 10
    fit_quietly(model, X, y)
    assert all(tree.max_iter == 10 for tree in model.boosting_estimators_)
    restored = pickle.loads(pickle.dumps(model))
    np.testing.assert_array_equal(restored.predict_proba(X), model.predict_proba(X))
    again = fit_quietly(copy, X, y)
    np.testing.assert_array_equal(again.predict_proba(X), model.predict_proba(X))


CHECKED_REGRESSOR = dict(NET, hidden_layer_sizes=(32,), max_iter=60)


@parametrize_with_checks(
    [
        CrossFitClassifier(
            MLPSoftmaxClassifier(random_state=0, **NET),
            boosting=HistGradientBoostingClassifier(**SMALL_TREES),
        ),
        CrossFitRegressor(
            MLPRegressor(random_state=0, **CHECKED_REGRESSOR),
            boosting=HistGradientBoostingRegressor(**SMALL_TREES),
        ),
    ],
    expected_failed_checks=lambda estimator: {
        "check_sample_weight_equivalence_on_dense_data": RESAMPLING,
    },
)
def test_scikit_learn_compatible_with_boosting(estimator, check):
    check(estimator)


# --------------------------------------------------------------------- recipes
def test_recipes_pass_boosting_through_and_default_to_networks_only():
    rng = np.random.default_rng(0)
    X = pd.DataFrame({"x": rng.normal(size=120), "c": rng.choice(["a", "b"], 120)})
    y = (X["x"] > 0).astype(int).to_numpy()
    assert make_tabular_classifier()["classifier"].boosting is False
    assert make_tabular_regressor()["regressor"].boosting is False
    model = make_tabular_classifier(
        random_state=0, boosting=True, max_iter=5, **{"n_estimators": 2}
    )
    fit_quietly(model, X, y)
    assert len(model["classifier"].boosting_estimators_) == 2
    assert 0.0 <= model["classifier"].blend_weight_ <= 1.0
    regressor = make_tabular_regressor(random_state=0, boosting=True, max_iter=5, n_estimators=2)
    fit_quietly(regressor, X, X["x"].to_numpy() * 3)
    assert isinstance(regressor["regressor"].boosting_estimators_[0], HistGradientBoostingRegressor)
