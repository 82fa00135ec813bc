"""Lockstep training of the cross-fitted networks (skdeep/_lockstep.py, core/lockstep.py).

The promise: a network trained in lockstep with the others is the network trained
alone, up to the rounding of the batched products, for every stochastic solver,
head and penalty; calls that cannot be stacked train one by one, unchanged. Each
comparison first checks that the lockstep path really ran (a spy counts its
calls), so no test here can pass by falling back to the sequential path.
"""

import warnings

import numpy as np
import pytest
from conftest import TRAINING_K, assert_close_to_rounding
from sklearn.datasets import make_classification, make_regression
from sklearn.exceptions import ConvergenceWarning

import skdeep._lockstep as lockstep_module
import skdeep.ensemble as ensemble_module
from skdeep import MLPRegressor, MLPSoftmaxClassifier, MLPSVMClassifier
from skdeep._building import loop_settings, make_objective, new_training_state, training_dtype
from skdeep._settings import settings_of
from skdeep.core.lockstep import lockstep_obstacle, run_lockstep
from skdeep.core.training import Dataset, run_epochs
from skdeep.ensemble import CrossFitClassifier, CrossFitRegressor

# 103 rows: folds of 20 and 21 rows, so the members' batches differ by a row and
# the stack pads the shorter ones.
N_ROWS = 103


@pytest.fixture
def calls(monkeypatch):
    """Counts the lockstep runs; every test asserts how many it expects."""
    counted = []
    real = lockstep_module.run_lockstep

    def spy(states, *args, **kwargs):
        counted.append(len(states))
        return real(states, *args, **kwargs)

    monkeypatch.setattr(lockstep_module, "run_lockstep", spy)
    return counted


def _sequential(monkeypatch, ensemble, X, y, sample_weight=None):
    """The same ensemble fitted with its networks trained one by one."""
    with monkeypatch.context() as patch:
        patch.setattr(ensemble_module._BaseCrossFit, "_in_lockstep", lambda *args: False)
        return ensemble.fit(X, y, sample_weight=sample_weight)


def _assert_same_networks(together, alone):
    assert len(together.estimators_) == len(alone.estimators_)
    for a, b in zip(together.estimators_, alone.estimators_):
        assert a.n_iter_ == b.n_iter_
        for name in ("coefs_", "intercepts_"):
            for x, ref in zip(getattr(a, name), getattr(b, name)):
                assert_close_to_rounding(x, ref, k=TRAINING_K)
        assert_close_to_rounding(a.loss_curve_, b.loss_curve_, k=TRAINING_K)
        assert_close_to_rounding(a.validation_scores_, b.validation_scores_, k=TRAINING_K)
        assert a._state.optimizer.t == b._state.optimizer.t
        assert a._state.n_epochs == b._state.n_epochs


def _classification(n_classes=3):
    X, y = make_classification(N_ROWS, 6, n_informative=4, n_classes=n_classes, random_state=0)
    return X, y


NETWORK = {
    "hidden_layer_sizes": (7, 5),
    "max_iter": 12,
    "early_stopping": True,
    "dtype": "float64",
    "random_state": 0,
}


@pytest.mark.parametrize(
    "network",
    [
        MLPSoftmaxClassifier(**NETWORK, batch_size=1 / 4, learning_rate="cosine"),
        MLPSoftmaxClassifier(**NETWORK, batch_size=16, solver="sgd", alpha=1e-3),
        MLPSoftmaxClassifier(**NETWORK, solver="rmsprop", penalty="elasticnet", alpha=1e-3),
        MLPSoftmaxClassifier(**NETWORK, solver="adagrad", activation="tanh", scoring="loss"),
        MLPSVMClassifier(**NETWORK, batch_size=1 / 4, loss="squared_hinge"),
        MLPSoftmaxClassifier(**NETWORK, batch_size=16, shuffle=False, activation="leaky_relu"),
    ],
    ids=["adam-cosine", "sgd-l2", "rmsprop-elasticnet", "adagrad-tanh", "svm", "no-shuffle"],
)
@pytest.mark.parametrize("n_classes", [2, 3])
def test_lockstep_networks_equal_the_networks_trained_alone(network, n_classes, calls, monkeypatch):
    X, y = _classification(n_classes)
    together = CrossFitClassifier(network, random_state=1).fit(X, y)
    assert calls == [5]
    alone = _sequential(monkeypatch, CrossFitClassifier(network, random_state=1), X, y)
    assert calls == [5]  # the sequential fit did not go through the lockstep
    _assert_same_networks(together, alone)
    assert_close_to_rounding(together.predict_proba(X), alone.predict_proba(X), k=TRAINING_K)


@pytest.mark.parametrize("loss", ["squared_error", "huber", "poisson", "two outputs"])
def test_lockstep_regressors_equal_the_regressors_trained_alone(loss, calls, monkeypatch):
    n_targets = 2 if loss == "two outputs" else 1
    X, y = make_regression(N_ROWS, 5, n_targets=n_targets, noise=5.0, random_state=0)
    if loss == "poisson":
        y = np.exp((y - y.mean()) / y.std())
    loss = "squared_error" if n_targets == 2 else loss
    network = MLPRegressor(loss, **NETWORK, batch_size=1 / 4, normalize_y=loss != "poisson")
    together = CrossFitRegressor(network, random_state=2).fit(X, y)
    assert calls == [5]
    alone = _sequential(monkeypatch, CrossFitRegressor(network, random_state=2), X, y)
    _assert_same_networks(together, alone)
    assert_close_to_rounding(together.predict(X), alone.predict(X), k=TRAINING_K)


def test_members_leave_the_stack_at_their_own_epoch(calls, monkeypatch):
    # Patience 4 over 40 epochs: the members stop at different epochs (5 to 12),
    # and the stack goes on with the others.
    X, y = _classification()
    network = MLPSoftmaxClassifier(
        **{**NETWORK, "max_iter": 40}, n_iter_no_change=4, tol=0.0, learning_rate_init=0.01
    )
    together = CrossFitClassifier(network, random_state=3).fit(X, y)
    assert calls == [5]
    assert len({m.n_iter_ for m in together.estimators_}) > 1
    alone = _sequential(monkeypatch, CrossFitClassifier(network, random_state=3), X, y)
    _assert_same_networks(together, alone)


def test_divergence_is_caught_per_member(calls, monkeypatch):
    X, y = _classification()
    X = X * 1e3
    network = MLPSoftmaxClassifier(**NETWORK, solver="sgd", learning_rate_init=10.0)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        together = CrossFitClassifier(network, random_state=4).fit(X, y)
    assert calls == [5]
    diverged = [w for w in caught if "diverged" in str(w.message)]
    assert diverged and all(w.category is ConvergenceWarning for w in diverged)
    alone = _sequential(monkeypatch, CrossFitClassifier(network, random_state=4), X, y)
    for a, b in zip(together.estimators_, alone.estimators_):
        assert a.n_iter_ == b.n_iter_
        for x, ref in zip(a.coefs_, b.coefs_):
            assert np.all(np.isfinite(x))
            assert_close_to_rounding(x, ref, k=TRAINING_K)


@pytest.mark.parametrize(
    "network, sample_weight",
    [
        (MLPSoftmaxClassifier(**NETWORK, dropout=0.2), None),
        (MLPSoftmaxClassifier(**NETWORK, batch_norm=True), None),
        (MLPSoftmaxClassifier(**NETWORK, average=True), None),
        (MLPSoftmaxClassifier(**NETWORK, max_norm=2.0), None),
        (MLPSoftmaxClassifier(**NETWORK, learning_rate="adaptive"), None),
        (MLPSoftmaxClassifier(**NETWORK), np.linspace(0.5, 2.0, N_ROWS)),
    ],
    ids=["dropout", "batch-norm", "average", "max-norm", "adaptive", "weights"],
)
def test_what_cannot_be_stacked_trains_one_by_one(network, sample_weight, calls, monkeypatch):
    X, y = _classification()
    together = CrossFitClassifier(network, random_state=5).fit(X, y, sample_weight=sample_weight)
    assert calls == []
    alone = _sequential(
        monkeypatch, CrossFitClassifier(network, random_state=5), X, y, sample_weight
    )
    for a, b in zip(together.estimators_, alone.estimators_):
        for x, ref in zip(a.coefs_, b.coefs_):
            np.testing.assert_array_equal(x, ref)


def _fresh_states(network, X, outputs):
    settings = settings_of(network, validate=False)
    dtype = training_dtype(settings, X.dtype)
    seeds = np.random.RandomState(0)
    return [new_training_state(settings, X, n, dtype, seeds) for n in outputs]


def test_obstacles_are_named():
    X, y = _classification()
    network = MLPSoftmaxClassifier(**NETWORK)
    loop = loop_settings(settings_of(network, validate=False), N_ROWS, False, 0)
    data = Dataset(X, y)

    def obstacle(states, datas=None, validations=None):
        k = len(states)
        datas = datas or [data] * k
        return lockstep_obstacle(states, datas, [loop] * k, validations or [data] * k)

    assert obstacle(_fresh_states(network, X, [3, 3])) is None
    assert obstacle(_fresh_states(network, X, [3])) == "fewer than two networks"
    assert obstacle(_fresh_states(network, X, [3, 2])).startswith("the networks differ")
    stepped = _fresh_states(network, X, [3, 3])
    stepped[1].optimizer.t = 1
    assert obstacle(stepped) == "the optimizers differ or have already stepped"
    weighted = Dataset(X, y, sample_weight=np.ones(N_ROWS))
    assert obstacle(_fresh_states(network, X, [3, 3]), [data, weighted]).startswith("sparse")
    assert obstacle(_fresh_states(network, X, [3, 3]), None, [data, None]).endswith(
        "validation data"
    )


def test_the_core_lockstep_trains_rows_of_one_array_as_run_epochs_does():
    # Below the estimators: calls whose rows are subsets of one shared X (the
    # early-stopping split's layout), through run_lockstep and run_epochs.
    X, y = _classification()
    network = MLPSoftmaxClassifier(**NETWORK, batch_size=1 / 4, learning_rate="cosine")
    settings = settings_of(network, validate=False)
    rng = np.random.default_rng(0)
    splits = [np.sort(rng.permutation(N_ROWS)[:80]) for _ in range(3)]
    datas = [Dataset(X, y, rows=rows) for rows in splits]
    validations = [Dataset(X, y, rows=np.setdiff1d(np.arange(N_ROWS), rows)) for rows in splits]
    loops = [loop_settings(settings, len(rows), False, 0) for rows in splits]

    def fresh():
        return _fresh_states(network, X, [3, 3, 3])

    together, alone = fresh(), fresh()
    objectives = [make_objective(settings, state.network) for state in together]
    reports = run_lockstep(together, objectives, datas, loops, validations, [(None, None)] * 3)
    for state, data, loop, validation, report in zip(alone, datas, loops, validations, reports):
        expected = run_epochs(
            state, make_objective(settings, state.network), data, loop, validation
        )
        assert report.epochs == expected.epochs
        assert report.best_validation_score == pytest.approx(expected.best_validation_score)
    for a, b in zip(together, alone):
        assert_close_to_rounding(a.network.theta, b.network.theta, k=TRAINING_K)
        assert a.history[-1]["epoch"] == b.history[-1]["epoch"]


def test_large_batches_train_one_by_one(calls):
    # 200 rows x 400 features a batch: past LOCKSTEP_MAX_BATCH_ENTRIES, where the
    # networks' own products are faster than the stack's.
    X, y = make_classification(400, 400, n_informative=5, random_state=0)
    network = MLPSoftmaxClassifier(**{**NETWORK, "max_iter": 2}, batch_size=200)
    assert lockstep_module.LOCKSTEP_MAX_BATCH_ENTRIES < 200 * 400
    CrossFitClassifier(network, random_state=0).fit(X, y)
    assert calls == []
    CrossFitClassifier(network.set_params(batch_size=100), random_state=0).fit(X, y)
    assert calls == [5]


def test_several_jobs_train_in_parallel_and_agree(calls):
    X, y = _classification()
    network = MLPSoftmaxClassifier(**NETWORK)
    together = CrossFitClassifier(network, random_state=6).fit(X, y)
    parallel = CrossFitClassifier(network, random_state=6, n_jobs=2).fit(X, y)
    assert calls == [5]
    _assert_same_networks(together, parallel)


def test_lockstep_fits_are_deterministic(calls):
    X, y = _classification()
    network = MLPSoftmaxClassifier(**{**NETWORK, "dtype": "float32"}, batch_size=1 / 4)
    first = CrossFitClassifier(network, random_state=7).fit(X, y)
    second = CrossFitClassifier(network, random_state=7).fit(X, y)
    assert calls == [5, 5]
    for a, b in zip(first.estimators_, second.estimators_):
        for x, ref in zip(a.coefs_, b.coefs_):
            np.testing.assert_array_equal(x, ref)
