"""Fit peak memory above the data (config 6), one fresh subprocess per measurement.

A fresh interpreter per contender and per method, because a process's peak RSS
and its allocator caches remember everything it did before: measured in the
benchmark's own process, the previous configurations would mask the fit. The
worker is ``bench_epoch.py --_mem-worker NAME --_mem-mode MODE --_mem-data DIR``;
it prints one JSON line, which :func:`run_memory` collects.
"""

from __future__ import annotations

import gc
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

from benchmarks.common.timing import error_message, silence_convergence_warnings
from benchmarks.epoch.contenders import MLPContender, SkdeepContender
from benchmarks.epoch.settings import BATCH_SIZE, CONFIGS, MLP, N_FEATURES, SK, TORCH
from benchmarks.epoch.torch_mlp import TorchContender

REPO_ROOT = str(Path(__file__).resolve().parents[2])
# The CLI that runs the worker (it dispatches on --_mem-worker).
SCRIPT = str(Path(__file__).resolve().parents[1] / "bench_epoch.py")


def _rss_kib(field):
    """A ``/proc/self/status`` field in KiB (``VmRSS``, ``VmHWM``), or None."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return None


def _warm_up_blas(name, c, dtype):
    """Run the products of a fit once, so thread pools and their buffers are not counted."""
    a = np.ones((BATCH_SIZE, N_FEATURES), dtype=dtype)
    b = np.ones((N_FEATURES, 256), dtype=dtype)
    for _ in range(3):
        a @ b
        a.T @ (a @ b)
    if name == TORCH:
        t = c.torch
        ta = t.from_numpy(a)
        lin = t.nn.Linear(N_FEATURES, 256)
        (lin(ta).sum()).backward()
        del ta, lin
    del a, b
    gc.collect()


def _measure_tracemalloc(c, cfg, X, y, epochs):
    import tracemalloc

    tracemalloc.start()
    before, _ = tracemalloc.get_traced_memory()
    c.fit(cfg, X, y, epochs)
    cur, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return dict(peak_bytes=int(peak - before), retained_bytes=int(cur - before))


def _measure_rss(c, cfg, X, y, epochs):
    import resource

    reset = True
    try:  # reset the RSS high-water mark (VmHWM), Linux >= 4.0
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
    except OSError:
        reset = False
    rss0 = _rss_kib("VmRSS")
    maxrss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    _, _est, _ = c.fit(cfg, X, y, epochs)  # keep the model alive until the peak is read
    hwm = _rss_kib("VmHWM")
    maxrss1 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    if reset and hwm is not None:
        peak_kib, method = hwm, "VmHWM after clear_refs"
    else:
        peak_kib, method = maxrss1, "ru_maxrss (not reset)"
    return dict(
        peak_bytes=int((peak_kib - rss0) * 1024),
        rss_before_kib=rss0,
        ru_maxrss_before_kib=maxrss0,
        ru_maxrss_after_kib=maxrss1,
        vmhwm_kib=hwm,
        rss_method=method,
    )


def mem_worker(args):
    """Runs in a fresh interpreter: load X, warm up BLAS and the contender, measure one fit.

    Prints one JSON line: the measurement, or ``{"error": ...}``.

    Parameters
    ----------
    args : argparse.Namespace
        ``_mem_worker`` (contender name), ``_mem_mode`` (``"rss"`` or
        ``"tracemalloc"``), ``_mem_data`` (directory with ``X.npy`` and ``y.npy``)
        and ``mem_epochs``.
    """
    silence_convergence_warnings()
    cfg = CONFIGS[6]
    name = args._mem_worker
    mode = args._mem_mode
    c = {SK: SkdeepContender, MLP: MLPContender, TORCH: lambda: TorchContender(True)}[name]()
    if not c.available:
        print(json.dumps(dict(error=c.why_unavailable)))
        return
    X = np.load(os.path.join(args._mem_data, "X.npy"))
    y = np.load(os.path.join(args._mem_data, "y.npy"))
    _warm_up_blas(name, c, X.dtype)
    # One tiny fit first: what a process pays once (lazy imports such as the compiled
    # kernels' numba, loading compiled code from its cache) is not the fit's memory.
    c.fit(cfg, X[:BATCH_SIZE], y[:BATCH_SIZE], 1)
    gc.collect()
    out = dict(contender=name, mode=mode, data_bytes=int(X.nbytes + y.nbytes))
    measure = _measure_tracemalloc if mode == "tracemalloc" else _measure_rss
    try:
        out.update(measure(c, cfg, X, y, args.mem_epochs))
    except Exception as exc:
        print(json.dumps(dict(error=error_message(exc))))
        return
    print(json.dumps(out))


def run_memory(contenders, X32, y, args):
    """Measure each available contender's fit memory in fresh subprocesses.

    Parameters
    ----------
    contenders : list of Contender
    X32, y : ndarray
        float32 data, written to ``.npy`` files that the workers load.
    args : argparse.Namespace
        ``mem_epochs``.

    Returns
    -------
    dict
        ``{name: {"rss": {...}, "tracemalloc": {...}}}``: each the worker's JSON
        output, or ``{"error": "worker exit ...: last stderr line"}``.
    """
    names = [c.name for c in contenders if c.available]
    res = {}
    with tempfile.TemporaryDirectory(prefix="skdeep_bench_") as d:
        np.save(os.path.join(d, "X.npy"), X32)
        np.save(os.path.join(d, "y.npy"), y)
        env = dict(os.environ)
        # The worker must import the same (working tree) skdeep and benchmark modules.
        env["PYTHONPATH"] = os.pathsep.join(p for p in (REPO_ROOT, env.get("PYTHONPATH", "")) if p)
        for name in names:
            res[name] = {}
            for mode in ("rss", "tracemalloc"):
                cmd = [
                    sys.executable,
                    SCRIPT,
                    "--_mem-worker",
                    name,
                    "--_mem-mode",
                    mode,
                    "--_mem-data",
                    d,
                    "--mem-epochs",
                    str(args.mem_epochs),
                ]
                p = subprocess.run(cmd, capture_output=True, text=True, env=env)
                lines = [ln for ln in p.stdout.splitlines() if ln.startswith("{")]
                if p.returncode != 0 or not lines:
                    tail = (p.stderr.strip().splitlines() or ["?"])[-1]
                    res[name][mode] = dict(error=f"worker exit {p.returncode}: {tail}")
                else:
                    res[name][mode] = json.loads(lines[-1])
    return res
