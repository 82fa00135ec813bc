"""Integer codes: numerical columns that behave like categories get a target encoding too."""

import numpy as np
import pandas as pd
import pytest

from skdeep.preprocessing import TabularEncoder
from skdeep.preprocessing._codes import (
    SHRINKAGE,
    _out_of_fold_error,
    _targets_and_folds,
    find_codes,
)


def _panel(seed=0, n_people=60, rows_each=15):
    """A panel: the same people in many rows, the target turning on who they are.

    ``person`` is an id number whose effect is random per person; ``age`` is a
    quantity with a smooth effect; ``income`` is a float quantity.
    """
    rng = np.random.default_rng(seed)
    person = np.repeat(np.arange(n_people), rows_each)
    taste = rng.normal(0, 2.0, n_people)
    age = rng.integers(18, 80, len(person))
    income = rng.lognormal(10, 0.5, len(person))
    score = taste[person] + 0.05 * (age - 50) + rng.logistic(size=len(person))
    frame = pd.DataFrame({"person": person + 1000, "age": age, "income": income})
    return frame, np.where(score > 0, "buys", "passes")


def test_an_id_is_a_code_and_a_quantity_is_not():
    frame, y = _panel()
    codes = find_codes(frame, ["person", "age", "income"], y, "binary", 8, 20, 0)
    assert codes == ["person"]
    # Without the per-person effect the id is a number like any other.
    shuffled = np.random.default_rng(1).permutation(y)
    assert find_codes(frame, ["person"], shuffled, "binary", 8, 20, 0) == []


def test_a_code_of_a_continuous_target():
    frame, _ = _panel()
    taste = np.random.default_rng(2).normal(0, 3.0, frame["person"].nunique())
    y = 5e4 + 1e3 * taste[frame["person"] - 1000] + 10.0 * frame["age"]
    assert find_codes(frame, ["person", "age"], y, "continuous", 8, 20, 0) == ["person"]


def test_few_distinct_values_are_a_scale_not_a_code():
    frame, y = _panel()
    # Fifteen groups of people: a code by its effect, but with no more distinct
    # values than min_distinct it is not tested.
    few = frame.assign(person=frame["person"] % 15)
    assert find_codes(few, ["person"], y, "binary", 8, 20, 0) == []
    assert find_codes(few, ["person"], y, "binary", 8, 10, 0) == ["person"]


def test_out_of_fold_error_is_the_shrunk_mean_of_the_other_folds():
    codes = np.array([0, 0, 1, 1, 0, 1, 0, 1])
    targets = np.array([[1.0], [1.0], [0.0], [0.0], [1.0], [0.0], [0.0], [1.0]])
    folds = [(np.arange(4, 8), np.arange(4)), (np.arange(4), np.arange(4, 8))]
    fold_of_row = np.repeat([0, 1], 4)
    expected = 0.0
    for train, test in folds:
        prior = targets[train].mean()
        for row in test:
            same = train[codes[train] == codes[row]]
            mean = (targets[same].sum() + SHRINKAGE * prior) / (len(same) + SHRINKAGE)
            expected += (targets[row, 0] - mean) ** 2
    assert _out_of_fold_error(codes, 2, targets, fold_of_row, 2) == pytest.approx(expected / 8)


def test_encoder_adds_a_target_encoding_of_the_codes():
    frame, y = _panel()
    encoder = TabularEncoder(
        numeric_target_encoding=True, one_hot_max_size=20, random_state=0, dtype="float64"
    )
    Z = encoder.fit_transform(frame, y)
    assert encoder.target_encoded_features_ == ["person"]
    names = list(encoder.get_feature_names_out())
    # The id keeps its numerical encoding and gains one target-encoded column.
    assert "numerical__scaled__person" in names
    assert [name for name in names if name.startswith("target_encoded__")] == [
        "target_encoded__person"
    ]
    plain = TabularEncoder(one_hot_max_size=20, random_state=0, dtype="float64").fit_transform(
        frame, y
    )
    assert Z.shape[1] == plain.shape[1] + 1
    np.testing.assert_array_equal(Z[:, : plain.shape[1]], plain)
    # The new column is cross-fitted: a row's value comes from the other folds,
    # and it orders the people as their share of the positive class does (the
    # last in sorted order, "passes", as for scikit-learn's TargetEncoder).
    column = Z[:, names.index("target_encoded__person")]
    share = pd.Series(y == "passes").groupby(frame["person"]).mean()
    per_person = pd.Series(column).groupby(frame["person"]).mean()
    assert np.corrcoef(share, per_person)[0, 1] > 0.9
    # Deterministic for a given random_state.
    again = TabularEncoder(
        numeric_target_encoding=True, one_hot_max_size=20, random_state=0, dtype="float64"
    )
    np.testing.assert_array_equal(again.fit_transform(frame, y), Z)


def test_codes_with_missing_values_and_unseen_codes():
    frame, y = _panel()
    frame.loc[::7, "person"] = np.nan
    encoder = TabularEncoder(numeric_target_encoding=True, one_hot_max_size=20, random_state=0).fit(
        frame, y
    )
    assert encoder.target_encoded_features_ == ["person"]
    unseen = encoder.transform(frame.assign(person=99999.0))
    assert np.isfinite(unseen).all()
    column = list(encoder.get_feature_names_out()).index("target_encoded__person")
    assert np.ptp(unseen[:, column]) == 0  # every unseen id gets the overall mean


def test_codes_in_pandas_nullable_integers():
    frame, y = _panel()
    frame["person"] = pd.array(frame["person"], dtype="Int64")
    frame.loc[::9, "person"] = pd.NA
    encoder = TabularEncoder(numeric_target_encoding=True, one_hot_max_size=20, random_state=0)
    Z = encoder.fit(frame, y).transform(frame)
    assert encoder.target_encoded_features_ == ["person"] and np.isfinite(Z).all()


def test_numeric_target_encoding_needs_y_a_threshold_and_a_boolean():
    frame, y = _panel()
    with pytest.raises(ValueError, match="requires y.*numeric_target_encoding=True.*pass y"):
        TabularEncoder(numeric_target_encoding=True, one_hot_max_size=20).fit(frame)
    with pytest.raises(ValueError, match="numeric_target_encoding=True needs one_hot_max_size"):
        TabularEncoder(numeric_target_encoding=True).fit(frame, y)
    with pytest.raises((ValueError, TypeError), match="numeric_target_encoding"):
        TabularEncoder(numeric_target_encoding="yes", one_hot_max_size=20).fit(frame, y)
    # Off (the default), y stays optional and nothing is target-encoded.
    assert TabularEncoder().fit(frame).target_encoded_features_ == []


def test_a_target_too_small_to_fold_finds_no_code():
    frame, y = _panel()
    y = np.array(["a"] * (len(y) - 1) + ["b"])  # one row of "b": no stratified folds
    assert find_codes(frame, ["person"], y, "binary", 8, 20, 0) == []


def test_folds_deal_each_class_round_the_folds():
    y = np.array(list("aab" + "b" * 11 + "c" * 7))
    _, fold_of_row, n_folds = _targets_and_folds(y, "multiclass", 0)
    assert n_folds == 2  # the rarest class has two rows
    for label in "abc":
        per_fold = np.bincount(fold_of_row[y == label], minlength=n_folds)
        assert per_fold.max() - per_fold.min() <= 1
    # Shuffled by random_state: another seed, other folds; the same, the same.
    assert not np.array_equal(_targets_and_folds(y, "multiclass", 1)[1], fold_of_row)
    np.testing.assert_array_equal(_targets_and_folds(y, "multiclass", 0)[1], fold_of_row)
    targets, fold_of_row, n_folds = _targets_and_folds(np.arange(23.0), "continuous", 0)
    assert n_folds == 5 and np.bincount(fold_of_row).tolist() == [5, 5, 5, 4, 4]
    np.testing.assert_allclose([targets.mean(), targets.std()], [0, 1], atol=1e-12)


def test_the_recipe_learns_who_the_people_of_a_panel_are():
    from sklearn.model_selection import StratifiedKFold, cross_val_score

    from skdeep import make_tabular_classifier

    frame, y = _panel(n_people=80, rows_each=12)
    quick = dict(n_estimators=2, max_iter=10, hidden_layer_sizes=(32,))
    recipe = make_tabular_classifier(random_state=0, **quick)
    assert recipe.fit(frame, y)[0].target_encoded_features_ == ["person"]
    without = make_tabular_classifier(random_state=0, numeric_target_encoding=False, **quick)
    # Shuffled folds: the same people in training and test rows, as in a panel.
    folds = StratifiedKFold(3, shuffle=True, random_state=0)
    with_codes = cross_val_score(recipe, frame, y, cv=folds).mean()
    as_numbers = cross_val_score(without, frame, y, cv=folds).mean()
    # Each person's taste is worth far more than their id's place on a number line.
    assert with_codes > as_numbers + 0.05
