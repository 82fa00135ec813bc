"""One whole benchmark run, from the parsed options to the report and the JSON dump.

The order matters for the figures: the GEMM peak is measured before and after
the training configurations (so that a change of machine speed during the run is
visible), and the memory subprocesses run last, when the parent's large arrays
are no longer being worked on.
"""

from __future__ import annotations

import gc
import json
import os
import sys
import time

import numpy as np

from benchmarks.common.formatting import json_default
from benchmarks.common.machine import load_average, machine_info, print_machine_info
from benchmarks.common.timing import silence_convergence_warnings
from benchmarks.epoch import report, verdicts
from benchmarks.epoch.contenders import MLPContender, SkdeepContender, import_skdeep
from benchmarks.epoch.data import make_data
from benchmarks.epoch.gemm import gemm_peak, measure_gemm, print_gemm
from benchmarks.epoch.memory import run_memory
from benchmarks.epoch.settings import CONFIGS, TORCH_THREADS
from benchmarks.epoch.timing import run_predict, run_train_config
from benchmarks.epoch.torch_mlp import TorchContender


def _progress(args, message):
    if args.verbose:
        print(message, file=sys.stderr)


def _print_header(info, contenders):
    print("# skdeep per-epoch benchmark")
    print()
    print(f"command: {' '.join([os.path.basename(sys.executable), *sys.argv])}")
    print()
    print_machine_info(info, TORCH_THREADS)
    for c in contenders:
        if not c.available:
            print(f"**NOTE: {c.name} contender skipped: {c.why_unavailable}**")
            print()


def _measure(args, contenders, Xs, y, dtypes):
    """Run the selected configurations; returns (gemm_runs, results, predict_res, mem_res)."""
    gemm_runs = [measure_gemm(dtypes, args.gemm_repeats)]
    results = {}
    fitted = {}
    for cid in args.configs:
        cfg = CONFIGS[cid]
        if cfg["kind"] != "train":
            continue
        _progress(args, f"running config {cid}: {cfg['label']}")
        models = {}
        results[cid] = run_train_config(cid, cfg, contenders, Xs[cfg["dtype"]], y, args, models)
        if cid == 1:
            fitted = models  # config 5 predicts with these
        del models
        gc.collect()

    predict_res = None
    if 5 in args.configs:
        _progress(args, "running config 5: predict")
        predict_res = run_predict(CONFIGS[5], contenders, Xs["float32"], y, args, fitted)
    fitted = None

    gemm_runs.append(measure_gemm(dtypes, args.gemm_repeats))

    mem_res = None
    if 6 in args.configs:
        _progress(args, "running config 6: memory")
        mem_res = run_memory(contenders, Xs["float32"], y, args)
    return gemm_runs, results, predict_res, mem_res


def run(args):
    """Run the benchmark selected by ``args`` and print the markdown report.

    Parameters
    ----------
    args : argparse.Namespace
        As parsed by ``bench_epoch.parse_args`` (defaults already filled in).

    Returns
    -------
    int
        The exit status, 0.
    """
    silence_convergence_warnings()
    t_start = time.perf_counter()

    sk = SkdeepContender()
    mlp = MLPContender()
    tc = TorchContender(enabled=not args.no_torch)
    contenders = [sk, mlp, tc]

    info = machine_info(
        tc.torch if tc.available else None,
        sk.why_unavailable or f"imported from {import_skdeep()[1]}",
    )
    _print_header(info, contenders)

    cfgs = [CONFIGS[c] for c in args.configs]
    # Only the precisions being trained need a GEMM peak (float32 for predict/memory).
    dtypes = sorted({c["dtype"] for c in cfgs if c["kind"] == "train"}) or ["float32"]

    X64, y = make_data(args.n_samples)
    Xs = {"float64": X64, "float32": X64.astype(np.float32)}
    gemm_runs, results, predict_res, mem_res = _measure(args, contenders, Xs, y, dtypes)

    loadavg = load_average()
    if loadavg is not None:
        info["loadavg_end"] = loadavg
    print_gemm(gemm_runs, dtypes)
    report.print_training(args, args.n_samples, results, gemm_runs, contenders)
    if predict_res is not None:
        report.print_predict(args, args.n_samples, predict_res, contenders)
    if mem_res is not None:
        report.print_memory(args, mem_res, contenders, Xs["float32"].nbytes + y.nbytes)
    noise = verdicts.noise_warnings(results, predict_res, gemm_runs, info)
    verdicts.print_noise_check(noise)
    targets = verdicts.print_targets(verdicts.collect_targets(results, mem_res))
    if "loadavg_end" in info:
        print("load average at end: " + ", ".join(f"{x:.2f}" for x in info["loadavg_end"]))
    elapsed = time.perf_counter() - t_start
    print(f"total benchmark wall time: {elapsed:.0f} s")

    if args.json:
        dump = dict(
            args={k: v for k, v in vars(args).items() if not k.startswith("_")},
            machine=info,
            n_samples=args.n_samples,
            configs={cid: {k: v for k, v in CONFIGS[cid].items()} for cid in args.configs},
            gemm=gemm_runs,
            gemm_peak={dt: gemm_peak(gemm_runs, dt) for dt in dtypes},
            train={str(k): v for k, v in results.items()},
            predict=predict_res,
            memory=mem_res,
            targets=targets,
            noise_warnings=noise,
            wall_time_s=elapsed,
        )
        with open(args.json, "w") as f:
            json.dump(dump, f, indent=2, default=json_default)
        print(f"raw timings written to {args.json}")
    return 0
