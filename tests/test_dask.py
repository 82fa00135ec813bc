"""Hyper-parameter searches on a Dask cluster give the results of a serial run.

One LocalCluster (two worker processes on the loopback interface) serves the
whole module. RandomizedSearchCV and CoarseToFineSearchCV run under joblib's
"dask" backend and must reproduce, candidate for candidate, the ``cv_results_``
of the same search run serially with the default backend: candidates are drawn
in the parent process and every fit is seeded, so where a fit runs must not
matter.
"""

import warnings

import numpy as np
import pytest

distributed = pytest.importorskip("distributed")
joblib = pytest.importorskip("joblib")

from conftest import (  # noqa: E402
    TRAINING_K,
    assert_close_to_rounding,
    classification_data,
    fit_quietly,
    small_model,
    total_epochs,
)
from sklearn.model_selection import RandomizedSearchCV, StratifiedKFold  # noqa: E402

from skdeep import CoarseToFineSearchCV, MLPSoftmaxClassifier, MLPSVMClassifier  # noqa: E402
from skdeep.distributions import loguniform  # noqa: E402


@pytest.fixture(scope="module")
def client():
    with warnings.catch_warnings():
        # Startup chatter (e.g. a port already in use) is not what is tested here.
        warnings.simplefilter("ignore")
        cluster = distributed.LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=None,
        )
        client = distributed.Client(cluster)
    try:
        yield client
    finally:
        client.close()
        cluster.close()


@pytest.fixture
def data():
    return classification_data(n_samples=240, n_features=8, n_informative=5)


def _estimator(cls):
    return small_model(
        cls, exact_epochs=False, hidden_layer_sizes=(12,), max_iter=15, batch_size=32
    )


def _run(search, X, y, backend):
    if backend == "dask":
        with joblib.parallel_backend("dask"):
            return fit_quietly(search, X, y)
    return fit_quietly(search, X, y)


def _assert_same_results(distributed_search, serial_search):
    got, expected = distributed_search.cv_results_, serial_search.cv_results_
    assert sorted(got) == sorted(expected)
    assert got["params"] == expected["params"]
    for key, column in expected.items():
        if key.startswith(("param_", "params")):
            assert list(got[key]) == list(column), key
        elif key.endswith("_time"):
            continue  # wall-clock times legitimately differ
        else:
            assert_close_to_rounding(got[key], column, k=TRAINING_K, err_msg=key)
    assert distributed_search.best_params_ == serial_search.best_params_
    assert distributed_search.best_index_ == serial_search.best_index_


def _cv():
    return StratifiedKFold(3, shuffle=True, random_state=0)


@pytest.mark.parametrize("cls", [MLPSoftmaxClassifier, MLPSVMClassifier])
def test_randomized_search_on_dask_matches_serial(client, data, cls):
    X, y = data
    space = {
        "learning_rate_init": loguniform(1e-3, 1e-1),
        "alpha": loguniform(1e-5, 1e-2),
        "activation": ["relu", "tanh"],
    }

    def search(n_jobs):
        return RandomizedSearchCV(
            _estimator(cls),
            space,
            n_iter=4,
            cv=_cv(),
            random_state=0,
            n_jobs=n_jobs,
            return_train_score=True,
        )

    on_dask = _run(search(n_jobs=-1), X, y, "dask")
    serial = _run(search(n_jobs=1), X, y, "default")
    _assert_same_results(on_dask, serial)
    # The fits really ran as tasks of the cluster, not in this process.
    assert any("fit_and_score" in prefix for prefix in _task_prefixes(client))
    values = np.asarray(serial.cv_results_["param_learning_rate_init"], dtype=float)
    assert np.all((values >= 1e-3) & (values <= 1e-1))
    assert len(set(values)) == 4
    # Candidates differ in score, so matching rankings is not a coincidence of ties.
    assert len(set(serial.cv_results_["mean_test_score"])) > 1
    assert on_dask.best_estimator_.score(X, y) == serial.best_estimator_.score(X, y)


def test_coarse_to_fine_on_dask_matches_serial(client, data):
    X, y = data

    def search(n_jobs):
        return CoarseToFineSearchCV(
            _estimator(MLPSoftmaxClassifier),
            {"learning_rate_init": loguniform(1e-3, 1e-1), "alpha": loguniform(1e-5, 1e-2)},
            n_iter=3,
            n_rounds=2,
            top_k=2,
            cv=_cv(),
            random_state=0,
            n_jobs=n_jobs,
        )

    on_dask = _run(search(n_jobs=-1), X, y, "dask")
    serial = _run(search(n_jobs=1), X, y, "default")
    _assert_same_results(on_dask, serial)
    np.testing.assert_array_equal(on_dask.cv_results_["round"], [0, 0, 0, 1, 1, 1])
    assert on_dask.n_candidates_per_round_ == serial.n_candidates_per_round_ == [3, 3]
    assert on_dask.rounds_[1] == serial.rounds_[1]


def _task_prefixes(client):
    """Names of the task groups the scheduler has seen."""

    def collect(dask_scheduler):
        return list(dask_scheduler.task_prefixes)

    return client.run_on_scheduler(collect)


# --------------------------------------------------------------------------- #
# Out-of-core training: dask-ml's Incremental feeds partial_fit one block at a time
# --------------------------------------------------------------------------- #
N_BLOCKS, BLOCK_ROWS, N_FEATURES = 4, 500, 20


@pytest.fixture(scope="module")
def Incremental():
    return pytest.importorskip("dask_ml.wrappers").Incremental


@pytest.fixture(scope="module")
def blocks():
    X, y = classification_data(
        n_samples=N_BLOCKS * BLOCK_ROWS + 1000,
        n_features=N_FEATURES,
        n_informative=10,
        n_classes=2,
        n_redundant=4,
        random_state=1,
    )
    n = N_BLOCKS * BLOCK_ROWS
    return X[:n], y[:n], X[n:], y[n:]


class _BlockStore:
    """A dask array whose blocks are produced on demand, with a log of the loads."""

    def __init__(self, X):
        self.X = X
        self.events = []

    def load(self, i):
        self.events.append(("load", i))
        return self.X[i * BLOCK_ROWS : (i + 1) * BLOCK_ROWS]

    def array(self):
        import dask
        import dask.array as da

        parts = [
            da.from_delayed(dask.delayed(self.load)(i), (BLOCK_ROWS, N_FEATURES), self.X.dtype)
            for i in range(N_BLOCKS)
        ]
        return da.concatenate(parts)


def _logging_classifier(cls, store):
    """An skdeep classifier whose partial_fit logs which block it receives."""

    class Logged(cls):
        def partial_fit(self, X, y, classes=None, sample_weight=None):
            block = int(np.flatnonzero((X[0] == store.X).all(axis=1))[0]) // BLOCK_ROWS
            store.events.append(("fit", block))
            return super().partial_fit(X, y, classes=classes, sample_weight=sample_weight)

    Logged.__name__ = Logged.__qualname__ = cls.__name__
    return Logged


def _net(cls, **params):
    return cls(hidden_layer_sizes=(32,), learning_rate_init=0.01, random_state=0, **params)


def _train(Incremental, estimator, X, y, n_passes, random_state=0, scheduler="sync"):
    import dask

    model = Incremental(
        estimator, scoring="accuracy", shuffle_blocks=True, random_state=random_state
    )
    with dask.config.set(scheduler=scheduler):
        for _ in range(n_passes):
            model.partial_fit(X, y, classes=[0, 1])
    return model


def _dask_xy(X, y):
    import dask.array as da

    return (da.from_array(X, chunks=(BLOCK_ROWS, N_FEATURES)), da.from_array(y, chunks=BLOCK_ROWS))


@pytest.mark.parametrize("cls", [MLPSoftmaxClassifier, MLPSVMClassifier])
def test_incremental_learns_from_blocks(Incremental, blocks, cls):
    X, y, X_test, y_test = blocks
    Xd, yd = _dask_xy(X, y)
    model = _train(Incremental, _net(cls), Xd, yd, n_passes=4)
    fitted = model.estimator_
    # One partial_fit call (one epoch over one block) per block and pass.
    assert total_epochs(fitted) == 4 * N_BLOCKS
    assert fitted.t_ == 4 * N_BLOCKS * BLOCK_ROWS
    assert fitted.score(X_test, y_test) > 0.8  # chance is 0.5
    # predict / predict_proba / score accept dask arrays block by block.
    import dask

    X_test_d = _dask_xy(X_test, y_test)[0].rechunk((250, N_FEATURES))
    with dask.config.set(scheduler="sync"):
        np.testing.assert_array_equal(model.predict(X_test_d).compute(), fitted.predict(X_test))
        # Blocks of 250 rows are another GEMM shape: equal to rounding.
        assert_close_to_rounding(
            model.predict_proba(X_test_d).compute(), fitted.predict_proba(X_test)
        )


def test_incremental_holds_one_block_at_a_time(Incremental, blocks):
    X, y, _, _ = blocks
    store = _BlockStore(X)
    Xd = store.array()
    yd = _dask_xy(X, y)[1]
    _train(Incremental, _net(_logging_classifier(MLPSoftmaxClassifier, store)), Xd, yd, n_passes=2)
    events = store.events
    assert len(events) == 2 * 2 * N_BLOCKS
    # Every block is loaded right before the partial_fit that consumes it, so no
    # second block is ever materialised while one waits to be consumed.
    for load, fit in zip(events[::2], events[1::2]):
        assert load[0] == "load" and fit[0] == "fit" and load[1] == fit[1], events
    loads = [i for kind, i in events if kind == "load"]
    assert sorted(loads[:N_BLOCKS]) == list(range(N_BLOCKS))  # a pass sees every block once
    # shuffle_blocks with an integer random_state: one shuffled order, every pass.
    assert loads[:N_BLOCKS] == loads[N_BLOCKS:] != list(range(N_BLOCKS))


def test_incremental_is_deterministic(Incremental, blocks, client):
    X, y, X_test, _ = blocks
    Xd, yd = _dask_xy(X, y)
    first = _train(Incremental, _net(MLPSoftmaxClassifier), Xd, yd, n_passes=2).estimator_
    again = _train(Incremental, _net(MLPSoftmaxClassifier), Xd, yd, n_passes=2).estimator_
    for a, b in zip(first.coefs_ + first.intercepts_, again.coefs_ + again.intercepts_):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(first.predict_proba(X_test), again.predict_proba(X_test))

    # Another block order is another model.
    other = _train(
        Incremental, _net(MLPSoftmaxClassifier), Xd, yd, n_passes=2, random_state=3
    ).estimator_
    assert not np.allclose(first.coefs_[0], other.coefs_[0])

    # On the cluster, the model travels from worker to worker between blocks
    # (pickled with its optimizer state) and ends up the same.
    remote = _train(
        Incremental, _net(MLPSoftmaxClassifier), Xd, yd, n_passes=2, scheduler="dask.distributed"
    ).estimator_
    assert remote.n_iter_ == first.n_iter_
    for a, b in zip(first.coefs_ + first.intercepts_, remote.coefs_ + remote.intercepts_):
        # Workers are other processes, with their own BLAS thread count.
        assert_close_to_rounding(a, b, k=TRAINING_K)
