"""Tests for skdeep.model_selection.CoarseToFineSearchCV."""

import math
import pickle

import joblib
import numpy as np
import pytest
import scipy.stats
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.datasets import load_iris
from sklearn.exceptions import FitFailedWarning
from sklearn.linear_model import SGDClassifier
from sklearn.model_selection import KFold, ParameterSampler, RandomizedSearchCV
from sklearn.utils._param_validation import InvalidParameterError
from threadpoolctl import threadpool_limits

from skdeep.distributions import loguniform, one_minus_loguniform
from skdeep.model_selection import (
    CoarseToFineSearchCV,
    _narrow_distribution,
    _sample_candidates,
)


@pytest.fixture(autouse=True)
def _single_threaded_blas():
    # tiny fits: BLAS threads only add overhead (and oversubscription)
    with threadpool_limits(limits=1):
        yield


# --------------------------------------------------------------------------- #
# A deterministic toy estimator: its score is a known function of its
# parameters (best at lr=1e-2, beta=0.997, width=0.3, units=7, kind="good").
# --------------------------------------------------------------------------- #
PENALTY = {"good": 0.0, "fair": 0.5, "bad": 100.0, "broken": 0.0}


class Peaked(ClassifierMixin, BaseEstimator):
    def __init__(self, lr=1e-2, beta=0.9, width=0.5, units=8, kind="good", other=1.0, noise=0.0):
        self.lr = lr
        self.beta = beta
        self.width = width
        self.units = units
        self.kind = kind
        self.other = other
        self.noise = noise

    def fit(self, X, y):
        if self.kind == "broken":
            raise ValueError("broken configuration")
        self.classes_ = np.unique(y)
        return self

    def predict(self, X):
        return np.full(len(X), self.classes_[0])

    def score(self, X, y=None):
        return -(
            (np.log10(self.lr) + 2) ** 2
            + (np.log10(1 - self.beta) + 2.5) ** 2
            + (self.width - 0.3) ** 2
            + ((self.units - 7) / 10) ** 2
            + PENALTY[self.kind]
        )


class FailingFit(Peaked):
    def fit(self, X, y):
        raise RuntimeError("fit must not be called")


X_TOY = np.zeros((30, 2))
Y_TOY = np.tile([0, 1], 15)


def full_space():
    return {
        "lr": loguniform(1e-5, 1),
        "beta": one_minus_loguniform(0.9, 0.9999),
        "width": scipy.stats.uniform(0, 1),
        "units": scipy.stats.randint(1, 50),
        "kind": ["good", "fair", "bad"],
        "other": scipy.stats.loguniform(1e-3, 1e3),
        "noise": scipy.stats.norm(0, 1),
    }


def toy_search(**kwargs):
    params = dict(n_iter=12, n_rounds=3, top_k=4, cv=3, random_state=0)
    params.update(kwargs)
    space = params.pop("param_distributions", None) or full_space()
    return CoarseToFineSearchCV(Peaked(), space, **params)


def top_indices(results, n_seen, k, key="mean_test_score"):
    """Best ``k`` of the first ``n_seen`` candidates (ties: evaluation order)."""
    scores = np.asarray(results[key][:n_seen], dtype=float)
    finite = np.flatnonzero(np.isfinite(scores))
    return finite[np.argsort(-scores[finite], kind="stable")][:k]


def round_values(results, round_idx, name):
    mask = results["round"] == round_idx
    return [p[name] for p, m in zip(results["params"], mask) if m]


@pytest.fixture(scope="module")
def fitted_toy():
    return toy_search().fit(X_TOY, Y_TOY)


@pytest.fixture(scope="module")
def iris():
    return load_iris(return_X_y=True)


# --------------------------------------------------------------------------- #
# cv_results_ and per-round attributes
# --------------------------------------------------------------------------- #
def test_round_column_and_round_attributes(fitted_toy):
    results = fitted_toy.cv_results_
    rounds = results["round"]
    assert isinstance(rounds, np.ndarray) and rounds.dtype.kind == "i"
    np.testing.assert_array_equal(rounds, np.repeat([0, 1, 2], 12))
    assert len(results["params"]) == len(results["mean_test_score"]) == 36
    assert len(results["param_lr"]) == 36
    assert fitted_toy.n_candidates_per_round_ == [12, 12, 12]
    assert len(fitted_toy.rounds_) == 3
    assert all(isinstance(space, dict) for space in fitted_toy.rounds_)
    assert fitted_toy.rounds_[0].keys() == full_space().keys()
    # the scores really are those of the sampled candidates
    for params, score in zip(results["params"], results["mean_test_score"]):
        assert score == pytest.approx(Peaked(**params).score(None))


def test_narrowing_is_nested_on_every_scale(fitted_toy):
    results = fitted_toy.cv_results_
    numeric = ["lr", "beta", "width", "units", "other"]
    for r in (1, 2):
        best = top_indices(results, 12 * r, 4)
        best_params = [results["params"][i] for i in best]
        space = fitted_toy.rounds_[r]
        for name in numeric:
            values = [p[name] for p in best_params]
            low, high = min(values), max(values)
            assert low < high, name  # continuous values never tie here
            sampled = round_values(results, r, name)
            assert min(sampled) >= low and max(sampled) <= high, name
            # the narrowed range is exactly the span of the best values ...
            support = space[name].support()
            assert support == pytest.approx((low, high))
        # ... and it shrinks round after round
        previous = fitted_toy.rounds_[r - 1]
        for name in numeric:
            assert np.ptp(space[name].support()) <= np.ptp(previous[name].support())
        # categorical values are pruned to those among the best configurations
        best_kinds = {p["kind"] for p in best_params}
        assert set(space["kind"]) == best_kinds
        assert set(round_values(results, r, "kind")) <= best_kinds
    assert "bad" not in fitted_toy.rounds_[1]["kind"]
    assert fitted_toy.rounds_[0]["kind"] == ["good", "fair", "bad"]


def test_distributions_keep_their_type_and_scale(fitted_toy):
    for space in fitted_toy.rounds_[1:]:
        assert type(space["lr"]) is loguniform
        assert type(space["beta"]) is one_minus_loguniform
        assert space["width"].dist.name == "uniform"
        assert space["units"].dist.name == "randint"
        assert space["other"].dist.name == "loguniform"
        # unknown distributions are kept unchanged (same object)
        assert space["noise"] is fitted_toy.rounds_[0]["noise"]
    units = round_values(fitted_toy.cv_results_, 2, "units")
    assert all(float(u).is_integer() for u in units)


def test_coarse_to_fine_gets_closer_to_the_optimum(fitted_toy):
    results = fitted_toy.cv_results_
    lr_distance = np.abs(np.log10(np.asarray(results["param_lr"], float)) + 2)
    beta_distance = np.abs(np.log10(1 - np.asarray(results["param_beta"], float)) + 2.5)
    rounds = results["round"]
    assert np.median(lr_distance[rounds == 2]) < np.median(lr_distance[rounds == 0]) / 2
    assert np.median(beta_distance[rounds == 2]) < np.median(beta_distance[rounds == 0])
    loss = -results["mean_test_score"]
    assert np.median(loss[rounds == 2]) < np.median(loss[rounds == 0]) / 4
    assert loss[rounds == 2].min() < loss[rounds == 0].min()


def test_log_scale_stays_log():
    # narrowed log-uniforms are log-uniform over the span: median = geometric mean
    for dist in (loguniform(1e-6, 1), scipy.stats.loguniform(1e-6, 1)):
        narrowed = _narrow_distribution(dist, [1e-4, 3e-3, 1e-2])
        samples = narrowed.rvs(size=4000, random_state=0)
        assert samples.min() >= 1e-4 and samples.max() <= 1e-2
        assert abs(np.log10(np.median(samples)) + 3) < 0.05
    beta = one_minus_loguniform(0.5, 0.99999)
    narrowed = _narrow_distribution(beta, [0.9, 0.99, 0.999])
    assert narrowed == one_minus_loguniform(0.9, 0.999)
    samples = narrowed.rvs(size=4000, random_state=0)
    assert np.mean(samples >= 0.99) == pytest.approx(0.5, abs=0.03)


def test_narrow_keeps_loc_and_scale_of_scipy_distributions():
    dist = scipy.stats.loguniform(1, 100, loc=5, scale=2)  # support [7, 205]
    narrowed = _narrow_distribution(dist, [9.0, 25.0])
    np.testing.assert_allclose(narrowed.support(), [9, 25])
    assert narrowed.kwds == {"loc": 5.0, "scale": 2.0}
    narrowed = _narrow_distribution(scipy.stats.uniform(-1, 4), [0.5, -0.25, 2.0])
    np.testing.assert_allclose(narrowed.support(), [-0.25, 2.0])
    narrowed = _narrow_distribution(scipy.stats.randint(1, 10, loc=10), [12, 15, 13])
    assert narrowed.support() == (12, 15)
    assert _narrow_distribution(scipy.stats.reciprocal(1, 10), [2, 3]).dist.name == ("reciprocal")


def test_single_best_value_gives_a_neighbourhood_on_the_distributions_scale():
    # log scale: 10% of the log-width around the value (geometric centre)
    narrowed = _narrow_distribution(loguniform(1e-6, 1), [1e-3])
    assert type(narrowed) is loguniform
    assert np.log10(narrowed.high / narrowed.low) == pytest.approx(0.6)
    assert math.sqrt(narrowed.low * narrowed.high) == pytest.approx(1e-3)
    narrowed = _narrow_distribution(scipy.stats.loguniform(1e-6, 1), [1e-3, 1e-3])
    np.testing.assert_allclose(narrowed.support(), [10**-3.3, 10**-2.7])
    # 1 - 10**r scale: 10% of the width in r
    narrowed = _narrow_distribution(one_minus_loguniform(0.9, 0.99999), [0.999])
    r_low, r_high = np.log10(1 - narrowed.high), np.log10(1 - narrowed.low)
    assert r_high - r_low == pytest.approx(0.4)
    assert (r_low + r_high) / 2 == pytest.approx(-3)
    # linear scale, clipped to the current range at the edges
    narrowed = _narrow_distribution(scipy.stats.uniform(0, 10), [0.2])
    np.testing.assert_allclose(narrowed.support(), [0.0, 0.7])
    narrowed = _narrow_distribution(loguniform(1e-6, 1), [1.0])
    assert narrowed.high == 1.0 and narrowed.low == pytest.approx(10**-0.3)
    # integers: the neighbourhood is rounded inwards, small ranges collapse
    assert _narrow_distribution(scipy.stats.randint(0, 101), [50]).support() == (45, 55)
    assert _narrow_distribution(scipy.stats.randint(0, 10), [4]).support() == (4, 4)


def test_top_k_one_keeps_exploring_around_the_best():
    search = toy_search(
        param_distributions={"lr": loguniform(1e-5, 1)}, top_k=1, n_iter=8, n_rounds=3
    ).fit(X_TOY, Y_TOY)
    results = search.cv_results_
    for r in (1, 2):
        best = results["params"][top_indices(results, 8 * r, 1)[0]]["lr"]
        dist, previous = search.rounds_[r]["lr"], search.rounds_[r - 1]["lr"]
        assert dist.low <= best <= dist.high and dist.low < dist.high
        width = np.log(dist.high / dist.low)
        assert width <= 0.1 * np.log(previous.high / previous.low) + 1e-12
        assert len(set(round_values(results, r, "lr"))) == 8


def test_categorical_only_space_is_pruned():
    space = {"kind": ["good", "fair", "bad"], "units": [1, 7, 40]}
    search = toy_search(param_distributions=space, n_iter=9, top_k=2, n_rounds=2)
    # round 1 samples the 1 x 2 pruned grid only
    with pytest.warns(UserWarning, match="Round 1: .* only 2 combinations"):
        search.fit(X_TOY, Y_TOY)
    assert search.n_candidates_per_round_ == [9, 2]
    results = search.cv_results_
    # 9 distinct grid points in round 0 (sampling without replacement)
    assert len({tuple(sorted(p.items())) for p in round_values_params(results, 0)}) == 9
    assert search.rounds_[1] == {"kind": ["good"], "units": [1, 7]}
    with pytest.warns(UserWarning, match="fewer than n_iter"):
        toy_search(param_distributions=space, n_iter=5, top_k=1, n_rounds=2).fit(X_TOY, Y_TOY)


def round_values_params(results, round_idx):
    return [p for p, r in zip(results["params"], results["round"]) if r == round_idx]


def test_top_k_fraction():
    search = toy_search(top_k=0.3, n_iter=8).fit(X_TOY, Y_TOY)
    results = search.cv_results_
    for r, n_best in ((1, 3), (2, 5)):  # ceil(0.3 * 8), ceil(0.3 * 16)
        best = top_indices(results, 8 * r, n_best)
        lrs = [results["params"][i]["lr"] for i in best]
        assert search.rounds_[r]["lr"].support() == (min(lrs), max(lrs))
        # one configuration fewer would give a different range
        fewer = [results["params"][i]["lr"] for i in best[:-1]]
        assert (min(fewer), max(fewer)) != (min(lrs), max(lrs))


def test_ties_are_broken_by_evaluation_order():
    # "other" does not change the score: all "good" candidates tie
    space = {"kind": ["good", "bad"], "other": loguniform(1e-3, 1e3)}
    search = toy_search(param_distributions=space, n_iter=10, top_k=2).fit(X_TOY, Y_TOY)
    results = search.cv_results_
    good = [i for i in range(10) if results["params"][i]["kind"] == "good"]
    first_two = [results["params"][i]["other"] for i in good[:2]]
    assert search.rounds_[1]["other"].support() == (min(first_two), max(first_two))
    # so the round-0 pair stays the best pair: later rounds keep the same range
    assert search.rounds_[2] == search.rounds_[1]


def test_list_of_dicts_keeps_only_productive_subspaces():
    space = [
        {"kind": ["bad"], "lr": loguniform(1e-5, 1)},
        {
            "kind": ["good"],
            "lr": loguniform(1e-5, 1),
            "width": scipy.stats.uniform(0, 1),
        },
    ]
    search = toy_search(param_distributions=space, n_iter=10, top_k=3).fit(X_TOY, Y_TOY)
    assert isinstance(search.rounds_[0], list) and len(search.rounds_[0]) == 2
    for r in (1, 2):
        assert len(search.rounds_[r]) == 1
        assert search.rounds_[r][0]["kind"] == ["good"]
        kinds = {p["kind"] for p in round_values_params(search.cv_results_, r)}
        assert kinds == {"good"}
    # the width of the "good" subspace is narrowed from its own best configurations
    results = search.cv_results_
    best = top_indices(results, 10, 3)
    widths = [results["params"][i]["width"] for i in best]
    np.testing.assert_allclose(search.rounds_[1][0]["width"].support(), [min(widths), max(widths)])


@pytest.mark.filterwarnings("ignore:One or more of the test scores are non-finite")
def test_failed_fits_are_never_selected():
    space = {"kind": ["broken", "good", "fair"], "lr": loguniform(1e-5, 1)}
    search = toy_search(param_distributions=space, n_iter=9, top_k=1.0, n_rounds=2)
    with pytest.warns(FitFailedWarning):
        search.fit(X_TOY, Y_TOY)
    assert np.isnan(search.cv_results_["mean_test_score"][:9]).any()
    assert search.rounds_[1]["kind"] == ["good", "fair"]
    assert np.isfinite(search.best_score_)


def test_first_round_is_a_parameter_sampler_draw():
    space = [
        {"a": loguniform(1e-3, 1), "b": [1, 2, 3]},
        {"c": scipy.stats.randint(0, 5)},
    ]
    for spaces in (space, [{"a": [1, 2, 3], "b": ["x", "y"]}, {"a": [7]}]):
        mine = _sample_candidates(spaces, 6, np.random.RandomState(3))
        reference = list(ParameterSampler(spaces, 6, random_state=3))
        assert [params for _, params in mine] == reference
        for which, params in mine:
            assert params.keys() == spaces[which].keys()


# --------------------------------------------------------------------------- #
# sklearn machinery: best_*, refit, scoring, parallelism
# --------------------------------------------------------------------------- #
def sgd_search(**kwargs):
    params = dict(
        param_distributions={
            "alpha": loguniform(1e-6, 1e-1),
            "loss": ["hinge", "log_loss", "modified_huber"],
        },
        n_iter=5,
        n_rounds=2,
        top_k=2,
        cv=3,
        random_state=0,
    )
    params.update(kwargs)
    return CoarseToFineSearchCV(SGDClassifier(random_state=0), **params)


def test_best_attributes_and_refit(iris):
    X, y = iris
    search = sgd_search().fit(X, y)
    results = search.cv_results_
    scores = results["mean_test_score"]
    assert search.best_index_ == int(np.flatnonzero(scores == scores.max())[0])
    assert search.best_score_ == scores.max()
    assert search.best_params_ == results["params"][search.best_index_]
    assert search.best_estimator_.get_params()["alpha"] == search.best_params_["alpha"]
    assert search.best_estimator_.get_params()["loss"] == search.best_params_["loss"]
    np.testing.assert_array_equal(search.predict(X), search.best_estimator_.predict(X))
    assert search.score(X, y) == search.best_estimator_.score(X, y)
    np.testing.assert_array_equal(search.classes_, [0, 1, 2])
    assert search.refit_time_ >= 0 and search.n_splits_ == 3
    assert not search.multimetric_

    no_refit = sgd_search(refit=False).fit(X, y)
    assert not hasattr(no_refit, "best_estimator_")
    assert no_refit.best_params_ == search.best_params_
    with pytest.raises(AttributeError):
        no_refit.predict(X)


def test_callable_refit_chooses_best_index_but_ranking_uses_the_score():
    def lowest_lr(results):
        return int(np.argmin(np.asarray(results["param_lr"], float)))

    space = {"lr": loguniform(1e-5, 1)}
    search = toy_search(param_distributions=space, refit=lowest_lr).fit(X_TOY, Y_TOY)
    reference = toy_search(param_distributions=space).fit(X_TOY, Y_TOY)
    assert search.rounds_ == reference.rounds_
    assert search.best_index_ == lowest_lr(search.cv_results_)


def lr_near_1e_2(estimator, X, y):
    return -((np.log10(estimator.lr) + 2) ** 2)


def lr_near_1e_4(estimator, X, y):
    return -((np.log10(estimator.lr) + 4) ** 2)


def test_multimetric_scoring_ranks_by_refit_metric():
    scoring = {"high": lr_near_1e_2, "low": lr_near_1e_4}
    space = {"lr": loguniform(1e-6, 1)}
    search = toy_search(param_distributions=space, scoring=scoring, refit="low", top_k=3)
    search.fit(X_TOY, Y_TOY)
    results = search.cv_results_
    assert search.multimetric_
    assert {"mean_test_high", "mean_test_low", "round"} <= results.keys()
    for r in (1, 2):
        best = top_indices(results, 12 * r, 3, key="mean_test_low")
        lrs = [results["params"][i]["lr"] for i in best]
        assert search.rounds_[r]["lr"].support() == (min(lrs), max(lrs))
    assert search.best_index_ == int(np.argmax(results["mean_test_low"]))
    assert search.best_score_ == results["mean_test_low"].max()
    assert abs(np.log10(search.best_params_["lr"]) + 4) < 0.5
    # ranking by the other metric moves the search elsewhere
    other = toy_search(param_distributions=space, scoring=scoring, refit="high", top_k=3)
    other.fit(X_TOY, Y_TOY)
    assert abs(np.log10(other.best_params_["lr"]) + 2) < 0.5


@pytest.mark.parametrize("refit", [False, True, lr_near_1e_2])
def test_multimetric_needs_refit_name_before_fitting(refit):
    search = CoarseToFineSearchCV(
        FailingFit(),
        {"lr": loguniform(1e-5, 1)},
        scoring={"high": lr_near_1e_2, "low": lr_near_1e_4},
        refit=refit,
        error_score="raise",
        cv=3,
    )
    with pytest.raises(ValueError, match="refit"):
        search.fit(X_TOY, Y_TOY)


def test_reproducible_with_random_state(iris):
    X, y = iris
    first, second = sgd_search().fit(X, y), sgd_search().fit(X, y)
    other = sgd_search(random_state=1).fit(X, y)
    assert first.cv_results_["params"] == second.cv_results_["params"]
    assert first.rounds_ == second.rounds_
    np.testing.assert_array_equal(
        first.cv_results_["mean_test_score"], second.cv_results_["mean_test_score"]
    )
    assert first.cv_results_["params"] != other.cv_results_["params"]
    # every round differs with another seed, not just the first one
    for r in (0, 1):
        assert round_values(first.cv_results_, r, "alpha") != round_values(
            other.cv_results_, r, "alpha"
        )
    # a RandomState instance is consumed, so refitting draws new candidates
    rng_search = sgd_search(random_state=np.random.RandomState(0))
    a = rng_search.fit(X, y).cv_results_["params"]
    assert a == first.cv_results_["params"]
    assert rng_search.fit(X, y).cv_results_["params"] != a


def assert_same_search(a, b):
    assert a.cv_results_["params"] == b.cv_results_["params"]
    np.testing.assert_array_equal(a.cv_results_["round"], b.cv_results_["round"])
    for key in ("mean_test_score", "split0_test_score", "rank_test_score"):
        np.testing.assert_array_equal(a.cv_results_[key], b.cv_results_[key])
    assert a.best_params_ == b.best_params_
    assert a.rounds_ == b.rounds_


def test_n_jobs_2_matches_n_jobs_1(iris):
    X, y = iris
    assert_same_search(sgd_search(n_jobs=1).fit(X, y), sgd_search(n_jobs=2).fit(X, y))


def test_dask_backend(iris):
    distributed = pytest.importorskip("distributed")
    X, y = iris
    reference = sgd_search().fit(X, y)
    with (
        distributed.LocalCluster(
            n_workers=1, threads_per_worker=2, processes=True, dashboard_address=":0"
        ) as cluster,
        distributed.Client(cluster),
        joblib.parallel_backend("dask"),
    ):
        search = sgd_search().fit(X, y)
    assert_same_search(reference, search)


def test_clone_pickle_and_params(iris):
    X, y = iris
    search = sgd_search(n_rounds=4, top_k=0.5)
    params = clone(search).get_params()
    assert params["n_rounds"] == 4 and params["top_k"] == 0.5 and params["n_iter"] == 5
    search.fit(X, y)
    restored = pickle.loads(pickle.dumps(search))
    np.testing.assert_array_equal(restored.predict(X), search.predict(X))
    assert restored.rounds_ == search.rounds_
    np.testing.assert_array_equal(restored.cv_results_["round"], search.cv_results_["round"])


def test_shuffled_cv_and_verbose(iris, capsys):
    X, y = iris
    search = sgd_search(cv=KFold(3, shuffle=True, random_state=0), verbose=1).fit(X, y)
    out = capsys.readouterr().out
    assert "round=0 (1 of 2): 5 candidates" in out
    assert "round=1 (2 of 2): 5 candidates" in out
    assert search.n_candidates_per_round_ == [5, 5]


def test_callback_tasks_one_per_round():
    class Recorder:
        def __init__(self):
            self.events = []

        def setup(self, estimator, context):
            pass

        def teardown(self, estimator, context):
            pass

        def on_fit_task_begin(self, estimator, context, **kwargs):
            self.events.append(("begin", context.task_name))

        def on_fit_task_end(self, estimator, context, **kwargs):
            self.events.append(("end", context.task_name))

    search = toy_search(param_distributions={"lr": loguniform(1e-5, 1)}, n_iter=2)
    if not hasattr(search, "set_callbacks"):
        pytest.skip("scikit-learn without callbacks")
    recorder = Recorder()
    search.set_callbacks(recorder).fit(X_TOY, Y_TOY)
    events = recorder.events
    assert events.count(("begin", "coarse-to-fine-round")) == 3
    assert events.count(("end", "coarse-to-fine-round")) == 3
    assert events.count(("begin", "candidate-split-evaluation")) == 3 * 2 * 3
    assert events[-1] == ("end", "fit")


def test_n_rounds_one_is_randomized_search(iris):
    X, y = iris
    space = {"alpha": loguniform(1e-6, 1e-1)}
    search = sgd_search(param_distributions=space, n_rounds=1, n_iter=4).fit(X, y)
    seed = np.random.RandomState(0).randint(np.iinfo(np.int32).max)
    reference = RandomizedSearchCV(
        SGDClassifier(random_state=0), space, n_iter=4, cv=3, random_state=seed
    ).fit(X, y)
    assert search.cv_results_["params"] == reference.cv_results_["params"]
    np.testing.assert_array_equal(
        search.cv_results_["mean_test_score"], reference.cv_results_["mean_test_score"]
    )
    np.testing.assert_array_equal(search.cv_results_["round"], [0, 0, 0, 0])


# --------------------------------------------------------------------------- #
# Validation: errors come before any fit
# --------------------------------------------------------------------------- #
@pytest.mark.parametrize(
    "name, value",
    [
        ("n_rounds", 0),
        ("n_rounds", -1),
        ("n_rounds", 1.5),
        ("n_rounds", "3"),
        ("n_iter", 0),
        ("n_iter", 2.0),
        ("top_k", 0),
        ("top_k", -0.5),
        ("top_k", 1.5),
        ("top_k", 0.0),
        ("top_k", "all"),
        ("random_state", "seed"),
        ("param_distributions", 5),
    ],
)
def test_bad_parameters_are_rejected_before_fitting(name, value):
    kwargs = {
        "param_distributions": {"lr": loguniform(1e-5, 1)},
        "error_score": "raise",
    }
    kwargs[name] = value
    search = CoarseToFineSearchCV(FailingFit(), **kwargs)
    with pytest.raises(InvalidParameterError, match=f"'{name}' parameter"):
        search.fit(X_TOY, Y_TOY)


@pytest.mark.parametrize(
    "space, error, match",
    [
        ({"lr": 0.1}, TypeError, r"param_distributions\['lr'\]"),
        ({"lr": "abc"}, TypeError, r"param_distributions\['lr'\]"),
        ({"lr": {0.1, 0.2}}, TypeError, r"param_distributions\['lr'\]"),
        ({"lr": []}, ValueError, r"param_distributions\['lr'\] is an empty list"),
        ([], ValueError, "empty list"),
        ([{"lr": [0.1]}, 3], TypeError, "element 1"),
    ],
)
def test_bad_param_distributions_are_rejected_before_fitting(space, error, match):
    search = CoarseToFineSearchCV(FailingFit(), space, error_score="raise", cv=3)
    with pytest.raises(error, match=match):
        search.fit(X_TOY, Y_TOY)
