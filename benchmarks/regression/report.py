"""Markdown report of the regression benchmark: R², RMSE, ranks, wins, times, verdicts.

The layout helpers (tables, bold best cells, n/a and error cells, the fit-time
table, the warning lists) are the classification report's
(:mod:`benchmarks.tabular.report`); the figures come from
:mod:`benchmarks.tabular.ranking` with R² as the score that ranks.
"""

from __future__ import annotations

from benchmarks.tabular import boosting, ranking
from benchmarks.tabular import report as tabular
from benchmarks.tabular.contenders import PEER, RECIPE, SKDEEP

from . import ablation
from .contenders import BOOSTING, DESCRIPTIONS, HGB, MLP, PEERS
from .protocol import METRICS

TARGETS = (
    "best mean R² rank of all contenders",
    f"beats {MLP} on >= 8 of 10 tables",
    "mean R² >= HGB's",
    "total fit time <= 3x HGB's",
)


def tables_section(infos):
    """The table of tables: source, shape, missing cells, the target's scale, dropped columns."""
    header = ["table", "source", "rows", "numeric", "categorical", "NaN"]
    header += ["target mean", "target std", "skew", "dropped"]
    rows = []
    for info in infos:
        counts = [str(info[k]) for k in ("rows", "numeric", "categorical", "missing")]
        scale = [f"{info['mean']:.4g}", f"{info['std']:.4g}", f"{info['skew']:.2f}"]
        dropped = ", ".join(info.get("dropped", ())) or "-"
        rows.append([info["name"], info["source"], *counts, *scale, dropped])
    return tabular.markdown_table(header, rows)


def contenders_section(contenders, present):
    """One line per contender: what it is, and why it has no result (n/a) if so.

    ``present`` holds the names with results (fitted or cached).
    """
    lines = []
    for c in contenders:
        what = DESCRIPTIONS.get(c.name) or f"make_tabular_regressor(random_state, **{c.params})"
        na = c.unavailable and c.name not in present
        lines.append(f"- {c.name}: {what}" + (f" — n/a: {c.unavailable}" if na else ""))
    return "\n".join(lines)


def _wins_section(r2, judged, peers):
    """Wins / ties / losses by R² of each skdeep contender (rows) against each peer."""
    rows = [
        [a, *(" / ".join(map(str, ranking.wins_ties_losses(r2, a, b))) for b in peers)]
        for a in judged
    ]
    return tabular.markdown_table(["", *peers], rows)


def _verdicts(summary, r2, fit, contender, others, missing):
    """The four targets of one recipe contender, judged among ``others`` and itself."""
    if missing.get(contender.name):
        reason = contender.unavailable or missing[contender.name]
        return [f"- {contender.name}: {t}: **n/a** ({reason})" for t in TARGETS]
    columns = [*others, contender.name]
    got = ranking.verdicts(
        r2[columns], r2[columns], fit[columns], contender.name, MLP, HGB, TARGETS, False
    )
    # Wall time suffers from a busy machine, CPU time much less: give both.
    cpu = summary["fit_cpu_time"].unstack("contender").reindex(index=r2.index)
    if HGB in cpu and contender.name in cpu and got[3][1] != ranking.NA:
        both = cpu[[contender.name, HGB]].dropna()
        ratio = both[contender.name].sum() / both[HGB].sum()
        got[3] = (*got[3][:2], f"{got[3][2]}; fit CPU time {ratio:.2f}x")
    return [
        f"- {contender.name}: {target}: **{status}** ({detail})" for target, status, detail in got
    ]


def _gap_section(r2, recipes, missing):
    """Per table, each recipe contender's R² gap to the best boosting model, in points."""
    judged = [c.name for c in recipes if not missing.get(c.name)]
    trees = [b for b in BOOSTING if b in r2 and r2[b].notna().any()]
    if not judged or not trees:
        return []
    per_recipe = {name: boosting.gaps(r2, name, trees) for name in judged}
    first = per_recipe[judged[0]]
    rows = []
    for table in first.index:
        row = [table, first.loc[table, "best"], f"{first.loc[table, 'best_accuracy']:.3f}"]
        for name in judged:
            gap = per_recipe[name]["gap"].get(table)
            cell = "-" if gap is None else f"{100 * gap:+.2f}"
            behind = gap is not None and gap < -boosting.MAX_TABLE_GAP
            row.append(f"**{cell}**" if behind else cell)
        rows.append(row)
    means = ["**mean**", "", f"{r2.loc[first.index, trees].max(axis=1).mean():.3f}"]
    means += [f"{100 * per_recipe[name]['gap'].mean():+.2f}" for name in judged]
    rows.append(means)
    return [
        f"### R² gap to the best boosting model ({', '.join(trees)}), in points",
        "",
        tabular.markdown_table(["table", "best boosting", "its R²", *judged], rows),
        "",
        "Points of R² (0.01); negative: behind the best boosting model of the table; "
        "bold: more than 1.5 points behind. The mean row averages the per-table best.",
        "",
    ]


def render(records, infos, contenders, n_folds, title="Regression tables"):
    """The whole markdown report of a run, from its per-fold records.

    ``infos`` describe the tables (``name``, ``source``, ``dropped`` and the
    :func:`.datasets.describe` keys); ``contenders`` give the column order, the
    unavailable skdeep ones shown as n/a; ``n_folds`` is for the headings.

    Returns
    -------
    str
    """
    summary = ranking.summarise(records, METRICS)
    tables = [info["name"] for info in infos]
    present = set(summary.index.get_level_values("contender")) if not summary.empty else set()
    shown = [c for c in contenders if c.name in present or c.family != PEER]
    names = [c.name for c in shown]
    missing = tabular._missing_cells(summary, shown)
    r2, rmse, fit = (
        ranking.score_table(summary, metric, tables, names) for metric in ("r2", "rmse", "fit_time")
    )
    recipes = [c for c in shown if c.family == RECIPE]
    variants = {c.name for c in recipes[1:]}
    # Variants are ablations, not contenders: the main ranking leaves them out.
    main = [n for n in names if n not in variants]
    mean_rank = ranking.mean_ranks(r2[main])

    out = [f"## {title}", "", tables_section(infos), ""]
    out += [contenders_section(contenders, present), ""]
    out += [f"### R² (mean over {n_folds} folds; best of each table in bold)", ""]
    rows = tabular._metric_rows(r2, missing, higher_is_better=True)
    rows.append(["**mean R²**", *[tabular._cell(r2[n].mean(), missing.get(n)) for n in names]])
    rank_cells = [tabular._cell(mean_rank.get(n), missing.get(n), digits=2) for n in names]
    rows.append(["**mean rank**", *rank_cells])
    out += [tabular.markdown_table(["table", *names], rows), ""]
    out += [
        "Ranks by R² among the contenders, recipe variants left out (they are ranked in the "
        "ablation below); ties share the average rank; ranks, bold and wins use the "
        "unrounded means.",
        "",
    ]
    out += [f"### RMSE (mean over {n_folds} folds, in the target's units)", ""]
    out += [tabular.markdown_table(["table", *names], tabular._metric_rows(rmse, missing, False))]
    out.append("")

    peers = [n for n in PEERS if n in present]
    judged = [c.name for c in shown if c.family in (SKDEEP, RECIPE) and r2[c.name].notna().any()]
    if judged and peers:
        out += ["### Wins / ties / losses by R² (skdeep contender against each peer)", ""]
        out += [_wins_section(r2, judged, peers), ""]

    out += ["### Fit time (wall clock, one thread, summed over tables and folds)", ""]
    out += [tabular._time_table(summary, shown, fit, missing), ""]
    out += [f"### Fit time per table (s, summed over {n_folds} folds)", ""]
    fit_rows = tabular._metric_rows(fit, missing, higher_is_better=False, digits=1)
    out += [tabular.markdown_table(["table", *names], fit_rows), ""]

    if recipes:
        others = [n for n in main if n not in {c.name for c in recipes}]
        out += ["### Targets of the issue", ""]
        for c in recipes:
            out += _verdicts(summary, r2, fit, c, others, missing)
        out.append("")
    out += _gap_section(r2, recipes, missing)
    ranked = [c.name for c in recipes if c.name in present]
    rows = ablation.summarise(r2, fit, ranked) if peers else []
    if len(recipes) > 1 and rows:
        out += ["### Ablation: each recipe contender ranked against the peers alone", ""]
        out += [ablation.markdown(rows, len(peers)), ""]
    out += tabular._warning_lines(records)
    return "\n".join(out)
