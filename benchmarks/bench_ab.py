r"""Before/after: seconds per training epoch of this tree against a git revision.

A change that touches the hot path (a new layer protocol, a kernel) must show that
it does not slow training down. This script checks out ``--baseline`` (any git
revision) in a temporary worktree and times the same fit with both trees'
skdeep, per activation, in alternating fresh subprocesses (baseline, current,
current, baseline, ... rotated every round) so that a slow period of the shared
machine hurts both. Each subprocess builds the data, warms up with one untimed
epoch, then times ``--fits`` fits of ``--epochs`` epochs; seconds per epoch =
wall time / epochs. The table gives medians, min-max spreads and the same-run
ratio baseline / current (above 1: this tree is faster).

Usage (from the repository root)::

    python benchmarks/bench_ab.py --baseline c0ff8d6
    SKDEEP_KERNELS=numpy python benchmarks/bench_ab.py --baseline c0ff8d6 \
        --activations relu leaky_relu --dtype float64

The environment passes through to the workers: ``SKDEEP_KERNELS=numpy`` pins this
tree to its NumPy kernels (a tree without compiled kernels ignores it).
"""

import argparse
import gc
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


def worker(args):
    """Time fits with the skdeep of ``args.tree`` and print the seconds per epoch as JSON.

    Parameters
    ----------
    args : argparse.Namespace
        The worker's options (tree, activation, dtype, n_samples, epochs, fits).
    """
    import warnings

    sys.path.insert(0, args.tree)
    from sklearn.datasets import make_classification

    import skdeep

    if not os.path.abspath(skdeep.__file__).startswith(os.path.abspath(args.tree)):
        raise RuntimeError(f"imported {skdeep.__file__}, not the tree {args.tree}")
    warnings.simplefilter("ignore")  # the timed fits stop at max_iter on purpose
    X, y = make_classification(args.n_samples, 784, n_informative=200, n_classes=10, random_state=0)
    X = ((X - X.mean(axis=0)) / X.std(axis=0)).astype(args.dtype)

    def fit(epochs, n_rows):
        model = skdeep.MLPSoftmaxClassifier(
            hidden_layer_sizes=(256,),
            activation=args.activation,
            solver="adam",
            learning_rate_init=1e-3,
            alpha=1e-4,
            batch_size=200,
            max_iter=epochs,
            tol=0.0,
            batch_norm=args.batch_norm,
            dropout=args.dropout,
            random_state=0,
        )
        model.fit(X[:n_rows], y[:n_rows])

    fit(1, 2000)  # warm-up: lazy imports, compiled kernels, BLAS threads
    seconds = []
    for _ in range(args.fits):
        gc.collect()
        start = time.perf_counter()
        fit(args.epochs, args.n_samples)
        seconds.append((time.perf_counter() - start) / args.epochs)
    print(json.dumps(seconds))


def run_worker(tree, activation, args):
    """Run one worker subprocess and return its seconds per epoch.

    Parameters
    ----------
    tree : str
        Root of the source tree whose skdeep is timed.
    activation : str
        The hidden activation.
    args : argparse.Namespace
        The parent's options.

    Returns
    -------
    list of float
    """
    command = [sys.executable, os.path.abspath(__file__), "--worker", "--tree", tree]
    command += ["--activation", activation, "--dtype", args.dtype]
    command += ["--n-samples", str(args.n_samples), "--epochs", str(args.epochs)]
    command += ["--fits", str(args.fits), "--dropout", str(args.dropout)]
    command += ["--batch-norm"] if args.batch_norm else []
    out = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def main(argv=None):
    """Parse the options and run the workers, or print the before/after table.

    Parameters
    ----------
    argv : list of str, optional
        Command-line arguments.
    """
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", default="HEAD~1", help="git revision to compare with")
    parser.add_argument("--activations", nargs="+", default=["relu", "leaky_relu"])
    parser.add_argument("--dtype", choices=["float32", "float64"], default="float32")
    parser.add_argument("--batch-norm", action="store_true", help="batch_norm=True")
    parser.add_argument("--dropout", type=float, default=0.0, help="dropout rate")
    parser.add_argument("--n-samples", type=int, default=20000)
    parser.add_argument("--epochs", type=int, default=3, help="epochs per timed fit")
    parser.add_argument("--fits", type=int, default=2, help="timed fits per subprocess")
    parser.add_argument("--rounds", type=int, default=5, help="subprocesses per tree")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--tree", help=argparse.SUPPRESS)
    parser.add_argument("--activation", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        worker(args)
        return

    revision = subprocess.run(
        ["git", "-C", REPO_ROOT, "rev-parse", "--short", args.baseline],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    baseline_tree = tempfile.mkdtemp(prefix="skdeep_ab_")
    subprocess.run(
        ["git", "-C", REPO_ROOT, "worktree", "add", "--detach", baseline_tree, revision],
        check=True,
        capture_output=True,
    )
    try:
        trees = {f"baseline {revision}": baseline_tree, "this tree": REPO_ROOT}
        times = {(name, a): [] for name in trees for a in args.activations}
        print(f"command: python benchmarks/bench_ab.py {' '.join(sys.argv[1:])}".rstrip())
        print(f"SKDEEP_KERNELS={os.environ.get('SKDEEP_KERNELS', '(unset)')}")
        print(f"load average at start: {load_average_text()}")
        for round_index in range(args.rounds):
            order = list(trees.items())
            if round_index % 2:
                order.reverse()
            for activation in args.activations:
                for name, tree in order:
                    times[name, activation] += run_worker(tree, activation, args)
        print(f"load average at end: {load_average_text()}")
        print()
        print(
            f"(256,) {args.dtype}, batch_norm={args.batch_norm}, dropout={args.dropout}, "
            f"{args.n_samples} x 784, Adam, batch 200: "
            "seconds per epoch, median (min-max)"
        )
        print()
        names = list(trees)
        print(f"| activation | {names[0]} | {names[1]} | {names[0]} / {names[1]} |")
        print("|---|---|---|---|")
        for activation in args.activations:
            cells, medians = [], []
            for name in names:
                t = times[name, activation]
                medians.append(float(np.median(t)))
                cells.append(f"{medians[-1]:.4f} ({min(t):.4f}-{max(t):.4f})")
            ratio = medians[0] / medians[1]
            print(f"| {activation} | {cells[0]} | {cells[1]} | {ratio:.3f} |")
    finally:
        subprocess.run(
            ["git", "-C", REPO_ROOT, "worktree", "remove", "--force", baseline_tree],
            capture_output=True,
        )
        shutil.rmtree(baseline_tree, ignore_errors=True)


if __name__ == "__main__":
    main()
