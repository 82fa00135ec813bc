"""The ablation table: each recipe variant measured against the peers alone.

In a run with many variants (``--recipe-variant``), ranking every contender
together would let the variants crowd one another. Here each variant is ranked
against the peers only (LogisticRegression, MLPClassifier, HistGradientBoosting,
and LightGBM and CatBoost when the run has them), as the recipe is, so every row
answers "what would the targets say with this change".
"""

import numpy as np

from .boosting import BOOSTING, MAX_TABLE_GAP
from .contenders import PEERS


def _table_means(records, suite):
    """Mean accuracy, log-loss and summed fit time per (contender, table) of a suite."""
    out = {}
    for rec in records:
        if rec["suite"] != suite or rec.get("error"):
            continue
        key = (rec["contender"], rec["table"])
        acc, ll, time = out.get(key, ([], [], 0.0))
        acc.append(rec["accuracy"])
        ll.append(rec["log_loss"])
        out[key] = (acc, ll, time + rec["fit_time"])
    return {k: (float(np.mean(a)), float(np.mean(b)), t) for k, (a, b, t) in out.items()}


def _rank_of_first(values):
    """Rank of ``values[0]`` among ``values`` by accuracy (1 = best, ties averaged)."""
    first = values[0]
    return 1 + sum(v > first for v in values[1:]) + 0.5 * sum(v == first for v in values[1:])


def summarise(records, suite):
    """One row per recipe contender: rank against the peers, wins, accuracy, log-loss, time.

    Parameters
    ----------
    records : list of dict
        Per-fold records of ``bench_tabular.py --json``.
    suite : {"ten", "holdout"}

    Returns
    -------
    rows : list of dict
        Keys ``contender``, ``rank``, ``n_peers`` (how many peers it is ranked
        against: those with a result in the suite), ``wins_mlp``, ``n_tables``,
        ``accuracy``, ``log_loss``, ``worst_gap`` (accuracy minus the best
        boosting model's on the worst table, NaN without one), ``n_behind``
        (tables more than 1.5 points behind it), ``time_vs_hgb`` and
        ``time_vs_lightgbm`` (NaN without LightGBM).
    """
    means = _table_means(records, suite)
    tables = sorted({table for _, table in means})
    peers = [p for p in PEERS if any((p, t) in means for t in tables)]
    trees = [p for p in peers if p in BOOSTING]
    contenders = sorted(
        {c for c, _ in means if c not in PEERS and c.startswith(("skdeep recipe", "recipe"))}
    )
    rows = []
    for name in contenders:
        present = [t for t in tables if (name, t) in means and all((p, t) in means for p in peers)]
        if not present:
            continue
        ranks = [
            _rank_of_first([means[(name, t)][0]] + [means[(p, t)][0] for p in peers])
            for t in present
        ]
        wins = sum(means[(name, t)][0] > means[("MLPClassifier", t)][0] for t in present)
        gaps = [means[(name, t)][0] - max(means[(p, t)][0] for p in trees) for t in present]

        def time_ratio(peer, present=present, name=name):
            if peer not in peers:
                return float("nan")
            return sum(means[(name, t)][2] for t in present) / sum(
                means[(peer, t)][2] for t in present
            )

        rows.append(
            {
                "contender": name,
                "rank": float(np.mean(ranks)),
                "n_peers": len(peers),
                "wins_mlp": wins,
                "n_tables": len(present),
                "accuracy": float(np.mean([means[(name, t)][0] for t in present])),
                "log_loss": float(np.mean([means[(name, t)][1] for t in present])),
                "worst_gap": float(min(gaps)) if trees else float("nan"),
                "n_behind": sum(g < -MAX_TABLE_GAP for g in gaps) if trees else 0,
                "time_vs_hgb": time_ratio("HGB"),
                "time_vs_lightgbm": time_ratio("LightGBM"),
            }
        )
    return rows


def markdown(rows_by_suite):
    """The ablation as one markdown table, the suites side by side.

    Parameters
    ----------
    rows_by_suite : dict of str to list of dict
        :func:`summarise`'s rows per suite.

    Returns
    -------
    text : str
    """
    suites = list(rows_by_suite)
    header = ["variant"]
    for suite in suites:
        header += [f"{suite}: rank", "wins vs MLP", "accuracy", "log-loss"]
        header += ["worst gap (points)", "time x HGB", "time x LightGBM"]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    names = [row["contender"] for row in rows_by_suite[suites[0]]]
    for name in names:
        cells = [name]
        for suite in suites:
            row = next((r for r in rows_by_suite[suite] if r["contender"] == name), None)
            if row is None:
                cells += ["n/a"] * 7
                continue
            cells += [
                f"{row['rank']:.2f} of {row['n_peers'] + 1}",
                f"{row['wins_mlp']}/{row['n_tables']}",
                f"{row['accuracy']:.4f}",
                f"{row['log_loss']:.3f}",
                _gap_cell(row),
                _ratio(row["time_vs_hgb"]),
                _ratio(row["time_vs_lightgbm"]),
            ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _ratio(value):
    return "n/a" if value != value else f"{value:.2f}"


def _gap_cell(row):
    """Worst gap to the best boosting model, and how many tables are over the limit."""
    if row["worst_gap"] != row["worst_gap"]:
        return "n/a"
    return f"{100 * row['worst_gap']:+.2f} ({row['n_behind']} over 1.5)"
