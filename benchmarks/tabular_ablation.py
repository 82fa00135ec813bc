r"""Print the ablation table of a ``bench_tabular.py --json`` run with recipe variants.

Each recipe variant is ranked against LogisticRegression, MLPClassifier and
HistGradientBoosting alone (see ``benchmarks/tabular/ablation.py``). Usage::

    python benchmarks/bench_tabular.py --suite all --only-recipe \
        --recipe-variant 'no_PLE={"n_bins": 0}' ... --json results/ablation.json
    python benchmarks/tabular_ablation.py results/ablation.json
"""

import argparse
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from benchmarks.tabular.ablation import markdown, summarise


def main(argv=None):
    """Read the JSON run and print the markdown table.

    Parameters
    ----------
    argv : list of str, optional
        Command-line arguments.
    """
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("results", help="JSON file written by bench_tabular.py --json")
    args = parser.parse_args(argv)
    with open(args.results) as f:
        records = json.load(f)["records"]
    suites = [s for s in ("ten", "holdout") if any(r["suite"] == s for r in records)]
    print(markdown({suite: summarise(records, suite) for suite in suites}))


if __name__ == "__main__":
    main()
