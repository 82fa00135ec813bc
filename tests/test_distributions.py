"""Tests for skdeep.distributions."""

import pickle

import numpy as np
import pytest
import scipy.stats
from sklearn.datasets import load_iris
from sklearn.linear_model import SGDClassifier
from sklearn.model_selection import ParameterSampler, RandomizedSearchCV

from skdeep import distributions
from skdeep.distributions import loguniform, one_minus_loguniform

N_SAMPLES = 20_000


def test_all_exports():
    assert sorted(distributions.__all__) == ["loguniform", "one_minus_loguniform"]
    for name in distributions.__all__:
        assert getattr(distributions, name).__doc__


@pytest.mark.parametrize(
    "dist, text",
    [
        (loguniform(1e-4, 1), "loguniform(low=0.0001, high=1.0)"),
        (one_minus_loguniform(0.9, 0.999), "one_minus_loguniform(low=0.9, high=0.999)"),
    ],
)
def test_repr_attributes_and_support(dist, text):
    assert repr(dist) == text
    assert isinstance(dist.low, float) and isinstance(dist.high, float)
    assert dist.support() == (dist.low, dist.high)


@pytest.mark.parametrize(
    "dist",
    [
        loguniform(1e-4, 1),
        loguniform(3, 7),
        one_minus_loguniform(0.9, 0.999),
        one_minus_loguniform(0.0, 0.5),
    ],
)
def test_samples_stay_in_range(dist):
    samples = dist.rvs(size=N_SAMPLES, random_state=0)
    assert samples.shape == (N_SAMPLES,)
    assert samples.min() >= dist.low and samples.max() <= dist.high
    # and they cover the range rather than a corner of it
    assert dist.cdf(samples.min()) < 0.01 and dist.cdf(samples.max()) > 0.99


def test_loguniform_is_uniform_in_log_space():
    dist = loguniform(1e-4, 1)
    samples = dist.rvs(size=N_SAMPLES, random_state=1)
    # every decade gets a quarter of the draws
    decades = np.histogram(np.log10(samples), bins=[-4, -3, -2, -1, 0])[0] / N_SAMPLES
    np.testing.assert_allclose(decades, 0.25, atol=0.015)
    # the median is the geometric mean of the bounds
    # (within 0.05 decade, ~3.5 standard errors of the sample median)
    assert abs(np.log10(np.median(samples)) - np.log10(1e-2)) < 0.05
    assert np.mean(samples <= 1e-2) == pytest.approx(0.5, abs=0.015)
    assert dist.median() == pytest.approx(1e-2)
    # same law as scipy's loguniform
    ks = scipy.stats.kstest(samples, scipy.stats.loguniform(1e-4, 1).cdf)
    assert ks.pvalue > 1e-3
    # whereas a uniform on [1e-4, 1] is clearly rejected
    assert scipy.stats.kstest(samples, scipy.stats.uniform(1e-4, 1).cdf).pvalue < 1e-6


def test_one_minus_loguniform_exponent_is_uniform():
    dist = one_minus_loguniform(0.9, 0.999)
    samples = dist.rvs(size=N_SAMPLES, random_state=2)
    fraction_high = np.mean((samples >= 0.99) & (samples <= 0.999))
    assert fraction_high == pytest.approx(0.5, abs=0.015)
    r = np.log10(1 - samples)
    assert r.min() >= -3 - 1e-9 and r.max() <= -1 + 1e-9
    assert scipy.stats.kstest(r, scipy.stats.uniform(-3, 2).cdf).pvalue > 1e-3
    assert dist.median() == pytest.approx(0.99)
    # a plain uniform on [0.9, 0.999] would put ~9% of the mass above 0.99
    plain = scipy.stats.uniform(0.9, 0.099).rvs(N_SAMPLES, random_state=2)
    assert np.mean(plain >= 0.99) < 0.1


@pytest.mark.parametrize("dist", [loguniform(1e-3, 10), one_minus_loguniform(0.5, 0.9999)])
def test_cdf_ppf_pdf_are_consistent(dist):
    q = np.linspace(0, 1, 11)
    x = dist.ppf(q)
    assert np.all(np.diff(x) > 0)
    np.testing.assert_allclose(x[[0, -1]], [dist.low, dist.high])
    np.testing.assert_allclose(dist.cdf(x), q, atol=1e-12)
    assert dist.cdf(dist.low / 2) == 0.0 and dist.cdf(1e9) == 1.0
    assert np.isnan(dist.ppf(1.5)) and np.isnan(dist.ppf(-0.1))
    # the density integrates to 1 and vanishes outside the support
    grid = dist.ppf(np.linspace(0, 1, 20_001))
    density = dist.pdf(grid)
    integral = np.sum(0.5 * (density[1:] + density[:-1]) * np.diff(grid))
    assert integral == pytest.approx(1, rel=1e-3)
    assert dist.pdf(dist.high + 1) == 0.0
    # the density agrees with finite differences of the CDF
    mid, h = dist.ppf(0.3), 1e-7 * dist.ppf(0.3)
    slope = (dist.cdf(mid + h) - dist.cdf(mid - h)) / (2 * h)
    assert dist.pdf(mid) == pytest.approx(slope, rel=1e-4)


def test_loguniform_pdf_matches_scipy():
    x = np.geomspace(1e-3, 10, 7)
    np.testing.assert_allclose(loguniform(1e-3, 10).pdf(x), scipy.stats.loguniform(1e-3, 10).pdf(x))


@pytest.mark.parametrize(
    "cls, args", [(loguniform, (1e-4, 1)), (one_minus_loguniform, (0.9, 0.999))]
)
def test_rvs_random_state_and_shapes(cls, args):
    dist = cls(*args)
    single = dist.rvs(random_state=0)
    assert isinstance(single, float)
    assert dist.rvs(size=(2, 3), random_state=0).shape == (2, 3)

    # int seeds are reproducible, different seeds differ
    np.testing.assert_array_equal(dist.rvs(5, random_state=3), dist.rvs(5, random_state=3))
    assert not np.array_equal(dist.rvs(5, random_state=3), dist.rvs(5, random_state=4))
    # a RandomState is advanced in place, like scipy
    rs = np.random.RandomState(3)
    first = dist.rvs(5, random_state=rs)
    np.testing.assert_array_equal(first, dist.rvs(5, random_state=3))
    assert not np.array_equal(first, dist.rvs(5, random_state=rs))
    # Generators are accepted and reproducible
    np.testing.assert_array_equal(
        dist.rvs(5, random_state=np.random.default_rng(7)),
        dist.rvs(5, random_state=np.random.default_rng(7)),
    )
    # None uses the global numpy state
    np.random.seed(11)  # noqa: NPY002 (None means the global state)
    a = dist.rvs(4)
    np.random.seed(11)  # noqa: NPY002 (None means the global state)
    np.testing.assert_array_equal(a, dist.rvs(4))


@pytest.mark.parametrize("bad", ["0", 1.5, object(), True])
def test_bad_random_state(bad):
    with pytest.raises(TypeError, match="random_state"):
        loguniform(1, 2).rvs(random_state=bad)


@pytest.mark.parametrize("dist", [loguniform(1e-4, 1), one_minus_loguniform(0.9, 0.999)])
def test_pickle_equality_and_hash(dist):
    clone = pickle.loads(pickle.dumps(dist))
    assert clone == dist and hash(clone) == hash(dist)
    assert clone is not dist
    np.testing.assert_array_equal(clone.rvs(5, random_state=0), dist.rvs(5, random_state=0))
    assert dist != type(dist)(dist.low, (dist.low + dist.high) / 2)
    assert loguniform(0.5, 0.9) != one_minus_loguniform(0.5, 0.9)


def test_accepts_numpy_scalars_and_ints():
    dist = loguniform(np.int64(1), np.float32(10))
    assert dist.low == 1.0 and dist.high == 10.0
    assert one_minus_loguniform(0, np.float64(0.5)).low == 0.0


@pytest.mark.parametrize(
    "args, error, match",
    [
        ((0, 1), ValueError, "low"),
        ((-1, 1), ValueError, "low"),
        ((1, 1), ValueError, "high"),
        ((2, 1), ValueError, "high"),
        ((np.nan, 1), ValueError, "low must be finite"),
        ((1, np.inf), ValueError, "high must be finite"),
        (("1e-4", 1), TypeError, "low"),
        ((1e-4, None), TypeError, "high"),
        ((True, 2), TypeError, "low"),
        ((1e-4, [1]), TypeError, "high"),
    ],
)
def test_loguniform_bad_arguments(args, error, match):
    with pytest.raises(error, match=match):
        loguniform(*args)


@pytest.mark.parametrize(
    "args, error, match",
    [
        ((-0.1, 0.9), ValueError, "low must be >= 0"),
        ((0.9, 1.0), ValueError, "high must be < 1"),
        ((0.9, 1.5), ValueError, "high must be < 1"),
        ((0.9, 0.9), ValueError, "high must be > low"),
        ((0.99, 0.9), ValueError, "high must be > low"),
        ((np.nan, 0.9), ValueError, "low must be finite"),
        ((0.9, "0.99"), TypeError, "high"),
        ((None, 0.99), TypeError, "low"),
    ],
)
def test_one_minus_loguniform_bad_arguments(args, error, match):
    with pytest.raises(error, match=match):
        one_minus_loguniform(*args)


def test_usable_in_parameter_sampler_and_randomized_search():
    space = {"C": loguniform(1e-3, 1e3), "beta": one_minus_loguniform(0.9, 0.999)}
    sampled = list(ParameterSampler(space, n_iter=20, random_state=0))
    assert sampled == list(ParameterSampler(space, n_iter=20, random_state=0))
    assert all(1e-3 <= p["C"] <= 1e3 and 0.9 <= p["beta"] <= 0.999 for p in sampled)

    X, y = load_iris(return_X_y=True)
    space = {
        "alpha": loguniform(1e-6, 1e-1),
        "l1_ratio": one_minus_loguniform(0.0, 0.99),
    }

    def search(seed):
        return RandomizedSearchCV(
            SGDClassifier(penalty="elasticnet", random_state=0),
            space,
            n_iter=4,
            cv=3,
            random_state=seed,
        ).fit(X, y)

    first, second, other = search(0), search(0), search(1)
    alphas = np.asarray(first.cv_results_["param_alpha"], dtype=float)
    ratios = np.asarray(first.cv_results_["param_l1_ratio"], dtype=float)
    assert np.all((alphas >= 1e-6) & (alphas <= 1e-1))
    assert np.all((ratios >= 0) & (ratios <= 0.99))
    assert first.cv_results_["params"] == second.cv_results_["params"]
    np.testing.assert_array_equal(
        first.cv_results_["mean_test_score"], second.cv_results_["mean_test_score"]
    )
    assert first.cv_results_["params"] != other.cv_results_["params"]
    assert first.best_params_["alpha"] in alphas
