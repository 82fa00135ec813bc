"""The regression contenders, built from the classification benchmark's parts.

The peers and skdeep's ``MLPRegressor`` get the raw table through the very same
preprocessing ``ColumnTransformer`` as in the classification benchmark
(:func:`benchmarks.tabular.contenders.make_preprocessor`) and keep their
defaults. The one exception is the reference network: scikit-learn's
``MLPRegressor`` fits the raw target, which on tables whose target is in the
thousands (prices, salaries) leaves it far from converged, so it is wrapped in
``TransformedTargetRegressor(transformer=StandardScaler())``, as a careful user
would. skdeep's ``MLPRegressor`` runs at its own defaults (how its users would
run it). The recipe, ``skdeep.make_tabular_regressor``, takes the raw table.
"""

from __future__ import annotations

from benchmarks.tabular import contenders as tabular
from benchmarks.tabular.contenders import PEER, SKDEEP, Contender

RIDGE = "RidgeCV"
MLP = "MLPRegressor (std y)"
HGB = "HGB"  # the same column name as in the classification report
LGBM = "LightGBM"
CATBOOST = "CatBoost"
SKDEEP_MLP = "skdeep MLPRegressor"
RECIPE_NAME = tabular.RECIPE_NAME
RECIPE_FACTORY = "make_tabular_regressor"

PEERS = (RIDGE, MLP, HGB, LGBM, CATBOOST)
# The gradient-boosted trees: the references of the per-table gaps.
BOOSTING = (HGB, LGBM, CATBOOST)

DESCRIPTIONS = {
    RIDGE: "RidgeCV() behind the shared preprocessing",
    MLP: "TransformedTargetRegressor(MLPRegressor(random_state), StandardScaler()) "
    "behind the shared preprocessing",
    HGB: "HistGradientBoostingRegressor(random_state) behind the shared preprocessing",
    LGBM: "LGBMRegressor(n_jobs=1, verbose=-1, random_state) behind the shared preprocessing",
    CATBOOST: "CatBoostRegressor(thread_count=1, random_seed, verbose=False, "
    "allow_writing_files=False) behind the shared preprocessing",
    SKDEEP_MLP: "skdeep.MLPRegressor(random_state) at its defaults behind the shared preprocessing",
    RECIPE_NAME: "skdeep.make_tabular_regressor(random_state) on the raw table",
}

# Extra spellings accepted by --contenders, mapped before the classification
# benchmark's select() (which matches names case- and punctuation-insensitively).
ALIASES = {
    "ridge": RIDGE,
    "mlp": MLP,
    "mlpregressor": MLP,
    "hgb": HGB,
    "lgbm": LGBM,
    "lightgbm": LGBM,
    "catboost": CATBOOST,
    "skdeep": SKDEEP_MLP,
    "skdeepmlp": SKDEEP_MLP,
    "recipe": RECIPE_NAME,
}


def _ridge(random_state):
    from sklearn.linear_model import RidgeCV

    return RidgeCV()  # deterministic: no random_state


def _mlp(random_state):
    from sklearn.compose import TransformedTargetRegressor
    from sklearn.neural_network import MLPRegressor
    from sklearn.preprocessing import StandardScaler

    return TransformedTargetRegressor(
        regressor=MLPRegressor(random_state=random_state), transformer=StandardScaler()
    )


def _hgb(random_state):
    from sklearn.ensemble import HistGradientBoostingRegressor

    return HistGradientBoostingRegressor(random_state=random_state)


def _lgbm(random_state):
    from lightgbm import LGBMRegressor

    return LGBMRegressor(n_jobs=1, verbose=-1, random_state=random_state)


def _catboost(random_state):
    from catboost import CatBoostRegressor

    # One thread; no console output and no catboost_info/ directory.
    return CatBoostRegressor(
        thread_count=1, random_seed=random_state, verbose=False, allow_writing_files=False
    )


def _skdeep_mlp(random_state):
    import skdeep

    return skdeep.MLPRegressor(random_state=random_state)


def _missing(module, attribute=None):
    """Why ``module.attribute`` cannot be used, or None when it can."""
    try:
        imported = __import__(module)
        if attribute is not None:
            getattr(imported, attribute)
    except Exception as exc:  # any import failure makes the contender n/a
        name = module if attribute is None else f"{module}.{attribute}"
        return f"{name} not importable ({exc.__class__.__name__})"
    return None


def lightgbm_version():
    """lightgbm's version, or ``"missing"`` (part of the cache key)."""
    try:
        import lightgbm
    except Exception:
        return "missing"
    return lightgbm.__version__


def _contender(name, family, factory, reason=None):
    """``factory`` behind the shared preprocessing, or n/a with ``reason``."""
    build = None if reason else tabular._behind_preprocessing(factory)
    return Contender(name, family, build, reason)


def all_contenders(variants=(), only_recipe=False):
    """Every contender of a run, in report order.

    Parameters
    ----------
    variants : sequence of (str, dict)
        Recipe variants; each becomes ``recipe[NAME]``.
    only_recipe : bool, default=False
        Only the recipe and its variants; the peers are placeholders without a
        factory, reported from the cache when it has them (ablation runs).

    Returns
    -------
    list of Contender
        Unavailable ones (LightGBM or CatBoost not installed, skdeep without ``MLPRegressor``
        or ``make_tabular_regressor``) have ``build=None`` and the reason.
    """
    recipes = tabular.recipe_contenders(variants, factory=RECIPE_FACTORY)
    if only_recipe:
        placeholder = "not refitted (--only-recipe)"
        return [Contender(name, PEER, None, placeholder) for name in PEERS] + recipes
    return [
        _contender(RIDGE, PEER, _ridge),
        _contender(MLP, PEER, _mlp),
        _contender(HGB, PEER, _hgb),
        _contender(LGBM, PEER, _lgbm, _missing("lightgbm")),
        _contender(CATBOOST, PEER, _catboost, _missing("catboost")),
        _contender(SKDEEP_MLP, SKDEEP, _skdeep_mlp, _missing("skdeep", "MLPRegressor")),
        *recipes,
    ]


def select(contenders, wanted):
    """:func:`benchmarks.tabular.contenders.select`, with this benchmark's :data:`ALIASES`."""
    if not wanted:
        return list(contenders)
    return tabular.select(contenders, [ALIASES.get(tabular._key(w), w) for w in wanted])
