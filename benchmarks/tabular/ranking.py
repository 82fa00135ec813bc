"""From per-fold records to per-table scores, ranks, wins and the issue's verdicts.

Pure functions of pandas objects, so they can be tested on hand-made results.
A *score table* is a DataFrame with one row per table and one column per
contender; a missing value means the contender has no result there (not run,
unavailable, or failed on some fold) and is left out of that table's ranking
and of every comparison on it.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

# Accuracies are means of fold fractions: equal predictions give equal floats, and
# rounding only guards against a different summation order calling a tie a win.
_DECIMALS = 12

MET, NOT_MET, NA = "MET", "NOT MET", "n/a"

TARGETS = (
    "best mean rank of all contenders",
    "beats MLPClassifier on >= 8 of 10 tables",
    "mean log-loss <= HGB's",
    "total fit time <= 3x HGB's",
)


def summarise(records, metrics=("accuracy", "log_loss")):
    """Aggregate per-fold records per (table, contender).

    Parameters
    ----------
    records : list of dict
        As returned by :func:`protocol.run_table`.
    metrics : sequence of str, default=("accuracy", "log_loss")
        The per-fold scores averaged over the folds (regression: R² and RMSE).

    Returns
    -------
    pandas.DataFrame
        Indexed by (table, contender): the mean of each of ``metrics`` over
        the folds (NaN if any fold failed), total ``fit_time``,
        ``fit_cpu_time`` and ``predict_time``, ``folds``, ``warned_fits`` (fits that raised a
        ConvergenceWarning), ``errors`` (failed folds) and ``cached``.
    """
    metrics = list(metrics)
    columns = [*metrics, "fit_time", "fit_cpu_time", "predict_time", "folds"]
    columns.append("warned_fits")
    if not records:
        return pd.DataFrame(columns=[*columns, "errors", "cached"])
    frame = pd.DataFrame(records)
    if "fit_cpu_time" not in frame:
        frame["fit_cpu_time"] = np.nan
    frame["failed"] = frame["error"].notna()
    frame["warned"] = frame["convergence_warnings"] > 0
    grouped = frame.groupby(["table", "contender"], sort=False)
    out = pd.DataFrame(
        {
            **{metric: grouped[metric].mean() for metric in metrics},
            "fit_time": grouped["fit_time"].sum(),
            "fit_cpu_time": grouped["fit_cpu_time"].sum(min_count=1),
            "predict_time": grouped["predict_time"].sum(),
            "folds": grouped.size(),
            "warned_fits": grouped["warned"].sum(),
            "errors": grouped["failed"].sum(),
            "cached": grouped["cached"].any(),
        }
    )
    # A contender that failed on one fold has no score for the table: a mean
    # over the surviving folds would not be comparable with the others.
    out.loc[out["errors"] > 0, metrics] = np.nan
    return out


def score_table(summary, metric, tables, contenders):
    """One metric as a tables x contenders frame.

    Parameters
    ----------
    summary : pandas.DataFrame
        From :func:`summarise`.
    metric : str
        A column of ``summary``.
    tables, contenders : list of str
        Row and column order; absent pairs are NaN.

    Returns
    -------
    pandas.DataFrame
    """
    if summary.empty:
        return pd.DataFrame(np.nan, index=list(tables), columns=list(contenders))
    wide = summary[metric].unstack("contender")
    return wide.reindex(index=list(tables), columns=list(contenders)).astype(float)


def ranks(accuracy):
    """Rank the contenders on every table, 1 for the most accurate.

    Parameters
    ----------
    accuracy : pandas.DataFrame
        Tables x contenders.

    Returns
    -------
    pandas.DataFrame
        Same shape. Ties share the average of their ranks; a contender without
        a result on a table gets NaN there and the others are ranked among
        themselves.
    """
    return accuracy.round(_DECIMALS).rank(axis=1, method="average", ascending=False)


def mean_ranks(accuracy):
    """Mean over tables of :func:`ranks` (over the tables where each contender has a result)."""
    return ranks(accuracy).mean(axis=0)


def wins_ties_losses(accuracy, a, b):
    """Count the tables where contender ``a`` beats, ties or loses to ``b`` by accuracy.

    Parameters
    ----------
    accuracy : pandas.DataFrame
        Tables x contenders.
    a, b : str
        Column names.

    Returns
    -------
    tuple of int
        (wins, ties, losses) of ``a``, over the tables where both have a result.
    """
    pair = accuracy[[a, b]].dropna().round(_DECIMALS)
    wins = int((pair[a] > pair[b]).sum())
    ties = int((pair[a] == pair[b]).sum())
    return wins, ties, len(pair) - wins - ties


def _common(frame, a, b):
    return frame[[a, b]].dropna()


def verdicts(
    accuracy,
    log_loss,
    fit_time,
    recipe,
    mlp="MLPClassifier",
    hgb="HGB",
    targets=TARGETS,
    lower_is_better=True,
):
    """The issue's four targets for one recipe contender.

    Parameters
    ----------
    accuracy, log_loss, fit_time : pandas.DataFrame
        Tables x contenders (``fit_time`` holds each table's total over folds).
        ``accuracy`` is the score that ranks (higher is better); ``log_loss``
        the one whose mean must be no worse than HGB's.
    recipe : str
        The contender judged (``skdeep recipe`` or a variant).
    mlp, hgb : str
        Names of the MLPClassifier and HistGradientBoosting columns.
    targets : tuple of 4 str, default=TARGETS
        How the four targets are worded in the output.
    lower_is_better : bool, default=True
        Direction of the third target's score (False for regression's R²).

    Returns
    -------
    list of (str, str, str)
        (target, status, detail); status is "MET", "NOT MET" or "n/a" (a
        contender missing, or no table where both have a result).
    """
    if recipe not in accuracy or accuracy[recipe].isna().all():
        return [(t, NA, f"{recipe} has no result") for t in targets]
    out = []
    target = targets[0]
    mean = mean_ranks(accuracy).dropna()
    others = mean.drop(recipe)
    if others.empty:
        out.append((target, NA, "no other contender"))
    else:
        best = others.idxmin()
        status = MET if mean[recipe] <= others.min() else NOT_MET
        out.append((target, status, f"{mean[recipe]:.2f} vs {best} {others.min():.2f}"))

    target = targets[1]
    if mlp not in accuracy or _common(accuracy, recipe, mlp).empty:
        out.append((target, NA, f"no {mlp} result"))
    else:
        w, t, losses = wins_ties_losses(accuracy, recipe, mlp)
        n = w + t + losses
        need = math.ceil(0.8 * n)
        status = MET if w >= need else NOT_MET
        out.append((target, status, f"{w} wins, {t} ties, {losses} losses (need {need} of {n})"))

    target = targets[2]
    common = _common(log_loss, recipe, hgb) if hgb in log_loss else pd.DataFrame()
    if common.empty:
        out.append((target, NA, f"no {hgb} result"))
    else:
        r, h = common[recipe].mean(), common[hgb].mean()
        status = MET if (r <= h if lower_is_better else r >= h) else NOT_MET
        out.append((target, status, f"{r:.4f} vs {h:.4f} over {len(common)} table(s)"))

    target = targets[3]
    common = _common(fit_time, recipe, hgb) if hgb in fit_time else pd.DataFrame()
    if common.empty:
        out.append((target, NA, f"no {hgb} result"))
    else:
        r, h = common[recipe].sum(), common[hgb].sum()
        status = MET if r <= 3 * h else NOT_MET
        out.append((target, status, f"{r:.1f} s vs {h:.1f} s = {r / h:.2f}x"))
    return out
