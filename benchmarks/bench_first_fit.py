"""First-fit latency in a fresh process: skdeep (cold and warm compile cache) vs MLPClassifier.

What a user sees when a script starts: import the estimator, fit it once on
scikit-learn's digits (standardised, default settings but ``hidden_layer_sizes``
and ``random_state=0``), then fit it again in the same process. Every measurement
is a fresh subprocess:

* ``MLPClassifier``;
* skdeep with a **cold** compile cache (``NUMBA_CACHE_DIR`` an empty directory: the
  compiled kernels are built during the first fit, as after installing);
* skdeep with a **warm** cache (a directory filled by one untimed run before);
* the same with ``alpha=1e-4 / 200``: skdeep adds ``alpha`` to the mean loss where
  MLPClassifier divides it by the batch size (200), so this is MLPClassifier's
  default penalty, and the stopping rule then sees the same kind of loss curve.

The contenders alternate within each round. Networks under 20,000 parameters
train on NumPy (numba is not even imported), so the cold/warm distinction only
matters for the larger network. Medians over the rounds; the ratio is
MLPClassifier's first fit over skdeep's (above 1: skdeep is faster).

Usage (from the repository root)::

    python benchmarks/bench_first_fit.py             # (128,) and (512, 256), 5 rounds
    python benchmarks/bench_first_fit.py --rounds 3
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

import numpy as np

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# This repository's benchmarks package (the timed skdeep is chosen per worker).
sys.path.insert(1, REPO_ROOT)

from benchmarks.common.machine import load_average_text  # noqa: E402

SHAPES = [(128,), (512, 256)]


def worker(kind, hidden, alpha=None):
    """Import, fit twice on digits and print the timings as JSON.

    Parameters
    ----------
    kind : {"skdeep", "sklearn"}
        Which estimator.
    hidden : tuple of int
        ``hidden_layer_sizes``.
    alpha : float, optional
        ``alpha`` of the estimator (its default when None).
    """
    import warnings

    warnings.simplefilter("ignore")  # MLPClassifier's ConvergenceWarning at max_iter
    from sklearn.datasets import load_digits
    from sklearn.preprocessing import StandardScaler

    X, y = load_digits(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    start = time.perf_counter()
    if kind == "skdeep":
        from skdeep import MLPSoftmaxClassifier as Estimator
    else:
        from sklearn.neural_network import MLPClassifier as Estimator
    imported = time.perf_counter()
    params = dict(hidden_layer_sizes=hidden, random_state=0)
    params.update({} if alpha is None else {"alpha": alpha})
    model = Estimator(**params).fit(X, y)
    first = time.perf_counter()
    Estimator(**params).fit(X, y)
    second = time.perf_counter()
    numba_loaded = "numba" in sys.modules
    print(
        json.dumps(
            {
                "import": imported - start,
                "first": first - imported,
                "second": second - first,
                "epochs": int(model.n_iter_),
                "numba": numba_loaded,
            }
        )
    )


def run_worker(kind, hidden, cache_dir=None, alpha=None):
    """Run one worker subprocess and return its timings.

    Parameters
    ----------
    kind : {"skdeep", "sklearn"}
    hidden : tuple of int
    cache_dir : str, optional
        ``NUMBA_CACHE_DIR`` of the subprocess.
    alpha : float, optional
        ``alpha`` of the estimator.

    Returns
    -------
    dict
    """
    env = dict(os.environ, PYTHONPATH=REPO_ROOT)
    if cache_dir is not None:
        env["NUMBA_CACHE_DIR"] = cache_dir
    command = [sys.executable, os.path.abspath(__file__), "--worker", kind]
    command += [",".join(map(str, hidden))]
    command += [] if alpha is None else ["--alpha", repr(alpha)]
    out = subprocess.run(command, env=env, check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def _contenders(cold_cache, warm_cache):
    """The runs of one round: (label, kind, NUMBA_CACHE_DIR, alpha)."""
    return [
        ("MLPClassifier", "sklearn", None, None),
        ("skdeep, cold cache", "skdeep", cold_cache, None),
        ("skdeep, warm cache", "skdeep", warm_cache, None),
        ("skdeep, warm cache, alpha=1e-4/200", "skdeep", warm_cache, 1e-4 / 200),
    ]


def main(argv=None):
    """Parse the options, run the rounds and print the table.

    Parameters
    ----------
    argv : list of str, optional
        Command-line arguments.
    """
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--worker", nargs=2, help=argparse.SUPPRESS)
    parser.add_argument("--alpha", type=float, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        kind, hidden = args.worker
        worker(kind, tuple(int(h) for h in hidden.split(",")), args.alpha)
        return

    print(f"command: python benchmarks/bench_first_fit.py {' '.join(sys.argv[1:])}".rstrip())
    print(f"load average at start: {load_average_text()}")
    results = {}
    warm_cache = tempfile.mkdtemp(prefix="skdeep_warm_cache_")
    try:
        for hidden in SHAPES:
            run_worker("skdeep", hidden, warm_cache)  # fills the warm cache, untimed
        for _ in range(args.rounds):
            for hidden in SHAPES:
                cold_cache = tempfile.mkdtemp(prefix="skdeep_cold_cache_")
                try:
                    for label, kind, cache, alpha in _contenders(cold_cache, warm_cache):
                        timing = run_worker(kind, hidden, cache, alpha)
                        results.setdefault((hidden, label), []).append(timing)
                finally:
                    shutil.rmtree(cold_cache, ignore_errors=True)
    finally:
        shutil.rmtree(warm_cache, ignore_errors=True)
    print(f"load average at end: {load_average_text()}")
    print()
    print(f"digits (1797 x 64, 10 classes), fresh process per run; medians of {args.rounds}")
    print()
    print(
        "| hidden_layer_sizes | contender | import (s) | first fit (s) | second fit (s) "
        "| epochs | ms per epoch | numba loaded | MLPClassifier first fit / this |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for hidden in SHAPES:
        reference = np.median([t["first"] for t in results[hidden, "MLPClassifier"]])
        for label, *_ in _contenders(None, None):
            runs = results[hidden, label]
            median = {key: float(np.median([t[key] for t in runs])) for key in runs[0]}
            per_epoch = 1000 * median["second"] / median["epochs"]
            print(
                f"| {hidden} | {label} | {median['import']:.2f} | {median['first']:.2f} "
                f"| {median['second']:.2f} | {median['epochs']:.0f} | {per_epoch:.1f} "
                f"| {'yes' if runs[0]['numba'] else 'no'} | {reference / median['first']:.2f} |"
            )


if __name__ == "__main__":
    main()
