"""Bounded memory, measured with tracemalloc (NumPy reports its buffers to it).

* Prediction (``predict``, ``predict_proba``, ``predict_log_proba``,
  ``decision_function``) processes ``X`` in chunks sized from scikit-learn's
  ``working_memory``: with ``working_memory=1`` (MiB) the peak allocation is the
  output plus a bounded per-chunk working set, however many rows ``X`` has;
  without chunking it would be ``n_rows * widest_layer * itemsize``.
* ``fit`` holds at most one converted copy of ``X``: none for a float64 (or
  float32) C-contiguous array or a CSR matrix, one for integer or
  Fortran-ordered input, and early stopping's validation split copies nothing.
"""

import gc
import tracemalloc
import warnings

import numpy as np
import pytest
import scipy.sparse as sp
import sklearn
from conftest import assert_close_to_rounding, fit_quietly
from sklearn.exceptions import ConvergenceWarning

from skdeep import MLPSoftmaxClassifier, MLPSVMClassifier

MiB = 2**20
WIDEST = 512


def peak_bytes(function, *args, **kwargs):
    """Return ``(result, peak traced bytes)`` of one call, from a clean start."""
    gc.collect()
    assert not tracemalloc.is_tracing()
    tracemalloc.start()
    try:
        result = function(*args, **kwargs)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return result, peak


# ------------------------------------------------------------------ prediction
@pytest.fixture(scope="module")
def wide_model():
    """A model with a 512-unit layer, trained on 600 rows; 6,000 rows to predict."""
    rng = np.random.default_rng(0)
    X_train = rng.normal(size=(600, 20))
    y_train = np.arange(600) % 3
    model = fit_quietly(
        MLPSoftmaxClassifier(hidden_layer_sizes=(WIDEST, 8), max_iter=1, random_state=0),
        X_train,
        y_train,
    )
    X_big = rng.normal(size=(10 * len(X_train), 20))
    model.predict_proba(X_big[:5])  # first-call imports and caches are not the subject
    return model, X_big


METHODS = ["predict", "predict_proba", "predict_log_proba", "decision_function"]


def _output_bytes(model, n_rows):
    return n_rows * len(model.classes_) * 8


@pytest.mark.parametrize("method", METHODS)
def test_prediction_is_chunked_by_working_memory(wide_model, method):
    model, X = wide_model
    unchunked = len(X) * WIDEST * 8  # one hidden activation for all rows: 23 MiB
    with sklearn.config_context(working_memory=1):
        chunked_result, peak = peak_bytes(getattr(model, method), X)
    # The output (and a couple of arrays of its size for the probability
    # mapping) plus about one working_memory of chunk buffers.
    budget = 4 * _output_bytes(model, len(X)) + 3 * MiB
    assert peak < budget, f"peak {peak / MiB:.1f} MiB > {budget / MiB:.1f} MiB"
    assert peak < unchunked / 10
    # Another chunk shape is another GEMM blocking: equal to rounding, not bit-identical.
    assert_close_to_rounding(chunked_result[:1000], getattr(model, method)(X[:1000]))


def test_measurement_sees_unchunked_prediction(wide_model):
    # The instrument must be able to fail: with the default working memory
    # (1 GiB) the whole batch goes through at once and the peak shows it.
    model, X = wide_model
    _, peak = peak_bytes(model.predict_proba, X)
    assert peak > 0.9 * len(X) * WIDEST * 8


def test_prediction_peak_does_not_grow_with_rows(wide_model):
    model, X = wide_model
    with sklearn.config_context(working_memory=1):
        _, small = peak_bytes(model.decision_function, X[:1500])
        _, large = peak_bytes(model.decision_function, X)
    extra_output = _output_bytes(model, len(X) - 1500)
    assert large - small < extra_output + 1.5 * MiB


def test_prediction_on_float32_input_casts_per_chunk(wide_model):
    model, X = wide_model
    X32 = X.astype(np.float32)
    with sklearn.config_context(working_memory=1):
        _, peak = peak_bytes(model.predict_proba, X32)
    assert peak < 4 * _output_bytes(model, len(X)) + 3 * MiB


def test_prediction_on_integer_input_makes_one_copy(wide_model):
    model, X = wide_model
    X_int = np.round(X * 10).astype(np.int64)
    with sklearn.config_context(working_memory=1):
        _, peak = peak_bytes(model.predict_proba, X_int)
    float_copy = X_int.size * 8
    assert peak < float_copy + 4 * _output_bytes(model, len(X)) + 3 * MiB


def test_sparse_prediction_is_chunked(wide_model):
    model, X = wide_model
    X_sparse = sp.csr_matrix(np.where(np.abs(X) > 1.5, X, 0.0))
    with sklearn.config_context(working_memory=1):
        _, peak = peak_bytes(model.predict_proba, X_sparse)
    assert peak < 4 * _output_bytes(model, len(X)) + 4 * MiB


# ------------------------------------------------------------------------- fit
N_ROWS, N_FEATURES = 10000, 80


@pytest.fixture(scope="module")
def big_data():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(N_ROWS, N_FEATURES))
    y = (X[:, 0] > 0).astype(int) + (X[:, 1] > 0.5)
    return X, y


CLASSES = {"softmax": MLPSoftmaxClassifier, "svm": MLPSVMClassifier}


def _fit_peak(cls, X, y, **params):
    model = cls(**{"hidden_layer_sizes": (32,), "max_iter": 1, "random_state": 0, **params})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return peak_bytes(model.fit, X, y)


# Inputs that need no conversion at all: fit must not copy them.
NO_COPY_INPUTS = {
    "float64": lambda X: X,
    "float32": lambda X: X.astype(np.float32),
    "csr_float64": lambda X: sp.csr_matrix(np.where(np.abs(X) > 1.0, X, 0.0)),
}


def _nbytes(X):
    return X.data.nbytes + X.indices.nbytes + X.indptr.nbytes if sp.issparse(X) else X.nbytes


FIT_OPTIONS = {
    "plain": dict(),
    "early_stopping": dict(early_stopping=True),
    "lsuv_batch_norm_dropout": dict(weight_init="lsuv", batch_norm=True, dropout=0.2),
    "sample_weight": dict(),
}


def _no_copy_cases():
    for option in FIT_OPTIONS:
        for kind in NO_COPY_INPUTS:
            if option in ("plain", "early_stopping") or kind == "float64":
                yield option, kind


@pytest.mark.parametrize("head", list(CLASSES))
@pytest.mark.parametrize("option, kind", list(_no_copy_cases()))
def test_fit_does_not_copy_ready_input(big_data, head, option, kind):
    X, y = big_data
    X = NO_COPY_INPUTS[kind](X)
    size = _nbytes(X)
    sample_weight = np.ones(N_ROWS) if option == "sample_weight" else None
    model = CLASSES[head](
        hidden_layer_sizes=(32,), max_iter=1, random_state=0, **FIT_OPTIONS[option]
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        _, peak = peak_bytes(model.fit, X, y, sample_weight=sample_weight)
    assert peak < 0.5 * size, f"fit allocated {peak / MiB:.1f} MiB for an X of {size / MiB:.1f} MiB"


@pytest.mark.parametrize("head", list(CLASSES))
@pytest.mark.parametrize("kind", ["int64", "fortran_float64"])
def test_fit_makes_at_most_one_converted_copy(big_data, head, kind):
    X, y = big_data
    X = np.round(X * 100).astype(np.int64) if kind == "int64" else np.asfortranarray(X)
    float_bytes = X.size * 8
    _, peak = _fit_peak(CLASSES[head], X, y)
    assert peak < 1.5 * float_bytes, (
        f"fit allocated {peak / MiB:.1f} MiB; one float64 copy is {float_bytes / MiB:.1f} MiB"
    )


def test_fit_measurement_sees_a_copy(big_data):
    # The instrument must be able to fail: an explicit copy inside fit shows up.
    X, y = big_data

    model = MLPSoftmaxClassifier(hidden_layer_sizes=(32,), max_iter=1, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        _, peak = peak_bytes(lambda: model.fit(X.copy(), y))
    assert peak > X.nbytes
