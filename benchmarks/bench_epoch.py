#!/usr/bin/env python
"""Per-epoch training benchmark: skdeep vs scikit-learn MLPClassifier vs PyTorch.

Run from the repository root::

    python benchmarks/bench_epoch.py                 # full run (60000 samples, 5 repeats)
    python benchmarks/bench_epoch.py --quick         # 20000 samples, 2 repeats
    python benchmarks/bench_epoch.py --configs 1 5 --repeats 7 --json out.json

See ``benchmarks/README.md`` for the protocol and the meaning of every column.
This file is the command line only: the benchmark is the ``benchmarks/epoch/``
package, on the helpers shared by every benchmark in ``benchmarks/common/``. It
also runs the memory worker (config 6) when called with ``--_mem-worker``.

The script only needs numpy and scikit-learn.  skdeep and PyTorch are optional
contenders: if one of them cannot be imported its columns are reported as
"n/a" and the rest of the benchmark still runs.
"""

from __future__ import annotations

import argparse
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REPO_ROOT = os.path.dirname(HERE)
# Benchmark the working tree's skdeep, not whatever may be installed elsewhere
# (and import this benchmark's package as ``benchmarks.epoch``).
if REPO_ROOT not in sys.path:
    sys.path.insert(0, REPO_ROOT)

from benchmarks.epoch.settings import CONFIGS  # noqa: E402


def parse_args(argv=None):
    """The command-line options, with the ``--quick``-dependent defaults filled in."""
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
    """Run the benchmark (or, internally, one memory measurement); returns the exit status."""
    args = parse_args(argv)
    if args._mem_worker:
        from benchmarks.epoch.memory import mem_worker

        mem_worker(args)
        return 0
    from benchmarks.epoch.runner import run

    return run(args)


if __name__ == "__main__":
    sys.exit(main())
