"""The recipe for real tables, in one line: :func:`make_tabular_classifier`."""

from sklearn.pipeline import Pipeline

from ._classifiers import MLPSoftmaxClassifier, MLPSVMClassifier
from .ensemble import CrossFitClassifier
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


def make_tabular_classifier(random_state=None, *, head="softmax", **overrides):
    """A classifier for real tables, set up the way measurements on real tables favour.

    Returns an unfitted :class:`~sklearn.pipeline.Pipeline` of two steps that takes
    a pandas DataFrame as it comes (numbers, strings, categoricals, booleans,
    missing values):

    * ``"encoder"``: a :class:`~skdeep.preprocessing.TabularEncoder`: numbers
      scaled robustly, clipped smoothly and piecewise-linearly encoded (at most
      8 bins per feature, their edges at the thresholds of a decision tree
      fitted on that feature against ``y``);
      missing values imputed and flagged; categories one-hot, rare ones merged;
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
        Seeds the folds and every network (initial weights, shuffling).
    head : {'softmax', 'svm'}, default='softmax'
        The networks' head: softmax cross-entropy or the multiclass hinge.
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
    network_class = HEADS[head]
    encoder_settings = dict(ENCODER_DEFAULTS)
    network_settings = dict(CLASSIFIER_DEFAULTS)
    ensemble_settings = dict(ENSEMBLE_DEFAULTS)
    encoder_names = set(TabularEncoder().get_params())
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
                f"make_tabular_classifier got an unexpected setting {name!r}: it is neither a "
                f"parameter of TabularEncoder, of CrossFitClassifier nor of "
                f"{network_class.__name__}."
            )
    ensemble = CrossFitClassifier(
        network_class(**network_settings), random_state=random_state, **ensemble_settings
    )
    return Pipeline([("encoder", TabularEncoder(**encoder_settings)), ("classifier", ensemble)])
