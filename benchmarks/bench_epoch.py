#!/usr/bin/env python
"""Per-epoch training benchmark: skdeep vs scikit-learn MLPClassifier vs PyTorch.

Run from the repository root::

    python benchmarks/bench_epoch.py                 # full run (60000 samples, 5 repeats)
    python benchmarks/bench_epoch.py --quick         # 20000 samples, 2 repeats
    python benchmarks/bench_epoch.py --configs 1 5 --repeats 7 --json out.json

See ``benchmarks/README.md`` for the protocol and the meaning of every column.

The script only needs numpy and scikit-learn.  skdeep and PyTorch are optional
contenders: if one of them cannot be imported its columns are reported as
"n/a" and the rest of the benchmark still runs.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import itertools
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
import traceback
import warnings

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
REPO_ROOT = os.path.dirname(HERE)
# Benchmark the working tree's skdeep, not whatever may be installed elsewhere.
if REPO_ROOT not in sys.path:
    sys.path.insert(0, REPO_ROOT)

N_CLASSES = 10
N_FEATURES = 784
BATCH_SIZE = 200
LR = 1e-3
ALPHA = 1e-4
TORCH_THREADS = 2
BIG_PATIENCE = 10_000  # n_iter_no_change: never stop early inside a timed fit

SK = "skdeep"
MLP = "MLPClassifier"
TORCH = "torch"
CONTENDERS = (SK, MLP, TORCH)

# id -> description.  "kind" is "train", "predict" or "memory".
CONFIGS = {
    1: dict(
        kind="train", hidden=(256,), dtype="float32", bn=False, dropout=0.0, label="(256,) f32"
    ),
    2: dict(
        kind="train", hidden=(256,), dtype="float64", bn=False, dropout=0.0, label="(256,) f64"
    ),
    3: dict(
        kind="train",
        hidden=(512, 512, 512),
        dtype="float32",
        bn=False,
        dropout=0.0,
        label="(512,512,512) f32",
    ),
    4: dict(
        kind="train",
        hidden=(256,),
        dtype="float32",
        bn=True,
        dropout=0.5,
        label="(256,) f32 BN+dropout0.5",
    ),
    5: dict(
        kind="predict",
        hidden=(256,),
        dtype="float32",
        bn=False,
        dropout=0.0,
        label="predict (256,) f32",
    ),
    6: dict(
        kind="memory",
        hidden=(256,),
        dtype="float32",
        bn=False,
        dropout=0.0,
        label="fit memory (256,) f32",
    ),
}


# --------------------------------------------------------------------------
# optional imports
# --------------------------------------------------------------------------


def _silence_warnings():
    from sklearn.exceptions import ConvergenceWarning

    warnings.simplefilter("ignore", ConvergenceWarning)
    warnings.filterwarnings("ignore", message=".*Maximum iterations.*")
    warnings.filterwarnings("ignore", message=".*hasn't converged.*")


def import_skdeep():
    """Return (MLPSoftmaxClassifier or None, message)."""
    try:
        import skdeep
        from skdeep import MLPSoftmaxClassifier
    except Exception as exc:  # ImportError, or anything raised at import time
        return None, f"{type(exc).__name__}: {exc}"
    return MLPSoftmaxClassifier, getattr(skdeep, "__file__", "?")


def import_torch():
    try:
        import torch
    except Exception as exc:
        return None, f"{type(exc).__name__}: {exc}"
    torch.set_num_threads(TORCH_THREADS)
    return torch, torch.__version__


# --------------------------------------------------------------------------
# machine info
# --------------------------------------------------------------------------


def machine_info(torch_mod, skdeep_msg):
    info = {}
    cpu = "?"
    flags = ""
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name") and cpu == "?":
                    cpu = line.split(":", 1)[1].strip()
                elif line.startswith("flags") and not flags:
                    flags = line.split(":", 1)[1]
    except OSError:
        cpu = platform.processor() or "?"
    simd = [s for s in ("avx512f", "avx2", "fma", "avx") if f" {s} " in f" {flags} "]
    info["cpu_model"] = cpu
    info["cpu_simd"] = simd
    info["cpu_count"] = os.cpu_count()
    try:
        info["cpus_usable"] = len(os.sched_getaffinity(0))
    except AttributeError:
        info["cpus_usable"] = os.cpu_count()
    info["python"] = platform.python_version()
    info["platform"] = platform.platform()
    info["numpy"] = np.__version__
    import scipy
    import sklearn

    info["scipy"] = scipy.__version__
    info["sklearn"] = sklearn.__version__
    blas = []
    try:
        from threadpoolctl import threadpool_info

        for d in threadpool_info():
            blas.append(
                {
                    k: d.get(k)
                    for k in (
                        "user_api",
                        "internal_api",
                        "version",
                        "num_threads",
                        "architecture",
                        "threading_layer",
                        "filepath",
                    )
                }
            )
    except Exception as exc:
        blas.append({"error": f"threadpoolctl: {exc}"})
    info["threadpools"] = blas
    try:
        cfg = np.show_config(mode="dicts")
        b = cfg.get("Build Dependencies", {}).get("blas", {})
        info["numpy_blas"] = f"{b.get('name')} {b.get('version')}"
    except Exception:
        info["numpy_blas"] = "?"
    info["torch"] = torch_mod.__version__ if torch_mod is not None else None
    if torch_mod is not None:
        info["torch_threads"] = torch_mod.get_num_threads()
        info["torch_mkl"] = bool(torch_mod.backends.mkl.is_available())
        info["torch_mkldnn"] = bool(torch_mod.backends.mkldnn.is_available())
    info["skdeep"] = skdeep_msg
    with contextlib.suppress(OSError):
        info["loadavg_start"] = os.getloadavg()
    return info


def _short_path(path):
    """'.../site-packages/numpy.libs/libfoo.so' -> 'numpy.libs/libfoo.so'."""
    if not path:
        return ""
    parent, base = os.path.split(path)
    return os.path.join(os.path.basename(parent), base)


def print_machine_info(info):
    print("## Machine")
    print()
    print(
        f"- CPU: {info['cpu_model']} ({', '.join(info['cpu_simd']) or 'no AVX'}); "
        f"cores: {info['cpu_count']} (usable by this process: {info['cpus_usable']})"
    )
    print(f"- Python {info['python']} on {info['platform']}")
    print(
        f"- numpy {info['numpy']} (built against {info['numpy_blas']}), "
        f"scipy {info['scipy']}, scikit-learn {info['sklearn']}"
    )
    for d in info["threadpools"]:
        if "error" in d:
            print(f"- threadpool: {d['error']}")
        else:
            print(
                f"- threadpool: {d['internal_api']} {d['version']} "
                f"({d['user_api']}, {d['threading_layer']}, arch {d['architecture']}, "
                f"{d['num_threads']} threads) {_short_path(d['filepath'])}"
            )
    if info["torch"]:
        print(
            f"- torch {info['torch']} (set_num_threads({TORCH_THREADS}) -> "
            f"{info['torch_threads']} threads, MKL {info['torch_mkl']}, "
            f"oneDNN {info['torch_mkldnn']})"
        )
    else:
        print("- torch: not available (torch columns skipped)")
    print(f"- skdeep: {info['skdeep']}")
    if "loadavg_start" in info:
        print("- load average at start: " + ", ".join(f"{x:.2f}" for x in info["loadavg_start"]))
    print()


# --------------------------------------------------------------------------
# data
# --------------------------------------------------------------------------


def make_data(n_samples):
    from sklearn.datasets import make_classification
    from sklearn.preprocessing import StandardScaler

    X, y = make_classification(
        n_samples=n_samples,
        n_features=N_FEATURES,
        n_informative=200,
        n_classes=N_CLASSES,
        random_state=0,
    )
    X = StandardScaler().fit_transform(X)
    return np.ascontiguousarray(X, dtype=np.float64), y.astype(np.int64)


# --------------------------------------------------------------------------
# GEMM peak
# --------------------------------------------------------------------------

GEMM_SHAPES = [
    # (m, k, n): (m x k) @ (k x n); first two are the shapes of a batch-200 layer
    (200, 784, 256),
    (200, 512, 512),
    (2048, 2048, 2048),
]
PEAK_SHAPE = (2048, 2048, 2048)


def measure_gemm(dtypes, n_samples_meas, min_time=0.2):
    """GFLOP/s of np.matmul(out=...) per shape/dtype: best and median of N.

    Each of the N measurements runs enough back-to-back calls to last at
    least ``min_time`` seconds; GFLOP/s = 2*m*k*n / (time per call).
    """
    rng = np.random.default_rng(0)
    res = {}
    # spin up the BLAS thread pool (and the CPU clock) before measuring
    w = rng.standard_normal((1024, 1024))
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < 0.5:
        w @ w
    del w
    for dt in dtypes:
        for m, k, n in GEMM_SHAPES:
            a = rng.standard_normal((m, k)).astype(dt)
            b = rng.standard_normal((k, n)).astype(dt)
            c = np.empty((m, n), dtype=dt)
            flops = 2.0 * m * k * n
            np.matmul(a, b, out=c)  # warm-up
            t0 = time.perf_counter()
            np.matmul(a, b, out=c)
            one = max(time.perf_counter() - t0, 1e-6)
            reps = max(1, int(min_time / one))
            rates = []
            for _ in range(n_samples_meas):
                t0 = time.perf_counter()
                for _ in range(reps):
                    np.matmul(a, b, out=c)
                dt_call = (time.perf_counter() - t0) / reps
                rates.append(flops / dt_call / 1e9)
            res[f"{dt}:{m}x{k}x{n}"] = dict(
                dtype=dt,
                shape=(m, k, n),
                calls_per_sample=reps,
                gflops=rates,
                best=max(rates),
                median=float(np.median(rates)),
            )
    return res


def gemm_peak(gemm_runs, dtype):
    """Peak = best-of-N GFLOP/s of the large square GEMM over all GEMM runs."""
    key = f"{dtype}:{PEAK_SHAPE[0]}x{PEAK_SHAPE[1]}x{PEAK_SHAPE[2]}"
    vals = [r[key]["best"] for r in gemm_runs if key in r]
    return max(vals) if vals else float("nan")


def print_gemm(gemm_runs, dtypes):
    print("## Measured GEMM (np.matmul, BLAS threads as configured)")
    print()
    print(
        "GFLOP/s = 2*m*k*n / seconds per call. 'best' is best-of-N, 'median' is the "
        "median of N; each of the N samples is >= 0.2 s of back-to-back calls. "
        "Measured before and after the training runs."
    )
    print()
    print(
        "| dtype | shape (m x k) @ (k x n) | before: best | before: median "
        "| after: best | after: median |"
    )
    print("|---|---|---|---|---|---|")
    for dt in dtypes:
        for m, k, n in GEMM_SHAPES:
            key = f"{dt}:{m}x{k}x{n}"
            cells = []
            for r in gemm_runs[:2]:
                if key in r:
                    cells += [f"{r[key]['best']:.1f}", f"{r[key]['median']:.1f}"]
                else:
                    cells += ["", ""]
            while len(cells) < 4:
                cells.append("")
            print(f"| {dt} | ({m}x{k}) @ ({k}x{n}) | " + " | ".join(cells) + " |")
    print()
    for dt in dtypes:
        print(
            f"- **GEMM peak {dt}** (best-of-N of {PEAK_SHAPE[0]}^3, max over before/after): "
            f"{gemm_peak(gemm_runs, dt):.1f} GFLOP/s"
        )
    print()


# --------------------------------------------------------------------------
# contenders
# --------------------------------------------------------------------------


def n_params(hidden, bn, n_in=N_FEATURES, n_out=N_CLASSES):
    """Trainable parameters of the network (weights + biases + BN scale/shift).

    With batch norm the hidden Linear layers have no bias (BN's shift replaces it).
    """
    sizes = [n_in, *hidden, n_out]
    total = 0
    for i, (a, b) in enumerate(itertools.pairwise(sizes)):
        is_hidden = i < len(hidden)
        total += a * b
        if bn and is_hidden:
            total += 2 * b  # gamma, beta
        else:
            total += b  # bias
    return total


class Contender:
    name = "?"
    available = False
    why_unavailable = ""

    def supports(self, cfg):
        return True

    def label(self, cfg):
        return self.name


class SkdeepContender(Contender):
    name = SK

    def __init__(self):
        self.cls, msg = import_skdeep()
        self.available = self.cls is not None
        self.why_unavailable = "" if self.available else f"skdeep import failed ({msg})"

    def make(self, cfg, max_iter):
        kw = dict(
            hidden_layer_sizes=cfg["hidden"],
            solver="adam",
            batch_size=BATCH_SIZE,
            max_iter=max_iter,
            learning_rate_init=LR,
            alpha=ALPHA,
            shuffle=True,
            random_state=0,
            tol=0.0,
            n_iter_no_change=BIG_PATIENCE,
            dtype=cfg["dtype"],
        )
        if cfg["bn"]:
            kw["batch_norm"] = True
        if cfg["dropout"]:
            kw["dropout"] = cfg["dropout"]
        return self.cls(**kw)

    def fit(self, cfg, X, y, k):
        est = self.make(cfg, k)
        t0 = time.perf_counter()
        est.fit(X, y)
        return time.perf_counter() - t0, est, getattr(est, "n_iter_", None)

    def init_partial(self, cfg, X, y):
        est = self.make(cfg, 1)
        est.partial_fit(X, y, classes=np.arange(N_CLASSES))
        return est

    def partial_epoch(self, state, X, y):
        t0 = time.perf_counter()
        state.partial_fit(X, y)
        return time.perf_counter() - t0

    def predict(self, est, X):
        return est.predict(X)

    def nparams(self, cfg):
        return n_params(cfg["hidden"], cfg["bn"])


class MLPContender(Contender):
    name = MLP
    available = True

    def __init__(self):
        from sklearn.neural_network import MLPClassifier

        self.cls = MLPClassifier

    def label(self, cfg):
        if cfg["bn"] or cfg["dropout"]:
            return f"{MLP} (no BN/dropout: reference only)"
        return MLP

    def make(self, cfg, max_iter):
        # MLPClassifier keeps float32 when X is float32 (sklearn >= 1.?); the
        # precision is therefore selected by the dtype of X.
        return self.cls(
            hidden_layer_sizes=cfg["hidden"],
            solver="adam",
            batch_size=BATCH_SIZE,
            max_iter=max_iter,
            learning_rate_init=LR,
            alpha=ALPHA,
            shuffle=True,
            random_state=0,
            tol=0.0,
            n_iter_no_change=BIG_PATIENCE,
        )

    fit = SkdeepContender.fit
    init_partial = SkdeepContender.init_partial
    partial_epoch = SkdeepContender.partial_epoch
    predict = SkdeepContender.predict

    def nparams(self, cfg):
        return n_params(cfg["hidden"], False)  # no BN in MLPClassifier


class TorchModel:
    """A trained torch MLP plus what is needed to keep training it."""

    def __init__(self, torch, cfg, seed=0):
        nn = torch.nn
        self.torch = torch
        self.dtype = torch.float32 if cfg["dtype"] == "float32" else torch.float64
        torch.manual_seed(seed)
        layers = []
        n_in = N_FEATURES
        for h in cfg["hidden"]:
            if cfg["bn"]:
                layers += [nn.Linear(n_in, h, bias=False), nn.BatchNorm1d(h), nn.ReLU()]
            else:
                layers += [nn.Linear(n_in, h), nn.ReLU()]
            if cfg["dropout"]:
                layers.append(nn.Dropout(cfg["dropout"]))
            n_in = h
        layers.append(nn.Linear(n_in, N_CLASSES))
        self.model = nn.Sequential(*layers).to(self.dtype)
        # sklearn's L2 term is 0.5*alpha*||W||^2 / batch_size on the mean loss,
        # i.e. grad += alpha/batch_size * W on weight matrices only.
        decay = [p for p in self.model.parameters() if p.ndim == 2]
        no_decay = [p for p in self.model.parameters() if p.ndim != 2]
        self.opt = torch.optim.Adam(
            [
                dict(params=decay, weight_decay=ALPHA / BATCH_SIZE),
                dict(params=no_decay, weight_decay=0.0),
            ],
            lr=LR,
            betas=(0.9, 0.999),
            eps=1e-8,
        )
        self.loss_fn = nn.CrossEntropyLoss()
        self.gen = torch.Generator().manual_seed(seed)
        self.n_iter_ = 0

    def epoch(self, Xt, yt):
        torch = self.torch
        model, opt, loss_fn = self.model, self.opt, self.loss_fn
        model.train()
        n = Xt.shape[0]
        perm = torch.randperm(n, generator=self.gen)
        for i in range(0, n, BATCH_SIZE):
            idx = perm[i : i + BATCH_SIZE]
            xb = Xt.index_select(0, idx)
            yb = yt.index_select(0, idx)
            opt.zero_grad(set_to_none=True)
            loss = loss_fn(model(xb), yb)
            loss.backward()
            opt.step()
        self.n_iter_ += 1


class TorchContender(Contender):
    name = TORCH

    def __init__(self, enabled=True):
        if not enabled:
            self.torch, msg = None, "disabled with --no-torch"
        else:
            self.torch, msg = import_torch()
        self.available = self.torch is not None
        self.why_unavailable = "" if self.available else f"torch unavailable ({msg})"

    def fit(self, cfg, X, y, k):
        torch = self.torch
        t0 = time.perf_counter()
        Xt = torch.from_numpy(X)  # zero-copy; X already has the target dtype
        yt = torch.from_numpy(y)
        m = TorchModel(torch, cfg)
        for _ in range(k):
            m.epoch(Xt, yt)
        return time.perf_counter() - t0, m, m.n_iter_

    def init_partial(self, cfg, X, y):
        m = TorchModel(self.torch, cfg)
        m.epoch(self.torch.from_numpy(X), self.torch.from_numpy(y))
        return m

    def partial_epoch(self, state, X, y):
        t0 = time.perf_counter()
        state.epoch(self.torch.from_numpy(X), self.torch.from_numpy(y))
        return time.perf_counter() - t0

    def predict(self, m, X):
        torch = self.torch
        m.model.eval()
        with torch.inference_mode():
            return m.model(torch.from_numpy(X)).argmax(1).numpy()

    def nparams(self, cfg):
        return n_params(cfg["hidden"], cfg["bn"])


# --------------------------------------------------------------------------
# timing
# --------------------------------------------------------------------------


def _err(exc):
    return f"{type(exc).__name__}: {exc}".strip().splitlines()[0][:300]


def run_train_config(cid, cfg, contenders, X, y, args, models_out):
    """Interleaved timing of one training config; returns per-contender results."""
    k = args.epochs
    active = [c for c in contenders if c.available]
    res = {
        c.name: dict(label=c.label(cfg), times=[], errors=[], n_iter=[], nparams=c.nparams(cfg))
        for c in active
    }
    state = {}
    # warm-up (untimed): one epoch each, also validates that the contender works
    for c in active:
        try:
            if args.method == "partial_fit":
                state[c.name] = c.init_partial(cfg, X, y)
            else:
                c.fit(cfg, X, y, 1)
        except Exception as exc:
            res[c.name]["errors"].append("warm-up: " + _err(exc))
            if args.verbose:
                traceback.print_exc()
    alive = [c for c in active if not res[c.name]["errors"]]
    for r in range(args.repeats):
        for c in alive:  # A, B, C, A, B, C, ...
            if res[c.name]["errors"]:
                continue
            gc.collect()
            try:
                if args.method == "partial_fit":
                    t = c.partial_epoch(state[c.name], X, y)
                    res[c.name]["times"].append(t)
                    models_out[c.name] = state[c.name]
                else:
                    t, est, n_iter = c.fit(cfg, X, y, k)
                    res[c.name]["times"].append(t / k)
                    res[c.name]["n_iter"].append(n_iter)
                    if n_iter is not None and n_iter != k:
                        res[c.name]["errors"].append(
                            f"ran {n_iter} epochs instead of {k} (early stop?)"
                        )
                    models_out[c.name] = est
                    del est
            except Exception as exc:
                res[c.name]["errors"].append(f"repeat {r}: " + _err(exc))
                if args.verbose:
                    traceback.print_exc()
        if args.verbose:
            print(
                f"  [config {cid}] repeat {r + 1}/{args.repeats}: "
                + ", ".join(f"{n}={v['times'][-1]:.3f}s" for n, v in res.items() if v["times"]),
                file=sys.stderr,
            )
    for v in res.values():
        v["median"] = float(np.median(v["times"])) if v["times"] else None
    return res


def run_predict(cfg, contenders, X, y, args, fitted):
    active = [c for c in contenders if c.available]
    res = {c.name: dict(label=c.label(cfg), times=[], errors=[]) for c in active}
    for c in active:
        if c.name not in fitted:
            try:  # config 1 was not run: fit one (untimed) epoch to get a model
                _, fitted[c.name], _ = c.fit(cfg, X, y, 1)
            except Exception as exc:
                res[c.name]["errors"].append("fit: " + _err(exc))
                continue
        try:
            pred = c.predict(fitted[c.name], X)  # warm-up
            res[c.name]["train_accuracy"] = float(np.mean(np.asarray(pred) == y))
        except Exception as exc:
            res[c.name]["errors"].append("predict: " + _err(exc))
    alive = [c for c in active if not res[c.name]["errors"]]
    for _ in range(args.repeats):
        for c in alive:
            gc.collect()
            t0 = time.perf_counter()
            c.predict(fitted[c.name], X)
            res[c.name]["times"].append(time.perf_counter() - t0)
    for v in res.values():
        v["median"] = float(np.median(v["times"])) if v["times"] else None
        v["samples_per_s"] = X.shape[0] / v["median"] if v["median"] else None
    return res


# --------------------------------------------------------------------------
# memory (fresh subprocess per contender)
# --------------------------------------------------------------------------


def _rss_kib(field):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return None


def mem_worker(args):
    """Runs in a fresh interpreter: load X, warm up BLAS, measure one fit."""
    _silence_warnings()
    import resource

    cfg = CONFIGS[6]
    name = args._mem_worker
    mode = args._mem_mode
    c = {SK: SkdeepContender, MLP: MLPContender, TORCH: lambda: TorchContender(True)}[name]()
    if not c.available:
        print(json.dumps(dict(error=c.why_unavailable)))
        return
    X = np.load(os.path.join(args._mem_data, "X.npy"))
    y = np.load(os.path.join(args._mem_data, "y.npy"))
    # warm up BLAS (thread pool + per-thread buffers) so they aren't counted
    a = np.ones((BATCH_SIZE, N_FEATURES), dtype=X.dtype)
    b = np.ones((N_FEATURES, 256), dtype=X.dtype)
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
    out = dict(contender=name, mode=mode, data_bytes=int(X.nbytes + y.nbytes))
    if mode == "tracemalloc":
        import tracemalloc

        tracemalloc.start()
        before, _ = tracemalloc.get_traced_memory()
        try:
            c.fit(cfg, X, y, args.mem_epochs)
        except Exception as exc:
            print(json.dumps(dict(error=_err(exc))))
            return
        cur, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        out.update(peak_bytes=int(peak - before), retained_bytes=int(cur - before))
    else:
        reset = True
        try:  # reset the RSS high-water mark (VmHWM), Linux >= 4.0
            with open("/proc/self/clear_refs", "w") as f:
                f.write("5")
        except OSError:
            reset = False
        rss0 = _rss_kib("VmRSS")
        maxrss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        try:
            _, _est, _ = c.fit(cfg, X, y, args.mem_epochs)
        except Exception as exc:
            print(json.dumps(dict(error=_err(exc))))
            return
        hwm = _rss_kib("VmHWM")
        maxrss1 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        if reset and hwm is not None:
            peak_kib, method = hwm, "VmHWM after clear_refs"
        else:
            peak_kib, method = maxrss1, "ru_maxrss (not reset)"
        out.update(
            peak_bytes=int((peak_kib - rss0) * 1024),
            rss_before_kib=rss0,
            ru_maxrss_before_kib=maxrss0,
            ru_maxrss_after_kib=maxrss1,
            vmhwm_kib=hwm,
            rss_method=method,
        )
    print(json.dumps(out))


def run_memory(contenders, X32, y, args):
    names = [c.name for c in contenders if c.available]
    res = {}
    with tempfile.TemporaryDirectory(prefix="skdeep_bench_") as d:
        np.save(os.path.join(d, "X.npy"), X32)
        np.save(os.path.join(d, "y.npy"), y)
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (REPO_ROOT, env.get("PYTHONPATH", "")) if p)
        for name in names:
            res[name] = {}
            for mode in ("rss", "tracemalloc"):
                cmd = [
                    sys.executable,
                    os.path.abspath(__file__),
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


# --------------------------------------------------------------------------
# report
# --------------------------------------------------------------------------


def fmt(x, spec=".3f", na="n/a"):
    if x is None or (isinstance(x, float) and not np.isfinite(x)):
        return na
    return format(x, spec)


def ratio(num, den):
    if num is None or den is None or den == 0:
        return None
    return num / den


def noise_warnings(results, predict_res, gemm_runs, info):
    """Heuristics that flag a run disturbed by other load on the machine."""
    out = []
    sets = [(f"config {cid}", res) for cid, res in results.items()]
    if predict_res is not None:
        sets.append(("config 5 (predict)", predict_res))
    for where, res in sets:
        for name, v in res.items():
            if name.startswith("_") or not v.get("times") or not v.get("median"):
                continue
            spread = (max(v["times"]) - min(v["times"])) / v["median"]
            if spread > 0.25:
                out.append(f"{where} {name}: repeats spread over {100 * spread:.0f}% of the median")
    if len(gemm_runs) >= 2:
        for key, before in gemm_runs[0].items():
            after = gemm_runs[1].get(key)
            if after and abs(after["best"] / before["best"] - 1) > 0.15:
                out.append(
                    f"GEMM {key}: best went from {before['best']:.1f} to "
                    f"{after['best']:.1f} GFLOP/s between start and end"
                )
    for when in ("loadavg_start", "loadavg_end"):
        la = info.get(when)
        # our own run keeps ~2 threads busy, so only flag clearly higher load
        limit = 0.5 if when == "loadavg_start" else 3.0
        if la and la[0] > limit:
            out.append(
                f"1-min load average {la[0]:.2f} at {when.split('_')[1]} "
                f"(> {limit}): other processes were competing for the CPUs"
            )
    return out


def report(
    args, n_samples, results, predict_res, mem_res, gemm_runs, contenders, X_nbytes=0, info=None
):
    targets = []  # (description, value, threshold, met or None)
    print("## Training: time per epoch")
    print()
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
        bn = cfg["bn"] or cfg["dropout"]
        if not bn:
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
    print()

    if predict_res is not None:
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

    if mem_res is not None:
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
        mib = 1024.0 * 1024.0
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
                f"| {c.name} | {fmt(rss_v and rss_v / mib, '.1f')} "
                f"| {fmt(tm_v and tm_v / mib, '.1f')} | {'; '.join(notes)} |"
            )
        print()
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

    print("## Noise check")
    print()
    noise = noise_warnings(results, predict_res, gemm_runs, info)
    for w in noise:
        print(f"- WARNING: {w}")
    if not noise:
        print(
            "- no sign of interference (spreads <= 25% of the median, GEMM stable, "
            "load average low)"
        )
    print()

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
    return out, noise


# --------------------------------------------------------------------------
# main
# --------------------------------------------------------------------------


def parse_args(argv=None):
    p = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="configs: " + "; ".join(f"{k}={v['label']}" for k, v in CONFIGS.items()),
    )
    p.add_argument(
        "--quick", action="store_true", help="20000 samples, 2 repeats, 2 epochs per timed fit"
    )
    p.add_argument(
        "--repeats",
        type=int,
        default=None,
        help="timed repeats per contender (default 5, --quick 2)",
    )
    p.add_argument(
        "--configs",
        nargs="+",
        default=None,
        help="subset of configs, e.g. '--configs 1 3' or '--configs 1,5' (default: all)",
    )
    p.add_argument(
        "--epochs",
        type=int,
        default=None,
        help="epochs per timed fit (max_iter) with --method fit (default 3, --quick 2)",
    )
    p.add_argument(
        "--method",
        choices=("fit", "partial_fit"),
        default="fit",
        help="'fit': time fresh fit(max_iter=k) / k (default); 'partial_fit': "
        "time single partial_fit epochs of a warmed-up estimator",
    )
    p.add_argument(
        "--n-samples",
        type=int,
        default=None,
        help="override dataset size (default 60000, --quick 20000)",
    )
    p.add_argument(
        "--gemm-repeats",
        type=int,
        default=None,
        help="N for the GEMM measurements (default 7, --quick 3)",
    )
    p.add_argument(
        "--mem-epochs", type=int, default=2, help="epochs of the fit measured for memory (config 6)"
    )
    p.add_argument("--no-torch", action="store_true", help="skip the PyTorch contender")
    p.add_argument("--json", metavar="PATH", default=None, help="dump raw timings to PATH")
    p.add_argument(
        "-v", "--verbose", action="store_true", help="progress on stderr, tracebacks on errors"
    )
    # internal: memory worker
    p.add_argument("--_mem-worker", dest="_mem_worker", default=None, help=argparse.SUPPRESS)
    p.add_argument("--_mem-mode", dest="_mem_mode", default="rss", help=argparse.SUPPRESS)
    p.add_argument("--_mem-data", dest="_mem_data", default=None, help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.repeats is None:
        args.repeats = 2 if args.quick else 5
    if args.epochs is None:
        args.epochs = 2 if args.quick else 3
    if args.n_samples is None:
        args.n_samples = 20000 if args.quick else 60000
    if args.gemm_repeats is None:
        args.gemm_repeats = 3 if args.quick else 7
    if args.configs is None:
        args.configs = sorted(CONFIGS)
    else:
        ids = []
        for tok in args.configs:
            for part in tok.split(","):
                if part.strip():
                    try:
                        cid = int(part)
                    except ValueError:
                        p.error(f"bad config {part!r}: use numbers 1-{len(CONFIGS)}")
                    if cid not in CONFIGS:
                        p.error(f"unknown config {cid}: choose from {sorted(CONFIGS)}")
                    ids.append(cid)
        args.configs = sorted(set(ids))
    if args.repeats < 1 or args.epochs < 1:
        p.error("--repeats and --epochs must be >= 1")
    return args


def main(argv=None):
    args = parse_args(argv)
    if args._mem_worker:
        mem_worker(args)
        return 0
    _silence_warnings()
    t_start = time.perf_counter()

    sk = SkdeepContender()
    mlp = MLPContender()
    tc = TorchContender(enabled=not args.no_torch)
    contenders = [sk, mlp, tc]

    info = machine_info(
        tc.torch if tc.available else None,
        sk.why_unavailable or f"imported from {import_skdeep()[1]}",
    )
    print("# skdeep per-epoch benchmark")
    print()
    print(f"command: {' '.join([os.path.basename(sys.executable), *sys.argv])}")
    print()
    print_machine_info(info)
    for c in contenders:
        if not c.available:
            print(f"**NOTE: {c.name} contender skipped: {c.why_unavailable}**")
            print()

    cfgs = [CONFIGS[c] for c in args.configs]
    dtypes = sorted({c["dtype"] for c in cfgs if c["kind"] == "train"}) or ["float32"]

    X64, y = make_data(args.n_samples)
    Xs = {"float64": X64, "float32": X64.astype(np.float32)}

    gemm_runs = [measure_gemm(dtypes, args.gemm_repeats)]

    results = {}
    fitted = {}
    for cid in args.configs:
        cfg = CONFIGS[cid]
        if cfg["kind"] != "train":
            continue
        if args.verbose:
            print(f"running config {cid}: {cfg['label']}", file=sys.stderr)
        models = {}
        results[cid] = run_train_config(cid, cfg, contenders, Xs[cfg["dtype"]], y, args, models)
        if cid == 1:
            fitted = models
        del models
        gc.collect()

    predict_res = None
    if 5 in args.configs:
        if args.verbose:
            print("running config 5: predict", file=sys.stderr)
        predict_res = run_predict(CONFIGS[5], contenders, Xs["float32"], y, args, fitted)
    fitted = None

    gemm_runs.append(measure_gemm(dtypes, args.gemm_repeats))

    mem_res = None
    if 6 in args.configs:
        if args.verbose:
            print("running config 6: memory", file=sys.stderr)
        mem_res = run_memory(contenders, Xs["float32"], y, args)

    with contextlib.suppress(OSError):
        info["loadavg_end"] = os.getloadavg()
    print_gemm(gemm_runs, dtypes)
    targets, noise = report(
        args,
        args.n_samples,
        results,
        predict_res,
        mem_res,
        gemm_runs,
        contenders,
        X_nbytes=Xs["float32"].nbytes + y.nbytes,
        info=info,
    )
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
            json.dump(dump, f, indent=2, default=_json_default)
        print(f"raw timings written to {args.json}")
    return 0


def _json_default(o):
    if isinstance(o, (np.integer,)):
        return int(o)
    if isinstance(o, (np.floating,)):
        return float(o)
    if isinstance(o, tuple):
        return list(o)
    return str(o)


if __name__ == "__main__":
    sys.exit(main())
