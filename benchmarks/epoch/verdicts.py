"""The end of the report: was the run disturbed (noise check), and are the targets met.

The targets are those of the performance issue (see ``benchmarks/README.md``):
skdeep >= 1.5x faster than MLPClassifier at the same precision, >= 1.2x faster
than PyTorch, >= 75% of the measured GEMM peak for widths >= 256, and a fit
memory overhead no larger than MLPClassifier's. Each is a (description, value,
threshold) triple, met when value >= threshold, n/a when a contender is missing.
"""

from __future__ import annotations

from benchmarks.common.machine import load_warnings
from benchmarks.common.timing import spread_warnings
from benchmarks.epoch.gemm import gemm_drift_warnings
from benchmarks.epoch.settings import CONFIGS, MLP, SK


def noise_warnings(results, predict_res, gemm_runs, info):
    """Heuristics that flag a run disturbed by other load on the machine.

    Parameters
    ----------
    results : dict of int to dict
        Training results by config id.
    predict_res : dict or None
        Predict results (config 5).
    gemm_runs : list of dict
        GEMM measurements before and after the training.
    info : dict
        Machine info with the load averages.

    Returns
    -------
    list of str
        Wide spreads, then GEMM drift, then high load averages.
    """
    sets = [(f"config {cid}", res) for cid, res in results.items()]
    if predict_res is not None:
        sets.append(("config 5 (predict)", predict_res))
    # Our own run keeps ~2 threads busy, so the end-of-run load limit is higher.
    return spread_warnings(sets) + gemm_drift_warnings(gemm_runs) + load_warnings(info)


def print_noise_check(noise):
    """Print the ``## Noise check`` section for the messages of :func:`noise_warnings`."""
    print("## Noise check")
    print()
    for w in noise:
        print(f"- WARNING: {w}")
    if not noise:
        print(
            "- no sign of interference (spreads <= 25% of the median, GEMM stable, "
            "load average low)"
        )
    print()


def collect_targets(results, mem_res):
    """The targets, in report order, from results already completed by the report.

    Parameters
    ----------
    results : dict of int to dict
        Training results after :func:`.report.print_training` (which stores the
        ratios and the % of peak).
    mem_res : dict or None
        Memory results (config 6).

    Returns
    -------
    list of (str, float or None, float)
        (description, value, threshold); value None means n/a.
    """
    targets = []
    for cid, res in results.items():
        cfg = CONFIGS[cid]
        r_mlp = res["_ratios"]["mlp_over_skdeep"]
        r_torch = res["_ratios"]["torch_over_skdeep"]
        bn = cfg["bn"] or cfg["dropout"]
        if not bn:  # MLPClassifier has no BN/dropout: no like-for-like ratio
            targets.append(
                (
                    f"config {cid} {cfg['label']}: skdeep >= 1.5x faster than "
                    f"MLPClassifier (same precision)",
                    r_mlp,
                    1.5,
                )
            )
        targets.append(
            (f"config {cid} {cfg['label']}: skdeep >= 1.2x faster than PyTorch", r_torch, 1.2)
        )
        if not bn and min(cfg["hidden"]) >= 256:
            pct = res.get(SK, {}).get("pct_peak")
            targets.append(
                (
                    f"config {cid} {cfg['label']}: skdeep >= 75% of measured "
                    f"{cfg['dtype']} GEMM peak",
                    None if pct is None else pct / 100.0,
                    0.75,
                )
            )
    if mem_res is not None:
        for mode, what in (("rss", "RSS peak delta"), ("tracemalloc", "tracemalloc peak")):
            sk = mem_res.get(SK, {}).get(mode, {}).get("peak_bytes")
            ml = mem_res.get(MLP, {}).get(mode, {}).get("peak_bytes")
            # "skdeep overhead <= MLPClassifier's" as a ratio MLP/skdeep >= 1
            if sk is None or ml is None:
                val = None
            elif sk <= 0:
                val = float("inf")
            else:
                val = ml / sk
            targets.append(
                (f"config 6: skdeep fit memory overhead ({what}) <= MLPClassifier's", val, 1.0)
            )
    return targets


def print_targets(targets):
    """Print the ``## Targets`` section as MET / NOT MET / n/a.

    Parameters
    ----------
    targets : list of (str, float or None, float)
        From :func:`collect_targets`.

    Returns
    -------
    list of dict
        ``target``, ``value``, ``threshold``, ``status`` for the JSON dump.
    """
    print("## Targets")
    print()
    out = []
    for desc, val, thr in targets:
        if val is None:
            status, shown = "n/a", "n/a"
        else:
            status = "MET" if val >= thr else "NOT MET"
            shown = f"{val:.2f}" if "GEMM" not in desc else f"{100 * val:.0f}%"
        if "memory" in desc and val is not None:
            shown = f"MLPClassifier/skdeep = {val:.2f}"
        print(f"- [{status}] {desc}: {shown}")
        out.append(dict(target=desc, value=val, threshold=thr, status=status))
    print()
    return out
