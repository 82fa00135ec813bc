"""The recipe against the gradient-boosted trees: per-table gaps and issue 18's targets.

Issue 18 asks the recipe to beat HistGradientBoosting, LightGBM and CatBoost
outright. Its six targets are the two of :data:`ranking.TARGETS` that it keeps
(best mean rank of all contenders, beats MLPClassifier on >= 80% of the tables)
and the four of :data:`TARGETS` here. Like :mod:`ranking`, pure functions of
tables x contenders frames; a boosting model absent from the frame (not
installed, not run) is simply not one of the references.
"""

from __future__ import annotations

import pandas as pd

from . import ranking
from .contenders import BOOSTING, LGBM

# Accuracy margins of issue 18, as fractions (a point is 0.01 of accuracy).
MEAN_MARGIN = 0.005
MAX_TABLE_GAP = 0.015
TIME_FACTOR = 1.5

TARGETS = (
    "mean accuracy >= 0.5 point above the best boosting model's",
    "no table more than 1.5 points behind the best boosting model",
    "lowest mean log-loss of all contenders",
    "total fit time <= 1.5x LightGBM's",
)
# Issue 18's targets, in its order: (source, index) into ranking.TARGETS or TARGETS.
ISSUE_ORDER = (("ranking", 0), ("boosting", 0), ("boosting", 1), ("boosting", 2))
ISSUE_ORDER += (("ranking", 1), ("boosting", 3))


def _boosting_columns(frame, boosting=BOOSTING):
    return [b for b in boosting if b in frame and frame[b].notna().any()]


def gaps(accuracy, recipe, boosting=BOOSTING):
    """Per table, the best boosting model and the recipe's accuracy gap to it.

    Parameters
    ----------
    accuracy : pandas.DataFrame
        Tables x contenders.
    recipe : str
        The contender compared.
    boosting : sequence of str
        The reference columns (those absent from ``accuracy`` are ignored).

    Returns
    -------
    pandas.DataFrame
        Indexed by table: ``best`` (name of the most accurate boosting model,
        ties to the first listed), ``best_accuracy``, ``accuracy`` (the
        recipe's) and ``gap`` (recipe minus best, negative when behind). Only
        the tables where the recipe and at least one boosting model have a result.
    """
    columns = _boosting_columns(accuracy, boosting)
    if recipe not in accuracy or not columns:
        return pd.DataFrame(columns=["best", "best_accuracy", "accuracy", "gap"])
    trees = accuracy[columns].round(ranking._DECIMALS)
    keep = trees.notna().any(axis=1) & accuracy[recipe].notna()
    trees = trees[keep]
    best = trees.idxmax(axis=1)
    best_accuracy = trees.max(axis=1)
    own = accuracy.loc[keep, recipe].round(ranking._DECIMALS)
    return pd.DataFrame(
        {"best": best, "best_accuracy": best_accuracy, "accuracy": own, "gap": own - best_accuracy}
    )


def verdicts(accuracy, log_loss, fit_time, recipe, boosting=BOOSTING, lightgbm=LGBM):
    """Issue 18's four new targets for one recipe contender.

    Parameters
    ----------
    accuracy, log_loss, fit_time : pandas.DataFrame
        Tables x contenders (``fit_time`` holds each table's total over folds).
    recipe : str
        The contender judged.
    boosting : sequence of str
        The boosting models the accuracy targets compare against.
    lightgbm : str
        The column the time target compares against.

    Returns
    -------
    list of (str, str, str)
        (target, status, detail) for each of :data:`TARGETS`; status is
        "MET", "NOT MET" or "n/a" (a reference missing, or no common table).
    """
    if recipe not in accuracy or accuracy[recipe].isna().all():
        return [(t, ranking.NA, f"{recipe} has no result") for t in TARGETS]
    out = []
    columns = _boosting_columns(accuracy, boosting)
    # Mean accuracy: over the tables where the recipe and every boosting model have a result.
    common = accuracy[[recipe, *columns]].dropna()
    if not columns or common.empty:
        out.append((TARGETS[0], ranking.NA, "no boosting result"))
    else:
        means = common[columns].mean()
        best, mine = means.idxmax(), common[recipe].mean()
        margin = round(mine - means.max(), ranking._DECIMALS)
        status = ranking.MET if margin >= MEAN_MARGIN else ranking.NOT_MET
        detail = f"{mine:.4f} vs {best} {means.max():.4f}: {100 * margin:+.2f} points"
        out.append((TARGETS[0], status, f"{detail} over {len(common)} table(s)"))

    per_table = gaps(accuracy, recipe, boosting)
    if per_table.empty:
        out.append((TARGETS[1], ranking.NA, "no boosting result"))
    else:
        behind = per_table[per_table["gap"] < -MAX_TABLE_GAP]
        worst = per_table["gap"].idxmin()
        status = ranking.NOT_MET if len(behind) else ranking.MET
        detail = (
            f"worst {worst} {100 * per_table.loc[worst, 'gap']:+.2f} points vs "
            f"{per_table.loc[worst, 'best']}; {len(behind)} of {len(per_table)} table(s) "
            "more than 1.5 points behind"
        )
        out.append((TARGETS[1], status, detail))

    others = [c for c in log_loss.columns if c != recipe and log_loss[c].notna().any()]
    if not others:
        out.append((TARGETS[2], ranking.NA, "no other contender"))
    else:
        # Pairwise, over the tables both have, like the log-loss target of ranking.verdicts.
        worse = []
        lowest = None
        for other in others:
            pair = log_loss[[recipe, other]].dropna()
            if pair.empty:
                continue
            r, o = pair[recipe].mean(), pair[other].mean()
            if round(o, ranking._DECIMALS) < round(r, ranking._DECIMALS):
                worse.append(other)
            if lowest is None or o < lowest[1]:
                lowest = (other, o, r)
        if lowest is None:
            out.append((TARGETS[2], ranking.NA, "no table in common"))
        else:
            status = ranking.NOT_MET if worse else ranking.MET
            detail = f"{lowest[2]:.4f} vs {lowest[0]} {lowest[1]:.4f}, the lowest of the others"
            if worse:
                detail += "; lower: " + ", ".join(worse)
            out.append((TARGETS[2], status, detail))

    pair = fit_time[[recipe, lightgbm]].dropna() if lightgbm in fit_time else pd.DataFrame()
    if pair.empty:
        out.append((TARGETS[3], ranking.NA, f"no {lightgbm} result"))
    else:
        r, g = pair[recipe].sum(), pair[lightgbm].sum()
        status = ranking.MET if r <= TIME_FACTOR * g else ranking.NOT_MET
        out.append((TARGETS[3], status, f"{r:.1f} s vs {g:.1f} s = {r / g:.2f}x"))
    return out


def issue_verdicts(accuracy, log_loss, fit_time, recipe, earlier):
    """Issue 18's six targets in its order.

    Parameters
    ----------
    accuracy, log_loss, fit_time : pandas.DataFrame
        Tables x contenders.
    recipe : str
        The contender judged.
    earlier : list of (str, str, str)
        :func:`ranking.verdicts` of the same contender (its rank and
        MLPClassifier targets are issue 18's too).

    Returns
    -------
    list of (str, str, str)
    """
    mine = verdicts(accuracy, log_loss, fit_time, recipe)
    source = {"ranking": earlier, "boosting": mine}
    return [source[name][index] for name, index in ISSUE_ORDER]
