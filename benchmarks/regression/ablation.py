"""The ablation table: the recipe and each variant ranked against the peers alone.

With several variants in one run, ranking them all together would let them
crowd one another; each row here ranks one recipe contender among the peers
(RidgeCV, the standardised MLPRegressor, HGB, LightGBM when installed) by R²,
as the recipe is judged, so a row reads "what the targets would say with this
change". Built on :mod:`benchmarks.tabular.ranking` (ranks, wins, ties).
"""

from __future__ import annotations

from benchmarks.tabular import ranking
from benchmarks.tabular.report import markdown_table

from .contenders import HGB, MLP, PEERS


def summarise(r2, fit_time, recipes):
    """One row per recipe contender.

    Parameters
    ----------
    r2, fit_time : pandas.DataFrame
        Tables x contenders: mean R² and total fit time.
    recipes : list of str
        The recipe contenders to rank (columns of ``r2``).

    Returns
    -------
    list of dict
        Keys ``contender``, ``rank`` (mean rank among itself and the peers),
        ``wins_mlp`` (wins against the standardised MLPRegressor), ``n_tables``,
        ``r2`` (mean R²), ``time_vs_hgb`` (total fit time over HGB's). Only the
        tables where the contender and every peer in the run have a result.
    """
    peers = [p for p in PEERS if p in r2 and r2[p].notna().any()]
    rows = []
    for name in recipes:
        frame = r2[[*peers, name]].dropna()
        if frame.empty:
            continue
        rank = ranking.ranks(frame)[name].mean()
        wins = ranking.wins_ties_losses(frame, name, MLP)[0] if MLP in peers else None
        hgb = fit_time.loc[frame.index, HGB].sum() if HGB in peers else float("nan")
        rows.append(
            {
                "contender": name,
                "rank": float(rank),
                "wins_mlp": wins,
                "n_tables": len(frame),
                "r2": float(frame[name].mean()),
                "time_vs_hgb": float(fit_time.loc[frame.index, name].sum() / hgb),
            }
        )
    return rows


def markdown(rows, n_peers):
    """The ablation rows as a markdown table.

    Parameters
    ----------
    rows : list of dict
        From :func:`summarise`.
    n_peers : int
        How many peers each row was ranked among (for the heading).

    Returns
    -------
    str
    """
    header = [
        "variant",
        f"rank of {n_peers + 1}",
        f"wins vs {MLP}",
        "mean R²",
        "fit time x HGB",
    ]
    body = [
        [
            row["contender"],
            f"{row['rank']:.2f}",
            "-" if row["wins_mlp"] is None else f"{row['wins_mlp']}/{row['n_tables']}",
            f"{row['r2']:.4f}",
            f"{row['time_vs_hgb']:.2f}",
        ]
        for row in rows
    ]
    return markdown_table(header, body)
