"""Which integer columns are codes: identifiers whose values carry effects of their own.

A column of integers can be a quantity (an age, a count) or a code (a person, a
district, a store, a product size). A network sees a quantity well through its
scaled value and bins; a code's effect changes from one value to the next, as a
category's does, and only a per-value statistic can show it (a panel where the same
people appear in many rows turns on who they are). The test here tells the two apart
by what generalises: a column is a code when the cross-fitted mean of the target
per value predicts the target better, out of fold, than the mean per quantile bin
does.
"""

import numpy as np
from sklearn.utils import check_random_state

SHRINKAGE = 10.0
"""Prior weight, in rows, of the overall mean in a per-value or per-bin mean (an
m-estimate: a value seen on 10 rows is half its own mean, half the overall one)."""

MIN_SKILL_GAIN = 0.005
"""How much more of the target's variance the per-value means must explain out of
fold than the per-bin means (half a percent), so that noise does not pick a column."""


def find_codes(X, columns, y, target_type, n_bins, min_distinct, random_state):
    """The integer columns whose per-value target means beat their bins out of fold.

    Parameters
    ----------
    X : pandas DataFrame
        The raw table.
    columns : list
        The numerical columns to test.
    y : array-like of shape (n_samples,)
        The target.
    target_type : {'continuous', 'binary', 'multiclass'}
        How to read ``y``: standardised values, or classes (one indicator each).
    n_bins : int
        Number of quantile bins of the reference (0: the overall mean).
    min_distinct : int
        Only columns with more distinct values than this (and than 2) are
        tested: with fewer, a column is an ordinal scale (a score, a number of
        calls) that the bins resolve, not a code.
    random_state : int, RandomState instance or None
        Shuffles the folds.

    Returns
    -------
    codes : list
        The columns, in the order of ``columns``, found to be codes.
    """
    candidates = []
    for name, values in _integer_columns_with_many_values(X, columns, max(min_distinct, 2)):
        known = ~np.isnan(values)
        # A missing value is a code of its own, as in the categorical encoding.
        distinct, value_codes = np.unique(np.where(known, values, np.inf), return_inverse=True)
        bin_codes = _quantile_bins(values, known, n_bins)
        candidates.append((name, value_codes, len(distinct), bin_codes))
    if not candidates:
        return []
    targets, fold_of_row, n_folds = _targets_and_folds(y, target_type, random_state)
    variance = ((targets - targets.mean(axis=0)) ** 2).sum(axis=1).mean()
    if variance == 0 or n_folds < 2:
        return []
    codes = []
    for name, value_codes, n_values, bin_codes in candidates:
        per_value = _out_of_fold_error(value_codes, n_values, targets, fold_of_row, n_folds)
        n_cells = bin_codes.max() + 1
        per_bin = _out_of_fold_error(bin_codes, n_cells, targets, fold_of_row, n_folds)
        if per_value < variance and per_bin - per_value > MIN_SKILL_GAIN * variance:
            codes.append(name)
    return codes


def _integer_columns_with_many_values(X, columns, min_distinct):
    """``(name, values)`` of the columns of whole numbers with more than
    ``min_distinct`` distinct values (a missing value counting as one), found
    for all the columns at once: a table has many numerical columns and few codes."""
    if not columns:
        return []
    # na_value: pandas' nullable integers hold pd.NA, which is not a float.
    values = X[columns].to_numpy(dtype=float, na_value=np.nan)
    known = ~np.isnan(values)
    whole = np.where(known, values == np.round(values), True).all(axis=0) & known.any(axis=0)
    # Distinct values per column from one sort (NaN sorts last and counts once).
    ordered = np.sort(values[:, whole], axis=0)
    steps = (ordered[1:] != ordered[:-1]) & ~np.isnan(ordered[1:])
    n_distinct = steps.sum(axis=0) + 1 + np.isnan(ordered).any(axis=0)
    names = np.asarray(columns, dtype=object)[whole]
    many = n_distinct > min_distinct
    return [(name, values[:, j]) for name, j in zip(names[many], np.flatnonzero(whole)[many])]


def _targets_and_folds(y, target_type, random_state):
    """The target as a matrix of float columns, and each row's fold among five
    shuffled ones (stratified: each class dealt round the folds); no folds (0)
    when the target is too small."""
    y = np.asarray(y)
    if target_type == "continuous":
        values = y.astype(float)
        scale = values.std()
        targets = ((values - values.mean()) / (scale if scale > 0 else 1.0))[:, None]
        labels = np.zeros(len(y), dtype=np.intp)
    else:
        _, labels = np.unique(y, return_inverse=True)
        targets = np.eye(labels.max() + 1)[labels]
    n_folds = min(5, np.bincount(labels).min())
    fold_of_row = np.zeros(len(y), dtype=np.intp)
    if n_folds < 2:
        return targets, fold_of_row, 0
    order = check_random_state(random_state).permutation(len(y))
    # Rows of each class in shuffled order, dealt to the folds in turn.
    order = order[np.argsort(labels[order], kind="stable")]
    starts = np.searchsorted(labels[order], labels[order])
    fold_of_row[order] = (np.arange(len(y)) - starts) % n_folds
    return targets, fold_of_row, n_folds


def _quantile_bins(values, known, n_bins):
    """Each row's quantile bin of ``values`` (missing values in a bin of their own)."""
    if n_bins < 2:
        return np.where(known, 0, 1)
    edges = np.unique(np.quantile(values[known], np.linspace(0, 1, n_bins + 1)[1:-1]))
    return np.where(known, np.searchsorted(edges, values, side="right"), len(edges) + 1)


def _out_of_fold_error(codes, n_codes, targets, fold_of_row, n_folds):
    """Mean squared error of the shrunk per-code target means, each row predicted
    from the folds it is not in.

    Works on per-(fold, code) sums: a code's mean without fold ``k`` is its total
    minus fold ``k``'s part, and a fold's squared error follows from its sums of
    targets and of squared targets per code.
    """
    cell = fold_of_row * n_codes + codes
    size = n_folds * n_codes
    counts = np.bincount(cell, minlength=size).reshape(n_folds, n_codes, 1)
    sums = np.stack(
        [np.bincount(cell, weights=t, minlength=size) for t in targets.T], axis=-1
    ).reshape(n_folds, n_codes, -1)
    squares = np.bincount(cell, weights=(targets**2).sum(axis=1), minlength=size)
    fold_sums = sums.sum(axis=1, keepdims=True)
    fold_counts = counts.sum(axis=1, keepdims=True)
    # Training part of each fold: everything but the fold.
    train_sums = sums.sum(axis=0) - sums
    train_counts = counts.sum(axis=0) - counts
    prior = (fold_sums.sum(axis=0) - fold_sums) / (len(targets) - fold_counts)
    means = (train_sums + SHRINKAGE * prior) / (train_counts + SHRINKAGE)
    error = squares.sum() - 2 * (sums * means).sum() + (counts * means**2).sum()
    return error / len(targets)
