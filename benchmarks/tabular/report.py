"""Markdown report of one suite: scores, ranks, wins, fit times and the verdicts.

The figures come from :mod:`ranking`; this module only lays them out, so the
printed report can be pasted into ``doc/benchmarks.md`` as it is.
"""

from __future__ import annotations

import math

from . import boosting, ranking
from .contenders import HGB, LGBM, MLP, PEER, RECIPE


def markdown_table(header, rows):
    """A GitHub-flavoured markdown table.

    Parameters
    ----------
    header : list of str
    rows : list of list of str

    Returns
    -------
    str
    """
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def _cell(value, unavailable, best=False, digits=3):
    if unavailable:
        return unavailable
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    text = f"{value:.{digits}f}"
    return f"**{text}**" if best else text


def _metric_rows(frame, missing, higher_is_better, digits=3):
    rows = []
    for table, row in frame.iterrows():
        present = row.dropna().round(12)
        best = present.max() if higher_is_better else present.min()
        cells = [
            _cell(
                row[c],
                missing.get(c) or missing.get((table, c)),
                best=(not present.empty and round(row[c], 12) == best),
                digits=digits,
            )
            for c in frame.columns
        ]
        rows.append([table, *cells])
    return rows


def _missing_cells(summary, contenders):
    """What to print instead of a number: n/a for unavailable, error for failed."""
    missing = {c.name: "n/a" for c in contenders if c.build is None and not c.cache_only}
    if not summary.empty:
        for (table, name), row in summary.iterrows():
            if row["errors"]:
                missing[(table, name)] = "error"
    return missing


def tables_section(infos):
    """The table of tables: source, shape, classes, missing cells, dropped columns."""
    header = ["table", "source", "rows", "numeric", "categorical", "classes", "minority", "NaN"]
    header.append("dropped")
    rows = [
        [
            info["name"],
            info["source"],
            str(info["rows"]),
            str(info["numeric"]),
            str(info["categorical"]),
            str(info["classes"]),
            str(info["minority"]),
            str(info["missing"]),
            ", ".join(info.get("dropped", ())) or "-",
        ]
        for info in infos
    ]
    return markdown_table(header, rows)


def render_suite(title, records, infos, contenders, n_folds):
    """The full markdown report of one suite.

    Parameters
    ----------
    title : str
        Section title.
    records : list of dict
        Per-fold records of this suite's tables.
    infos : list of dict
        Per table: ``name``, ``source`` and the :func:`datasets.describe` keys.
    contenders : list of Contender
        Column order; unavailable ones are shown as n/a.
    n_folds : int

    Returns
    -------
    str
    """
    summary = ranking.summarise(records)
    tables = [info["name"] for info in infos]
    present = set(summary.index.get_level_values("contender")) if not summary.empty else set()
    # Cached-only peers without any cached result are simply absent; an
    # unavailable contender (say LightGBM not installed) is a column of n/a.
    shown = [c for c in contenders if c.name in present or not c.cache_only]
    names = [c.name for c in shown]
    missing = _missing_cells(summary, shown)
    acc = ranking.score_table(summary, "accuracy", tables, names)
    ll = ranking.score_table(summary, "log_loss", tables, names)
    fit = ranking.score_table(summary, "fit_time", tables, names)
    mean_rank = ranking.mean_ranks(acc)

    out = [f"## {title}", "", tables_section(infos), ""]
    out += [f"### Accuracy (mean over {n_folds} folds; best of each table in bold)", ""]
    rows = _metric_rows(acc, missing, higher_is_better=True)
    mean_row = [_cell(mean_rank.get(n), missing.get(n), digits=2) for n in names]
    rows.append(["**mean rank**", *mean_row])
    out += [markdown_table(["table", *names], rows), ""]
    out += [
        "Ranks by accuracy over all contenders in the run, ties sharing the average rank; "
        "ranks, bold and wins use the unrounded means.",
        "",
    ]

    out += [f"### Log-loss (mean over {n_folds} folds; best of each table in bold)", ""]
    rows = _metric_rows(ll, missing, higher_is_better=False)
    rows.append(["**mean**", *[_cell(ll[n].mean(), missing.get(n)) for n in names]])
    out += [markdown_table(["table", *names], rows), ""]

    judged = [c.name for c in shown if c.family != PEER and c.name in present]
    if judged:
        out += ["### Wins / ties / losses by accuracy (row against column, per table)", ""]
        rows = []
        for a in judged:
            cells = []
            for b in names:
                if b == a or b not in present:
                    cells.append("")
                else:
                    cells.append(" / ".join(map(str, ranking.wins_ties_losses(acc, a, b))))
            rows.append([a, *cells])
        out += [markdown_table(["", *names], rows), ""]

    out += ["### Fit time (wall clock, one thread, summed over tables and folds)", ""]
    out += [_time_table(summary, shown, fit, missing), ""]
    out += _verdict_lines(summary, acc, ll, fit, shown, missing)
    out += _boosting_lines(acc, ll, fit, shown, missing)
    out += _warning_lines(records)
    return "\n".join(out)


def _time_table(summary, shown, fit, missing):
    def total(name):
        return fit[name].sum() if name in fit and fit[name].notna().any() else float("nan")

    hgb_total, lgbm_total = total(HGB), total(LGBM)
    header = ["contender", "total fit (s)", "x HGB", "x LightGBM", "s per fit", "fit CPU (s)"]
    header += ["predict (s)", "warned fits"]
    rows = []
    for c in shown:
        part = None
        if not summary.empty and c.name in summary.index.get_level_values("contender"):
            part = summary.xs(c.name, level="contender")
        if missing.get(c.name) or part is None or part["errors"].sum() == part["folds"].sum():
            status = missing.get(c.name) or ("-" if part is None else "error")
            rows.append([c.name, status] + [""] * (len(header) - 2))
            continue
        seconds, folds = part["fit_time"].sum(), int(part["folds"].sum())
        rows.append(
            [
                c.name + (" (cached)" if part["cached"].any() else ""),
                f"{seconds:.1f}",
                f"{seconds / hgb_total:.2f}" if hgb_total == hgb_total else "-",
                f"{seconds / lgbm_total:.2f}" if lgbm_total == lgbm_total else "-",
                f"{seconds / folds:.2f}",
                f"{part['fit_cpu_time'].sum():.1f}" if part["fit_cpu_time"].notna().any() else "-",
                f"{part['predict_time'].sum():.1f}",
                f"{int(part['warned_fits'].sum())}/{folds}",
            ]
        )
    note = (
        "\n\n*x HGB*, *x LightGBM*: total fit time over theirs. *fit CPU*: process CPU time "
        "of the fits; well below the wall time means the machine was busy. *warned fits*: "
        "fits that raised a ConvergenceWarning (silenced and counted). Cached rows were timed "
        "in an earlier run."
    )
    return markdown_table(header, rows) + note


def _verdict_lines(summary, acc, ll, fit, shown, missing):
    recipes = [c for c in shown if c.family == RECIPE]
    if not recipes:
        return []
    names = [c.name for c in shown]
    cpu = ranking.score_table(summary, "fit_cpu_time", list(acc.index), names)
    hgb_rows = summary.index.get_level_values("contender") == HGB if not summary.empty else []
    hgb_cached = bool(summary["cached"][hgb_rows].any()) if len(hgb_rows) else False
    out = ["### Targets of the real-tables issue", ""]
    for c in recipes:
        if missing.get(c.name):
            for target in ranking.TARGETS:
                out.append(f"- {c.name}: {target}: n/a ({c.unavailable})")
            continue
        for target, status, detail in ranking.verdicts(acc, ll, fit, c.name, mlp=MLP, hgb=HGB):
            if target == ranking.TARGETS[3] and status != ranking.NA:
                r, h = cpu[[c.name, HGB]].dropna().sum()
                detail += f"; CPU time {r / h:.2f}x" if h > 0 else ""
                # A cached HGB was timed under another load: rerun with --no-cache to settle.
                detail += "; HGB timed in an earlier run (cached)" if hgb_cached else ""
            out.append(f"- {c.name}: {target}: **{status}** ({detail})")
    return [*out, ""]


def _boosting_lines(acc, ll, fit, shown, missing):
    """Per-table gaps to the best boosting model, then issue 18's six targets."""
    recipes = [c for c in shown if c.family == RECIPE and not missing.get(c.name)]
    trees = [b for b in boosting.BOOSTING if b in acc and acc[b].notna().any()]
    if not recipes or not trees:
        return []
    out = [
        f"### Accuracy gap to the best boosting model ({', '.join(trees)}), in points",
        "",
    ]
    per_recipe = {c.name: boosting.gaps(acc, c.name) for c in recipes}
    first = per_recipe[recipes[0].name]
    rows = []
    for table in acc.index:
        if table not in first.index:
            continue
        row = [table, first.loc[table, "best"], f"{first.loc[table, 'best_accuracy']:.3f}"]
        for c in recipes:
            gap = per_recipe[c.name]["gap"].get(table)
            cell = "-" if gap is None else f"{100 * gap:+.2f}"
            row.append(f"**{cell}**" if gap is not None and gap < -boosting.MAX_TABLE_GAP else cell)
        rows.append(row)
    out += [markdown_table(["table", "best boosting", "its accuracy", *per_recipe], rows), ""]
    out += ["Negative: behind the best; bold: more than 1.5 points behind.", ""]
    out += ["### Targets of issue 18 (against the gradient-boosted trees)", ""]
    for c in recipes:
        earlier = ranking.verdicts(acc, ll, fit, c.name, mlp=MLP, hgb=HGB)
        for target, status, detail in boosting.issue_verdicts(acc, ll, fit, c.name, earlier):
            out.append(f"- {c.name}: {target}: **{status}** ({detail})")
    return [*out, ""]


def _warning_lines(records):
    seen = {}
    for record in records:
        for message in record.get("other_warnings", []):
            seen.setdefault((record["contender"], message), set()).add(record["table"])
    errors = {}
    for record in records:
        if record.get("error"):
            errors.setdefault((record["contender"], record["error"]), set()).add(record["table"])
    out = []
    if errors:
        out += ["### Errors", ""]
        out += [f"- {c} on {', '.join(sorted(t))}: {e}" for (c, e), t in errors.items()]
        out.append("")
    if seen:
        out += ["### Other warnings (silenced; distinct messages)", ""]
        out += [f"- {c} on {', '.join(sorted(t))}: {m}" for (c, m), t in seen.items()]
        out.append("")
    return out
