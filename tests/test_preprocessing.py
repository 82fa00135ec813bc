"""Preprocessing for real tables: robust smooth scaling, piecewise-linear encoding, the encoder."""

import pickle

import numpy as np
import pandas as pd
import pytest
from conftest import assert_close_to_rounding
from sklearn.base import clone
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor
from sklearn.utils.estimator_checks import parametrize_with_checks

from skdeep.preprocessing import PiecewiseLinearEncoder, RobustSmoothScaler, TabularEncoder
from skdeep.preprocessing._tree_bins import tree_splits


@parametrize_with_checks(
    [
        RobustSmoothScaler(),
        PiecewiseLinearEncoder(n_bins=4),
        PiecewiseLinearEncoder(n_bins=4, bins="tree", min_samples_leaf=1),
        TabularEncoder(dtype="float64"),
        TabularEncoder(one_hot_max_size=3, random_state=0, dtype="float64"),
        TabularEncoder(
            numeric_target_encoding=True, one_hot_max_size=3, random_state=0, dtype="float64"
        ),
    ]
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


def _reference_tree_edges(x, y, tree):
    """Edges from a tree fitted on the ranks of x's distinct values, row by row."""
    distinct = np.unique(x)
    ranks = np.searchsorted(distinct, x).reshape(-1, 1)
    tree.fit(ranks, y)
    k = np.floor(tree.tree_.threshold[tree.tree_.children_left >= 0]).astype(int)
    return np.unique(np.r_[distinct[[0, -1]], (distinct[k] + distinct[k + 1]) / 2])


def test_tree_bins_are_the_thresholds_of_a_tree_on_the_feature():
    rng = np.random.default_rng(4)
    x = rng.integers(0, 200, 3000) * 1.7 + 1e6  # 200 values, large magnitude
    classes = rng.integers(0, 3, 3000) + (x > 1e6 + 250)  # 4 classes
    continuous = np.sin(x / 20) + rng.normal(scale=0.3, size=3000)
    for y, reference, kind in [
        (classes, DecisionTreeClassifier, "multiclass"),
        (continuous, DecisionTreeRegressor, "continuous"),
    ]:
        encoder = PiecewiseLinearEncoder(n_bins=8, bins="tree", min_samples_leaf=30)
        edges = encoder.fit(x.reshape(-1, 1), y).bin_edges_[0]
        assert encoder.target_type_ == kind
        expected = _reference_tree_edges(
            x, y, reference(max_leaf_nodes=8, min_samples_leaf=30, random_state=0)
        )
        np.testing.assert_allclose(edges, expected, rtol=0, atol=1e-9)
        assert edges.size == 9  # 8 leaves: min, 7 thresholds, max


@pytest.mark.parametrize("kind", ["classes", "continuous"])
def test_tree_splits_are_scikit_learns_on_grouped_rows(kind):
    # The encoder grows its trees itself (skdeep/preprocessing/_tree_bins.py);
    # scikit-learn's tree fitted on the same weighted rows splits at the same
    # groups: to the bit for class counts, and on these continuous targets too.
    rng = np.random.default_rng(7)
    for _ in range(150):
        n_groups, n_classes = int(rng.integers(2, 257)), int(rng.integers(2, 7))
        leaves = int(rng.choice([2, 3, 4, 8, 16]))
        fraction = float(rng.choice([0.0, 0.01, 0.02, 0.1, 0.3]))
        tree_options = {"max_leaf_nodes": leaves, "min_weight_fraction_leaf": fraction}
        if kind == "continuous":
            weight = rng.integers(1, 30, n_groups).astype(float)
            target = np.cumsum(rng.normal(size=n_groups)) + 3 * rng.normal(size=n_groups)
            rows, labels, row_weight = np.arange(n_groups), target, weight
            tree = DecisionTreeRegressor(**tree_options, random_state=0)
            ours = tree_splits(weight, target, leaves, fraction)
        else:
            # Class shares that drift along the groups, as a feature's would.
            shares = np.cumsum(rng.dirichlet(np.ones(n_classes), size=n_groups), axis=0)
            shares /= shares.sum(axis=1, keepdims=True)
            counts = np.array([rng.multinomial(int(rng.integers(1, 40)), p) for p in shares])
            cells = np.flatnonzero(counts)
            rows, labels = np.divmod(cells, n_classes)
            row_weight = counts.ravel()[cells].astype(float)
            tree = DecisionTreeClassifier(**tree_options, random_state=0)
            ours = tree_splits(counts.astype(float), None, leaves, fraction)
        tree.fit(rows.reshape(-1, 1).astype(np.float32), labels, sample_weight=row_weight)
        is_split = tree.tree_.children_left >= 0
        theirs = np.sort(np.floor(tree.tree_.threshold[is_split]).astype(np.intp))
        np.testing.assert_array_equal(ours, theirs)


def test_tree_bins_find_a_threshold_and_respect_the_leaf_size():
    rng = np.random.default_rng(5)
    X = rng.uniform(size=(2000, 2))
    X[:, 1] = np.exp(5 * X[:, 1])  # skewed; 2000 distinct values, grouped by quantiles
    y = np.where(X[:, 0] > 0.83, "yes", "no")  # string labels
    encoder = PiecewiseLinearEncoder(n_bins=6, bins="tree", min_samples_leaf=0.05).fit(X, y)
    edges = encoder.bin_edges_[0]
    assert encoder.target_type_ == "binary"
    assert np.min(np.abs(edges - 0.83)) < 0.005  # an edge sits on the threshold
    for edges, column in zip(encoder.bin_edges_, X.T):
        assert np.all(np.diff(edges) > 0)  # sorted and unique
        assert edges[0] == column.min() and edges[-1] == column.max()
        assert 2 <= edges.size <= 7
        counts = np.histogram(column, bins=edges)[0]
        assert counts.min() >= 100  # min_samples_leaf=0.05 of 2000 rows
    Z = encoder.transform(X)
    # Monotone per feature: each feature's columns add up in the order of its values.
    start = 0
    for j, edges in enumerate(encoder.bin_edges_):
        block = Z[:, start : start + edges.size - 1].sum(axis=1)
        assert np.array_equal(np.argsort(block, kind="stable"), np.argsort(X[:, j], kind="stable"))
        start += edges.size - 1


def test_tree_bins_on_degenerate_columns_missing_values_and_targets():
    rng = np.random.default_rng(6)
    X = np.column_stack(
        [rng.normal(size=400), np.full(400, 3.0), rng.integers(0, 2, 400), rng.normal(size=400)]
    ).astype(np.float32)
    X[:50, 3] = np.nan
    X[:, 0] = np.round(X[:, 0])  # few distinct values: few bins whatever n_bins
    y = rng.normal(size=400) + (np.nan_to_num(X[:, 3]) > 0.5)
    encoder = PiecewiseLinearEncoder(n_bins=32, bins="tree", min_samples_leaf=1).fit(X, y)
    assert encoder.target_type_ == "continuous"
    assert encoder.bin_edges_[0].size - 1 <= np.unique(X[:, 0]).size  # bins <= values
    assert encoder.bin_edges_[1].size == 0 and encoder.bin_edges_[2].size == 0
    # Missing values are left out of the tree (as of the quantiles) and encode as zeros.
    alone = PiecewiseLinearEncoder(n_bins=32, bins="tree", min_samples_leaf=1)
    alone.fit(X[50:, 3:], y[50:])
    np.testing.assert_array_equal(encoder.bin_edges_[3], alone.bin_edges_[0])
    Z = encoder.transform(X)
    assert Z.dtype == np.float32 and Z.shape[1] == encoder.n_features_out_
    np.testing.assert_array_equal(Z[:50, -(encoder.bin_edges_[3].size - 1) :], 0)
    # Integer targets are classes unless the target type says otherwise.
    counts = rng.integers(0, 5, 400)
    assert PiecewiseLinearEncoder(bins="tree").fit(X, counts).target_type_ == "multiclass"
    regression = PiecewiseLinearEncoder(bins="tree", target_type="continuous").fit(X, counts)
    assert regression.target_type_ == "continuous"
    with pytest.raises(ValueError, match="requires y"):
        PiecewiseLinearEncoder(bins="tree").fit(X)
    with pytest.raises(ValueError, match="1d array"):
        PiecewiseLinearEncoder(bins="tree").fit(X, np.column_stack([y, y]) > 0)
    with pytest.raises(ValueError, match="min_samples_leaf"):
        PiecewiseLinearEncoder(bins="tree", min_samples_leaf=0.7).fit(X, y)


def test_tree_bins_clone_and_pickle():
    rng = np.random.default_rng(7)
    X = rng.normal(size=(300, 3))
    y = (X[:, 0] > 0.3).astype(int)
    encoder = PiecewiseLinearEncoder(bins="tree", n_bins=5).fit(X, y)
    copy = clone(encoder)
    assert copy.get_params() == encoder.get_params() and not hasattr(copy, "bin_edges_")
    restored = pickle.loads(pickle.dumps(encoder))
    np.testing.assert_array_equal(restored.transform(X), encoder.transform(X))
    np.testing.assert_array_equal(copy.fit(X, y).transform(X), encoder.transform(X))


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


def test_tabular_encoder_tree_bins_get_the_target_through_the_pipeline(table):
    from skdeep import make_tabular_classifier

    y = np.where(table["income"] > np.nanquantile(table["income"], 0.9), "rich", "not")
    model = make_tabular_classifier(random_state=0, bins="tree", max_iter=2).fit(table, y)
    union = model.named_steps["encoder"].column_transformer_.named_transformers_["numerical"]
    ple = union.named_steps["encode"].transformer_list[1][1]
    assert ple.bins == "tree" and ple.target_type_ == "binary"
    income = ple.bin_edges_[1]
    assert np.min(np.abs(income - np.nanquantile(table["income"], 0.9))) < np.ptp(income) / 100
    with pytest.raises(ValueError, match="requires y"):
        TabularEncoder(bins="tree").fit(table)
    assert TabularEncoder(bins="tree", n_bins=0).fit(table).transform(table).shape[0] == 300


def _with_zip_codes(table, n_codes=40, seed=4):
    """``table`` plus a 40-level column whose codes carry the target."""
    rng = np.random.default_rng(seed)
    codes = rng.integers(0, n_codes, len(table))
    frame = table.assign(zip=[f"z{code:03d}" for code in codes])
    return frame, codes


def test_tabular_encoder_target_encodes_high_cardinality_columns(table):
    from sklearn.model_selection import StratifiedKFold
    from sklearn.preprocessing import TargetEncoder

    frame, codes = _with_zip_codes(table)
    y = np.where(codes % 3 == 0, "yes", "no")
    encoder = TabularEncoder(n_bins=0, one_hot_max_size=10, random_state=0, dtype="float64")
    Z = encoder.fit_transform(frame, y)
    # Only the 40-level column goes over the threshold ("city" has 5 levels).
    assert encoder.target_encoded_features_ == ["zip"]
    names = list(encoder.get_feature_names_out())
    assert [name for name in names if "zip" in name] == ["target_encoded__zip"]
    assert not any(name.startswith("categorical__zip") for name in names)
    column = names.index("target_encoded__zip")
    # fit_transform is cross-fitted: the column is sklearn's TargetEncoder on
    # five shuffled stratified folds, standardised.
    folds = StratifiedKFold(5, shuffle=True, random_state=0)
    expected = TargetEncoder(target_type="binary", cv=folds).fit_transform(frame[["zip"]], y)
    expected = (expected - expected.mean()) / expected.std()
    assert_close_to_rounding(Z[:, column], expected.ravel())
    # transform uses the encodings of all the rows; unseen codes get the mean.
    Z_new = encoder.transform(frame.assign(zip="unseen"))
    assert np.ptp(Z_new[:, column]) == 0
    assert np.corrcoef(encoder.transform(frame)[:, column], codes % 3 == 0)[0, 1] > 0.9
    # Same random_state, same encoding; another one, other folds.
    again = TabularEncoder(n_bins=0, one_hot_max_size=10, random_state=0, dtype="float64")
    np.testing.assert_array_equal(again.fit_transform(frame, y), Z)
    other = TabularEncoder(n_bins=0, one_hot_max_size=10, random_state=1, dtype="float64")
    assert not np.array_equal(other.fit_transform(frame, y)[:, column], Z[:, column])


@pytest.mark.parametrize(
    "target_type, make_target, n_columns",
    [
        ("auto", lambda codes: codes % 3, 3),
        # Whole prices would read as classes: the regression recipe says 'continuous'.
        ("continuous", lambda codes: 1000.0 * codes + 5e4, 1),
    ],
)
def test_tabular_encoder_target_encoding_per_target_kind(
    table, target_type, make_target, n_columns
):
    frame, codes = _with_zip_codes(table)
    encoder = TabularEncoder(n_bins=0, one_hot_max_size=10, target_type=target_type, random_state=0)
    Z = encoder.fit_transform(frame, make_target(codes))
    names = list(encoder.get_feature_names_out())
    columns = [i for i, name in enumerate(names) if name.startswith("target_encoded__zip")]
    assert len(columns) == n_columns
    # Standardised whatever the target's unit (a price in dollars included).
    np.testing.assert_allclose(Z[:, columns].mean(axis=0), 0, atol=1e-5)
    np.testing.assert_allclose(Z[:, columns].std(axis=0), 1, rtol=1e-4)


def test_tabular_encoder_target_encoding_needs_y_and_a_valid_threshold(table):
    frame, _ = _with_zip_codes(table)
    with pytest.raises(ValueError, match="one_hot_max_size=10.*pass y"):
        TabularEncoder(one_hot_max_size=10).fit(frame)
    # Below the threshold nothing is target-encoded and y stays optional.
    encoder = TabularEncoder(one_hot_max_size=100).fit(frame)
    assert encoder.target_encoded_features_ == []
    np.testing.assert_array_equal(encoder.transform(frame), TabularEncoder().fit_transform(frame))
    for bad in (0, 2.5, "10"):
        with pytest.raises((ValueError, TypeError), match="one_hot_max_size"):
            TabularEncoder(one_hot_max_size=bad).fit(frame, np.zeros(len(frame)))
