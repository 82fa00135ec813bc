"""The hybrid's boosting member named in a variant's JSON: ``{"boosting": "lightgbm"}``.

JSON cannot hold an estimator, so a variant names one, and the contender's build
swaps the name for the estimator after the recipe is made. This lives apart from
:mod:`.contenders` on purpose: that module is part of the peers' cache key, and
the peers' results do not depend on how a recipe variant is built.
"""

from dataclasses import replace


def boosting_member(name, regression=False):
    """The estimator a variant names as the hybrid's boosting member.

    ``"lightgbm"`` is LightGBM at its defaults on one thread, silent, like the
    LightGBM peer (the ensemble seeds each copy it fits).

    Parameters
    ----------
    name : str
    regression : bool, default=False
        The regressor instead of the classifier.

    Returns
    -------
    estimator

    Raises
    ------
    ValueError
        For a name other than ``"lightgbm"``.
    ImportError
        When LightGBM is not installed.
    """
    if name.lower() != "lightgbm":
        raise ValueError(f"boosting member {name!r}: only 'lightgbm' (or true/false) is known")
    from lightgbm import LGBMClassifier, LGBMRegressor

    return (LGBMRegressor if regression else LGBMClassifier)(n_jobs=1, verbose=-1)


def name_boosting_members(contenders, regression=False):
    """Give every variant with ``"boosting": "<name>"`` a build that fits that member.

    Parameters
    ----------
    contenders : list of Contender
    regression : bool, default=False

    Returns
    -------
    list of Contender
        The same contenders; those whose ``params["boosting"]`` is a string get
        a build that sets the recipe's ``boosting`` to :func:`boosting_member`.
    """
    out = []
    for contender in contenders:
        named = (contender.params or {}).get("boosting")
        if contender.build is None or not isinstance(named, str):
            out.append(contender)
            continue
        boosting_member(named, regression)  # an unknown name fails before any fit

        def build(random_state, make=contender.build, named=named):
            model = make(random_state)
            step = model.steps[-1][0]
            return model.set_params(**{f"{step}__boosting": boosting_member(named, regression)})

        out.append(replace(contender, build=build))
    return out
