"""End-to-end behaviour of MLPSoftmaxClassifier and MLPSVMClassifier."""

import warnings
from functools import partial

import numpy as np
import pytest
import scipy.sparse as sp
from conftest import (
    TRAINING_K,
    assert_close_to_rounding,
    classification_data,
    fit_quietly,
    small_model,
    training_network,
)
from scipy.special import expit, softmax
from scipy.stats import spearmanr
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

from skdeep import MLPSoftmaxClassifier, MLPSVMClassifier
from skdeep.core.layers import BatchNorm, Dense

CLASSES = [MLPSoftmaxClassifier, MLPSVMClassifier]


def _data(n_classes=3, n_samples=120, n_features=8, seed=0):
    # Well-separated (one cluster per class) and standardised, unlike the shared default.
    X, y = classification_data(
        n_samples=n_samples,
        n_features=n_features,
        n_informative=5,
        n_redundant=1,
        n_classes=n_classes,
        n_clusters_per_class=1,
        class_sep=2.0,
        random_state=seed,
    )
    return StandardScaler().fit_transform(X), y


# Trained to convergence-ish (40 epochs) with the default stopping rule.
_small = partial(
    small_model, exact_epochs=False, hidden_layer_sizes=(16,), max_iter=40, learning_rate_init=0.01
)


# ---------------------------------------------------------------------- digits
# Settings that reached >= 0.967 on this split for every seed tried (0-7):
# softmax: hidden (128,), batch 64, 60 epochs of Adam at 1e-3 (0.97-0.98);
# SVM: the same plus dropout 0.3 (0.967-0.98). Without dropout, or with the default
# batch of 200 and 30 epochs, the hinge network lands at 0.92-0.96.
DIGITS_SETTINGS = {
    MLPSoftmaxClassifier: {"hidden_layer_sizes": (128,), "batch_size": 64, "max_iter": 60},
    MLPSVMClassifier: {
        "hidden_layer_sizes": (128,),
        "batch_size": 64,
        "max_iter": 60,
        "dropout": 0.3,
    },
}


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return train_test_split(X, y, test_size=0.25, stratify=y, random_state=0)


@pytest.fixture(scope="module")
def digits_models(digits):
    X_train, _, y_train, _ = digits
    models = {}
    # On a busy 2-core machine a multithreaded BLAS spins waiting for the other core
    # and multiplies the fit time; these matrices are too small to gain from threads.
    with threadpool_limits(limits=1, user_api="blas"):
        for cls, settings in DIGITS_SETTINGS.items():
            pipe = make_pipeline(StandardScaler(), cls(random_state=0, **settings))
            models[cls] = fit_quietly(pipe, X_train, y_train)
    return models


@pytest.mark.parametrize("cls", CLASSES)
def test_digits_accuracy(digits, digits_models, cls):
    _, X_test, _, y_test = digits
    assert digits_models[cls].score(X_test, y_test) >= 0.95


@pytest.mark.parametrize("cls", CLASSES)
def test_digits_probabilities(digits, digits_models, cls):
    _, X_test, _, _ = digits
    model = digits_models[cls]
    proba = model.predict_proba(X_test)
    assert proba.shape == (len(X_test), 10)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-12)
    np.testing.assert_array_equal(model.classes_[proba.argmax(axis=1)], model.predict(X_test))
    assert_close_to_rounding(model.predict_log_proba(X_test), np.log(proba))


def test_digits_svm_probabilities_rank_like_scores(digits, digits_models):
    _, X_test, _, _ = digits
    model = digits_models[MLPSVMClassifier]
    svm = model[-1]
    assert svm.temperature_ > 0 and np.isfinite(svm.temperature_)
    scores = model.decision_function(X_test)
    proba = model.predict_proba(X_test)
    assert_close_to_rounding(proba, softmax(scores / svm.temperature_, axis=1))
    # Within every row, in the order of the scores, the probabilities never decrease.
    order = np.argsort(scores, axis=1)
    assert np.all(np.diff(np.take_along_axis(proba, order, axis=1), axis=1) >= 0)
    rho = [spearmanr(p, s).statistic for p, s in zip(proba, scores)]
    assert min(rho) > 0.99


# ----------------------------------------------------------------------- dtypes
@pytest.mark.parametrize("n_classes", [2, 3])
@pytest.mark.parametrize("cls", CLASSES)
def test_float32_input_trains_and_predicts_float32(cls, n_classes):
    X, y = _data(n_classes)
    X32 = X.astype(np.float32)
    est = fit_quietly(_small(cls, hidden_layer_sizes=(8, 4), max_iter=5), X32, y)
    assert all(W.dtype == np.float32 for W in est.coefs_)
    assert all(b.dtype == np.float32 for b in est.intercepts_)
    assert est.predict_proba(X32).dtype == np.float32
    assert est.decision_function(X32).dtype == np.float32
    assert est.predict_log_proba(X32).dtype == np.float32
    # Predicting float64 input with a float32 model stays in float32.
    assert est.predict_proba(X).dtype == np.float32
    np.testing.assert_allclose(est.predict_proba(X32).sum(axis=1), 1.0, rtol=1e-5)
    # Sparse float32 input trains in float32 as well.
    est_sparse = fit_quietly(
        _small(cls, hidden_layer_sizes=(8, 4), max_iter=5), sp.csr_matrix(X32), y
    )
    assert all(W.dtype == np.float32 for W in est_sparse.coefs_)
    assert est_sparse.predict_proba(sp.csr_matrix(X32)).dtype == np.float32


@pytest.mark.parametrize("cls", CLASSES)
def test_float64_input_and_dtype_parameter(cls):
    X, y = _data()
    X32 = X.astype(np.float32)
    est64 = fit_quietly(_small(cls, max_iter=3), X, y)
    assert est64.coefs_[0].dtype == np.float64
    assert est64.predict_proba(X).dtype == np.float64
    # Integer input trains in float64 too.
    est_int = fit_quietly(_small(cls, max_iter=3), np.round(X * 10).astype(np.int64), y)
    assert est_int.coefs_[0].dtype == np.float64
    # dtype='float64' forces float64 on float32 input; dtype='float32' the reverse.
    forced64 = fit_quietly(_small(cls, max_iter=3, dtype="float64"), X32, y)
    assert all(W.dtype == np.float64 for W in forced64.coefs_)
    assert forced64.predict_proba(X32).dtype == np.float64
    forced32 = fit_quietly(_small(cls, max_iter=3, dtype="float32"), X, y)
    assert all(W.dtype == np.float32 for W in forced32.coefs_)
    assert forced32.predict_proba(X).dtype == np.float32


@pytest.mark.parametrize("cls", CLASSES)
def test_float32_model_close_to_float64_model(cls):
    # Same seed, same data: float32 training follows the float64 trajectory closely
    # for a few epochs (the initial weights are the rounded float64 ones).
    X, y = _data()
    est32 = fit_quietly(_small(cls, max_iter=3, activation="tanh"), X.astype(np.float32), y)
    est64 = fit_quietly(_small(cls, max_iter=3, activation="tanh"), X, y)
    for W32, W64 in zip(est32.coefs_, est64.coefs_):
        np.testing.assert_allclose(W32, W64, rtol=1e-3, atol=1e-4)


# ----------------------------------------------------------------------- sparse
@pytest.mark.parametrize("batch_norm", [False, True])
@pytest.mark.parametrize("fmt", ["csr", "csc"])
@pytest.mark.parametrize("cls", CLASSES)
def test_sparse_input_gives_the_same_model(cls, fmt, batch_norm):
    X, y = _data(seed=1)
    X[np.abs(X) < 0.8] = 0.0  # ~60% zeros
    X_sparse = sp.csr_matrix(X).asformat(fmt)
    params = {
        "hidden_layer_sizes": (12,),
        "max_iter": 10,
        "batch_size": 32,
        "batch_norm": batch_norm,
        "dropout": 0.1,
    }
    dense = fit_quietly(_small(cls, **params), X, y)
    sparse = fit_quietly(_small(cls, **params), X_sparse, y)
    # Sparse products sum in another order than BLAS; 10 epochs compound the difference.
    for Wd, Ws in zip(dense.coefs_ + dense.intercepts_, sparse.coefs_ + sparse.intercepts_):
        assert_close_to_rounding(Ws, Wd, k=TRAINING_K)
    np.testing.assert_array_equal(sparse.predict(X_sparse), dense.predict(X))
    assert_close_to_rounding(sparse.predict_proba(X_sparse), dense.predict_proba(X), k=TRAINING_K)
    # A dense model predicts sparse input (and vice versa) the same, to rounding.
    assert_close_to_rounding(dense.decision_function(X_sparse), dense.decision_function(X))


# ------------------------------------------------------------------------ labels
@pytest.mark.parametrize("cls", CLASSES)
@pytest.mark.parametrize(
    "labels",
    [
        np.array(["cat", "dog"]),
        np.array([-3, 7]),
        np.array(["a", "b", "c"]),
        np.array([10, 20, 30, 40]),
    ],
    ids=["str-binary", "int-binary", "str-multi", "int-multi"],
)
def test_labels_and_decision_function(cls, labels):
    n_classes = len(labels)
    X, y_index = _data(n_classes, n_samples=160)
    y = labels[y_index]
    est = fit_quietly(_small(cls), X, y)
    np.testing.assert_array_equal(est.classes_, np.sort(labels))
    predicted = est.predict(X)
    assert predicted.dtype == y.dtype
    assert set(predicted) <= set(labels)
    assert est.score(X, y) > 0.8

    scores = est.decision_function(X)
    proba = est.predict_proba(X)
    assert proba.shape == (len(X), n_classes)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-12)
    np.testing.assert_array_equal(est.classes_[proba.argmax(axis=1)], predicted)
    if n_classes == 2:
        assert scores.shape == (len(X),)
        assert est.n_outputs_ == 1
        # Positive score means classes_[1].
        np.testing.assert_array_equal(predicted == est.classes_[1], scores > 0)
        np.testing.assert_array_equal(proba[:, 1] > 0.5, scores > 0)
        assert ((scores > 0) == (y == est.classes_[1])).mean() > 0.8
        # Computed stably: finite even where the probability rounds to 0 or 1.
        log_proba = est.predict_log_proba(X)
        assert np.all(np.isfinite(log_proba))
        assert_close_to_rounding(np.exp(log_proba), proba)
    else:
        assert scores.shape == (len(X), n_classes)
        assert est.n_outputs_ == n_classes
        np.testing.assert_array_equal(est.classes_[scores.argmax(axis=1)], predicted)


@pytest.mark.parametrize("n_classes", [2, 4])
def test_svm_probabilities_rank_like_decision_function(n_classes):
    X, y = _data(n_classes, n_samples=160)
    est = fit_quietly(_small(MLPSVMClassifier, loss="squared_hinge"), X, y)
    assert est.temperature_ > 0
    scores = est.decision_function(X)
    proba = est.predict_proba(X)
    if n_classes == 2:
        assert_close_to_rounding(proba[:, 1], expit(scores / est.temperature_))
        # Spearman correlation 1 (up to saturated ties): in the order of the scores,
        # the probabilities of classes_[1] never decrease.
        assert np.all(np.diff(proba[np.argsort(scores), 1]) >= 0)
        assert spearmanr(proba[:, 1], scores).statistic > 0.999
    else:
        assert_close_to_rounding(proba, softmax(scores / est.temperature_, axis=1))
        order = np.argsort(scores, axis=1)
        assert np.all(np.diff(np.take_along_axis(proba, order, axis=1), axis=1) >= 0)
        np.testing.assert_array_equal(proba.argmax(axis=1), scores.argmax(axis=1))


def test_out_activation():
    X2, y2 = _data(2)
    X3, y3 = _data(3)
    assert (
        fit_quietly(_small(MLPSoftmaxClassifier, max_iter=2), X2, y2).out_activation_ == "logistic"
    )
    assert (
        fit_quietly(_small(MLPSoftmaxClassifier, max_iter=2), X3, y3).out_activation_ == "softmax"
    )
    assert fit_quietly(_small(MLPSVMClassifier, max_iter=2), X3, y3).out_activation_ == "identity"


# -------------------------------------------------------------------- structure
def _act(name, z, pieces=2):
    if name == "relu":
        return np.maximum(z, 0)
    if name == "tanh":
        return np.tanh(z)
    if name == "maxout":
        return z.reshape(z.shape[0], -1, pieces).max(axis=2)
    raise ValueError(name)


def _manual_proba(est, X, activation, pieces=2):
    h = X
    for W, b in zip(est.coefs_[:-1], est.intercepts_[:-1]):
        h = _act(activation, h @ W + b, pieces)
    scores = h @ est.coefs_[-1] + est.intercepts_[-1]
    temperature = getattr(est, "temperature_", 1.0)
    if scores.shape[1] == 1:
        p = expit(scores[:, 0] / temperature)
        return np.column_stack([1 - p, p])
    return softmax(scores / temperature, axis=1)


@pytest.mark.parametrize("batch_norm, dropout", [(False, 0.0), (True, 0.0), (False, 0.3)])
@pytest.mark.parametrize("n_classes", [2, 3])
@pytest.mark.parametrize("cls", CLASSES)
def test_coefs_reproduce_predict_proba(cls, n_classes, batch_norm, dropout):
    # Hidden layers compute relu(h @ W + b) with batch norm folded in and no dropout
    # at inference.
    X, y = _data(n_classes)
    hidden = (10, 7)
    est = fit_quietly(
        _small(cls, hidden_layer_sizes=hidden, batch_norm=batch_norm, dropout=dropout, max_iter=15),
        X,
        y,
    )
    n_out = 1 if n_classes == 2 else n_classes
    assert est.n_layers_ == len(hidden) + 2
    assert [W.shape for W in est.coefs_] == [(8, 10), (10, 7), (7, n_out)]
    assert [b.shape for b in est.intercepts_] == [(10,), (7,), (n_out,)]
    assert_close_to_rounding(est.predict_proba(X), _manual_proba(est, X, "relu"))


@pytest.mark.parametrize("cls", CLASSES)
def test_batch_norm_folding_matches_training_form(cls):
    # Recompute the scores from the *training-form* parameters (Dense weights, then
    # batch norm with the running statistics) and compare with the folded coefs_.
    X, y = _data(3)
    est = fit_quietly(_small(cls, hidden_layer_sizes=(10, 7), batch_norm=True, max_iter=15), X, y)
    network = training_network(est)
    h = X
    for layer in network.layers:
        if isinstance(layer, Dense):
            h = h @ layer.params["W"] + (layer.params["b"] if layer.use_bias else 0.0)
        elif isinstance(layer, BatchNorm):
            mean, var = layer.state["running_mean"], layer.state["running_var"]
            h = (h - mean) / np.sqrt(var + layer.epsilon) * layer.params["gamma"] + (
                layer.params["beta"]
            )
        else:
            h = np.maximum(h, 0)
    # Folding rescales the weights: rounded once more than the training form.
    assert_close_to_rounding(est.decision_function(X), h)
    # Batch norm really did something: the running statistics left their initial
    # (0, 1), so folding changed the weights.
    norms = [layer for layer in network.layers if isinstance(layer, BatchNorm)]
    assert not np.allclose(norms[0].state["running_var"], 1.0, rtol=0.05)
    assert not np.allclose(norms[1].state["running_mean"], 0.0, atol=0.05)
    assert not np.allclose(est.coefs_[0], network.dense_layers[0].params["W"], rtol=0.05)


@pytest.mark.parametrize("pieces, batch_norm", [(2, False), (3, False), (3, True)])
@pytest.mark.parametrize("cls", CLASSES)
def test_maxout_structure(cls, pieces, batch_norm):
    X, y = _data(3)
    est = fit_quietly(
        _small(
            cls,
            hidden_layer_sizes=(6, 5),
            activation="maxout",
            maxout_pieces=pieces,
            batch_norm=batch_norm,
            max_iter=10,
        ),
        X,
        y,
    )
    assert est.coefs_[0].shape == (8, 6 * pieces)
    assert est.coefs_[1].shape == (6, 5 * pieces)
    assert est.coefs_[2].shape == (5, 3)
    assert est.n_layers_ == 4
    assert_close_to_rounding(est.predict_proba(X), _manual_proba(est, X, "maxout", pieces))


def test_integer_hidden_layer_sizes_is_one_layer():
    X, y = _data(3)
    est = fit_quietly(_small(MLPSoftmaxClassifier, hidden_layer_sizes=7, max_iter=3), X, y)
    assert est.n_layers_ == 3
    assert [W.shape for W in est.coefs_] == [(8, 7), (7, 3)]


# ------------------------------------------------------------------ determinism
@pytest.mark.parametrize("cls", CLASSES)
def test_same_seed_bit_identical_different_seed_differs(cls):
    X, y = _data(3)
    params = {
        "hidden_layer_sizes": (12, 6),
        "dropout": 0.2,
        "batch_norm": True,
        "max_iter": 8,
        "batch_size": 16,
    }
    a = fit_quietly(_small(cls, random_state=7, **params), X, y)
    b = fit_quietly(_small(cls, random_state=7, **params), X, y)
    c = fit_quietly(_small(cls, random_state=8, **params), X, y)
    for Wa, Wb in zip(a.coefs_ + a.intercepts_, b.coefs_ + b.intercepts_):
        assert np.array_equal(Wa, Wb)
    assert a.loss_curve_ == b.loss_curve_
    assert not np.array_equal(a.coefs_[0], c.coefs_[0])


@pytest.mark.parametrize("weight_init", ["lsuv", "orthogonal", "gaussian"])
def test_same_seed_bit_identical_for_every_initializer(weight_init):
    X, y = _data(2)
    params = {"weight_init": weight_init, "max_iter": 3, "random_state": 3}
    a = fit_quietly(_small(MLPSoftmaxClassifier, **params), X, y)
    b = fit_quietly(_small(MLPSoftmaxClassifier, **params), X, y)
    for Wa, Wb in zip(a.coefs_, b.coefs_):
        assert np.array_equal(Wa, Wb)


# ---------------------------------------------------------------- linear model
@pytest.mark.parametrize("n_classes", [2, 3])
@pytest.mark.parametrize("cls", CLASSES)
def test_empty_hidden_layers_is_linear_classifier(cls, n_classes):
    X, y = _data(n_classes, n_samples=200)
    est = fit_quietly(_small(cls, hidden_layer_sizes=(), max_iter=60), X, y)
    n_out = 1 if n_classes == 2 else n_classes
    assert est.n_layers_ == 2
    assert len(est.coefs_) == 1 and est.coefs_[0].shape == (8, n_out)
    scores = X @ est.coefs_[0] + est.intercepts_[0]
    expected = scores[:, 0] if n_classes == 2 else scores
    assert_close_to_rounding(est.decision_function(X), expected)
    assert est.score(X, y) > 0.8


# ------------------------------------------------------- weights and chunking
@pytest.mark.parametrize("cls", CLASSES)
def test_integer_sample_weights_equal_repeated_rows(cls):
    # The loss is the weighted mean: weight 2 is the same objective as a duplicated
    # row. L-BFGS is deterministic and full-batch, so the two fits coincide.
    X, y = _data(3, n_samples=60)
    weights = np.tile([1, 2, 3], 20)
    X_rep, y_rep = np.repeat(X, weights, axis=0), np.repeat(y, weights)
    params = {"solver": "lbfgs", "max_iter": 30, "hidden_layer_sizes": (6,), "activation": "tanh"}
    weighted = fit_quietly(_small(cls, **params), X, y, sample_weight=weights)
    repeated = fit_quietly(_small(cls, **params), X_rep, y_rep)
    for Ww, Wr in zip(weighted.coefs_, repeated.coefs_):
        np.testing.assert_allclose(Ww, Wr, rtol=1e-6, atol=1e-8)
    # And the weights matter: the unweighted fit is a different model.
    plain = fit_quietly(_small(cls, **params), X, y)
    assert not np.allclose(plain.coefs_[0], weighted.coefs_[0], rtol=1e-3)


@pytest.mark.parametrize("sparse", [False, True])
def test_chunked_prediction_matches_whole(sparse):
    from sklearn import config_context

    X, y = _data(3, n_samples=300)
    est = fit_quietly(_small(MLPSVMClassifier, hidden_layer_sizes=(64,), max_iter=5), X, y)
    X_in = sp.csr_matrix(X) if sparse else X
    whole = est.decision_function(X_in)
    # ~1 KiB of working memory: a few rows per chunk.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with config_context(working_memory=0.005):
            chunked = est.decision_function(X_in)
            proba = est.predict_proba(X_in)
    assert_close_to_rounding(chunked, whole)
    assert_close_to_rounding(proba, est.predict_proba(X_in))


def test_fractional_batch_size_gives_equal_batches(monkeypatch):
    # batch_size=0.1 on 123 rows: ceil(12.3) = 13 rows at most, ten batches of
    # 12 or 13 rows (no three-row remainder taking a full step).
    from skdeep.core.objective import Objective

    sizes = []
    original = Objective.value_and_gradient

    def recording(self, X, y, *args, **kwargs):
        sizes.append(X.shape[0])
        return original(self, X, y, *args, **kwargs)

    monkeypatch.setattr(Objective, "value_and_gradient", recording)
    X, y = classification_data(n_samples=123)
    fit_quietly(MLPSoftmaxClassifier(hidden_layer_sizes=(4,), batch_size=0.1, max_iter=2), X, y)
    assert len(sizes) == 20 and sum(sizes) == 2 * 123
    assert set(sizes) <= {12, 13}
    sizes.clear()
    fit_quietly(MLPSoftmaxClassifier(hidden_layer_sizes=(4,), batch_size=40, max_iter=1), X, y)
    assert sizes == [40, 40, 40, 3]  # an int keeps MLPClassifier's batches
