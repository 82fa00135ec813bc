"""Same seed, same answer: bit for bit.

With an integer ``random_state`` every source of randomness (initialisation,
shuffling, dropout masks, the early-stopping split, LSUV's sample, the SVM
temperature sample) comes from one generator seeded by it, so:

* repeated fits give bit-identical ``coefs_``, ``intercepts_``, predictions,
  ``loss_curve_`` and ``history_`` (wall time excepted), whatever NumPy's global
  random state;
* a surrounding search gives identical ``cv_results_`` scores and
  ``best_estimator_`` coefficients with ``n_jobs=1`` and ``n_jobs=2``;
* pickling a model part-way and continuing training reproduces the
  uninterrupted run exactly.

Equality is exact (``assert_array_equal``), not approximate: a difference in the
last bit means some state was not carried or some randomness was not seeded.
"""

import pickle

import numpy as np
import pytest
import scipy.sparse as sp
from conftest import classification_data, fit_quietly, small_model
from sklearn.base import clone
from sklearn.model_selection import KFold, RandomizedSearchCV

from skdeep import CoarseToFineSearchCV, MLPSoftmaxClassifier, MLPSVMClassifier
from skdeep.distributions import loguniform, one_minus_loguniform

CONFIGS = {
    "adam": dict(),
    "sgd_nesterov_dropout": dict(solver="sgd", dropout=0.3, learning_rate_init=0.05),
    "rmsprop_batch_norm": dict(solver="rmsprop", batch_norm=True),
    "adagrad_maxout": dict(solver="adagrad", activation="maxout", maxout_pieces=3),
    "lsuv_batch_norm_dropout": dict(weight_init="lsuv", batch_norm=True, dropout=0.2),
    "orthogonal_elu": dict(weight_init="orthogonal", activation="elu"),
    "early_stopping": dict(early_stopping=True, validation_fraction=0.2),
    "average": dict(average=True, learning_rate="step", decay_steps=2),
    "adaptive_l1": dict(learning_rate="adaptive", penalty="l1", alpha=1e-3),
    "lbfgs_batch_norm": dict(solver="lbfgs", batch_norm=True),
    "float32_dropout": dict(dtype="float32", dropout=0.2),
    "class_weight_max_norm": dict(class_weight="balanced", max_norm=1.0),
}
HEADS = {
    "softmax": (MLPSoftmaxClassifier, {}),
    "hinge": (MLPSVMClassifier, {}),
    "squared_hinge": (MLPSVMClassifier, {"loss": "squared_hinge"}),
}


@pytest.fixture
def data():
    return classification_data(n_samples=120)


def _model(head="softmax", **params):
    # The default tol and patience: these tests compare runs, not epoch counts.
    cls, extra = HEADS[head]
    settings = dict(hidden_layer_sizes=(8, 5), max_iter=6, batch_size=32, random_state=7)
    return small_model(cls, exact_epochs=False, **{**settings, **extra, **params})


def _history_without_time(model):
    return [{k: v for k, v in record.items() if k != "time"} for record in model.history_]


def assert_bit_identical(a, b, X):
    """Every fitted number of ``a`` equals the corresponding one of ``b``."""
    assert a.n_iter_ == b.n_iter_
    assert a.t_ == b.t_
    assert len(a.coefs_) == len(b.coefs_)
    for p, q in zip(a.coefs_ + a.intercepts_, b.coefs_ + b.intercepts_, strict=True):
        assert p.dtype == q.dtype
        np.testing.assert_array_equal(p, q)
    np.testing.assert_array_equal(a.classes_, b.classes_)
    # assert_equal treats NaN as equal to NaN (update ratios may be NaN).
    np.testing.assert_equal(a.loss_curve_, b.loss_curve_)
    np.testing.assert_equal(_history_without_time(a), _history_without_time(b))
    np.testing.assert_equal(a.validation_scores_, b.validation_scores_)
    np.testing.assert_equal(getattr(a, "temperature_", None), getattr(b, "temperature_", None))
    np.testing.assert_array_equal(a.predict_proba(X), b.predict_proba(X))
    np.testing.assert_array_equal(a.decision_function(X), b.decision_function(X))
    np.testing.assert_array_equal(a.predict(X), b.predict(X))


# -------------------------------------------------------------- repeated fits
@pytest.mark.parametrize("head", list(HEADS))
@pytest.mark.parametrize("config", list(CONFIGS))
def test_repeated_fits_are_bit_identical(data, head, config):
    X, y = data
    model = _model(head, **CONFIGS[config])
    first = fit_quietly(clone(model), X, y)
    # Disturb every global source of randomness between the two fits.
    np.random.seed(12345)  # noqa: NPY002 (the global state is disturbed on purpose)
    np.random.rand(10)  # noqa: NPY002
    second = fit_quietly(clone(model), X, y)
    assert first.history_, "no history recorded"
    assert_bit_identical(first, second, X)
    # Refitting the same instance is a fresh start too.
    third = fit_quietly(first, X, y)
    assert_bit_identical(third, second, X)


@pytest.mark.parametrize("config", ["adam", "lsuv_batch_norm_dropout", "early_stopping"])
def test_the_seed_matters(data, config):
    # The equality above must not be an artefact: other seeds give other models.
    X, y = data
    a = fit_quietly(_model(**CONFIGS[config]), X, y)
    b = fit_quietly(_model(random_state=8, **CONFIGS[config]), X, y)
    assert not np.array_equal(a.coefs_[0], b.coefs_[0])


def test_sparse_fits_are_bit_identical(data):
    X, y = data
    X = X.copy()
    X[np.abs(X) < 0.7] = 0
    X_sparse = sp.csr_matrix(X)
    model = _model(batch_norm=True, dropout=0.2)
    assert_bit_identical(
        fit_quietly(clone(model), X_sparse, y), fit_quietly(clone(model), X_sparse, y), X
    )


@pytest.mark.parametrize("head", ["softmax", "hinge"])
def test_partial_fit_sequences_are_bit_identical(data, head):
    X, y = data

    def run():
        model = _model(head, dropout=0.2, average=0.9)
        for start in range(0, len(y), 40):
            model.partial_fit(X[start : start + 40], y[start : start + 40], classes=[0, 1, 2])
        return model

    assert_bit_identical(run(), run(), X)


# ----------------------------------------------------------- parallel searches
SEARCH_SPACE = {
    "learning_rate_init": loguniform(1e-3, 1e-1),
    "alpha": loguniform(1e-6, 1e-2),
    "beta_1": one_minus_loguniform(0.5, 0.99),
    "dropout": [0.0, 0.2],
    "batch_norm": [False, True],
}


def _search_model():
    return MLPSoftmaxClassifier(hidden_layer_sizes=(8,), max_iter=8, batch_size=30, random_state=3)


def _assert_same_search(a, b, X):
    assert a.cv_results_["params"] == b.cv_results_["params"]
    for key in a.cv_results_:
        if "test_score" in key or key.startswith("split") or key == "round":
            np.testing.assert_array_equal(a.cv_results_[key], b.cv_results_[key], err_msg=key)
    assert a.best_index_ == b.best_index_
    assert a.best_params_ == b.best_params_
    assert_bit_identical(a.best_estimator_, b.best_estimator_, X)


def test_randomized_search_n_jobs_does_not_change_results(data):
    X, y = data
    searches = [
        fit_quietly(
            RandomizedSearchCV(
                _search_model(),
                SEARCH_SPACE,
                n_iter=4,
                cv=KFold(3),
                random_state=0,
                n_jobs=n_jobs,
            ),
            X,
            y,
        )
        for n_jobs in (1, 2)
    ]
    _assert_same_search(*searches, X)
    assert len(set(searches[0].cv_results_["mean_test_score"])) > 1  # a real search


def test_coarse_to_fine_n_jobs_does_not_change_results(data):
    X, y = data
    searches = [
        fit_quietly(
            CoarseToFineSearchCV(
                _search_model(),
                SEARCH_SPACE,
                n_iter=3,
                n_rounds=2,
                top_k=2,
                cv=3,
                random_state=0,
                n_jobs=n_jobs,
            ),
            X,
            y,
        )
        for n_jobs in (1, 2)
    ]
    _assert_same_search(*searches, X)
    assert searches[0].rounds_[1] == searches[1].rounds_[1]


# --------------------------------------------------------------------- pickling
RESUME_CONFIGS = {
    "adam_dropout_average": dict(dropout=0.3, average=True),
    "sgd_batch_norm_step": dict(solver="sgd", batch_norm=True, learning_rate="step", decay_steps=1),
    "rmsprop_maxout_adaptive": dict(
        solver="rmsprop", activation="maxout", learning_rate="adaptive"
    ),
    "float32_adagrad": dict(solver="adagrad", dtype="float32"),
}


def _roundtrip(model):
    return pickle.loads(pickle.dumps(model))


@pytest.mark.parametrize("head", ["softmax", "squared_hinge"])
@pytest.mark.parametrize("config", list(RESUME_CONFIGS))
def test_pickle_then_partial_fit_equals_uninterrupted(data, head, config):
    X, y = data
    params = dict(tol=0.0, n_iter_no_change=1000, **RESUME_CONFIGS[config])
    straight = _model(head, **params)
    interrupted = _model(head, **params)
    for epoch in range(6):
        straight.partial_fit(X, y, classes=[0, 1, 2])
        interrupted.partial_fit(X, y, classes=[0, 1, 2])
        if epoch in (1, 3):
            restored = _roundtrip(interrupted)
            assert_bit_identical(restored, interrupted, X)
            interrupted = restored
    assert_bit_identical(straight, interrupted, X)


@pytest.mark.parametrize(
    "config", ["adam", "lsuv_batch_norm_dropout", "lbfgs_batch_norm", "average"]
)
def test_pickle_then_warm_start_equals_uninterrupted(data, config):
    X, y = data
    params = dict(warm_start=True, max_iter=3, tol=0.0, n_iter_no_change=1000, **CONFIGS[config])
    straight = _model(**params)
    fit_quietly(straight, X, y)
    fit_quietly(straight, X, y)
    resumed = fit_quietly(_model(**params), X, y)
    resumed = _roundtrip(resumed)
    fit_quietly(resumed, X, y)
    assert_bit_identical(straight, resumed, X)
