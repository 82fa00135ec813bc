"""Bad input is refused up front, with an error that says what is wrong.

Every public entry point (``fit``, ``partial_fit``, the prediction methods,
``score``, :func:`skdeep.check_gradients`, :func:`skdeep.sanity_check`,
:class:`skdeep.CoarseToFineSearchCV`, the distributions) must reject bad data and
out-of-range hyper-parameters with a ``ValueError``/``TypeError`` whose message
names the parameter or the problem, *before doing any work*:

* the training machinery (network initialisation, objective evaluation, the epoch
  loop) is replaced by tripwires, so an error raised only after training started
  shows up as an ``AssertionError`` instead of the expected error;
* hyper-parameter errors are raised without reading ``X`` at all (``X`` is an
  object that fails the test when converted to an array);
* a failing call leaves a fitted estimator exactly as it was.

Sparse input is supported with every architecture, including batch norm and
maxout (the first layer's output is dense), and gives the dense result.
"""

import copy
import time
import tracemalloc
from functools import partial

import numpy as np
import pytest
import scipy.sparse as sp
from conftest import (
    TRAINING_K,
    assert_close_to_rounding,
    fit_quietly,
    small_model,
    training_record,
    training_state,
)
from sklearn.exceptions import NotFittedError

import skdeep.core.training as training_module
from skdeep import (
    CoarseToFineSearchCV,
    MLPSoftmaxClassifier,
    MLPSVMClassifier,
    check_gradients,
    sanity_check,
)
from skdeep.core.network import Network
from skdeep.core.objective import Objective
from skdeep.distributions import loguniform, one_minus_loguniform

CLASSES = [MLPSoftmaxClassifier, MLPSVMClassifier]
N, D = 30, 4


def _data():
    rng = np.random.default_rng(0)
    return rng.normal(size=(N, D)), np.arange(N) % 3


# Module-level: the parametrize tables below are built from these arrays.
X0, Y0 = _data()

# A tiny network with the default stopping rule: these tests are about refusals.
_model = partial(small_model, exact_epochs=False, hidden_layer_sizes=(5,), max_iter=3)


@pytest.fixture
def no_training_work(monkeypatch):
    """Turn every piece of training work into a test failure."""

    def tripwire(*args, **kwargs):
        raise AssertionError("training work started before the input was validated")

    monkeypatch.setattr(Network, "initialize", tripwire)
    monkeypatch.setattr(Objective, "value_and_gradient", tripwire)
    monkeypatch.setattr(training_module, "_one_epoch", tripwire)


class Untouchable:
    """Stands for a data set that must not be read (any access fails the test)."""

    def _fail(self, *args, **kwargs):
        raise AssertionError("X was read before the parameters were validated")

    __array__ = __len__ = __getitem__ = __iter__ = _fail

    @property
    def shape(self):
        self._fail()


def test_tripwires_catch_work(no_training_work):
    # The instruments of this file must be able to fail: valid input trains
    # (tripwire) and valid parameters read X.
    with pytest.raises(AssertionError, match="training work started"):
        _model().fit(X0, Y0)
    with pytest.raises(AssertionError, match="X was read"):
        _model().fit(Untouchable(), Y0)


# --------------------------------------------------------------------------- data
def _with(X=None, y=None, **changes):
    return dict(X=X0 if X is None else X, y=Y0 if y is None else y, **changes)


def _x_with(value):
    X = X0.copy()
    X[3, 1] = value
    return X


def _sw_with(value):
    sw = np.ones(N)
    sw[5] = value
    return sw


_SPARSE_NAN = sp.csr_matrix(X0)
_SPARSE_NAN.data[0] = np.nan

# name -> (arguments, expected error, message pattern, entry points that skip it)
DATA_CASES = {
    "X_nan": (_with(X=_x_with(np.nan)), ValueError, "Input X contains NaN", ()),
    "X_inf": (_with(X=_x_with(np.inf)), ValueError, "Input X contains infinity", ()),
    "X_minus_inf": (_with(X=_x_with(-np.inf)), ValueError, "Input X contains infinity", ()),
    "X_sparse_nan": (_with(X=_SPARSE_NAN), ValueError, "Input X contains NaN", ()),
    "X_empty": (_with(X=np.empty((0, D)), y=np.array([], int)), ValueError, "0 sample", ()),
    "X_no_features": (_with(X=np.empty((N, 0))), ValueError, "0 feature", ()),
    "X_strings": (
        _with(X=np.array([["a", "b", "c", "d"]] * N)),
        ValueError,
        "could not convert string to float",
        (),
    ),
    "X_3d": (_with(X=X0.reshape(N, 2, 2)), ValueError, "dim 3", ()),
    "X_1d": (_with(X=X0[:, 0]), ValueError, "Expected 2D array", ()),
    "X_scalar": (_with(X=3.0), ValueError, "Expected 2D array", ()),
    "X_complex": (_with(X=X0 + 1j), ValueError, "Complex data not supported", ()),
    "X_ragged": (
        _with(X=[[1.0, 2.0], [3.0]] * (N // 2)),
        ValueError,
        "inhomogeneous",
        (),
    ),
    "lengths_mismatch": (_with(y=Y0[:-1]), ValueError, "inconsistent numbers of samples", ()),
    # One sample is necessarily one class; partial_fit with explicit classes may
    # legitimately learn from a single sample (see test_partial_fit_one_sample).
    "one_sample": (
        _with(X=X0[:1], y=Y0[:1]),
        ValueError,
        "number of classes has to be greater than one",
        ("partial_fit",),
    ),
    "one_class": (
        _with(y=np.zeros(N, int)),
        ValueError,
        "number of classes has to be greater than one",
        (),
    ),
    "y_nan": (_with(y=np.r_[np.nan, Y0[1:]]), ValueError, "Input y contains NaN", ()),
    "y_continuous": (
        _with(y=np.linspace(0, 1, N)),
        ValueError,
        "Unknown label type",
        ("partial_fit",),
    ),
    "y_2d": (_with(y=np.c_[Y0, Y0]), ValueError, "y should be a 1d array", ()),
    "sample_weight_negative": (
        _with(sample_weight=_sw_with(-1.0)),
        ValueError,
        "Negative values.*sample_weight",
        (),
    ),
    "sample_weight_length": (
        _with(sample_weight=np.ones(N - 1)),
        ValueError,
        "sample_weight.shape",
        (),
    ),
    "sample_weight_all_zero": (
        _with(sample_weight=np.zeros(N)),
        ValueError,
        "(?i)sample.weight.*(non-zero|positive)",
        (),
    ),
    "sample_weight_nan": (
        _with(sample_weight=_sw_with(np.nan)),
        ValueError,
        "sample_weight contains NaN",
        (),
    ),
    "sample_weight_inf": (
        _with(sample_weight=_sw_with(np.inf)),
        ValueError,
        "sample_weight contains infinity",
        (),
    ),
    "sample_weight_2d": (
        _with(sample_weight=np.ones((N, 1))),
        ValueError,
        "Sample weights must be 1D",
        (),
    ),
}

ENTRY_POINTS = ["fit", "partial_fit", "check_gradients", "sanity_check"]


def _call(entry, estimator, X, y, sample_weight=None):
    if entry == "fit":
        return estimator.fit(X, y, sample_weight=sample_weight)
    if entry == "partial_fit":
        classes = [0, 1, 2] if isinstance(y, Untouchable) else np.unique(y)
        return estimator.partial_fit(X, y, classes=classes, sample_weight=sample_weight)
    if entry == "check_gradients":
        return check_gradients(estimator, X, y, sample_weight)
    assert sample_weight is None
    return sanity_check(estimator, X, y)


@pytest.mark.usefixtures("no_training_work")
@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: c.__name__)
@pytest.mark.parametrize("entry", ENTRY_POINTS)
@pytest.mark.parametrize("case", list(DATA_CASES))
def test_bad_training_data_rejected_before_training(cls, entry, case):
    arguments, error, pattern, skipped_by = DATA_CASES[case]
    if entry in skipped_by or (entry == "sanity_check" and "sample_weight" in arguments):
        return  # not an error for this entry point / no such argument
    with pytest.raises(error, match=pattern):
        _call(entry, _model(cls), **arguments)


# ------------------------------------------------------------------ class_weight
BAD_CLASS_WEIGHTS = {
    "negative": {0: -1.0, 1: 1.0, 2: 1.0},
    "nan": {0: np.nan, 1: 1.0, 2: 1.0},
    "inf": {0: np.inf, 1: 1.0, 2: 1.0},
    "all_zero": {0: 0.0, 1: 0.0, 2: 0.0},
}


@pytest.mark.usefixtures("no_training_work")
@pytest.mark.parametrize("entry", ["fit", "partial_fit", "check_gradients"])
@pytest.mark.parametrize("case", list(BAD_CLASS_WEIGHTS))
def test_bad_class_weight_values_rejected(entry, case):
    # A negative class weight turns the loss of that class into a reward, NaN
    # weights make loss_curve_ NaN, inf or all-zero weights silently train nothing.
    model = _model(class_weight=BAD_CLASS_WEIGHTS[case])
    with pytest.raises(ValueError, match="class_weight"):
        _call(entry, model, X0, Y0)


@pytest.mark.usefixtures("no_training_work")
@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: c.__name__)
def test_class_weight_unknown_label_rejected(cls):
    with pytest.raises(ValueError, match="class_weight has labels not in the classes"):
        _model(cls, class_weight={7: 2.0}).fit(X0, Y0)


@pytest.mark.usefixtures("no_training_work")
@pytest.mark.parametrize("fraction", [0.01, 0.1])
def test_early_stopping_impossible_split_names_the_parameters(fraction):
    # The split is a check on the data: it must come before the network is built
    # (initialisation can be costly: orthogonal QR, LSUV forward passes).
    # 9 samples, 3 classes: a stratified validation set of 1 sample cannot exist.
    with pytest.raises(ValueError, match=f"early_stopping.*validation_fraction={fraction}"):
        _model(early_stopping=True, validation_fraction=fraction).fit(X0[:9], Y0[:9])


# --------------------------------------------------------------- hyper-parameters
# (parameter, value, message pattern); the pattern must name the parameter.
BAD_PARAMS = [
    ("dropout", 1.0, "'dropout' parameter"),
    ("dropout", 1.5, "'dropout' parameter"),
    ("dropout", -0.1, "'dropout' parameter"),
    ("alpha", -1e-4, "'alpha' parameter"),
    ("batch_size", 0, "'batch_size' parameter"),
    ("batch_size", -5, "'batch_size' parameter"),
    ("batch_size", "big", "'batch_size' parameter"),
    ("activation", "swish", "'activation' parameter"),
    ("solver", "newton", "'solver' parameter"),
    ("weight_init", "glorot", "'weight_init' parameter"),
    ("penalty", "l3", "'penalty' parameter"),
    ("penalty", "none", "'penalty' parameter"),
    ("learning_rate", "triangular", "'learning_rate' parameter"),
    ("hidden_layer_sizes", (0,), "hidden_layer_sizes"),
    ("hidden_layer_sizes", (5, 0), "hidden_layer_sizes"),
    ("hidden_layer_sizes", (-3,), "hidden_layer_sizes"),
    ("hidden_layer_sizes", 0, "hidden_layer_sizes"),
    ("hidden_layer_sizes", -1, "hidden_layer_sizes"),
    ("hidden_layer_sizes", (2.5,), "hidden_layer_sizes"),
    ("hidden_layer_sizes", 3.0, "hidden_layer_sizes"),
    ("hidden_layer_sizes", (True,), "hidden_layer_sizes"),
    ("hidden_layer_sizes", (3, None), "hidden_layer_sizes"),
    ("hidden_layer_sizes", "abc", "hidden_layer_sizes"),
    ("hidden_layer_sizes", None, "hidden_layer_sizes"),
    ("hidden_layer_sizes", [[2]], "hidden_layer_sizes"),
    ("negative_slope", 0.0, "'negative_slope' parameter"),
    ("negative_slope", 1.0, "'negative_slope' parameter"),
    ("negative_slope", -0.5, "'negative_slope' parameter"),
    ("maxout_pieces", 1, "'maxout_pieces' parameter"),
    ("maxout_pieces", 2.5, "'maxout_pieces' parameter"),
    ("learning_rate_init", 0.0, "'learning_rate_init' parameter"),
    ("learning_rate_init", -0.1, "'learning_rate_init' parameter"),
    ("max_iter", 0, "'max_iter' parameter"),
    ("momentum", 1.5, "'momentum' parameter"),
    ("beta_1", 1.0, "'beta_1' parameter"),
    ("beta_2", -0.1, "'beta_2' parameter"),
    ("epsilon", 0.0, "'epsilon' parameter"),
    ("rho", 1.0, "'rho' parameter"),
    ("validation_fraction", 1.0, "'validation_fraction' parameter"),
    ("validation_fraction", 0.0, "'validation_fraction' parameter"),
    ("n_iter_no_change", 0, "'n_iter_no_change' parameter"),
    ("max_fun", 0, "'max_fun' parameter"),
    ("tol", -1.0, "'tol' parameter"),
    ("power_t", -0.5, "'power_t' parameter"),
    ("init_scale", 0.0, "'init_scale' parameter"),
    ("batch_norm_momentum", 1.0, "'batch_norm_momentum' parameter"),
    ("l1_ratio", 1.5, "'l1_ratio' parameter"),
    ("max_norm", 0.0, "'max_norm' parameter"),
    ("decay_rate", 0.0, "'decay_rate' parameter"),
    ("decay_rate", 1.5, "'decay_rate' parameter"),
    ("decay_steps", 0, "'decay_steps' parameter"),
    ("average", 1.0, "'average' parameter"),
    ("average", -0.5, "'average' parameter"),
    ("class_weight", "auto", "'class_weight' parameter"),
    ("dtype", "float16", "'dtype' parameter"),
    ("batch_norm", "yes", "'batch_norm' parameter"),
    ("shuffle", 2, "'shuffle' parameter"),
    ("random_state", "seed", "'random_state' parameter"),
]
BAD_SVM_PARAMS = [
    ("loss", "log_loss", "'loss' parameter"),
    ("loss", "perceptron", "'loss' parameter"),
    ("margin", 0.0, "'margin' parameter"),
    ("margin", -1.0, "'margin' parameter"),
]


def _param_id(case):
    return f"{case[0]}={case[1]!r}"


def _all_bad_params():
    cases = [(cls, case) for cls in CLASSES for case in BAD_PARAMS]
    return cases + [(MLPSVMClassifier, case) for case in BAD_SVM_PARAMS]


@pytest.mark.parametrize("entry", ENTRY_POINTS)
@pytest.mark.parametrize(
    "cls, case",
    _all_bad_params(),
    ids=[f"{c.__name__}-{_param_id(k)}" for c, k in _all_bad_params()],
)
def test_bad_hyperparameter_rejected_without_reading_X(no_training_work, entry, cls, case):
    name, value, pattern = case
    model = _model(cls, **{name: value})
    with pytest.raises((ValueError, TypeError), match=pattern):
        _call(entry, model, Untouchable(), Untouchable())


@pytest.mark.parametrize("entry", ["fit", "check_gradients", "sanity_check"])
@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: c.__name__)
def test_lbfgs_with_dropout_rejected_without_reading_X(no_training_work, entry, cls):
    model = _model(cls, solver="lbfgs", dropout=0.5)
    with pytest.raises(ValueError, match="dropout=0.5 needs a stochastic solver.*lbfgs"):
        _call(entry, model, Untouchable(), Untouchable())


@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: c.__name__)
def test_lbfgs_partial_fit_rejected_without_reading_X(no_training_work, cls):
    with pytest.raises(ValueError, match="partial_fit.*solver='lbfgs'"):
        _model(cls, solver="lbfgs").partial_fit(Untouchable(), Untouchable(), classes=[0, 1])


def test_bad_hyperparameter_with_huge_X_fails_fast():
    # 10**10 virtual float64 entries (80 GB) that cost nothing unless read:
    # a validation that looked at the data first would take minutes.
    X = np.broadcast_to(np.float64(0.0), (10**7, 10**3))
    y = np.broadcast_to(np.int64(0), (10**7,))
    tracemalloc.start()
    started = time.perf_counter()
    try:
        with pytest.raises(ValueError, match="'dropout' parameter"):
            _model(dropout=1.0).fit(X, y)
        elapsed = time.perf_counter() - started
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert elapsed < 1.0
    assert peak < 2**20


# ------------------------------------------------------------------- partial_fit
@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: c.__name__)
def test_partial_fit_without_classes_on_first_call(no_training_work, cls):
    with pytest.raises(ValueError, match="classes must be passed on the first call"):
        _model(cls).partial_fit(Untouchable(), Untouchable())


@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: c.__name__)
def test_partial_fit_labels_outside_classes_first_call(no_training_work, cls):
    with pytest.raises(ValueError, match=r"y contains labels not in classes: \[2\]"):
        _model(cls).partial_fit(X0, Y0, classes=[0, 1])


@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: c.__name__)
def test_partial_fit_labels_outside_classes_later_call(cls):
    model = _model(cls).partial_fit(X0, Y0, classes=[0, 1, 2, 3])
    with pytest.raises(ValueError, match=r"y contains labels not in classes: \[7\]"):
        model.partial_fit(X0, np.where(Y0 == 0, 7, Y0))


def test_partial_fit_single_class_list():
    with pytest.raises(ValueError, match="number of classes has to be greater than one"):
        _model().partial_fit(X0, np.zeros(N, int), classes=[0])


@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: c.__name__)
@pytest.mark.parametrize("batch_norm", [False, True])
def test_partial_fit_one_sample(cls, batch_norm):
    # Online learning from a single sample is legitimate when classes are known
    # (a one-row batch has zero batch variance: batch norm must cope).
    model = _model(cls, batch_norm=batch_norm).partial_fit(X0[:1], Y0[:1], classes=[0, 1, 2])
    proba = model.predict_proba(X0)
    assert np.isfinite(proba).all()
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)


@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: c.__name__)
def test_later_call_with_other_number_of_features(cls):
    model = _model(cls).partial_fit(X0, Y0, classes=[0, 1, 2])
    with pytest.raises(ValueError, match="X has 3 features, but .* is expecting 4"):
        model.partial_fit(X0[:, :3], Y0)
    warm = fit_quietly(_model(cls, warm_start=True), X0, Y0)
    with pytest.raises(ValueError, match="X has 3 features, but .* is expecting 4"):
        warm.fit(X0[:, :3], Y0)


def test_warm_start_with_changed_architecture():
    model = fit_quietly(_model(warm_start=True), X0, Y0).set_params(hidden_layer_sizes=(7,))
    with pytest.raises(ValueError, match="hidden_layer_sizes"):
        model.fit(X0, Y0)


# -------------------------------------------------------------------- predicting
PREDICT_METHODS = ["predict", "predict_proba", "predict_log_proba", "decision_function", "score"]

PREDICT_CASES = {
    "nan": (_x_with(np.nan), "Input X contains NaN"),
    "inf": (_x_with(np.inf), "Input X contains infinity"),
    "sparse_nan": (_SPARSE_NAN, "Input X contains NaN"),
    "empty": (np.empty((0, D)), "0 sample"),
    "too_few_features": (X0[:, :3], "X has 3 features, but .* is expecting 4 features"),
    "too_many_features": (np.c_[X0, X0], "X has 8 features, but .* is expecting 4 features"),
    "sparse_wrong_features": (
        sp.csr_matrix(X0[:, :2]),
        "X has 2 features, but .* is expecting 4 features",
    ),
    "strings": (np.array([["a"] * D] * N), "could not convert string to float"),
    "3d": (X0.reshape(N, 2, 2), "dim 3"),
    "1d": (X0[0], "Expected 2D array"),
    "complex": (X0 + 1j, "Complex data not supported"),
}


@pytest.fixture(scope="module")
def fitted():
    return {cls: fit_quietly(_model(cls), X0, Y0) for cls in CLASSES}


@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: c.__name__)
@pytest.mark.parametrize("method", PREDICT_METHODS)
@pytest.mark.parametrize("case", list(PREDICT_CASES))
def test_bad_prediction_input_rejected(fitted, cls, method, case):
    X, pattern = PREDICT_CASES[case]
    model = fitted[cls]
    args = (X, Y0) if method == "score" else (X,)
    with pytest.raises(ValueError, match=pattern):
        getattr(model, method)(*args)


@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: c.__name__)
@pytest.mark.parametrize("method", PREDICT_METHODS)
def test_prediction_before_fit(cls, method):
    args = (X0, Y0) if method == "score" else (X0,)
    with pytest.raises(NotFittedError, match="not fitted yet"):
        getattr(_model(cls), method)(*args)


def test_score_with_mismatched_y(fitted):
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        fitted[MLPSoftmaxClassifier].score(X0, Y0[:4])


# ------------------------------------------------------ failing calls change nothing
def _snapshot(estimator):
    """Deep copy of the estimator's attributes, and a record of its training state."""
    return copy.deepcopy(estimator.__dict__), training_record(estimator)


def _assert_same_attributes(snapshot, model):
    before, record = snapshot
    after = model.__dict__
    assert before.keys() == after.keys()
    # The training state: same parameters, statistics, counters and history length.
    np.testing.assert_equal(training_record(model), record)
    for key in before:
        if after[key] is training_state(model):
            continue  # compared through its record above
        elif isinstance(before[key], np.ndarray):
            np.testing.assert_array_equal(before[key], after[key])
        elif (
            isinstance(before[key], list) and before[key] and isinstance(before[key][0], np.ndarray)
        ):
            for a, b in zip(before[key], after[key], strict=True):
                np.testing.assert_array_equal(a, b)
        else:
            assert before[key] == after[key] or (before[key] is after[key]), key


FAILING_CALLS = {
    "fit_nan": lambda m: m.fit(_x_with(np.nan), Y0),
    "fit_one_class": lambda m: m.fit(X0, np.zeros(N, int)),
    "fit_bad_sample_weight": lambda m: m.fit(X0, Y0, sample_weight=-np.ones(N)),
    "fit_bad_param": lambda m: m.set_params(dropout=2.0).fit(X0, Y0),
    "fit_lbfgs_dropout": lambda m: m.set_params(solver="lbfgs", dropout=0.3).fit(X0, Y0),
    "partial_fit_unknown_label": lambda m: m.partial_fit(X0, Y0 + 5),
    "partial_fit_features": lambda m: m.partial_fit(X0[:, :3], Y0),
    "partial_fit_inf": lambda m: m.partial_fit(_x_with(np.inf), Y0),
    "warm_fit_unknown_label": lambda m: m.set_params(warm_start=True).fit(X0, Y0 + 5),
    "warm_fit_new_architecture": lambda m: m.set_params(
        warm_start=True, hidden_layer_sizes=(9,)
    ).fit(X0, Y0),
}


@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: c.__name__)
@pytest.mark.parametrize("case", list(FAILING_CALLS))
def test_failing_call_leaves_fitted_model_unchanged(cls, case):
    model = _model(cls).partial_fit(X0, Y0, classes=[0, 1, 2])
    model.partial_fit(X0, Y0)
    before, proba = _snapshot(model), model.predict_proba(X0)
    params = model.get_params()
    with pytest.raises(ValueError):
        FAILING_CALLS[case](model)
    model.set_params(**params)
    _assert_same_attributes(before, model)
    np.testing.assert_array_equal(model.predict_proba(X0), proba)


# ------------------------------------------------------------------ sparse input
SPARSE_CONFIGS = {
    "batch_norm": dict(batch_norm=True),
    "maxout": dict(activation="maxout"),
    "maxout_batch_norm": dict(activation="maxout", maxout_pieces=3, batch_norm=True),
    "lsuv_batch_norm": dict(weight_init="lsuv", batch_norm=True),
    "lbfgs_batch_norm": dict(solver="lbfgs", batch_norm=True),
    "dropout_batch_norm": dict(dropout=0.2, batch_norm=True, hidden_layer_sizes=(6, 4)),
}


@pytest.fixture(scope="module")
def sparse_data():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(60, 8))
    X[np.abs(X) < 0.9] = 0.0  # about 63% zeros
    return X, np.arange(60) % 3


@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: c.__name__)
@pytest.mark.parametrize("config", list(SPARSE_CONFIGS))
def test_sparse_input_matches_dense(sparse_data, cls, config):
    X, y = sparse_data
    params = {"hidden_layer_sizes": (6,), "max_iter": 5, **SPARSE_CONFIGS[config]}
    dense = fit_quietly(_model(cls, **params), X, y)
    sparse = fit_quietly(_model(cls, **params), sp.csr_matrix(X), y)
    for a, b in zip(
        dense.coefs_ + dense.intercepts_, sparse.coefs_ + sparse.intercepts_, strict=True
    ):
        assert_close_to_rounding(b, a, k=TRAINING_K)
    for X_pred in (sp.csr_matrix(X), sp.csc_matrix(X), X):
        proba = sparse.predict_proba(X_pred)
        assert np.isfinite(proba).all()
        assert_close_to_rounding(proba, dense.predict_proba(X), k=TRAINING_K)
        np.testing.assert_array_equal(sparse.predict(X_pred), dense.predict(X))


@pytest.mark.parametrize("config", ["batch_norm", "maxout_batch_norm"])
def test_sparse_partial_fit_matches_dense(sparse_data, config):
    X, y = sparse_data
    dense, sparse = (_model(**SPARSE_CONFIGS[config]) for _ in range(2))
    for _ in range(3):
        dense.partial_fit(X, y, classes=[0, 1, 2])
        sparse.partial_fit(sp.csr_matrix(X), y, classes=[0, 1, 2])
    assert_close_to_rounding(sparse.predict_proba(X), dense.predict_proba(X), k=TRAINING_K)


# ------------------------------------------------------------- the diagnostics
@pytest.mark.parametrize("function", [check_gradients, sanity_check])
@pytest.mark.parametrize("estimator", [object(), "MLPSoftmaxClassifier", None])
def test_diagnostics_reject_non_skdeep_estimators(function, estimator):
    with pytest.raises(TypeError, match="estimator must be an MLPSoftmaxClassifier"):
        function(estimator, Untouchable(), Untouchable())


@pytest.mark.usefixtures("no_training_work")
@pytest.mark.parametrize("epsilon", [0.0, -1e-6, 1.0, 1, "1e-6", np.nan])
def test_check_gradients_epsilon(epsilon):
    with pytest.raises(ValueError, match="epsilon must be a float in"):
        check_gradients(_model(), Untouchable(), Untouchable(), epsilon=epsilon)


@pytest.mark.usefixtures("no_training_work")
@pytest.mark.parametrize(
    "kwargs, pattern",
    [
        (dict(n_overfit_samples=1), "n_overfit_samples must be an integer >= 2"),
        (dict(n_overfit_samples=2.5), "n_overfit_samples must be an integer >= 2"),
        (dict(n_overfit_samples=True), "n_overfit_samples must be an integer >= 2"),
        (dict(overfit_max_iter=0), "overfit_max_iter must be an integer >= 1"),
        (dict(overfit_max_iter=None), "overfit_max_iter must be an integer >= 1"),
    ],
)
def test_sanity_check_arguments(kwargs, pattern):
    with pytest.raises(ValueError, match=pattern):
        sanity_check(_model(), Untouchable(), Untouchable(), **kwargs)


def test_check_gradients_on_fitted_model_with_other_features_or_labels(fitted):
    model = fitted[MLPSoftmaxClassifier]
    with pytest.raises(ValueError, match="X has 3 features, but .* expecting 4"):
        check_gradients(model, X0[:, :3], Y0)
    with pytest.raises(ValueError, match=r"y contains labels not in classes: \[3\]"):
        check_gradients(model, X0, Y0 + 1)


# ----------------------------------------------------------------- distributions
@pytest.mark.parametrize(
    "low, high, error, pattern",
    [
        (0.0, 1.0, ValueError, "low must be > 0"),
        (-1.0, 1.0, ValueError, "low must be > 0"),
        (1.0, 1.0, ValueError, "high must be > low"),
        (2.0, 1.0, ValueError, "high must be > low"),
        (np.nan, 1.0, ValueError, "low must be finite"),
        (1e-3, np.inf, ValueError, "high must be finite"),
        ("a", 1.0, TypeError, "low must be a real number"),
        (1e-3, None, TypeError, "high must be a real number"),
        (True, 2.0, TypeError, "low must be a real number"),
    ],
)
def test_loguniform_bounds(low, high, error, pattern):
    with pytest.raises(error, match=pattern):
        loguniform(low, high)


@pytest.mark.parametrize(
    "low, high, error, pattern",
    [
        (-0.1, 0.5, ValueError, "low must be >= 0"),
        (0.5, 1.0, ValueError, "high must be < 1"),
        (0.5, 1.5, ValueError, "high must be < 1"),
        (0.5, 0.5, ValueError, "high must be > low"),
        (0.9, 0.1, ValueError, "high must be > low"),
        (np.nan, 0.5, ValueError, "low must be finite"),
        ("0.9", 0.99, TypeError, "low must be a real number"),
    ],
)
def test_one_minus_loguniform_bounds(low, high, error, pattern):
    with pytest.raises(error, match=pattern):
        one_minus_loguniform(low, high)


@pytest.mark.parametrize("dist", [loguniform(1e-4, 1.0), one_minus_loguniform(0.9, 0.999)])
def test_distribution_rvs_arguments(dist):
    with pytest.raises(TypeError, match="random_state must be None, an int"):
        dist.rvs(random_state="seed")
    with pytest.raises(TypeError, match="random_state must be None, an int"):
        dist.rvs(random_state=1.5)
    with pytest.raises(ValueError, match="negative"):
        dist.rvs(size=-1, random_state=0)


# --------------------------------------------------------- CoarseToFineSearchCV
def _search(param_distributions, **params):
    defaults = dict(n_iter=1, n_rounds=2, top_k=1, cv=2, random_state=0)
    defaults.update(params)
    return CoarseToFineSearchCV(_model(), param_distributions, **defaults)


@pytest.mark.usefixtures("no_training_work")
@pytest.mark.parametrize(
    "space, params, error, pattern",
    [
        ({"alpha": [1e-3]}, dict(n_iter=0), ValueError, "'n_iter' parameter"),
        ({"alpha": [1e-3]}, dict(n_rounds=0), ValueError, "'n_rounds' parameter"),
        ({"alpha": [1e-3]}, dict(top_k=0), ValueError, "'top_k' parameter"),
        ({"alpha": [1e-3]}, dict(top_k=1.5), ValueError, "'top_k' parameter"),
        ({"alpha": [1e-3]}, dict(random_state="x"), ValueError, "'random_state' parameter"),
        ("alpha", {}, ValueError, "'param_distributions' parameter"),
        ([], {}, ValueError, "param_distributions must not be an empty list"),
        ([1], {}, TypeError, "param_distributions must be a dict or a list of dicts"),
        ({"alpha": "0.1"}, {}, TypeError, r"param_distributions\['alpha'\] must be a list"),
        ({"alpha": 0.1}, {}, TypeError, r"param_distributions\['alpha'\] must be a list"),
        ({"alpha": []}, {}, ValueError, r"param_distributions\['alpha'\] is an empty list"),
        (
            {"alpha": [1e-3]},
            dict(scoring=["accuracy", "neg_log_loss"], refit=False),
            ValueError,
            "refit must be",
        ),
    ],
)
def test_search_rejects_bad_settings_before_fitting(space, params, error, pattern):
    with pytest.raises(error, match=pattern):
        _search(space, **params).fit(X0, Y0)


@pytest.mark.usefixtures("no_training_work")
def test_search_rejects_bad_data_before_fitting():
    # The search itself does not look at X (its estimator may be a pipeline that
    # imputes): the first candidate's fit must refuse it before training.
    X = X0.copy()
    X[:, 2] = np.nan
    with pytest.raises(ValueError, match="Input X contains NaN"):
        _search({"alpha": loguniform(1e-5, 1e-1)}, error_score="raise").fit(X, Y0)
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        _search({"alpha": loguniform(1e-5, 1e-1)}).fit(X0, Y0[:-2])


@pytest.mark.usefixtures("no_training_work")
def test_search_reports_invalid_candidate_parameters():
    with pytest.raises(ValueError, match="'dropout' parameter"):
        _search({"dropout": [2.0]}, error_score="raise").fit(X0, Y0)
    with pytest.raises(ValueError, match="Invalid parameter 'dropuot'"):
        _search({"dropuot": [0.1]}, error_score="raise").fit(X0, Y0)
