"""The recipe for real tables, in one line: :func:`make_tabular_classifier`."""

from sklearn.pipeline import Pipeline

from ._classifiers import MLPSoftmaxClassifier, MLPSVMClassifier
from .preprocessing import TabularEncoder

HEADS = {"softmax": MLPSoftmaxClassifier, "svm": MLPSVMClassifier}

ENCODER_DEFAULTS = {
    "quantile_range": (25.0, 75.0),
    "clip": 3.0,
    "n_bins": 8,
    "missing_indicators": True,
    "min_frequency": 5,
    "max_categories": 64,
    "dtype": "float32",
}
"""The encoder's settings in the recipe (:class:`~skdeep.preprocessing.TabularEncoder`)."""

CLASSIFIER_DEFAULTS = {
    "hidden_layer_sizes": (96, 96),
    "activation": "relu",
    "n_members": 8,
    "output_init": "zero",
    "solver": "adam",
    "learning_rate_init": 2e-3,
    "beta_2": 0.95,
    "learning_rate": "cosine",
    "max_iter": 40,
    "batch_size": 1 / 16,
    "alpha": 0.0,
    "early_stopping": True,
    "validation_fraction": 0.2,
    "scoring": "loss",
    "n_iter_no_change": 8,
    "tol": 0.0,
}
"""The classifier's settings in the recipe; the others keep the classifier's defaults."""


def make_tabular_classifier(random_state=None, *, head="softmax", **overrides):
    """A classifier for real tables that beats gradient boosting with its defaults.

    Returns an unfitted :class:`~sklearn.pipeline.Pipeline` of two steps that takes
    a pandas DataFrame as it comes (numbers, strings, categoricals, booleans,
    missing values):

    * ``"encoder"``: a :class:`~skdeep.preprocessing.TabularEncoder` (numbers
      scaled robustly, clipped smoothly and piecewise-linearly encoded; missing
      values imputed and flagged; categories one-hot, rare ones merged);
    * ``"classifier"``: an :class:`MLPSoftmaxClassifier` (or, with
      ``head="svm"``, an :class:`MLPSVMClassifier`) set up as an ensemble of 8
      members trained at once on two layers of 96 ReLU units, with a zero
      output layer, Adam (``beta_2=0.95``) on a cosine schedule, and the
      epoch of lowest validation loss kept (20% of the rows held out).

    Every setting is a parameter of the pipeline (``encoder__n_bins``,
    ``classifier__n_members``, ...), so ``get_params``/``set_params``,
    ``clone``, pickling and searches such as ``RandomizedSearchCV`` work as
    with any scikit-learn pipeline. The recipe's choices, and what each is
    worth on real tables, are documented in the user guide and measured by
    ``benchmarks/bench_tabular.py``; :class:`MLPSoftmaxClassifier` itself keeps
    ``MLPClassifier``'s defaults.

    Parameters
    ----------
    random_state : int, RandomState instance or None, default=None
        Seeds the classifier (initial weights, shuffling, the validation split).
    head : {'softmax', 'svm'}, default='softmax'
        The output head: softmax cross-entropy or the multiclass hinge.
    **overrides
        Settings that replace the recipe's, by name: any parameter of
        :class:`~skdeep.preprocessing.TabularEncoder` or of the classifier
        (e.g. ``n_members=4``, ``n_bins=0``, ``max_iter=100``). A name that is
        neither is a ``TypeError``.

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
    >>> model = make_tabular_classifier(random_state=0, n_members=2, max_iter=5).fit(X, y)
    >>> model.predict_proba(X).shape
    (100, 2)
    """
    if head not in HEADS:
        raise ValueError(f"head must be one of {sorted(HEADS)}; got {head!r}.")
    classifier_class = HEADS[head]
    encoder_settings = dict(ENCODER_DEFAULTS)
    classifier_settings = dict(CLASSIFIER_DEFAULTS, random_state=random_state)
    encoder_names = set(TabularEncoder().get_params())
    classifier_names = set(classifier_class().get_params())
    for name, value in overrides.items():
        if name in encoder_names:
            encoder_settings[name] = value
        elif name in classifier_names:
            classifier_settings[name] = value
        else:
            raise TypeError(
                f"make_tabular_classifier got an unexpected setting {name!r}: it is neither a "
                f"parameter of TabularEncoder nor of {classifier_class.__name__}."
            )
    return Pipeline(
        [
            ("encoder", TabularEncoder(**encoder_settings)),
            ("classifier", classifier_class(**classifier_settings)),
        ]
    )
