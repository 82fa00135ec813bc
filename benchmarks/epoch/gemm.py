"""The machine's measured GEMM peak, the yardstick of "% of GEMM peak".

Measured in the same run as the training, before and after it, because the
peak of a shared or thermally limited machine is not a constant: the training
figures are only comparable with a peak measured under the same conditions, and
a peak that moved between the two measurements flags a disturbed run.
"""

from __future__ import annotations

import time

import numpy as np

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

    Parameters
    ----------
    dtypes : list of str
        ``"float32"`` and/or ``"float64"``.
    n_samples_meas : int
        N, the number of measurements per shape and dtype.
    min_time : float, default=0.2
        Shortest duration of one measurement, in seconds.

    Returns
    -------
    dict
        ``"dtype:mxkxn"`` -> dict with ``dtype``, ``shape``, ``calls_per_sample``,
        the N ``gflops``, their ``best`` and ``median``.
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
    """Peak = best-of-N GFLOP/s of the large square GEMM over all GEMM runs.

    Parameters
    ----------
    gemm_runs : list of dict
        Results of :func:`measure_gemm` (before and after the training).
    dtype : str

    Returns
    -------
    float
        NaN if that dtype was not measured.
    """
    key = f"{dtype}:{PEAK_SHAPE[0]}x{PEAK_SHAPE[1]}x{PEAK_SHAPE[2]}"
    vals = [r[key]["best"] for r in gemm_runs if key in r]
    return max(vals) if vals else float("nan")


def print_gemm(gemm_runs, dtypes):
    """Print the ``## Measured GEMM`` section: every shape, before and after, and the peaks.

    Parameters
    ----------
    gemm_runs : list of dict
        Results of :func:`measure_gemm`; the first two are shown.
    dtypes : list of str
    """
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


def gemm_drift_warnings(gemm_runs, limit=0.15):
    """Flag a GEMM figure that moved by more than ``limit`` between start and end.

    Parameters
    ----------
    gemm_runs : list of dict
        Results of :func:`measure_gemm`, the first before and the second after
        the training.
    limit : float, default=0.15
        Largest accepted relative change of the best-of-N figure.

    Returns
    -------
    list of str
    """
    out = []
    if len(gemm_runs) >= 2:
        for key, before in gemm_runs[0].items():
            after = gemm_runs[1].get(key)
            if after and abs(after["best"] / before["best"] - 1) > limit:
                out.append(
                    f"GEMM {key}: best went from {before['best']:.1f} to "
                    f"{after['best']:.1f} GFLOP/s between start and end"
                )
    return out
