"""The recipes for real tables, in one line: :func:`make_tabular_classifier` and
:func:`make_tabular_regressor`.

Both are the same pipeline, a :class:`~skdeep.preprocessing.TabularEncoder` and a
cross-fitted ensemble of small networks, with the same network settings; the
regressor's networks train on standardised targets (``normalize_y``) and stop
early on the validation loss.
"""

from sklearn.pipeline import Pipeline

from ._classifiers import MLPSoftmaxClassifier, MLPSVMClassifier
from ._regressors import MLPRegressor
from .ensemble import CrossFitClassifier, CrossFitRegressor
from .preprocessing import TabularEncoder

HEADS = {"softmax": MLPSoftmaxClassifier, "svm": MLPSVMClassifier}

ENCODER_DEFAULTS = {
    "quantile_range": (25.0, 75.0),
    "clip": 3.0,
    "n_bins": 8,
    "bins": "tree",
    "missing_indicators": True,
    "min_frequency": 5,
    "max_categories": 64,
    "one_hot_max_size": 20,
    "numeric_target_encoding": True,
    "dtype": "float32",
}
"""The encoder's settings in the recipe (:class:`~skdeep.preprocessing.TabularEncoder`)."""

CLASSIFIER_DEFAULTS = {
    "hidden_layer_sizes": (96, 96),
    "activation": "relu",
    "output_init": "zero",
    "solver": "adam",
    "learning_rate_init": 4e-3,
    "beta_2": 0.95,
    "learning_rate": "cosine",
    "max_iter": 40,
    "batch_size": 1 / 16,
    "alpha": 0.0,
    "early_stopping": True,
    "scoring": "loss",
    "n_iter_no_change": 5,
    "tol": 0.0,
}
"""Each network's settings in the recipe; the others keep the classifier's defaults."""

ENSEMBLE_DEFAULTS = {"n_estimators": "auto", "row_budget": 10000, "n_jobs": None}
"""The cross-fitted ensemble's settings (:class:`~skdeep.ensemble.CrossFitClassifier`)."""

REGRESSOR_DEFAULTS = {
    **CLASSIFIER_DEFAULTS,
    "loss": "squared_error",
    "normalize_y": True,
}
"""Each network's settings in the regression recipe: the classifier's, on standardised targets."""

REGRESSION_ENCODER_DEFAULTS = {**ENCODER_DEFAULTS, "bins": "quantile", "target_type": "continuous"}
"""The encoder's settings in the regression recipe: quantile bins, measured on the regression
tables (``doc/benchmarks.md``); ``target_type`` makes ``bins='tree'`` fit regression trees
even to an integer target (counts)."""


def _recipe(caller, steps, random_state, overrides, boosting=False):
    """The pipeline of a recipe, with ``overrides`` dispatched to the step that has them.

    ``steps`` is ``(encoder_defaults, network_class, network_defaults, ensemble_class,
    step_name)``.
    """
    encoder_defaults, network_class, network_defaults, ensemble_class, step = steps
    encoder_settings = dict(encoder_defaults)
    network_settings = dict(network_defaults)
    ensemble_settings = dict(ENSEMBLE_DEFAULTS)
    encoder_names = set(TabularEncoder().get_params()) - {"random_state"}
    network_names = set(network_class().get_params()) - {"random_state"}
    for name, value in overrides.items():
        if name in encoder_names:
            encoder_settings[name] = value
        elif name in ensemble_settings:
            ensemble_settings[name] = value
        elif name in network_names:
            network_settings[name] = value
        else:
            raise TypeError(
                f"{caller} got an unexpected setting {name!r}: it is neither a parameter of "
                f"TabularEncoder, of {ensemble_class.__name__} nor of {network_class.__name__}."
            )
    ensemble = ensemble_class(
        network_class(**network_settings),
        random_state=random_state,
        boosting=boosting,
        **ensemble_settings,
    )
    encoder = TabularEncoder(random_state=random_state, **encoder_settings)
    return Pipeline([("encoder", encoder), (step, ensemble)])


def make_tabular_classifier(random_state=None, *, head="softmax", boosting=False, **overrides):
    """A classifier for real tables, set up the way measurements on real tables favour.

    Returns an unfitted :class:`~sklearn.pipeline.Pipeline` of two steps that takes
    a pandas DataFrame as it comes (numbers, strings, categoricals, booleans,
    missing values):

    * ``"encoder"``: a :class:`~skdeep.preprocessing.TabularEncoder`: numbers
      scaled robustly, clipped smoothly and piecewise-linearly encoded (at most
      8 bins per feature, their edges at the thresholds of a decision tree
      fitted on that feature against ``y``);
      missing values imputed and flagged; categories one-hot, rare ones merged,
      except that a feature of more than 20 categories is target-encoded
      (cross-fitted, ``one_hot_max_size=20``), and so is, next to its numerical
      encoding, a column of more than 20 integers that behaves like a category
      (an id of a person, a district or a store, whose per-value target means
      predict better out of fold than its bins: ``numeric_target_encoding``);
    * ``"classifier"``: a :class:`~skdeep.ensemble.CrossFitClassifier` of
      :class:`MLPSoftmaxClassifier` networks (with ``head="svm"``,
      :class:`MLPSVMClassifier`): each network has two layers of 96 ReLU units
      and a zero-initialised output layer, trains with Adam
      (``learning_rate_init=4e-3``, ``beta_2=0.95``) on a cosine schedule over
      at most 40 epochs of 16 equal batches, and keeps the epoch of lowest
      validation loss (patience 5) on its own fold of the rows; up to five
      networks (``round(10000 / n_samples)``) are averaged.

    Every setting is a parameter of the pipeline (``encoder__n_bins``,
    ``classifier__n_estimators``, ``classifier__estimator__learning_rate_init``,
    ...), so ``get_params``/``set_params``, ``clone``, pickling and searches such
    as ``RandomizedSearchCV`` work as with any scikit-learn pipeline. The choices
    and what each is worth on real tables are in the user guide and
    ``doc/benchmarks.md`` (``benchmarks/bench_tabular.py`` measures them);
    :class:`MLPSoftmaxClassifier` itself keeps ``MLPClassifier``'s defaults.

    Parameters
    ----------
    random_state : int, RandomState instance or None, default=None
        Seeds the folds, every network (initial weights, shuffling) and the
        encoder's cross-fitted target encoding and its test of integer codes.
    head : {'softmax', 'svm'}, default='softmax'
        The networks' head: softmax cross-entropy or the multiclass hinge.
    boosting : bool or estimator, default=False
        The hybrid, an option outside the recipe: ``True`` adds a
        :class:`~sklearn.ensemble.HistGradientBoostingClassifier` (at its
        defaults; an estimator instance, e.g. LightGBM's, is used instead)
        fitted on the encoded table, one per network on that network's training
        rows, and blends its probabilities with the networks' by a weight chosen
        on the networks' validation folds (``CrossFitClassifier``'s
        ``boosting``). The recipe itself is networks only; the hybrid's
        figures are reported apart in ``doc/benchmarks.md``.
    **overrides
        Settings that replace the recipe's, by name: any parameter of
        :class:`~skdeep.preprocessing.TabularEncoder` (e.g. ``n_bins=0``), of
        :class:`~skdeep.ensemble.CrossFitClassifier` (``n_estimators``,
        ``row_budget``, ``n_jobs``) or of the networks (e.g. ``max_iter=100``,
        ``n_members=8``). A name that is none of these is a ``TypeError``.

    Returns
    -------
    pipeline : Pipeline
        Unfitted.

    Examples
    --------
    >>> import pandas as pd
    >>> from skdeep import make_tabular_classifier
    >>> X = pd.DataFrame({"x": [0.1, 0.5, 0.9, 0.3] * 25, "c": ["a", "b", "a", "b"] * 25})
    >>> y = [0, 1, 1, 0] * 25
    >>> model = make_tabular_classifier(random_state=0, max_iter=5).fit(X, y)
    >>> model.predict_proba(X).shape
    (100, 2)
    """
    if head not in HEADS:
        raise ValueError(f"head must be one of {sorted(HEADS)}; got {head!r}.")
    steps = (ENCODER_DEFAULTS, HEADS[head], CLASSIFIER_DEFAULTS, CrossFitClassifier, "classifier")
    return _recipe("make_tabular_classifier", steps, random_state, overrides, boosting)


def make_tabular_regressor(random_state=None, *, boosting=False, **overrides):
    """A regressor for real tables, the twin of :func:`make_tabular_classifier`.

    Returns an unfitted :class:`~sklearn.pipeline.Pipeline` of two steps that takes
    a pandas DataFrame as it comes (numbers, strings, categoricals, booleans,
    missing values):

    * ``"encoder"``: a :class:`~skdeep.preprocessing.TabularEncoder`, as in the
      classification recipe (a feature of more than 20 categories
      target-encoded, and so is a column of integers that behaves like one)
      but with quantile bins for the piecewise-linear
      encoding (what was measured on regression tables);
    * ``"regressor"``: a :class:`~skdeep.ensemble.CrossFitRegressor` of
      :class:`~skdeep.MLPRegressor` networks with the classification recipe's
      settings (two layers of 96 ReLU units, a zero output layer, Adam at
      ``4e-3`` with ``beta_2=0.95``, a cosine schedule over at most 40 epochs of
      16 equal batches, the epoch of lowest validation loss on the network's own
      fold, patience 5), trained on standardised targets (``normalize_y``): a
      price in dollars and a yield in tonnes need no hand-made scaling. Up to
      five networks (``round(10000 / n_samples)``) are averaged.

    Every setting is a parameter of the pipeline (``encoder__n_bins``,
    ``regressor__estimator__loss``, ...), so ``clone``, pickling and searches
    work as with any scikit-learn pipeline. What each choice is worth on real
    regression tables is in ``doc/benchmarks.md``
    (``benchmarks/bench_regression.py``).

    Parameters
    ----------
    random_state : int, RandomState instance or None, default=None
        Seeds the folds, every network (initial weights, shuffling) and the
        encoder's cross-fitted target encoding and its test of integer codes.
    boosting : bool or estimator, default=False
        The hybrid, an option outside the recipe: ``True`` adds a
        :class:`~sklearn.ensemble.HistGradientBoostingRegressor` (at its
        defaults; an estimator instance, e.g. LightGBM's, is used instead)
        fitted on the encoded table, one per network on that network's training
        rows, and blends its predictions with the networks' by a weight chosen
        on the networks' validation folds (``CrossFitRegressor``'s
        ``boosting``). The recipe itself is networks only; the hybrid's
        figures are reported apart in ``doc/benchmarks.md``.
    **overrides
        Settings that replace the recipe's, by name: any parameter of
        :class:`~skdeep.preprocessing.TabularEncoder`, of
        :class:`~skdeep.ensemble.CrossFitRegressor` (``n_estimators``,
        ``row_budget``, ``n_jobs``) or of the networks (e.g. ``loss='huber'``,
        ``max_iter=100``). A name that is none of these is a ``TypeError``.

    Returns
    -------
    pipeline : Pipeline
        Unfitted.

    Examples
    --------
    >>> import pandas as pd
    >>> from skdeep import make_tabular_regressor
    >>> X = pd.DataFrame({"x": [0.1, 0.5, 0.9, 0.3] * 25, "c": ["a", "b", "a", "b"] * 25})
    >>> y = 1000 * X["x"] + (X["c"] == "a") * 300
    >>> model = make_tabular_regressor(random_state=0, max_iter=5).fit(X, y)
    >>> model.predict(X).shape
    (100,)
    """
    steps = (
        REGRESSION_ENCODER_DEFAULTS,
        MLPRegressor,
        REGRESSOR_DEFAULTS,
        CrossFitRegressor,
        "regressor",
    )
    return _recipe("make_tabular_regressor", steps, random_state, overrides, boosting)
