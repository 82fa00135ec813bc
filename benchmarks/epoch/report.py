"""The markdown tables of the report: training, prediction and fit memory.

Printing the training table also derives the figures the targets and the JSON
dump need (GFLOP/s, % of peak, ratios) and stores them in the results, so that
they are computed once, from the same medians the table shows.
"""

from __future__ import annotations

from benchmarks.common.formatting import fmt, ratio
from benchmarks.epoch.gemm import gemm_peak
from benchmarks.epoch.settings import (
    ALPHA,
    BATCH_SIZE,
    BIG_PATIENCE,
    CONFIGS,
    LR,
    MLP,
    N_CLASSES,
    N_FEATURES,
    SK,
    TORCH,
)

MIB = 1024.0 * 1024.0


def _print_training_protocol(args, n_samples):
    k_desc = (
        f"each timed fit is a fresh estimator with max_iter={args.epochs} "
        f"(tol=0, n_iter_no_change={BIG_PATIENCE}, so all {args.epochs} epochs run); "
        f"s/epoch = fit wall time / {args.epochs}, nothing subtracted"
        if args.method == "fit"
        else "s/epoch = wall time of one partial_fit call (one epoch) after an untimed "
        "warm-up partial_fit"
    )
    print(
        f"- {n_samples} samples x {N_FEATURES} features, {N_CLASSES} classes, batch "
        f"{BATCH_SIZE}, Adam lr {LR}, alpha {ALPHA}, shuffle on; {k_desc}."
    )
    print(
        f"- Contenders interleaved (skdeep, MLPClassifier, torch, skdeep, ...), "
        f"{args.repeats} repeats after one untimed warm-up epoch each; median reported, "
        f"spread = min-max over the repeats."
    )
    print(
        "- GFLOP/s achieved = 6 x n_samples x n_parameters / (s/epoch) / 1e9 "
        "(2 flops/weight/sample forward + 4 backward; n_parameters includes biases "
        "and BN scale/shift; BN/dropout/activation/optimizer work is not counted)."
    )
    print(
        "- % of peak = GFLOP/s achieved / measured GEMM peak of the same dtype "
        "(best-of-N 2048^3 np.matmul)."
    )
    print(
        "- ratios = median s/epoch of MLPClassifier (resp. torch) / median s/epoch of "
        "skdeep, same run; > 1 means skdeep is faster."
    )
    print()


def print_training(args, n_samples, results, gemm_runs, contenders):
    """Print the ``## Training: time per epoch`` section.

    Parameters
    ----------
    args : argparse.Namespace
        ``epochs``, ``method``, ``repeats``.
    n_samples : int
    results : dict of int to dict
        From :func:`.timing.run_train_config` by config id. Updated in place:
        ``gflops`` and ``pct_peak`` per contender, ``"_ratios"`` per config.
    gemm_runs : list of dict
        For the peak of each dtype.
    contenders : list of Contender
        Row order; unavailable ones get an n/a row.
    """
    print("## Training: time per epoch")
    print()
    _print_training_protocol(args, n_samples)
    print(
        "| config | contender | median s/epoch | spread (min-max) | n_params "
        "| GFLOP/s achieved | % of GEMM peak (same dtype) "
        "| ratio MLPClassifier/skdeep | ratio torch/skdeep |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for cid, res in results.items():
        cfg = CONFIGS[cid]
        peak = gemm_peak(gemm_runs, cfg["dtype"])
        sk_med = res.get(SK, {}).get("median")
        r_mlp = ratio(res.get(MLP, {}).get("median"), sk_med)
        r_torch = ratio(res.get(TORCH, {}).get("median"), sk_med)
        for c in contenders:
            v = res.get(c.name)
            if v is None:
                print(f"| {cid}: {cfg['label']} | {c.name} | n/a (skipped, see note) | | | | | | |")
                continue
            med = v["median"]
            gflops = (6.0 * n_samples * v["nparams"] / med / 1e9) if med else None
            pct = 100.0 * gflops / peak if gflops else None
            v["gflops"], v["pct_peak"] = gflops, pct
            spread = f"{min(v['times']):.3f}-{max(v['times']):.3f}" if v["times"] else ""
            err = f" **error: {v['errors'][0]}**" if v["errors"] else ""
            rm = rt = ""
            if c.name == SK:
                rm, rt = fmt(r_mlp, ".2f"), fmt(r_torch, ".2f")
                if (cfg["bn"] or cfg["dropout"]) and r_mlp is not None:
                    rm += " (vs no-BN reference)"
            print(
                f"| {cid}: {cfg['label']} | {v['label']}{err} | {fmt(med)} | {spread} "
                f"| {v['nparams']:,} | {fmt(gflops, '.1f')} "
                f"| {fmt(pct, '.0f') + ('%' if pct else '')} "
                f"| {rm} | {rt} |"
            )
        res["_ratios"] = dict(mlp_over_skdeep=r_mlp, torch_over_skdeep=r_torch)
    print()


def print_predict(args, n_samples, predict_res, contenders):
    """Print the ``## Predict throughput (config 5)`` section.

    Parameters
    ----------
    args : argparse.Namespace
        ``repeats``.
    n_samples : int
    predict_res : dict
        From :func:`.timing.run_predict`; ``"_ratios"`` is added.
    contenders : list of Contender
    """
    cfg = CONFIGS[5]
    print("## Predict throughput (config 5)")
    print()
    print(
        f"- models fitted in config 1 (or 1 untimed epoch if config 1 was not run), "
        f"predict on all {n_samples} training samples, interleaved, "
        f"{args.repeats} repeats, median; torch: eval() + inference_mode, "
        f"argmax of logits, numpy in/out."
    )
    print()
    print(
        "| config | contender | median s/predict | samples/s | train accuracy "
        "| ratio MLPClassifier/skdeep | ratio torch/skdeep |"
    )
    print("|---|---|---|---|---|---|---|")
    sk_med = predict_res.get(SK, {}).get("median")
    r_mlp = ratio(predict_res.get(MLP, {}).get("median"), sk_med)
    r_torch = ratio(predict_res.get(TORCH, {}).get("median"), sk_med)
    predict_res["_ratios"] = dict(mlp_over_skdeep=r_mlp, torch_over_skdeep=r_torch)
    for c in contenders:
        v = predict_res.get(c.name)
        if v is None:
            print(f"| 5: {cfg['label']} | {c.name} | n/a (skipped, see note) | | | | |")
            continue
        err = f" **error: {v['errors'][0]}**" if v["errors"] else ""
        rm = rt = ""
        if c.name == SK:
            rm, rt = fmt(r_mlp, ".2f"), fmt(r_torch, ".2f")
        print(
            f"| 5: {cfg['label']} | {v['label']}{err} | {fmt(v['median'], '.4f')} "
            f"| {fmt(v.get('samples_per_s'), ',.0f')} "
            f"| {fmt(v.get('train_accuracy'), '.3f')} | {rm} | {rt} |"
        )
    print()


def print_memory(args, mem_res, contenders, X_nbytes):
    """Print the ``## Fit peak memory above the data (config 6)`` section.

    Parameters
    ----------
    args : argparse.Namespace
        ``mem_epochs``.
    mem_res : dict
        From :func:`.memory.run_memory`.
    contenders : list of Contender
    X_nbytes : int
        Size of the data, which is not counted (said in the report).
    """
    print("## Fit peak memory above the data (config 6)")
    print()
    print(
        f"- (256,) float32, fit with max_iter={args.mem_epochs}, one fresh subprocess "
        f"per contender and per method; X (float32) and y are loaded and BLAS is "
        f"warmed up before measuring, so the data itself "
        f"({X_nbytes / 2**20:.0f} MiB) is not counted."
    )
    print(
        "- RSS: peak resident set during fit minus RSS just before fit "
        "(VmHWM after resetting it through /proc/self/clear_refs; falls back to "
        "ru_maxrss). tracemalloc: peak traced Python+NumPy allocations during fit "
        "minus traced before (PyTorch's allocator is not traced: n/a for torch)."
    )
    print()
    print("| contender | RSS peak delta (MiB) | tracemalloc peak (MiB) | note |")
    print("|---|---|---|---|")
    for c in contenders:
        v = mem_res.get(c.name)
        if v is None:
            print(f"| {c.name} | n/a | n/a | skipped, see note |")
            continue
        rss = v.get("rss", {})
        tm = v.get("tracemalloc", {})
        notes = list(dict.fromkeys(x["error"] for x in (rss, tm) if "error" in x))
        if c.name == TORCH:
            notes.append("reference only")
        if "rss_method" in rss and "clear_refs" not in rss["rss_method"]:
            notes.append(rss["rss_method"])
        rss_v = rss.get("peak_bytes")
        tm_v = tm.get("peak_bytes") if c.name != TORCH else None
        print(
            f"| {c.name} | {fmt(rss_v and rss_v / MIB, '.1f')} "
            f"| {fmt(tm_v and tm_v / MIB, '.1f')} | {'; '.join(notes)} |"
        )
    print()
