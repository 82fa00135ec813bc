"""The contenders: the peers and skdeep, each as a factory of a fresh estimator.

Every contender receives the raw table (a DataFrame with strings and NaN). The
peers (scikit-learn's three, and LightGBM and CatBoost when they are installed:
the optional ``bench`` extra) and the plain skdeep classifiers get it through one
shared preprocessing ``ColumnTransformer`` and keep all their defaults but the
thread count and the logging, so the comparison is of the models, not of tuning.
"The recipe", ``skdeep.make_tabular_classifier``, takes the raw table itself:
its preprocessing is part of what is measured.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field

PEER = "peer"
SKDEEP = "skdeep"
RECIPE = "recipe"

LOGREG = "LogisticRegression"
MLP = "MLPClassifier"
HGB = "HGB"
LGBM = "LightGBM"
CATBOOST = "CatBoost"
SOFTMAX = "skdeep softmax"
SVM = "skdeep SVM"
RECIPE_NAME = "skdeep recipe"

PEERS = (LOGREG, MLP, HGB, LGBM, CATBOOST)
# The gradient-boosted trees: the references of issue 18's targets.
BOOSTING = (HGB, LGBM, CATBOOST)
# Not-refitted peers of an --only-recipe run (reported from the cache, never as n/a).
NOT_REFITTED = "not refitted (--only-recipe)"

# Extra spellings accepted by --contenders (compared after _key()).
_ALIASES = {
    "logreg": LOGREG,
    "lr": LOGREG,
    "mlp": MLP,
    "hgb": HGB,
    "histgradientboosting": HGB,
    "histgradientboostingclassifier": HGB,
    "lgbm": LGBM,
    "lgbmclassifier": LGBM,
    "catboostclassifier": CATBOOST,
    "softmax": SOFTMAX,
    "mlpsoftmaxclassifier": SOFTMAX,
    "svm": SVM,
    "mlpsvmclassifier": SVM,
    "recipe": RECIPE_NAME,
}


@dataclass
class Contender:
    """One column of the benchmark.

    Parameters
    ----------
    name : str
        Column name in the reports.
    family : {"peer", "skdeep", "recipe"}
        Peers are the references; wins and losses are counted for the others.
    build : callable or None
        ``build(random_state) -> estimator``: a fresh, unfitted estimator that
        accepts the raw DataFrame. None when the contender is unavailable.
    unavailable : str or None
        Why ``build`` is None: reported as n/a, except for the peers of an
        ``--only-recipe`` run (``NOT_REFITTED``), which are read from the cache.
    params : dict
        Overrides given to the recipe (variants only), for the record.
    """

    name: str
    family: str
    build: Callable | None
    unavailable: str | None = None
    params: dict = field(default_factory=dict)

    @property
    def cache_only(self):
        """A peer placeholder of an ``--only-recipe`` run: shown only if the cache has it."""
        return self.build is None and self.unavailable == NOT_REFITTED

    @property
    def cacheable(self):
        """Only the peers are cached: skdeep's results change with the working tree."""
        return self.family == PEER


def make_preprocessor():
    """The shared preprocessing of the peers and of the plain skdeep classifiers.

    Returns
    -------
    sklearn.compose.ColumnTransformer
        Numeric columns: median imputation then standardisation. Every other
        column (strings, categories, booleans): most-frequent imputation then
        one-hot encoding, unknown levels encoded as all zeros.
    """
    from sklearn.compose import ColumnTransformer, make_column_selector
    from sklearn.impute import SimpleImputer
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    numeric = make_pipeline(SimpleImputer(strategy="median"), StandardScaler())
    # Dense output: HistGradientBoosting rejects sparse input, and the
    # ColumnTransformer would switch to a sparse matrix on tables with many
    # levels; dense everywhere keeps every model on the very same matrix.
    categorical = make_pipeline(
        SimpleImputer(strategy="most_frequent"),
        OneHotEncoder(handle_unknown="ignore", sparse_output=False),
    )
    return ColumnTransformer(
        [
            ("numeric", numeric, make_column_selector(dtype_include="number")),
            # Everything that is not a number, so booleans and pandas' string
            # dtype are encoded rather than silently dropped.
            ("categorical", categorical, make_column_selector(dtype_exclude="number")),
        ]
    )


def _behind_preprocessing(model_factory):
    def build(random_state):
        from sklearn.pipeline import make_pipeline

        return make_pipeline(make_preprocessor(), model_factory(random_state))

    return build


def _logreg(random_state):
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(random_state=random_state)


def _mlp(random_state):
    from sklearn.neural_network import MLPClassifier

    return MLPClassifier(random_state=random_state)


def _hgb(random_state):
    from sklearn.ensemble import HistGradientBoostingClassifier

    return HistGradientBoostingClassifier(random_state=random_state)


def _lightgbm(random_state):
    from lightgbm import LGBMClassifier

    # One thread like every contender; verbose=-1 silences LightGBM's own logging.
    return LGBMClassifier(n_jobs=1, verbose=-1, random_state=random_state)


def _catboost(random_state):
    import numpy as np
    from catboost import CatBoostClassifier

    class FlatCatBoost(CatBoostClassifier):
        """CatBoost's ``predict`` returns a column on multiclass tables: flatten it."""

        def predict(self, data, *args, **kwargs):
            return np.ravel(super().predict(data, *args, **kwargs))

    # One thread; no console output and no catboost_info/ directory.
    return FlatCatBoost(
        thread_count=1, random_seed=random_state, verbose=False, allow_writing_files=False
    )


def _missing_package(module):
    """None when ``module`` imports, else why the contender is n/a."""
    try:
        __import__(module)
    except Exception as exc:  # not installed, or a broken install: the contender is n/a
        return f"{module} not importable ({exc.__class__.__name__}; pip install skdeep[bench])"
    return None


def _optional_peer(name, module, model_factory):
    reason = _missing_package(module)
    build = None if reason else _behind_preprocessing(model_factory)
    return Contender(name, PEER, build, reason)


def _skdeep_model(class_name):
    def model(random_state):
        import skdeep

        return getattr(skdeep, class_name)(random_state=random_state)

    return model


def _skdeep_unavailable():
    try:
        import skdeep  # noqa: F401
    except Exception as exc:  # any import failure makes the contender n/a
        return f"skdeep not importable: {exc}"
    return None


def _recipe_factory(name="make_tabular_classifier"):
    """``skdeep.<name>`` if the working tree has it, else the reason why not."""
    try:
        import skdeep

        return getattr(skdeep, name), None
    except Exception as exc:
        return None, f"skdeep.{name} not importable ({exc.__class__.__name__})"


def parse_variant(text):
    """Parse one ``--recipe-variant NAME=JSON``.

    Parameters
    ----------
    text : str
        E.g. ``'no_ls={"label_smoothing": 0.0}'``.

    Returns
    -------
    name : str
    overrides : dict

    Raises
    ------
    ValueError
        If there is no ``=``, the name is empty, or the JSON is not an object.
    """
    name, sep, payload = text.partition("=")
    name = name.strip()
    if not sep or not name:
        raise ValueError(f"expected NAME=JSON, got {text!r}")
    try:
        overrides = json.loads(payload)
    except json.JSONDecodeError as exc:
        raise ValueError(f"variant {name!r}: invalid JSON ({exc})") from exc
    if not isinstance(overrides, dict):
        raise ValueError(f"variant {name!r}: JSON must be an object, got {payload!r}")
    if "random_state" in overrides:
        raise ValueError(f"variant {name!r}: random_state is set by the protocol (fold seed)")
    return name, overrides


def recipe_contenders(variants=(), factory="make_tabular_classifier"):
    """The recipe and its variants.

    Parameters
    ----------
    variants : sequence of (str, dict)
        Parsed ``--recipe-variant`` options; each becomes ``recipe[NAME]``.
    factory : str, default="make_tabular_classifier"
        The recipe's name in skdeep (``bench_regression.py``:
        ``make_tabular_regressor``).

    Returns
    -------
    list of Contender
        ``skdeep recipe`` first, then the variants in the given order; all with
        ``build=None`` and the reason when ``factory`` does not exist yet.
    """
    factory, reason = _recipe_factory(factory)

    def bind(overrides):
        if factory is None:
            return None
        return lambda random_state: factory(random_state=random_state, **overrides)

    out = [Contender(RECIPE_NAME, RECIPE, bind({}), reason)]
    for name, overrides in variants:
        out.append(Contender(f"recipe[{name}]", RECIPE, bind(overrides), reason, overrides))
    return out


def all_contenders(variants=(), only_recipe=False):
    """Every contender of a run, in report order.

    Parameters
    ----------
    variants : sequence of (str, dict)
        Parsed ``--recipe-variant`` options.
    only_recipe : bool
        Leave out the peers and the plain skdeep classifiers (ablation runs; the
        peers may still be reported from the cache).

    Returns
    -------
    list of Contender
    """
    recipes = recipe_contenders(variants)
    if only_recipe:
        return recipes
    reason = _skdeep_unavailable()

    def skdeep_build(class_name):
        return None if reason else _behind_preprocessing(_skdeep_model(class_name))

    return [
        Contender(LOGREG, PEER, _behind_preprocessing(_logreg)),
        Contender(MLP, PEER, _behind_preprocessing(_mlp)),
        Contender(HGB, PEER, _behind_preprocessing(_hgb)),
        _optional_peer(LGBM, "lightgbm", _lightgbm),
        _optional_peer(CATBOOST, "catboost", _catboost),
        Contender(SOFTMAX, SKDEEP, skdeep_build("MLPSoftmaxClassifier"), reason),
        Contender(SVM, SKDEEP, skdeep_build("MLPSVMClassifier"), reason),
        *recipes,
    ]


def peer_placeholders():
    """The peers without a factory: reported from the cache by ``--only-recipe`` runs."""
    return [Contender(name, PEER, None, NOT_REFITTED) for name in PEERS]


def _key(name):
    return "".join(ch for ch in name.lower() if ch.isalnum() or ch in "[]")


def select(contenders, wanted):
    """Keep the contenders named in ``wanted`` (case-insensitive, aliases allowed).

    Parameters
    ----------
    contenders : list of Contender
    wanted : sequence of str or None
        None keeps everything.

    Returns
    -------
    list of Contender
        In the original order.

    Raises
    ------
    ValueError
        If a name matches no contender.
    """
    if not wanted:
        return list(contenders)
    by_key = {_key(c.name): c.name for c in contenders}
    chosen = set()
    for name in wanted:
        key = _key(name)
        target = by_key.get(key) or by_key.get(_key(_ALIASES.get(key, "")))
        if target is None:
            known = ", ".join(c.name for c in contenders)
            raise ValueError(f"unknown contender {name!r}; known: {known}")
        chosen.add(target)
    return [c for c in contenders if c.name in chosen]
