"""cProfile of two training epochs of the (256,) configuration of ``bench_epoch.py``.

Where the time of an epoch goes: the dense layers' matrix products, the gather of
the shuffled batch, the optimizer step, the rest. The fit is warmed up first (on
2,000 rows) so that imports and compiled kernels are not in the profile.

Usage (from the repository root)::

    python benchmarks/profile_epoch.py --dtype float32
    python benchmarks/profile_epoch.py --dtype float64 --lines 25
"""

import argparse
import cProfile
import os
import pstats
import sys
import warnings

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def main(argv=None):
    """Fit the warmed-up model for two epochs under cProfile and print the top lines.

    Parameters
    ----------
    argv : list of str, optional
        Command-line arguments.
    """
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dtype", choices=["float32", "float64"], default="float32")
    parser.add_argument("--n-samples", type=int, default=60000)
    parser.add_argument("--lines", type=int, default=18, help="profile lines to print")
    args = parser.parse_args(argv)

    from sklearn.datasets import make_classification

    from skdeep import MLPSoftmaxClassifier

    X, y = make_classification(args.n_samples, 784, n_informative=200, n_classes=10, random_state=0)
    X = ((X - X.mean(axis=0)) / X.std(axis=0)).astype(args.dtype)
    warnings.simplefilter("ignore")  # the fit stops at max_iter on purpose
    model = MLPSoftmaxClassifier(
        hidden_layer_sizes=(256,),
        solver="adam",
        learning_rate_init=1e-3,
        alpha=1e-4,
        batch_size=200,
        max_iter=1,
        random_state=0,
        dtype=args.dtype,
    )
    model.fit(X[:2000], y[:2000])
    model.set_params(max_iter=2)
    profiler = cProfile.Profile()
    profiler.enable()
    model.fit(X, y)
    profiler.disable()
    stats = pstats.Stats(profiler).sort_stats("tottime")
    print(f"two epochs of (256,) {args.dtype}, {args.n_samples} x 784, Adam, batch 200")
    stats.print_stats(args.lines)
    print(f"seconds per batch = tottime / ncalls; batches per epoch: {-(-args.n_samples // 200)}")


if __name__ == "__main__":
    main()
