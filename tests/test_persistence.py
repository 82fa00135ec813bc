"""Saving and loading fitted models: pickle, joblib and skops.

A reloaded model must predict bit for bit like the original (np.array_equal on
predict, predict_proba, predict_log_proba and decision_function) and must carry
on training exactly like it: everything that training carries over (optimizer
moments, schedule, weight average, random generator, counters) travels with the
model. skops loads a model trusting only the types ``skops_trusted_types()``
names, and no other type is needed.
"""

import copy
import io
import pickle

import joblib
import numpy as np
import pytest
from conftest import (
    classification_data,
    fit_quietly,
    small_model,
    total_epochs,
    training_parameters,
)

import skdeep
from skdeep import MLPSoftmaxClassifier, MLPSVMClassifier

CONFIGS = {
    "default": {},
    "batch_norm": {"batch_norm": True},
    "dropout": {"dropout": 0.2},
    "average": {"average": True},
    "maxout": {"activation": "maxout", "maxout_pieces": 3},
    "early_stopping": {"early_stopping": True, "validation_fraction": 0.2},
    "lbfgs": {"solver": "lbfgs", "max_iter": 15},
    "float32": {"dtype": "float32"},
    "sgd_step_schedule": {"solver": "sgd", "learning_rate": "step", "decay_steps": 2},
}
CLASSES = [MLPSoftmaxClassifier, MLPSVMClassifier]


@pytest.fixture
def data():
    return classification_data(n_samples=150, n_redundant=0)


@pytest.fixture
def binary_data():
    X, y = classification_data(
        n_samples=120, n_features=5, n_informative=2, n_classes=2, random_state=1
    )
    return X, np.where(y == 1, "yes", "no")


def _fit(cls, config, X, y):
    # The default tol and patience (not exact_epochs): ordinary models to round-trip.
    settings = dict(max_iter=8, batch_size=32, learning_rate_init=0.01)
    model = small_model(cls, exact_epochs=False, **{**settings, **CONFIGS[config]})
    return fit_quietly(model, X, y)


def _outputs(model, X):
    return {
        "predict": model.predict(X),
        "predict_proba": model.predict_proba(X),
        "predict_log_proba": model.predict_log_proba(X),
        "decision_function": model.decision_function(X),
    }


def _assert_identical(loaded, original, X):
    assert type(loaded) is type(original)
    assert loaded.get_params() == original.get_params()
    got, expected = _outputs(loaded, X), _outputs(original, X)
    for name in expected:
        assert got[name].dtype == expected[name].dtype, name
        assert np.array_equal(got[name], expected[name]), name
    for a, b in zip(loaded.coefs_ + loaded.intercepts_, original.coefs_ + original.intercepts_):
        assert a.dtype == b.dtype and np.array_equal(a, b)
    assert loaded.n_iter_ == original.n_iter_ and loaded.t_ == original.t_
    assert loaded.loss_curve_ == original.loss_curve_
    np.testing.assert_array_equal(loaded.classes_, original.classes_)


def _pickle_roundtrip(model, tmp_path):
    return pickle.loads(pickle.dumps(model, protocol=pickle.HIGHEST_PROTOCOL))


def _joblib_roundtrip(model, tmp_path):
    path = tmp_path / "model.joblib"
    joblib.dump(model, path)
    return joblib.load(path)


def _joblib_compressed_roundtrip(model, tmp_path):
    buffer = io.BytesIO()
    joblib.dump(model, buffer, compress=3)
    buffer.seek(0)
    return joblib.load(buffer)


ROUNDTRIPS = {
    "pickle": _pickle_roundtrip,
    "joblib": _joblib_roundtrip,
    "joblib_compressed": _joblib_compressed_roundtrip,
}


@pytest.mark.parametrize("roundtrip", list(ROUNDTRIPS))
@pytest.mark.parametrize("config", list(CONFIGS))
@pytest.mark.parametrize("cls", CLASSES)
def test_roundtrip_predicts_identically(data, tmp_path, cls, config, roundtrip):
    X, y = data
    model = _fit(cls, config, X, y)
    loaded = ROUNDTRIPS[roundtrip](model, tmp_path)
    _assert_identical(loaded, model, X)
    if config == "float32":
        assert loaded.coefs_[0].dtype == np.float32
        assert training_parameters(loaded).dtype == np.float32


@pytest.mark.parametrize("cls", CLASSES)
def test_roundtrip_binary_string_labels(binary_data, cls):
    X, y = binary_data
    model = _fit(cls, "default", X, y)
    loaded = pickle.loads(pickle.dumps(model))
    _assert_identical(loaded, model, X)
    assert loaded.decision_function(X).shape == (len(X),)
    assert set(loaded.predict(X)) <= {"no", "yes"}


def test_unfitted_roundtrip_fits_like_the_original(data):
    X, y = data
    model = MLPSoftmaxClassifier(hidden_layer_sizes=(8,), max_iter=5, random_state=0)
    loaded = pickle.loads(pickle.dumps(model))
    _assert_identical(fit_quietly(loaded, X, y), fit_quietly(model, X, y), X)


STOCHASTIC = [name for name in CONFIGS if name != "lbfgs"]


@pytest.mark.parametrize("config", STOCHASTIC)
@pytest.mark.parametrize("cls", CLASSES)
def test_reloaded_model_continues_partial_fit_exactly(data, cls, config):
    X, y = data
    original = _fit(cls, config, X, y)
    reloaded = pickle.loads(pickle.dumps(original))
    for _ in range(2):
        original.partial_fit(X, y)
        reloaded.partial_fit(X, y)
    assert total_epochs(reloaded) == total_epochs(original) == _fit(cls, config, X, y).n_iter_ + 2
    _assert_identical(reloaded, original, X)
    np.testing.assert_array_equal(training_parameters(reloaded), training_parameters(original))


@pytest.mark.parametrize("config", list(CONFIGS))
@pytest.mark.parametrize("cls", CLASSES)
def test_reloaded_model_continues_warm_start_exactly(data, tmp_path, cls, config):
    X, y = data
    original = _fit(cls, config, X, y)
    reloaded = _joblib_roundtrip(original, tmp_path)
    first_run_epochs = total_epochs(original)
    for model in (original, reloaded):
        fit_quietly(model.set_params(warm_start=True, max_iter=4), X, y)
    assert total_epochs(original) > first_run_epochs
    _assert_identical(reloaded, original, X)


def test_partial_fit_from_scratch_then_reload(data):
    # A model built only with partial_fit (no fit ever) also round-trips and resumes.
    X, y = data
    model = MLPSVMClassifier(hidden_layer_sizes=(8,), batch_size=32, random_state=0, average=0.9)
    model.partial_fit(X, y, classes=np.unique(y))
    clone = copy.deepcopy(model)
    reloaded = pickle.loads(pickle.dumps(model))
    for m in (model, clone, reloaded):
        m.partial_fit(X[:75], y[:75])
    _assert_identical(reloaded, model, X)
    _assert_identical(clone, model, X)


# --------------------------------------------------------------------------- #
# skops
# --------------------------------------------------------------------------- #
@pytest.fixture(scope="module")
def sio():
    return pytest.importorskip("skops.io")


def test_skops_trusted_types_are_skdeep_types(sio):
    trusted = skdeep.skops_trusted_types()
    assert trusted == sorted(set(trusted))
    assert all(name.startswith("skdeep.") for name in trusted)
    assert "skdeep._classifiers.MLPSoftmaxClassifier" in trusted
    assert "skdeep._classifiers.MLPSVMClassifier" in trusted


@pytest.mark.parametrize("config", list(CONFIGS))
@pytest.mark.parametrize("cls", CLASSES)
def test_skops_roundtrip(sio, data, tmp_path, cls, config):
    X, y = data
    model = _fit(cls, config, X, y)
    path = tmp_path / "model.skops"
    sio.dump(model, path)

    untrusted = sio.get_untrusted_types(file=path)
    trusted = skdeep.skops_trusted_types()
    assert set(untrusted) <= set(trusted), sorted(set(untrusted) - set(trusted))
    assert f"{cls.__module__}.{cls.__qualname__}" in untrusted

    loaded = sio.load(path, trusted=trusted)
    _assert_identical(loaded, model, X)
    if config != "lbfgs":
        # The secure format keeps the full training state too.
        model.partial_fit(X, y)
        loaded.partial_fit(X, y)
        _assert_identical(loaded, model, X)


def test_skops_refuses_without_trust(sio, data, tmp_path):
    X, y = data
    path = tmp_path / "model.skops"
    sio.dump(_fit(MLPSoftmaxClassifier, "default", X, y), path)
    with pytest.raises(Exception, match="[Uu]ntrusted"):
        sio.load(path)
