#!/usr/bin/env python
"""Microbenchmarks of skdeep's fused kernels: NumPy vs numba (1 thread) vs numba (2 threads).

Run from the repository root::

    python benchmarks/bench_kernels.py                      # every section (a few minutes)
    python benchmarks/bench_kernels.py --quick              # fewer shapes and samples
    python benchmarks/bench_kernels.py --sections steps loop threads
    python benchmarks/bench_kernels.py --startup            # import times, cold/warm first call
    python benchmarks/bench_kernels.py --json kernels.json  # raw medians to JSON

Protocol (the machine is shared, so nothing is compared across runs): the variants
of one measurement -- ``numpy`` (the reference backend), ``numba1`` (the serial
kernels) and ``numba2`` (the parallel kernels on two threads, forced at every size)
-- are interleaved call by call, in an order rotated every round; every call is
timed on its own, after an untimed reset of its inputs (in-place kernels consume
them), with the garbage collector off. The tables give the median time per call
and the same-run ratios ``numpy / numba``. The load average is printed at the start
and the end: a run with a load above the core count is noisy.

Sections: ``steps`` (optimizer steps on flat vectors of 203,530, 932,362 and
1,195,018 parameters), ``activations``, ``dropout`` (including drawing the
uniforms), ``batchnorm``, ``maxnorm``, ``loop`` (the Adam step right after the
gradient GEMMs of a batch, and the whole batch), ``threads`` (cost of
``numba.set_num_threads``, per-call overhead) and ``projection`` (time per batch and
per epoch saved in three training configurations, from the medians above).
"""

import argparse
import gc
import itertools
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from functools import partial

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
REPO_ROOT = os.path.dirname(HERE)
if REPO_ROOT not in sys.path:  # benchmark the working tree's skdeep
    sys.path.insert(0, REPO_ROOT)

from skdeep.core.kernels import INPUT_CACHED, OUTPUT_CACHED, load_backend  # noqa: E402

REF = load_backend("numpy")
NB = load_backend("numba")
from skdeep.core.kernels.numba_backend import _jit  # noqa: E402

BATCH = 200
FLAT_SIZES = {  # parameters -> weights (the penalised prefix)
    203_530: 784 * 256 + 256 * 10,  # 784-256-10
    932_362: 784 * 512 + 2 * 512 * 512 + 512 * 10,  # 784-512-512-512-10
    1_195_018: 784 * 512 + 3 * 512 * 512 + 512 * 10,  # 784-512-512-512-512-10
}
WIDTHS = (64, 256, 512, 784)
DTYPES = (np.float32, np.float64)
RESULTS = {}


# --- the timing harness ----------------------------------------------------------------


def _use(variant):
    """Make the numba backend serial (numba1) or parallel on two threads at any size."""
    if variant == "numba1":
        NB.set_threads(1)
    elif variant == "numba2":
        NB.set_threads(2)
        _jit.PARALLEL_MIN_SIZE = dict.fromkeys(_jit.PARALLEL_MIN_SIZE, 0)


VARIANTS = ["numpy", "numba1", "numba2"]
P10 = {}  # name of the last measurement's cases -> 10th percentile (a quiet-machine proxy)


def interleaved(cases, rounds, calls):
    """Median seconds per call of each case; cases: name -> (variant, reset, call)."""
    cases = {name: case for name, case in cases.items() if case[0] in VARIANTS}
    samples = {name: [] for name in cases}
    names = list(cases)
    for name in names:  # warm-up: compile or load, fault the pages in
        variant, reset, call = cases[name]
        _use(variant)
        reset()
        call()
    gc.disable()
    try:
        for r in range(rounds):
            for name in names[r % len(names) :] + names[: r % len(names)]:
                variant, reset, call = cases[name]
                _use(variant)
                for _ in range(calls):
                    reset()
                    started = time.perf_counter()
                    call()
                    samples[name].append(time.perf_counter() - started)
    finally:
        gc.enable()
    P10.clear()
    P10.update({name: float(np.percentile(s, 10)) for name, s in samples.items()})
    return {name: float(np.median(s)) for name, s in samples.items()}


def _row(label, medians, variants=("numpy", "numba1", "numba2")):
    cells = [f"{label:<34}"]
    for v in variants:
        cells.append(f"{medians[v] * 1e6:9.1f}" if v in medians else f"{'-':>9}")
    for v in variants[1:]:
        cells.append(f"{medians['numpy'] / medians[v]:7.2f}x" if v in medians else f"{'-':>8}")
    if "numba2" in medians:  # the best tenth: what the second thread gives when a core is free
        cells.append(f"{P10['numba2'] * 1e6:9.1f}  {P10['numpy'] / P10['numba2']:7.2f}x")
    print("  ".join(cells), flush=True)


def _header(title):
    print(f"\n== {title}")
    print(
        f"{'':<34}  {'numpy us':>9}  {'numba1':>9}  {'numba2':>9}  {'np/nb1':>8}  {'np/nb2':>8}"
        f"  {'nb2 p10':>9}  {'p10 np/nb2':>8}"
    )


def _load():
    return os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")


# --- sections --------------------------------------------------------------------------


def bench_steps(args):
    _header("optimizer steps on the flat vector (median us per call)")
    rng = np.random.default_rng(0)
    for dtype in DTYPES:
        for n, n_weights in FLAT_SIZES.items():
            theta0 = (rng.standard_normal(n) * 0.1).astype(dtype)
            grad0 = rng.standard_normal(n).astype(dtype)
            for rule in ("adam", "adam+avg", "nesterov", "adagrad", "rmsprop", "ema"):
                cases = {}
                for variant, backend in (("numpy", REF), ("numba1", NB), ("numba2", NB)):
                    arrays = [theta0.copy(), grad0.copy()] + [
                        np.full(n, 1e-3, dtype) for _ in "mvsa"
                    ]
                    cases[variant] = (variant, *_step_case(backend, rule, arrays, grad0, n_weights))
                medians = interleaved(cases, args.rounds, args.calls)
                RESULTS[f"step/{rule}/{n}/{dtype.__name__}"] = medians
                _row(f"{rule} n={n} {dtype.__name__}", medians)


def _step_case(backend, rule, arrays, grad0, n_weights):
    theta, grad, m, v, scratch, avg = arrays
    penalty = dict(n_weights=n_weights, l2=1e-4 / BATCH)
    calls = {
        "adam": lambda: backend.adam_step(theta, grad, m, v, scratch, 1e-3, 10, **penalty),
        "adam+avg": lambda: (
            backend.adam_step(theta, grad, m, v, scratch, 1e-3, 10, **penalty),
            backend.ema_update(avg, theta, scratch, 0.99),
        ),
        "nesterov": lambda: backend.sgd_step(theta, grad, m, scratch, 1e-3, **penalty),
        "adagrad": lambda: backend.adagrad_step(theta, grad, v, scratch, 1e-3, **penalty),
        "rmsprop": lambda: backend.rmsprop_step(theta, grad, v, scratch, 1e-3, **penalty),
        "ema": lambda: backend.ema_update(avg, theta, scratch, 0.99),
    }

    def reset():  # the NumPy backend consumes grad; the copy also puts it in cache,
        np.copyto(grad, grad0)  # as the backward pass would have

    return reset, calls[rule]


def _activation_cases(backend, name, z0, bias, da0, direction):
    z, da, a = z0.copy(), da0.copy(), np.empty_like(z0)
    bias_grad = np.empty_like(bias)
    keep_input = name in INPUT_CACHED
    if direction == "forward":

        def reset():
            np.copyto(z, z0)

        if keep_input:
            return reset, lambda: backend.activation_forward_keep_input(z, bias, a, name)
        return reset, lambda: backend.activation_forward(z, bias, name, 0.01)
    cache = z0 + bias  # a pre-activation; for the output-cached family its activation
    if keep_input:
        REF.activation_forward_keep_input(cache.copy(), None, a, name)
    else:
        REF.activation_forward(cache, None, name, 0.01)
    cache0, a0 = cache.copy(), a.copy()

    def reset():
        np.copyto(da, da0)
        np.copyto(cache, cache0)
        np.copyto(a, a0)

    if keep_input:
        return reset, lambda: backend.activation_backward_from_input(da, cache, a, bias_grad, name)
    return reset, lambda: backend.activation_backward(da, cache, bias_grad, name, 0.01)


def bench_activations(args):
    _header("activation + bias forward / backward + bias gradient (median us per call)")
    names = ("relu", "tanh", "gelu") if args.quick else OUTPUT_CACHED + INPUT_CACHED
    widths = (256,) if args.quick else WIDTHS
    rng = np.random.default_rng(1)
    for dtype in DTYPES:
        for width in widths:
            z0 = (rng.standard_normal((BATCH, width)) * 2).astype(dtype)
            bias = (rng.standard_normal(width) * 0.1).astype(dtype)
            da0 = rng.standard_normal((BATCH, width)).astype(dtype)
            for name in names:
                for direction in ("forward", "backward"):
                    cases = {
                        v: (v, *_activation_cases(b, name, z0, bias, da0, direction))
                        for v, b in (("numpy", REF), ("numba1", NB), ("numba2", NB))
                    }
                    medians = interleaved(cases, args.rounds, args.calls)
                    RESULTS[f"act/{name}/{direction}/{width}/{dtype.__name__}"] = medians
                    _row(f"{name} {direction[:3]} 200x{width} {dtype.__name__}", medians)


def _nothing():
    pass


def bench_dropout(args):
    _header("dropout 0.5: uniforms, forward, backward (median us per call)")
    widths = (256,) if args.quick else WIDTHS
    rng = np.random.default_rng(2)
    for dtype in DTYPES:
        for width in widths:
            x = rng.standard_normal((BATCH, width)).astype(dtype)
            uniforms = rng.random((BATCH, width), dtype=dtype)
            masks = {v: np.empty_like(x) for v in ("numpy", "numba1")}
            outs = {v: np.empty_like(x) for v in ("numpy", "numba1")}
            draw = partial(np.random.default_rng(3).random, out=masks["numpy"], dtype=dtype)
            medians = interleaved({"numpy": ("numpy", _nothing, draw)}, args.rounds, args.calls)
            RESULTS[f"dropout/uniforms/{width}/{dtype.__name__}"] = medians
            _row(f"rng.random 200x{width} {dtype.__name__}", medians, ("numpy",))
            for direction in ("forward", "backward"):
                cases = {}
                for v, b in (("numpy", REF), ("numba1", NB)):
                    mask, out = masks[v], outs[v]
                    if direction == "forward":
                        reset = partial(np.copyto, mask, uniforms)
                        call = partial(b.dropout_forward, x, mask, 0.5, out)
                    else:
                        np.copyto(mask, uniforms)
                        REF.dropout_forward(x, mask, 0.5, out)
                        reset = partial(np.copyto, out, x)
                        call = partial(b.dropout_backward, out, mask)
                    cases[v] = (v, reset, call)
                medians = interleaved(cases, args.rounds, args.calls)
                RESULTS[f"dropout/{direction}/{width}/{dtype.__name__}"] = medians
                label = f"dropout {direction[:3]} 200x{width} {dtype.__name__}"
                _row(label, medians, ("numpy", "numba1"))


def bench_batchnorm(args):
    _header("batch norm (training) forward / backward (median us per call)")
    widths = (256,) if args.quick else WIDTHS
    rng = np.random.default_rng(4)
    for dtype in DTYPES:
        for width in widths:
            x = (rng.standard_normal((BATCH, width)) * 2 + 1).astype(dtype)
            dy0 = rng.standard_normal((BATCH, width)).astype(dtype)
            for direction in ("forward", "backward"):
                cases = {}
                for v, b in (("numpy", REF), ("numba1", NB), ("numba2", NB)):
                    x_hat, out, dy = np.empty_like(x), np.empty_like(x), dy0.copy()
                    g, beta, rm, rv, mean, inv, dg, db = (np.ones(width, dtype) for _ in range(8))
                    forward = (x, g, beta, rm, rv, 0.9, 1e-5, mean, inv, x_hat, out)
                    REF.batchnorm_forward(*forward)
                    if direction == "forward":
                        cases[v] = (v, _nothing, partial(b.batchnorm_forward, *forward))
                    else:
                        call = partial(b.batchnorm_backward, dy, x_hat, inv, g, dg, db, out)
                        cases[v] = (v, partial(np.copyto, dy, dy0), call)
                medians = interleaved(cases, args.rounds, args.calls)
                RESULTS[f"bn/{direction}/{width}/{dtype.__name__}"] = medians
                _row(f"batchnorm {direction[:3]} 200x{width} {dtype.__name__}", medians)


def bench_maxnorm(args):
    _header("max-norm projection of one weight matrix (median us per call)")
    rng = np.random.default_rng(5)
    for dtype in DTYPES:
        for shape in ((784, 256), (512, 512), (784, 512)):
            W0 = rng.standard_normal(shape).astype(dtype)
            cases = {}
            for v, b in (("numpy", REF), ("numba1", NB)):
                W, norms = W0.copy(), np.empty(shape[1], dtype)
                reset, call = partial(np.copyto, W, W0), partial(b.max_norm_project, W, 25.0, norms)
                cases[v] = (v, reset, call)
            medians = interleaved(cases, args.rounds, args.calls)
            RESULTS[f"maxnorm/{shape[0]}x{shape[1]}/{dtype.__name__}"] = medians
            _row(f"max_norm {shape[0]}x{shape[1]} {dtype.__name__}", medians, ("numpy", "numba1"))


def _network(hidden, dtype, rng):
    """Flat theta/grad with weight views, and one batch of activations, as in a fit."""
    widths = [784, *hidden, 10]
    shapes = list(itertools.pairwise(widths))
    n_weights = sum(a * b for a, b in shapes)
    n = n_weights + sum(widths[1:])
    theta = (rng.standard_normal(n) * 0.05).astype(dtype)
    grad = np.zeros(n, dtype)
    views, offset = [], 0
    for a, b in shapes:
        views.append(grad[offset : offset + a * b].reshape(a, b))
        offset += a * b
    acts = [rng.standard_normal((BATCH, w)).astype(dtype) for w in widths]
    return theta, grad, views, acts, n_weights


def bench_loop(args):
    """The Adam step right after the gradient GEMMs, as in training; and the whole batch."""
    print("\n== Adam step inside a training-like loop (gradient just written by the GEMMs)")
    print(
        f"{'':<34}  {'step numpy':>10}  {'numba1':>8}  {'numba2':>8}  "
        f"{'batch numpy':>11}  {'numba1':>8}  {'numba2':>8}"
    )
    rng = np.random.default_rng(6)
    for hidden, dtype in (((256,), np.float32), ((256,), np.float64), ((512,) * 3, np.float32)):
        state = {}
        for v, b in (("numpy", REF), ("numba1", NB), ("numba2", NB)):
            if v not in VARIANTS:
                continue
            theta, grad, views, acts, n_weights = _network(hidden, dtype, rng)
            m, vv, s = (np.zeros_like(theta) for _ in range(3))
            state[v] = (b, theta, grad, views, acts, [a.copy() for a in acts], n_weights, m, vv, s)
        steps, batches = {v: [] for v in state}, {v: [] for v in state}
        order = list(state)
        gc.disable()
        for it in range(args.loop_iterations + 3):
            for v in order[it % len(order) :] + order[: it % len(order)]:
                b, theta, grad, views, acts, acts0, n_weights, m, vv, s = state[v]
                _use(v)
                for a, a0 in zip(acts, acts0):  # the products below would grow without bound
                    np.copyto(a, a0)
                started = time.perf_counter()
                for k, W in enumerate(views):  # forward + backward GEMMs of one batch
                    np.dot(acts[k], theta[: W.size].reshape(W.shape), out=acts[k + 1])
                    np.dot(acts[k].T, acts[k + 1], out=W)
                    if k:
                        np.dot(acts[k + 1], theta[: W.size].reshape(W.shape).T, out=acts[k])
                middle = time.perf_counter()
                b.adam_step(theta, grad, m, vv, s, 1e-3, it + 1, n_weights=n_weights, l2=5e-7)
                done = time.perf_counter()
                if it >= 3:
                    steps[v].append(done - middle)
                    batches[v].append(done - started)
        gc.enable()
        med = {v: (float(np.median(steps[v])), float(np.median(batches[v]))) for v in state}
        RESULTS[f"loop/{hidden}/{np.dtype(dtype).name}"] = med
        label = f"{'x'.join(map(str, hidden))} {np.dtype(dtype).name} n={state['numpy'][1].size}"
        step = "  ".join(f"{med[v][0] * 1e6:8.1f}" for v in state)
        batch = "  ".join(f"{med[v][1] * 1e6:9.1f}" for v in state)
        print(f"{label:<34}  {step}    {batch}", flush=True)


def bench_threads(args):
    import numba

    print("\n== thread switching and per-call overhead")
    samples = []
    for _ in range(2000):
        started = time.perf_counter()
        numba.set_num_threads(1)
        numba.set_num_threads(2)
        samples.append((time.perf_counter() - started) / 2)
    RESULTS["set_num_threads"] = float(np.median(samples))
    print(f"numba.set_num_threads: {np.median(samples) * 1e6:.2f} us per call (median)")
    tiny = np.zeros(16, np.float32)
    grid = np.zeros((1, 16), np.float32)
    cases = {
        v: (v, _nothing, partial(b.adam_step, tiny, tiny, tiny, tiny, tiny, 1e-3, 1))
        for v, b in (("numpy", REF), ("numba1", NB))
    }
    medians = interleaved(cases, args.rounds, args.calls)
    RESULTS["overhead/adam16"] = medians
    print(
        f"adam_step on 16 elements: numpy {medians['numpy'] * 1e6:.1f} us, "
        f"numba {medians['numba1'] * 1e6:.1f} us (call overhead)"
    )
    cases = {
        v: (v, _nothing, partial(b.activation_forward, grid, tiny, "relu"))
        for v, b in (("numpy", REF), ("numba1", NB))
    }
    medians = interleaved(cases, args.rounds, args.calls)
    RESULTS["overhead/relu1x16"] = medians
    print(
        f"activation_forward on 1x16: numpy {medians['numpy'] * 1e6:.1f} us, "
        f"numba {medians['numba1'] * 1e6:.1f} us"
    )


def projection(args):
    """Time per batch and per epoch (300 batches) saved, from this run's medians."""
    print("\n== projected saving per batch and per epoch (300 batches of 200)")
    configs = (
        ("(256,) float32", 203_530, "float32", [256], "relu"),
        ("(256,) float64", 203_530, "float64", [256], "relu"),
        ("(512,512,512) float32", 932_362, "float32", [512, 512, 512], "relu"),
    )
    for label, n, dtype, widths, act in configs:
        for variant in ("numba1", "numba2"):
            saved, parts = 0.0, []
            keys = [f"step/adam/{n}/{dtype}"]
            keys += [f"act/{act}/{d}/{w}/{dtype}" for w in widths for d in ("forward", "backward")]
            for key in keys:
                if key not in RESULTS or variant not in RESULTS[key]:
                    continue
                gain = RESULTS[key]["numpy"] - RESULTS[key][variant]
                saved += gain
                parts.append(f"{key.split('/')[0]}/{key.split('/')[1]} {gain * 1e6:+.0f}")
            if parts:
                print(
                    f"{label:<24} {variant}: {saved * 1e6:7.1f} us/batch, "
                    f"{saved * 300 * 1e3:6.1f} ms/epoch  ({', '.join(parts)} us)"
                )


# --- start-up: import time, first-call latency, cache location -----------------------

_FIRST_CALL = r"""
import time, sys
t0 = time.perf_counter()
import numpy as np
from skdeep.core.kernels import load_backend
nb = load_backend("numba")
t1 = time.perf_counter()
theta = np.zeros(1000, np.float32); z = np.ones((20, 16), np.float32); b = np.zeros(16, np.float32)
nb.adam_step(theta, theta.copy(), theta.copy(), theta.copy(), None, 1e-3, 1, n_weights=500)
t2 = time.perf_counter()
nb.activation_forward(z, b, "relu"); nb.activation_backward(z.copy(), z, b.copy(), "relu")
nb.activation_forward(z[:, :10].copy(), b[:10], "identity")
t3 = time.perf_counter()
print(f"{t1 - t0:.3f} {t2 - t1:.3f} {t3 - t2:.3f}")
"""


def startup(args):
    print("== start-up costs (fresh processes)")
    py = sys.executable
    env = dict(os.environ, PYTHONPATH=REPO_ROOT)

    def run(code, extra_env=None):
        out = subprocess.run(
            [py, "-c", code],
            env={**env, **(extra_env or {})},
            capture_output=True,
            text=True,
            check=True,
        )
        return out.stdout.split()

    t = "import time; t = time.perf_counter(); import {}; print(time.perf_counter() - t)"
    for before, module in (
        ("", "numpy"),
        ("import numpy; ", "numba"),
        ("import numpy; ", "skdeep"),
    ):
        times = [float(run(before + t.format(module))[0]) for _ in range(5)]
        RESULTS[f"import/{module}"] = float(np.median(times))
        after = "(after numpy)" if before else ""
        print(f"import {module:<7} median of 5: {np.median(times):.3f} s {after}")
    print(
        "numba imported by `import skdeep`:",
        run("import sys, skdeep; print('numba' in sys.modules)")[0],
    )
    with tempfile.TemporaryDirectory() as cache:
        for label in ("cold cache", "warm cache", "warm cache"):
            imp, adam, acts = map(float, run(_FIRST_CALL, {"NUMBA_CACHE_DIR": cache}))
            RESULTS.setdefault(f"first_call/{label}", []).append((imp, adam, acts))
            print(
                f"{label}: import skdeep + numba backend {imp:.2f} s, "
                f"first adam_step {adam:.2f} s, relu fwd+bwd+identity {acts:.2f} s"
            )
        files = sum(len(f) for _, _, f in os.walk(cache))
        print(f"NUMBA_CACHE_DIR holds {files} files after the runs")
    print(
        "cache locations: NUMBA_CACHE_DIR if set; else __pycache__ next to the kernel sources "
        "(the working tree for an editable install, site-packages for a regular one) when "
        "writable; else the user-wide cache (~/.cache/numba on Linux)."
    )
    _read_only_check(py, env)


def _read_only_check(py, env):
    """Copy the package to a read-only directory and see where numba puts the cache."""
    if not hasattr(os, "geteuid") or not os.path.exists("/usr/bin/setpriv"):
        print("read-only check skipped (needs Linux and setpriv)")
        return
    with tempfile.TemporaryDirectory() as root:
        os.chmod(root, 0o755)
        src = os.path.join(root, "src")
        subprocess.run(["cp", "-r", os.path.join(REPO_ROOT, "skdeep"), src + "/"], check=True)
        for directory, subdirectories, _ in os.walk(src):
            if "__pycache__" in subdirectories:
                shutil.rmtree(os.path.join(directory, "__pycache__"))
        subprocess.run(["chmod", "-R", "a-w,a+rX", src], check=True)
        home = os.path.join(root, "home")
        os.makedirs(home)
        os.chmod(home, 0o777)
        as_nobody = [
            "setpriv",
            "--reuid=65534",
            "--regid=65534",
            "--clear-groups",
            py,
            "-c",
            _FIRST_CALL,
        ]
        result = subprocess.run(
            as_nobody,
            env={
                **env,
                "PYTHONPATH": src,
                "HOME": home,
                "XDG_CACHE_HOME": os.path.join(home, ".cache"),
            },
            capture_output=True,
            text=True,
        )
        if result.returncode:
            print("read-only check failed:", result.stderr.strip().splitlines()[-1:])
            return
        in_tree = sum(len(f) for d, _, f in os.walk(src) if d.endswith("__pycache__"))
        user_wide = sum(len(f) for _, _, f in os.walk(os.path.join(home, ".cache")))
        print(
            f"read-only package (run as an unprivileged user): {in_tree} cache files in the "
            f"package, {user_wide} in $XDG_CACHE_HOME/numba; timings {result.stdout.strip()}"
        )


SECTIONS = {
    "steps": bench_steps,
    "activations": bench_activations,
    "dropout": bench_dropout,
    "batchnorm": bench_batchnorm,
    "maxnorm": bench_maxnorm,
    "loop": bench_loop,
    "threads": bench_threads,
}


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--quick", action="store_true", help="fewer shapes, rounds and calls")
    p.add_argument("--sections", nargs="+", choices=list(SECTIONS), default=list(SECTIONS))
    p.add_argument("--rounds", type=int, default=None, help="interleaved rounds (default 15)")
    p.add_argument("--calls", type=int, default=None, help="calls per round (default 20)")
    p.add_argument("--loop-iterations", type=int, default=None, help="default 200")
    p.add_argument("--startup", action="store_true", help="only the start-up measurements")
    p.add_argument("--json", help="write the medians (seconds) to this file")
    p.add_argument("--no-parallel", action="store_true", help="skip the numba2 variant")
    p.add_argument("--threading-layer", choices=["default", "omp", "workqueue", "tbb"])
    args = p.parse_args(argv)
    args.rounds = args.rounds or (5 if args.quick else 15)
    args.calls = args.calls or (10 if args.quick else 20)
    args.loop_iterations = args.loop_iterations or (50 if args.quick else 200)
    import numba

    if args.no_parallel:
        VARIANTS.remove("numba2")
    if args.threading_layer:  # must be set before the first parallel launch
        numba.config.THREADING_LAYER = args.threading_layer
    print(
        f"numpy {np.__version__}, numba {numba.__version__}, "
        f"threading layer {numba.config.THREADING_LAYER}, cores {os.cpu_count()}, "
        f"load average {_load():.2f}"
    )
    if args.startup:
        startup(args)
    else:
        for name in args.sections:
            SECTIONS[name](args)
        if {"steps", "activations"} <= set(args.sections):
            projection(args)
        NB.set_threads(1)
    print(f"\nload average at the end {_load():.2f}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(RESULTS, f, indent=1)


if __name__ == "__main__":
    main()
