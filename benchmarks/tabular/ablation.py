"""The ablation table: each recipe variant measured against the peers alone.

In a run with many variants (``--recipe-variant``), ranking every contender
together would let the variants crowd one another. Here each variant is ranked
against LogisticRegression, MLPClassifier and HistGradientBoosting only, as the
recipe is, so every row answers "what would the targets say with this change".
"""

import numpy as np

PEERS = ("LogisticRegression", "MLPClassifier", "HGB")


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
        Keys ``contender``, ``rank``, ``wins_mlp``, ``n_tables``, ``accuracy``,
        ``log_loss``, ``time_vs_hgb``.
    """
    means = _table_means(records, suite)
    tables = sorted({table for _, table in means})
    contenders = sorted(
        {c for c, _ in means if c not in PEERS and c.startswith(("skdeep recipe", "recipe"))}
    )
    hgb_time = sum(means[("HGB", t)][2] for t in tables if ("HGB", t) in means)
    rows = []
    for name in contenders:
        present = [t for t in tables if (name, t) in means and all((p, t) in means for p in PEERS)]
        if not present:
            continue
        ranks = [
            _rank_of_first([means[(name, t)][0]] + [means[(p, t)][0] for p in PEERS])
            for t in present
        ]
        wins = sum(means[(name, t)][0] > means[("MLPClassifier", t)][0] for t in present)
        rows.append(
            {
                "contender": name,
                "rank": float(np.mean(ranks)),
                "wins_mlp": wins,
                "n_tables": len(present),
                "accuracy": float(np.mean([means[(name, t)][0] for t in present])),
                "log_loss": float(np.mean([means[(name, t)][1] for t in present])),
                "time_vs_hgb": sum(means[(name, t)][2] for t in present) / hgb_time
                if hgb_time
                else float("nan"),
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
        header += [f"{suite}: rank", "wins vs MLP", "accuracy", "log-loss", "time x HGB"]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    names = [row["contender"] for row in rows_by_suite[suites[0]]]
    for name in names:
        cells = [name]
        for suite in suites:
            row = next((r for r in rows_by_suite[suite] if r["contender"] == name), None)
            if row is None:
                cells += ["n/a"] * 5
                continue
            cells += [
                f"{row['rank']:.2f}",
                f"{row['wins_mlp']}/{row['n_tables']}",
                f"{row['accuracy']:.4f}",
                f"{row['log_loss']:.3f}",
                f"{row['time_vs_hgb']:.2f}",
            ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)
