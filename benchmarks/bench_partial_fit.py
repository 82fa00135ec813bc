"""Time one ``partial_fit`` call: skdeep against MLPClassifier, interleaved.

Streaming (``partial_fit`` on blocks, dask-ml's ``Incremental``) pays the fixed
cost of a call on every block: validation, the failure-safety checkpoint, the
export of the fitted attributes. This script measures a call on a block of
``--rows`` rows (one mini-batch at the default batch size of 200) with one BLAS
thread per contender, for the three network shapes of the issue in float32 and
float64, and prints the median milliseconds per call and the same-run ratio.

Protocol (see ``benchmarks/README.md``): each contender gets one untimed
``partial_fit`` (which also fixes its classes), then the contenders alternate
call by call for ``--calls`` rounds; ``gc.collect()`` before every call; medians.

Usage::

    python benchmarks/bench_partial_fit.py            # the six cases, 60 calls each
    python benchmarks/bench_partial_fit.py --quick    # 15 calls each
    python benchmarks/bench_partial_fit.py --earlier-calls 5000   # late in a long stream
"""

import argparse
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from benchmarks.common.formatting import fmt, ratio
from benchmarks.common.machine import load_average, load_warnings
from benchmarks.common.threads import limited_threads
from benchmarks.common.timing import (
    run_interleaved,
    silence_convergence_warnings,
    spread_warnings,
)

SHAPES = {
    "20 -> (64,) -> 10": (20, (64,)),
    "784 -> (256,) -> 10": (784, (256,)),
    "784 -> (512, 512, 512) -> 10": (784, (512, 512, 512)),
}


def _contenders(hidden):
    from sklearn.neural_network import MLPClassifier

    from skdeep import MLPSoftmaxClassifier

    return {
        "skdeep": MLPSoftmaxClassifier(hidden_layer_sizes=hidden, random_state=0),
        "MLPClassifier": MLPClassifier(hidden_layer_sizes=hidden, random_state=0),
    }


def measure_case(n_features, hidden, dtype, rows, calls, earlier_calls=0):
    """Median seconds per ``partial_fit`` call of each contender on one block.

    Parameters
    ----------
    n_features : int
    hidden : tuple of int
    dtype : str
    rows : int
        Rows per block.
    calls : int
        Timed calls per contender.
    earlier_calls : int, default=0
        Untimed calls before the timed ones: the cost of a call late in a long stream.

    Returns
    -------
    dict of str to dict
        Per contender: ``times``, ``errors``, ``median``.
    """
    rng = np.random.default_rng(0)
    X = rng.standard_normal((rows, n_features)).astype(dtype)
    y = rng.integers(0, 10, rows)
    models = _contenders(hidden)
    results = {name: {"times": [], "errors": []} for name in models}
    for model in models.values():
        model.partial_fit(X, y, classes=np.arange(10))  # untimed: fixes the classes
        for _ in range(earlier_calls):
            model.partial_fit(X, y)

    def measure(name, _round):
        started = time.perf_counter()
        models[name].partial_fit(X, y)
        return time.perf_counter() - started

    return run_interleaved(results, calls, measure)


def main(argv=None):
    """Run the benchmark and print a markdown table.

    Parameters
    ----------
    argv : list of str, optional
        Command-line arguments.
    """
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=60, help="timed calls per contender")
    parser.add_argument("--rows", type=int, default=200, help="rows per partial_fit block")
    parser.add_argument("--quick", action="store_true", help="15 calls per contender")
    parser.add_argument(
        "--earlier-calls",
        type=int,
        default=0,
        help="untimed calls before the timed ones (a call late in a long stream)",
    )
    args = parser.parse_args(argv)
    calls = 15 if args.quick else args.calls
    silence_convergence_warnings()
    info = {"loadavg_start": load_average()}
    print(f"command: python {' '.join(sys.argv)}")
    print(
        f"one partial_fit on {args.rows} rows, 10 classes, one BLAS thread, {calls} calls"
        f" after {args.earlier_calls + 1} untimed ones\n"
    )
    print("| shape | dtype | skdeep ms | MLPClassifier ms | skdeep / MLPClassifier |")
    print("|---|---|---|---|---|")
    result_sets = []
    with limited_threads(1):
        for label, (n_features, hidden) in SHAPES.items():
            for dtype in ("float32", "float64"):
                res = measure_case(n_features, hidden, dtype, args.rows, calls, args.earlier_calls)
                ours, theirs = res["skdeep"]["median"], res["MLPClassifier"]["median"]
                print(
                    f"| {label} | {dtype} | {fmt(ours * 1e3, '.2f')} | "
                    f"{fmt(theirs * 1e3, '.2f')} | {fmt(ratio(ours, theirs), '.2f')} |",
                    flush=True,
                )
                result_sets.append((f"{label} {dtype}", res))
    info["loadavg_end"] = load_average()
    for message in spread_warnings(result_sets) + load_warnings(info):
        print(f"\nWARNING: {message}")


if __name__ == "__main__":
    main()
