"""Thread safety: prediction is a pure function of the fitted parameters.

A fitted estimator is shared by the threads of a web server or of joblib's
threading backend. Concurrent ``predict`` / ``predict_proba`` /
``predict_log_proba`` / ``decision_function`` / ``score`` calls on one estimator
must give the answers sequential calls give (bit for bit), and prediction must
never write to the estimator (nor to its input: read-only arrays, such as
joblib's memory maps, are accepted). Separate estimators trained concurrently
in threads must train exactly as they would one after the other.
"""

import copy
import warnings
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
import scipy.sparse as sp
import sklearn
from conftest import (
    batch_norm_statistics,
    classification_data,
    fit_quietly,
    parameter_average,
    small_model,
    training_parameters,
)
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning

from skdeep import MLPSoftmaxClassifier, MLPSVMClassifier

N_THREADS = 8
CALLS_PER_THREAD = 30
METHODS = ["predict", "predict_proba", "predict_log_proba", "decision_function", "score"]

CONFIGS = {
    "softmax_relu": (MLPSoftmaxClassifier, dict()),
    "svm_batch_norm_dropout": (MLPSVMClassifier, dict(batch_norm=True, dropout=0.2)),
    "softmax_maxout_average": (MLPSoftmaxClassifier, dict(activation="maxout", average=True)),
    "svm_float32_tanh": (MLPSVMClassifier, dict(dtype="float32", activation="tanh")),
    "softmax_binary_elu": (MLPSoftmaxClassifier, dict(activation="elu")),
}


@pytest.fixture(scope="module")  # module scope: the fitted models below are shared
def data():
    return classification_data(n_samples=400, n_features=10, n_informative=6)


@pytest.fixture(scope="module")
def fitted(data):
    X, y = data
    models = {}
    for name, (cls, params) in CONFIGS.items():
        labels = (y > 0).astype(int) if "binary" in name else y
        model = small_model(
            cls, exact_epochs=False, hidden_layer_sizes=(32, 16), max_iter=5, **params
        )
        models[name] = (fit_quietly(model, X, labels), labels)
    return models


def _inputs(X):
    """Several query sets: slices, a permutation, a sparse and an F-ordered copy."""
    rng = np.random.default_rng(1)
    return [
        X[:50],
        X[50:177],
        X[rng.permutation(len(X))],
        sp.csr_matrix(np.where(np.abs(X) > 1.0, X, 0.0)),
        np.asfortranarray(X[::3]),
    ]


def _call(model, method, X, y):
    if method == "score":
        return model.score(X, y[: X.shape[0]])
    return getattr(model, method)(X)


def _state_arrays(model):
    """Copies of every array the estimator holds, training state included."""
    arrays = {}
    for key, value in model.__dict__.items():
        if isinstance(value, np.ndarray):
            arrays[key] = value.copy()
        elif isinstance(value, list) and value and isinstance(value[0], np.ndarray):
            arrays.update({f"{key}[{i}]": v.copy() for i, v in enumerate(value)})
    arrays["training parameters"] = training_parameters(model).copy()
    arrays["batch-norm statistics"] = batch_norm_statistics(model).copy()
    if parameter_average(model) is not None:
        arrays["parameter average"] = parameter_average(model).copy()
    return arrays


@pytest.mark.parametrize("config", list(CONFIGS))
def test_concurrent_predictions_equal_sequential(fitted, data, config):
    model, labels = fitted[config]
    inputs = _inputs(data[0])
    jobs = [(m, i) for m in METHODS for i in range(len(inputs))]
    expected = {job: _call(model, job[0], inputs[job[1]], labels) for job in jobs}
    keys_before = set(model.__dict__)
    arrays_before = _state_arrays(model)
    params_before = copy.deepcopy(model.get_params())

    def worker(thread_index):
        results = []
        for k in range(CALLS_PER_THREAD):
            method, which = jobs[(thread_index * 7 + k) % len(jobs)]
            results.append(((method, which), _call(model, method, inputs[which], labels)))
        return results

    with ThreadPoolExecutor(max_workers=N_THREADS) as pool:
        outcomes = [r for batch in pool.map(worker, range(N_THREADS)) for r in batch]

    assert len(outcomes) == N_THREADS * CALLS_PER_THREAD
    for job, result in outcomes:
        np.testing.assert_array_equal(result, expected[job], err_msg=str(job))
    # Prediction wrote nothing: same attributes, same numbers, same parameters.
    assert set(model.__dict__) == keys_before
    arrays_after = _state_arrays(model)
    assert arrays_after.keys() == arrays_before.keys()
    for key, value in arrays_before.items():
        np.testing.assert_array_equal(arrays_after[key], value, err_msg=key)
    assert model.get_params() == params_before


def test_concurrent_chunked_predictions_equal_sequential(fitted, data):
    # The chunked path (small working_memory, set per thread: scikit-learn's
    # configuration is thread-local) must be just as re-entrant.
    model, _ = fitted["svm_batch_norm_dropout"]
    X = np.tile(data[0], (5, 1))
    with sklearn.config_context(working_memory=0.05):
        expected = model.predict_proba(X)

    def worker(_):
        with sklearn.config_context(working_memory=0.05):
            return [model.predict_proba(X) for _ in range(4)]

    with ThreadPoolExecutor(max_workers=N_THREADS) as pool:
        for batch in pool.map(worker, range(N_THREADS)):
            for result in batch:
                np.testing.assert_array_equal(result, expected)


@pytest.mark.parametrize("config", ["softmax_relu", "svm_float32_tanh"])
def test_prediction_accepts_read_only_input_and_leaves_it_alone(fitted, data, config):
    model, _ = fitted[config]
    X = data[0].copy()
    reference = model.predict_proba(X)
    X.setflags(write=False)
    np.testing.assert_array_equal(model.predict_proba(X), reference)
    np.testing.assert_array_equal(model.decision_function(X), model.decision_function(X.copy()))
    np.testing.assert_array_equal(X, data[0])


def test_concurrent_fits_of_separate_estimators_equal_sequential(data):
    # No hidden module-level state: models trained side by side in threads are
    # bit-identical to the same models trained one after the other.
    X, y = data
    prototypes = [
        MLPSoftmaxClassifier(
            hidden_layer_sizes=(16,),
            max_iter=4,
            random_state=seed,
            batch_norm=seed % 2 == 0,
            dropout=0.1,
        )
        for seed in range(4)
    ] + [
        MLPSVMClassifier(
            hidden_layer_sizes=(16,), max_iter=4, random_state=seed, activation="maxout"
        )
        for seed in range(4)
    ]

    def train(prototype):
        return clone(prototype).fit(X, y)

    # warnings.catch_warnings is not thread-safe: filter once, around the pool.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        sequential = [train(p) for p in prototypes]
        with ThreadPoolExecutor(max_workers=4) as pool:
            concurrent = list(pool.map(train, prototypes))
    for a, b in zip(sequential, concurrent, strict=True):
        for p, q in zip(a.coefs_ + a.intercepts_, b.coefs_ + b.intercepts_, strict=True):
            np.testing.assert_array_equal(p, q)
        np.testing.assert_array_equal(a.predict_proba(X), b.predict_proba(X))
