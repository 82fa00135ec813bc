"""The simulated panel of benchmarks/bench_codes.py: its data, and one small run."""

import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
# benchmarks/ is not an installed package: import it from the repository.
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks import bench_codes  # noqa: E402


def test_the_panel_is_households_buying_brands():
    X, y = bench_codes.make_panel(0, n_people=30, rows_each=8)
    assert X.shape == (240, 1 + 2 * bench_codes.N_BRANDS)
    assert X["household"].nunique() == 30 and (X["household"].value_counts() == 8).all()
    assert set(np.unique(y)) <= set(range(bench_codes.N_BRANDS))
    again, y_again = bench_codes.make_panel(0, n_people=30, rows_each=8)
    assert X.equals(again) and np.array_equal(y, y_again)
    # The cheaper brand wins more often: price enters the utility with weight -3.
    cheapest = X[[f"price{b}" for b in range(bench_codes.N_BRANDS)]].to_numpy().argmin(axis=1)
    assert np.mean(cheapest == y) > 1 / bench_codes.N_BRANDS


def test_a_small_run_prints_a_row_per_seed(capsys, monkeypatch):
    # The peers are optional extras: the run is about the two recipes here.
    monkeypatch.setattr(bench_codes.importlib.util, "find_spec", lambda name: None)
    bench_codes.main(["--seeds", "0", "--people", "20", "--rows-each", "6"])
    out = capsys.readouterr().out
    assert "| seed | recipe | recipe, ids as numbers |" in out
    row = next(line for line in out.splitlines() if line.startswith("| 0 |"))
    assert row.count("(") == 2  # an accuracy and a time per contender
