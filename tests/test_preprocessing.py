"""Preprocessing for real tables: robust smooth scaling, piecewise-linear encoding, the encoder."""

import numpy as np
import pandas as pd
import pytest
from conftest import assert_close_to_rounding
from sklearn.base import clone
from sklearn.utils.estimator_checks import parametrize_with_checks

from skdeep.preprocessing import PiecewiseLinearEncoder, RobustSmoothScaler, TabularEncoder


@parametrize_with_checks(
    [RobustSmoothScaler(), PiecewiseLinearEncoder(n_bins=4), TabularEncoder(dtype="float64")]
)
def test_scikit_learn_compatible(estimator, check):
    check(estimator)


def test_robust_smooth_scaler_formula():
    rng = np.random.default_rng(0)
    X = rng.standard_t(df=2, size=(500, 3)) * [1.0, 10.0, 100.0] + [0.0, 5.0, -3.0]
    Z = RobustSmoothScaler(quantile_range=(10, 90), clip=2.5).fit_transform(X)
    median = np.median(X, axis=0)
    scale = np.percentile(X, 90, axis=0) - np.percentile(X, 10, axis=0)
    u = (X - median) / scale
    assert_close_to_rounding(Z, u / np.sqrt(1 + (u / 2.5) ** 2))
    assert np.all(np.abs(Z) < 2.5)  # the clip bounds every value
    # Monotone per feature: the order of the values is kept.
    for j in range(3):
        assert np.array_equal(
            np.argsort(X[:, j], kind="stable"), np.argsort(Z[:, j], kind="stable")
        )
    no_clip = RobustSmoothScaler(quantile_range=(10, 90), clip=None).fit_transform(X)
    assert_close_to_rounding(no_clip, u)


def test_robust_smooth_scaler_degenerate_features():
    X = np.array(
        [[1.0, 7.0, np.nan], [1.0, 7.0, 2.0], [1.0, 7.0, 4.0], [1.0, 7.0, np.nan], [1.0, 9.0, 6.0]]
    )
    scaler = RobustSmoothScaler().fit(X)
    # Constant: scale 1; zero quantile range: half the full range; NaN ignored.
    np.testing.assert_allclose(scaler.scale_, [1.0, 1.0, 2.0])
    np.testing.assert_allclose(scaler.center_, [1.0, 7.0, 4.0])
    Z = scaler.transform(X)
    assert np.isnan(Z[0, 2]) and np.isnan(Z[3, 2])
    assert np.all(np.isfinite(Z[:, :2]))
    with pytest.raises(ValueError, match="quantile_range"):
        RobustSmoothScaler(quantile_range=(80, 20)).fit(X)


def test_piecewise_linear_encoding_definition():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(400, 2))
    X[:, 1] = rng.integers(0, 2, 400)  # binary: no columns
    encoder = PiecewiseLinearEncoder(n_bins=5).fit(X)
    edges = encoder.bin_edges_[0]
    assert edges.size == 6 and encoder.bin_edges_[1].size == 0
    np.testing.assert_allclose(edges, np.quantile(X[:, 0], np.linspace(0, 1, 6)))
    Z = encoder.transform(X)
    assert Z.shape == (400, 5) == (400, encoder.n_features_out_)
    expected = np.clip((X[:, :1] - edges[:-1]) / np.diff(edges), 0, 1)
    assert_close_to_rounding(Z, expected)
    # Invertible: the sum of the bins' fractions orders the values like x.
    assert np.array_equal(np.argsort(Z.sum(axis=1)), np.argsort(X[:, 0]))
    names = encoder.get_feature_names_out(["a", "b"])
    assert list(names) == [f"a_ple{t}" for t in range(5)]
    missing = encoder.transform([[np.nan, 0.0]])
    np.testing.assert_array_equal(missing, 0)


@pytest.fixture
def table():
    rng = np.random.default_rng(2)
    n = 300
    frame = pd.DataFrame(
        {
            "age": rng.normal(40, 12, n),
            "income": np.exp(rng.normal(10, 1, n)),
            "city": rng.choice(["paris", "lyon", "nice", "rare_town"], n, p=[0.5, 0.3, 0.19, 0.01]),
            "member": rng.choice([True, False], n),
            "grade": pd.Categorical(rng.choice(["a", "b", "c"], n)),
        }
    )
    frame.loc[rng.choice(n, 20, replace=False), "age"] = np.nan
    frame.loc[rng.choice(n, 10, replace=False), "city"] = None
    return frame


def test_tabular_encoder_columns(table):
    encoder = TabularEncoder(n_bins=4, min_frequency=5).fit(table)
    assert encoder.numerical_features_ == ["age", "income"]
    assert encoder.categorical_features_ == ["city", "member", "grade"]
    Z = encoder.transform(table)
    names = list(encoder.get_feature_names_out())
    assert Z.dtype == np.float32 and Z.shape == (300, len(names))
    assert np.all(np.isfinite(Z))
    # Scaled numbers, their encodings, one missing indicator (age only).
    assert sum(name.startswith("numerical__scaled__") for name in names) == 2
    assert sum("ple" in name for name in names) == 8
    assert [name for name in names if name.startswith("missing__")] == [
        "missing__missingindicator_age"
    ]
    # Rare categories merge; missing is a category; a boolean is one column.
    city = [name for name in names if "city" in name]
    assert any("infrequent" in name for name in city)
    assert any("__missing__" in name for name in city)
    assert len([name for name in names if "member" in name]) == 1
    np.testing.assert_array_equal(Z, TabularEncoder(n_bins=4).fit_transform(table))


def test_tabular_encoder_unseen_categories_and_column_checks(table):
    encoder = TabularEncoder().fit(table)
    new = table.head(3).copy()
    new["city"] = ["tokyo", "paris", None]
    Z = encoder.transform(new)
    assert Z.shape[0] == 3 and np.all(np.isfinite(Z))
    with pytest.raises(ValueError, match="Feature names"):
        encoder.transform(table[["income", "age", "city", "member", "grade"]])
    with pytest.raises(ValueError, match="missing:"):
        encoder.transform(table[["age", "income"]])


def test_tabular_encoder_on_a_numpy_array():
    X = np.random.default_rng(3).normal(size=(50, 3))
    encoder = TabularEncoder(n_bins=0, dtype="float64").fit(X)
    np.testing.assert_allclose(encoder.transform(X), RobustSmoothScaler().fit_transform(X))
    assert not hasattr(encoder, "feature_names_in_")


def test_tabular_encoder_parameters_are_searchable(table):
    encoder = TabularEncoder()
    assert clone(encoder.set_params(n_bins=16, clip=None)).get_params()["n_bins"] == 16
    with pytest.raises(ValueError, match="n_bins"):
        TabularEncoder(n_bins=-1).fit(table)
