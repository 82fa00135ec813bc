"""Cross-fitted ensembles: several networks, each validated on its own fold.

:class:`CrossFitClassifier` and :class:`CrossFitRegressor` share their folds,
seeds and fitting (:class:`_BaseCrossFit`) and predict through the same mixins as
the networks themselves (:mod:`skdeep._prediction`): the classifier averages
probabilities, the regressor predictions.
"""

from numbers import Integral, Real

import numpy as np
from joblib import Parallel, delayed
from sklearn.base import (
    BaseEstimator,
    ClassifierMixin,
    MetaEstimatorMixin,
    RegressorMixin,
    _fit_context,
    clone,
)
from sklearn.model_selection import KFold, StratifiedKFold
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import _check_sample_weight, check_is_fitted, validate_data

from ._prediction import ClassifierPredictionMixin, RegressorPredictionMixin

_MAX_SEED = np.iinfo(np.int32).max


class _BaseCrossFit(MetaEstimatorMixin, BaseEstimator):
    """Folds, seeds and parallel fits shared by the cross-fitted ensembles."""

    _parameter_constraints = {
        "n_estimators": [StrOptions({"auto"}), Interval(Integral, 1, None, closed="left")],
        "validation_fraction": [Interval(Real, 0, 0.5, closed="right")],
        "row_budget": [Interval(Integral, 1, None, closed="left")],
        "random_state": ["random_state"],
        "n_jobs": [Integral, None],
    }

    def __init__(
        self,
        estimator,
        *,
        n_estimators="auto",
        validation_fraction=0.2,
        row_budget=10000,
        random_state=None,
        n_jobs=None,
    ):
        self.estimator = estimator
        self.n_estimators = n_estimators
        self.validation_fraction = validation_fraction
        self.row_budget = row_budget
        self.random_state = random_state
        self.n_jobs = n_jobs

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        inner = self.estimator.__sklearn_tags__()
        tags.input_tags.sparse = inner.input_tags.sparse
        tags.input_tags.allow_nan = inner.input_tags.allow_nan
        return tags

    def _validated(self, X, y, sample_weight, **y_options):
        X, y = validate_data(
            self, X, y, accept_sparse="csr", dtype=None, ensure_all_finite=False, **y_options
        )
        if sample_weight is not None:
            sample_weight = _check_sample_weight(sample_weight, X)
        return X, y, sample_weight

    def _planned_models(self, n_samples):
        """``(n_folds, n_models, split_seed, seeds)`` for a table of ``n_samples`` rows."""
        rng = check_random_state(self.random_state)
        n_folds = max(2, round(1 / self.validation_fraction))
        if self.n_estimators == "auto":
            n_models = min(n_folds, max(1, round(self.row_budget / n_samples)))
        else:
            n_models = min(self.n_estimators, n_folds)
        split_seed = rng.randint(_MAX_SEED)
        seeds = rng.randint(_MAX_SEED, size=n_models)
        return n_folds, n_models, split_seed, seeds

    def _fit_models(self, X, y, sample_weight, folds, seeds):
        """Fit one clone per ``(train, validation)`` fold, in parallel."""
        if not folds:  # too few rows to hold any out: one model validates on all
            rows = np.arange(X.shape[0])
            return [_fit_one(self.estimator, X, y, sample_weight, rows, rows, seeds[0])]
        jobs = (
            delayed(_fit_one)(self.estimator, X, y, sample_weight, train, val, int(seed))
            for (train, val), seed in zip(folds, seeds)
        )
        return Parallel(n_jobs=self.n_jobs)(jobs)

    def _checked_X(self, X):
        check_is_fitted(self)
        return validate_data(
            self, X, accept_sparse="csr", dtype=None, ensure_all_finite=False, reset=False
        )


class CrossFitClassifier(ClassifierPredictionMixin, ClassifierMixin, _BaseCrossFit):
    """Average networks that each stop early on their own fold of the training rows.

    The training rows are split into ``round(1 / validation_fraction)`` stratified
    folds (fewer when a class has fewer samples than that; with a class of one
    sample, a single model validates on its training rows). Model ``b`` trains on
    every fold but fold ``b``, which is its
    early-stopping validation set (passed as ``X_val``, ``y_val``), and the
    ensemble averages the models' probabilities. Between them the models see
    every row, and the noise of choosing the best epoch on a small validation set
    averages out: on small tables, where a 20% split is a few dozen rows, that
    noise is the largest source of error of a network (the study behind
    :func:`skdeep.make_tabular_classifier` measured it). This is the k-fold
    "bagging" of AutoML systems such as AutoGluon, with the folds serving early
    stopping.

    Parameters
    ----------
    estimator : estimator object
        A classifier whose ``fit`` takes ``X_val`` and ``y_val`` (skdeep's
        classifiers, :class:`~sklearn.ensemble.HistGradientBoostingClassifier`)
        and has early stopping on; each model is a clone of it.

    n_estimators : int or 'auto', default='auto'
        Number of models, at most the number of folds. ``'auto'`` spends a
        fixed budget of training rows: ``round(row_budget / n_samples)`` models,
        between 1 and the number of folds, so that a table of a few hundred rows
        gets the full set and a table of ``row_budget`` rows or more a single
        model.

    validation_fraction : float, default=0.2
        Share of the rows in each model's validation fold.

    row_budget : int, default=10000
        Rows the ``'auto'`` rule aims to train on, over all models.

    random_state : int, RandomState instance or None, default=None
        Seeds the folds and every model.

    n_jobs : int or None, default=None
        Models fitted in parallel (joblib).

    Attributes
    ----------
    estimators_ : list of estimators
        The fitted models.

    classes_ : ndarray of shape (n_classes,)
        Class labels.

    n_features_in_ : int
        Number of features seen during fit.

    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during fit, when X has string column names.

    See Also
    --------
    skdeep.make_tabular_classifier : This ensemble of MLPs behind a table encoder.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from skdeep import MLPSoftmaxClassifier
    >>> from skdeep.ensemble import CrossFitClassifier
    >>> X, y = load_iris(return_X_y=True)
    >>> net = MLPSoftmaxClassifier(hidden_layer_sizes=(16,), early_stopping=True,
    ...                            learning_rate_init=0.01, max_iter=50)
    >>> model = CrossFitClassifier(net, random_state=0).fit(X, y)
    >>> len(model.estimators_)
    5
    >>> model.predict_proba(X[:2]).shape
    (2, 3)
    """

    _parameter_constraints = {
        "estimator": [HasMethods(["fit", "predict_proba"])],
        **_BaseCrossFit._parameter_constraints,
    }

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y, sample_weight=None):
        """Fit one model per validation fold.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data.
        y : array-like of shape (n_samples,)
            Target labels.
        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights, split with the rows.

        Returns
        -------
        self : object
            The fitted ensemble.
        """
        X, y, sample_weight = self._validated(X, y, sample_weight)
        check_classification_targets(y)
        self.classes_, y_index = np.unique(y, return_inverse=True)
        n_folds, n_models, split_seed, seeds = self._planned_models(X.shape[0])
        # Every fold needs every class: with fewer samples of a class than folds,
        # fewer (larger) folds; with a single sample, no held-out rows at all, and
        # the one model validates on its training rows.
        n_folds = min(n_folds, np.bincount(y_index).min())
        folds = []
        if n_folds >= 2:
            splitter = StratifiedKFold(n_folds, shuffle=True, random_state=split_seed)
            folds = list(splitter.split(X, y))[: min(n_models, n_folds)]
        self.estimators_ = self._fit_models(X, y, sample_weight, folds, seeds)
        return self

    def _probability_scores(self, X):
        """Log of the models' mean probabilities (the mixin's softmax gives them back)."""
        X = self._checked_X(X)
        total = np.zeros((X.shape[0], len(self.classes_)))
        for model in self.estimators_:
            # A model fitted on fewer classes than the ensemble sees is placed by label.
            columns = np.searchsorted(self.classes_, model.classes_)
            total[:, columns] += model.predict_proba(X)
        # In float64 whatever the models compute in: the probabilities then sum to
        # one within float64 rounding (what metrics such as log_loss check).
        total /= len(self.estimators_)
        with np.errstate(divide="ignore"):
            return np.log(total)


class CrossFitRegressor(RegressorPredictionMixin, RegressorMixin, _BaseCrossFit):
    """Average regressors that each stop early on their own fold of the training rows.

    The regression twin of :class:`CrossFitClassifier`: the training rows are
    split into ``round(1 / validation_fraction)`` random folds; model ``b`` trains
    on every fold but fold ``b``, which is its early-stopping validation set
    (passed as ``X_val``, ``y_val``), and the ensemble averages the models'
    predictions. Between them the models see every row, and the noise of
    choosing the best epoch on a small validation set averages out.

    Parameters
    ----------
    estimator : estimator object
        A regressor whose ``fit`` takes ``X_val`` and ``y_val`` (skdeep's
        :class:`~skdeep.MLPRegressor`,
        :class:`~sklearn.ensemble.HistGradientBoostingRegressor`) and has early
        stopping on; each model is a clone of it.

    n_estimators : int or 'auto', default='auto'
        Number of models, at most the number of folds. ``'auto'`` spends a
        fixed budget of training rows: ``round(row_budget / n_samples)`` models,
        between 1 and the number of folds.

    validation_fraction : float, default=0.2
        Share of the rows in each model's validation fold.

    row_budget : int, default=10000
        Rows the ``'auto'`` rule aims to train on, over all models.

    random_state : int, RandomState instance or None, default=None
        Seeds the folds and every model.

    n_jobs : int or None, default=None
        Models fitted in parallel (joblib).

    Attributes
    ----------
    estimators_ : list of estimators
        The fitted models.

    n_features_in_ : int
        Number of features seen during fit.

    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during fit, when X has string column names.

    See Also
    --------
    CrossFitClassifier : The same ensemble for classification.
    skdeep.make_tabular_regressor : This ensemble of MLPs behind a table encoder.

    Examples
    --------
    >>> from sklearn.datasets import load_diabetes
    >>> from sklearn.preprocessing import scale
    >>> from skdeep import MLPRegressor
    >>> from skdeep.ensemble import CrossFitRegressor
    >>> X, y = load_diabetes(return_X_y=True)
    >>> net = MLPRegressor(hidden_layer_sizes=(16,), early_stopping=True,
    ...                    learning_rate_init=0.01, max_iter=50)
    >>> model = CrossFitRegressor(net, random_state=0).fit(scale(X), y)
    >>> len(model.estimators_)
    5
    >>> model.predict(scale(X)[:2]).shape
    (2,)
    """

    _parameter_constraints = {
        "estimator": [HasMethods(["fit", "predict"])],
        **_BaseCrossFit._parameter_constraints,
    }

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = self.estimator.__sklearn_tags__().target_tags.multi_output
        return tags

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y, sample_weight=None):
        """Fit one model per validation fold.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Target values.
        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights, split with the rows.

        Returns
        -------
        self : object
            The fitted ensemble.
        """
        multi_output = self.__sklearn_tags__().target_tags.multi_output
        X, y, sample_weight = self._validated(
            X, y, sample_weight, y_numeric=True, multi_output=multi_output
        )
        n_folds, n_models, split_seed, seeds = self._planned_models(X.shape[0])
        n_folds = min(n_folds, X.shape[0])
        folds = []
        if n_folds >= 2:
            splitter = KFold(n_folds, shuffle=True, random_state=split_seed)
            folds = list(splitter.split(X))[: min(n_models, n_folds)]
        self.estimators_ = self._fit_models(X, y, sample_weight, folds, seeds)
        return self

    def _predictions(self, X):
        """The models' mean prediction, as columns."""
        X = self._checked_X(X)
        total = 0.0
        for model in self.estimators_:
            predictions = np.asarray(model.predict(X), dtype=np.float64)
            total = total + (predictions[:, None] if predictions.ndim == 1 else predictions)
        return total / len(self.estimators_)


def _fit_one(estimator, X, y, sample_weight, train, val, seed):
    """Fit a clone on the training folds, validating on the held-out one."""
    model = clone(estimator)
    if "random_state" in model.get_params():
        model.set_params(random_state=seed)
    fit_params = {"X_val": X[val], "y_val": y[val]}
    if sample_weight is not None:
        fit_params.update(sample_weight=sample_weight[train], sample_weight_val=sample_weight[val])
    return model.fit(X[train], y[train], **fit_params)
