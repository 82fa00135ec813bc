"""Property-based tests: any finite data, any configuration, valid probabilities.

For arbitrary finite ``X`` of bounded magnitude (``|x| <= 1e3``, small shapes)
and at least two classes, every configuration of the estimators (activation,
initialisation, solver, head, batch norm, dropout, schedule, penalty,
averaging, precision, ...) must fit a tiny network for a few epochs and return:

* finite probabilities in [0, 1] whose rows sum to 1, and finite log-probabilities
  that agree with them;
* finite decision scores of the documented shape;
* predictions consistent with them (the predicted class has the largest
  probability; in the binary case a positive score means ``classes_[1]``).

Hypothesis samples the configuration space instead of running the full product.
Extreme feature scales (down to 1e-30, up to 1e30 and beyond) must either train
or raise a clear error naming ``X``: never produce NaN or infinite probabilities.
"""

import warnings

import numpy as np
import pytest
import sklearn
from conftest import ROUNDING_K, assert_close_to_rounding
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from sklearn.exceptions import ConvergenceWarning

from skdeep import MLPSoftmaxClassifier, MLPSVMClassifier
from skdeep.core.activations import ACTIVATIONS

SOLVERS = ["sgd", "adagrad", "rmsprop", "adam", "lbfgs"]
INITS = ["auto", "gaussian", "xavier", "he", "orthogonal", "lsuv"]
HEADS = ["softmax", "hinge", "squared_hinge"]
SCHEDULES = ["constant", "invscaling", "adaptive", "step", "exponential"]

PROPERTY_SETTINGS = settings(
    max_examples=250,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    derandomize=True,
)


# ------------------------------------------------------------------ strategies
@st.composite
def datasets(draw, max_abs=1e3):
    """Small finite (X, y) with every one of 2 to 4 classes present."""
    n_classes = draw(st.integers(2, 4))
    n_samples = draw(st.integers(n_classes, 20))
    n_features = draw(st.integers(1, 5))
    X = draw(
        arrays(
            np.float64,
            (n_samples, n_features),
            elements=st.floats(-max_abs, max_abs, allow_nan=False, allow_infinity=False),
        )
    )
    rest = draw(
        st.lists(
            st.integers(0, n_classes - 1),
            min_size=n_samples - n_classes,
            max_size=n_samples - n_classes,
        )
    )
    y = np.array(list(range(n_classes)) + rest)
    y = y[draw(st.permutations(range(n_samples)))]
    if draw(st.booleans()):
        y = np.array([f"class_{label}" for label in y], dtype=object)
    return X, y


@st.composite
def configurations(draw):
    """One point of the configuration space (tiny network, few epochs)."""
    solver = draw(st.sampled_from(SOLVERS))
    head = draw(st.sampled_from(HEADS))
    params = dict(
        hidden_layer_sizes=draw(st.sampled_from([(), (3,), (4, 3)])),
        activation=draw(st.sampled_from(sorted(ACTIVATIONS))),
        weight_init=draw(st.sampled_from(INITS)),
        solver=solver,
        batch_norm=draw(st.booleans()),
        dropout=0.0 if solver == "lbfgs" else draw(st.sampled_from([0.0, 0.25, 0.6])),
        maxout_pieces=draw(st.integers(2, 3)),
        learning_rate=draw(st.sampled_from(SCHEDULES)),
        learning_rate_init=draw(st.sampled_from([1e-3, 0.1, 1.0])),
        batch_size=draw(st.sampled_from(["auto", 1, 3])),
        penalty=draw(st.sampled_from(["l2", "l1", "elasticnet", None])),
        alpha=draw(st.sampled_from([0.0, 1e-4, 1.0])),
        max_norm=draw(st.sampled_from([None, 0.5])),
        average=False if solver == "lbfgs" else draw(st.sampled_from([False, True, 0.5])),
        dtype=draw(st.sampled_from([None, "float32"])),
        max_iter=draw(st.integers(1, 3)),
        random_state=draw(st.integers(0, 2**16)),
    )
    if head == "softmax":
        return MLPSoftmaxClassifier(**params)
    return MLPSVMClassifier(loss=head, **params)


# -------------------------------------------------------------------- checking
def _fit(model, X, y, overflow_expected=False):
    # pyproject.toml turns RuntimeWarnings raised from skdeep into errors: on
    # bounded data an overflow warning is a failure; on extreme scales it is not.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        if overflow_expected:
            warnings.simplefilter("ignore", RuntimeWarning)
        return model.fit(X, y)


def _assert_finite(array, what):
    # A count keeps the failure report short (pytest would print whole arrays).
    n_bad = int(np.count_nonzero(~np.isfinite(array)))
    assert n_bad == 0, f"{n_bad} NaN or infinite {what} out of {array.size}"


def _assert_valid_outputs(model, X, overflow_expected=False):
    """The output contract of a fitted classifier on ``X``."""
    n, k = X.shape[0], len(model.classes_)
    with warnings.catch_warnings():
        if overflow_expected:
            warnings.simplefilter("ignore", RuntimeWarning)
        proba = model.predict_proba(X)
        log_proba = model.predict_log_proba(X)
        scores = model.decision_function(X)
        predicted = model.predict(X)
    dtype_eps = np.finfo(proba.dtype).eps
    assert proba.shape == (n, k)
    _assert_finite(proba, "probabilities")
    assert (proba >= 0).all() and (proba <= 1).all()
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, atol=50 * dtype_eps)
    assert log_proba.shape == (n, k)
    if overflow_expected:
        # log(0) = -inf is the exact answer where a probability underflows to 0.
        assert not np.isnan(log_proba).any() and (log_proba <= 0).all()
        floor = np.finfo(log_proba.dtype).min
        log_proba = np.where(np.isneginf(log_proba) & (proba == 0), floor, log_proba)
    _assert_finite(log_proba, "log-probabilities")
    np.testing.assert_allclose(np.exp(log_proba), proba, atol=50 * dtype_eps, rtol=1e-4)
    assert scores.shape == ((n,) if k == 2 else (n, k))
    _assert_finite(scores, "decision scores")
    assert np.isin(predicted, model.classes_).all()
    index = np.searchsorted(model.classes_, predicted)
    chosen = proba[np.arange(n), index]
    # Rounding may tie two classes' probabilities, never reverse their order.
    assert (chosen >= proba.max(axis=1) * (1 - 8 * dtype_eps)).all()
    if k == 2:
        np.testing.assert_array_equal(predicted == model.classes_[1], scores > 0)


# ------------------------------------------------------------------ properties
@PROPERTY_SETTINGS
@given(data=datasets(), model=configurations())
def test_any_configuration_gives_valid_probabilities(data, model):
    X, y = data
    _fit(model, X, y)
    for array in model.coefs_ + model.intercepts_:
        _assert_finite(array, "fitted parameters")
    _assert_valid_outputs(model, X)
    # Fresh data of the same magnitude, and data far outside the training range.
    _assert_valid_outputs(model, X[::-1] * 0.5 + 1.0)
    _assert_valid_outputs(model, np.full((2, X.shape[1]), 1e3))


@settings(max_examples=100, deadline=None, derandomize=True)
@given(data=datasets(), model=configurations())
def test_partial_fit_gives_valid_probabilities(data, model):
    X, y = data
    if model.solver == "lbfgs":
        model.set_params(solver="adam")
    classes = np.unique(y)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # lr=1 may diverge
        for start in range(0, len(y), 3):
            model.partial_fit(X[start : start + 3], y[start : start + 3], classes=classes)
    _assert_valid_outputs(model, X)


@settings(max_examples=60, deadline=None, derandomize=True)
@given(data=datasets(), model=configurations(), chunk_memory=st.sampled_from([0.0001, 0.001]))
def test_chunked_prediction_equals_whole(data, model, chunk_memory):
    # Chunk sizes follow working_memory; the answer must not depend on them.
    X, y = data
    _fit(model, X, y)
    X_big = np.tile(X, (40, 1))
    whole = model.predict_proba(X_big)
    with sklearn.config_context(working_memory=chunk_memory):
        chunked = model.predict_proba(X_big)
        chunked_scores = model.decision_function(X_big)
    assert_close_to_rounding(chunked, whole)
    assert_close_to_rounding(chunked_scores, model.decision_function(X_big))
    # Other shapes round differently: a label may change only where two classes
    # tie to rounding.
    changed = model.predict(X_big) != np.tile(model.predict(X), 40)
    top_two = np.sort(whole[changed], axis=1)[:, -2:]
    assert (top_two[:, 1] - top_two[:, 0] <= ROUNDING_K * np.finfo(whole.dtype).eps).all()


# ------------------------------------------------------------------ extreme scales
def _extreme_data():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 4))
    return X, np.arange(40) % 3


def _head(name, **params):
    if name == "softmax":
        return MLPSoftmaxClassifier(**params)
    return MLPSVMClassifier(loss=name, **params)


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("batch_norm", [False, True])
@pytest.mark.parametrize("head", HEADS)
@pytest.mark.parametrize("solver", ["adam", "sgd", "lbfgs"])
@pytest.mark.parametrize("scale", [1e-30, 1e30, 1e300])
def test_extreme_feature_scale_trains_or_refuses(scale, solver, head, batch_norm, dtype):
    X, y = _extreme_data()
    X = X * scale
    model = _head(
        head,
        hidden_layer_sizes=(5,),
        max_iter=3,
        random_state=0,
        solver=solver,
        batch_norm=batch_norm,
        dtype=dtype,
    )
    try:
        _fit(model, X, y, overflow_expected=True)
    except ValueError as exc:
        # Refusing is fine if the message says the data is the problem.
        assert "X" in str(exc), str(exc)
        return
    _assert_valid_outputs(model, X, overflow_expected=True)


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("far", ["x1e30", "x1e300", "one_float64_max"])
def test_prediction_far_outside_training_range(far, dtype):
    # A model trained on standardised data, asked about finite but huge inputs:
    # answer with valid probabilities or refuse X, never return NaN.
    X, y = _extreme_data()
    model = _fit(
        MLPSoftmaxClassifier(hidden_layer_sizes=(5,), max_iter=5, random_state=0, dtype=dtype),
        X,
        y,
        overflow_expected=True,
    )
    if far == "one_float64_max":
        X_far = X.copy()
        X_far[0, 0] = np.finfo(np.float64).max
    else:
        X_far = X * float(far[1:])
    try:
        _assert_valid_outputs(model, X_far, overflow_expected=True)
    except ValueError as exc:
        assert "X" in str(exc), str(exc)
