"""Cross-fitted ensembles: several networks, each validated on its own fold.

:class:`CrossFitClassifier` and :class:`CrossFitRegressor` share their folds,
seeds and fitting (:class:`_BaseCrossFit`) and predict through the same mixins as
the networks themselves (:mod:`skdeep._prediction`): the classifier averages
probabilities, the regressor predictions. With ``boosting``, a gradient-boosting
member is cross-fitted on the same folds and blended in with a weight chosen out
of fold (:mod:`skdeep._blending`).
"""

from numbers import Integral, Real

import numpy as np
from joblib import Parallel, delayed, effective_n_jobs
from sklearn.base import (
    BaseEstimator,
    ClassifierMixin,
    MetaEstimatorMixin,
    RegressorMixin,
    _fit_context,
    clone,
)
from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor
from sklearn.model_selection import KFold, StratifiedKFold
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import _check_sample_weight, check_is_fitted, validate_data

from ._blending import NO_HELD_OUT_WEIGHT, log_loss_weight, squared_error_weight
from ._lockstep import fit_together
from ._prediction import ClassifierPredictionMixin, RegressorPredictionMixin

_MAX_SEED = np.iinfo(np.int32).max
# Lockstep training holds every network's copy of its training rows at once
# (one at a time otherwise); above this many entries in all, the networks train
# one by one, as their steps are then arithmetic more than overhead anyway.
_LOCKSTEP_MAX_ENTRIES = 1 << 25


class _BaseCrossFit(MetaEstimatorMixin, BaseEstimator):
    """Folds, seeds and parallel fits shared by the cross-fitted ensembles."""

    _parameter_constraints = {
        "n_estimators": [StrOptions({"auto"}), Interval(Integral, 1, None, closed="left")],
        "validation_fraction": [Interval(Real, 0, 0.5, closed="right")],
        "row_budget": [Interval(Integral, 1, None, closed="left")],
        "random_state": ["random_state"],
        "n_jobs": [Integral, None],
    }
    _default_boosting = None  # the boosting member of ``boosting=True``, by subclass

    def __init__(
        self,
        estimator,
        *,
        n_estimators="auto",
        validation_fraction=0.2,
        row_budget=10000,
        random_state=None,
        n_jobs=None,
        boosting=False,
    ):
        self.estimator = estimator
        self.n_estimators = n_estimators
        self.validation_fraction = validation_fraction
        self.row_budget = row_budget
        self.random_state = random_state
        self.n_jobs = n_jobs
        self.boosting = boosting

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        inner = [self.estimator.__sklearn_tags__()]
        boosting = self._boosting_member()
        if hasattr(boosting, "__sklearn_tags__"):  # invalid values are refused by fit
            inner.append(boosting.__sklearn_tags__())
        tags.input_tags.sparse = all(t.input_tags.sparse for t in inner)
        tags.input_tags.allow_nan = all(t.input_tags.allow_nan for t in inner)
        return tags

    def _boosting_member(self):
        """The unfitted boosting member ``boosting`` asks for, or None."""
        if isinstance(self.boosting, (bool, np.bool_)):
            return self._default_boosting() if self.boosting else None
        return self.boosting

    def _validated(self, X, y, sample_weight, **y_options):
        X, y = validate_data(
            self, X, y, accept_sparse="csr", dtype=None, ensure_all_finite=False, **y_options
        )
        if sample_weight is not None:
            sample_weight = _check_sample_weight(sample_weight, X)
        return X, y, sample_weight

    def _planned_models(self, n_samples):
        """``(n_folds, n_models, split_seed, seeds)`` for a table of ``n_samples`` rows.

        ``seeds`` has one row per model: the network's seed, then, with a boosting
        member, the tree model's (drawn after everything else, so the networks'
        seeds are those of an ensemble without boosting).
        """
        rng = check_random_state(self.random_state)
        n_folds = max(2, round(1 / self.validation_fraction))
        if self.n_estimators == "auto":
            n_models = min(n_folds, max(1, round(self.row_budget / n_samples)))
        else:
            n_models = min(self.n_estimators, n_folds)
        split_seed = rng.randint(_MAX_SEED)
        seeds = rng.randint(_MAX_SEED, size=n_models)
        if self._boosting_member() is not None:
            seeds = np.column_stack([seeds, rng.randint(_MAX_SEED, size=n_models)])
        return n_folds, n_models, split_seed, seeds

    def _fit_models(self, X, y, sample_weight, folds, seeds):
        """Fit one clone per ``(train, validation)`` fold, in parallel.

        Sets ``estimators_`` and ``boosting_estimators_`` (one tree model per
        network, on the network's training rows; empty without boosting).
        """
        boosting = self._boosting_member()
        net_seeds, tree_seeds = (seeds, None) if boosting is None else seeds.T
        if not folds:  # too few rows to hold any out: one model validates on all
            rows = np.arange(X.shape[0])
            folds, net_seeds = [(rows, rows)], net_seeds[:1]
            self.estimators_ = [
                _fit_one(self.estimator, X, y, sample_weight, rows, rows, net_seeds[0])
            ]
        elif self._in_lockstep(X, folds):
            models = [_seeded_clone(self.estimator, int(seed)) for seed in net_seeds]
            fits = [_fit_arguments(X, y, sample_weight, train, val) for train, val in folds]
            self.estimators_ = fit_together(models, fits)
        else:
            jobs = (
                delayed(_fit_one)(self.estimator, X, y, sample_weight, train, val, int(seed))
                for (train, val), seed in zip(folds, net_seeds)
            )
            self.estimators_ = Parallel(n_jobs=self.n_jobs)(jobs)
        self.boosting_estimators_ = []
        if boosting is not None:
            jobs = (
                delayed(_fit_tree)(boosting, X, y, sample_weight, train, int(seed))
                for (train, _), seed in zip(folds, tree_seeds)
            )
            self.boosting_estimators_ = Parallel(n_jobs=self.n_jobs)(jobs)

    def _in_lockstep(self, X, folds):
        """Whether the networks train together (:mod:`skdeep._lockstep`) on one job.

        Lockstep pays the per-step overhead of small networks once instead of once
        per network; with several jobs the networks train in parallel instead.
        Networks that cannot be stacked still train one by one inside
        :func:`~skdeep._lockstep.fit_together`.
        """
        entries = sum(len(train) for train, _ in folds) * X.shape[1]
        return effective_n_jobs(self.n_jobs) == 1 and entries <= _LOCKSTEP_MAX_ENTRIES

    def _fit_blend(self, X, target, sample_weight, folds):
        """Set ``blend_weight_`` from the members' predictions on the validation folds."""
        if not self.boosting_estimators_:
            self.blend_weight_ = 1.0
            return
        if not folds:  # no row was held out: nothing out of fold to choose on
            self.blend_weight_ = NO_HELD_OUT_WEIGHT
            return
        pairs = zip(self.estimators_, self.boosting_estimators_, folds)
        nets, trees = zip(
            *(
                (self._outputs(net, X[val]), self._outputs(tree, X[val]))
                for net, tree, (_, val) in pairs
            )
        )
        rows = np.concatenate([val for _, val in folds])
        weights = None if sample_weight is None else sample_weight[rows]
        self.blend_weight_ = self._blend_criterion(
            np.concatenate(nets), np.concatenate(trees), target[rows], weights
        )

    def _mean_outputs(self, X):
        """The blend of the members' mean outputs (see ``_outputs``) on validated ``X``."""
        mean = self._mean_of(self.estimators_, X)
        if self.boosting_estimators_:
            weight = self.blend_weight_
            mean = weight * mean + (1.0 - weight) * self._mean_of(self.boosting_estimators_, X)
        return mean

    def _mean_of(self, models, X):
        """The mean of the models' outputs."""
        total = 0.0
        for model in models:
            total = total + self._outputs(model, X)
        return total / len(models)

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
        Models fitted in parallel (joblib). On one job (the default) the
        networks train in lockstep when they can (same architecture, a
        stochastic solver, small batches; no sample weights, dropout, batch
        norm, averaging, max-norm or plateau-driven schedule): one batched step
        for all of them (:mod:`skdeep._lockstep`), each network the one it
        would be alone up to rounding; with several jobs they train in parallel.

    boosting : bool or estimator, default=False
        A gradient-boosting member, blended in out of fold (the hybrid; off by
        default, where the ensemble is networks only). ``True`` is a
        :class:`~sklearn.ensemble.HistGradientBoostingClassifier` at its
        defaults; an estimator (e.g. ``lightgbm.LGBMClassifier``) is cloned
        instead. One tree model is fitted per network, on that network's
        training folds, seeded from ``random_state``; it sees neither the
        network's validation fold nor ``X_val`` (its own early stopping, if
        any, splits its training rows). The ensemble predicts the probabilities
        ``blend_weight_ * networks + (1 - blend_weight_) * trees``, the weight
        chosen on a grid of steps of 0.01 to minimise the log-loss (weighted by
        ``sample_weight``) of the rows the networks validated on, each predicted
        by the network and the tree model that did not train on it; ties go to
        the networks. The networks chose their stopping epoch on these rows,
        which tilts the weight slightly toward them. With a single network
        (``n_estimators=1``, or ``'auto'`` on a large table) the weight is
        chosen on that network's validation fold alone; when no row can be
        held out (a class of one sample), one tree model is fitted on every
        row and the weight is 0.5.

    Attributes
    ----------
    estimators_ : list of estimators
        The fitted models.

    boosting_estimators_ : list of estimators
        The fitted tree models, ``boosting_estimators_[b]`` on the training rows
        of ``estimators_[b]``; empty without ``boosting``.

    blend_weight_ : float
        The networks' weight in the blend, in [0, 1]; 1.0 without ``boosting``.

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
        "boosting": ["boolean", None, HasMethods(["fit", "predict_proba"])],
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
        self._fit_models(X, y, sample_weight, folds, seeds)
        self._fit_blend(X, y_index, sample_weight, folds)
        return self

    _default_boosting = HistGradientBoostingClassifier
    _blend_criterion = staticmethod(log_loss_weight)

    def _outputs(self, model, X):
        """A model's probabilities, one column per class of the ensemble."""
        # In float64 whatever the models compute in: the probabilities then sum to
        # one within float64 rounding (what metrics such as log_loss check).
        proba = np.zeros((X.shape[0], len(self.classes_)))
        # A model fitted on fewer classes than the ensemble sees is placed by label.
        proba[:, np.searchsorted(self.classes_, model.classes_)] = model.predict_proba(X)
        return proba

    def _probability_scores(self, X):
        """Log of the members' mean probabilities (the mixin's softmax gives them back)."""
        with np.errstate(divide="ignore"):
            return np.log(self._mean_outputs(self._checked_X(X)))


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
        Models fitted in parallel (joblib). On one job (the default) the
        networks train in lockstep when they can (same architecture, a
        stochastic solver, small batches; no sample weights, dropout, batch
        norm, averaging, max-norm or plateau-driven schedule): one batched step
        for all of them (:mod:`skdeep._lockstep`), each network the one it
        would be alone up to rounding; with several jobs they train in parallel.

    boosting : bool or estimator, default=False
        A gradient-boosting member, blended in out of fold, as in
        :class:`CrossFitClassifier` (off by default: networks only). ``True``
        is a :class:`~sklearn.ensemble.HistGradientBoostingRegressor` at its
        defaults; an estimator (e.g. ``lightgbm.LGBMRegressor``) is cloned
        instead. The ensemble predicts ``blend_weight_ * networks + (1 -
        blend_weight_) * trees``, the weight minimising the squared error
        (summed over outputs) of the out-of-fold predictions. With fewer than
        two rows (nothing held out) the weight is 0.5.

    Attributes
    ----------
    estimators_ : list of estimators
        The fitted models.

    boosting_estimators_ : list of estimators
        The fitted tree models, ``boosting_estimators_[b]`` on the training rows
        of ``estimators_[b]``; empty without ``boosting``.

    blend_weight_ : float
        The networks' weight in the blend, in [0, 1]; 1.0 without ``boosting``.

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
        "boosting": ["boolean", None, HasMethods(["fit", "predict"])],
        **_BaseCrossFit._parameter_constraints,
    }

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        members = [self.estimator, self._boosting_member()]
        tags.target_tags.multi_output = all(
            m.__sklearn_tags__().target_tags.multi_output
            for m in members
            if hasattr(m, "__sklearn_tags__")
        )
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
        self._fit_models(X, y, sample_weight, folds, seeds)
        self._fit_blend(X, y[:, None] if y.ndim == 1 else y, sample_weight, folds)
        return self

    _default_boosting = HistGradientBoostingRegressor
    _blend_criterion = staticmethod(squared_error_weight)

    def _outputs(self, model, X):
        """A model's predictions, as columns."""
        predictions = np.asarray(model.predict(X), dtype=np.float64)
        return predictions[:, None] if predictions.ndim == 1 else predictions

    def _predictions(self, X):
        """The members' mean prediction, as columns."""
        return self._mean_outputs(self._checked_X(X))


def _seeded_clone(estimator, seed):
    """A clone of ``estimator`` with ``random_state=seed`` when it has one."""
    model = clone(estimator)
    if "random_state" in model.get_params():
        model.set_params(random_state=seed)
    return model


def _fit_arguments(X, y, sample_weight, train, val):
    """The ``fit`` arguments of a network trained on ``train``, validated on ``val``."""
    arguments = {"X": X[train], "y": y[train], "X_val": X[val], "y_val": y[val]}
    if sample_weight is not None:
        arguments.update(sample_weight=sample_weight[train], sample_weight_val=sample_weight[val])
    return arguments


def _fit_one(estimator, X, y, sample_weight, train, val, seed):
    """Fit a clone on the training folds, validating on the held-out one."""
    return _seeded_clone(estimator, seed).fit(**_fit_arguments(X, y, sample_weight, train, val))


def _fit_tree(estimator, X, y, sample_weight, train, seed):
    """Fit a clone of the boosting member on the training rows of a fold.

    It is given neither the fold's validation rows nor ``X_val``: its predictions on
    them stay out of fold (its own early stopping, if any, splits ``train``).
    """
    model = _seeded_clone(estimator, seed)
    if sample_weight is None:
        return model.fit(X[train], y[train])
    return model.fit(X[train], y[train], sample_weight=sample_weight[train])
