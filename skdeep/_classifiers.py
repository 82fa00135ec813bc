"""The two public classifiers: they choose the head and map scores to probabilities.

No mathematics lives here: the heads are :mod:`skdeep.core.losses`, the training is
:mod:`skdeep.core.training`, the temperature of the SVM's probabilities
:mod:`skdeep.core.calibration`; :class:`~skdeep._base.BaseMLP` holds the fit flow
shared with the regressor, and :class:`BaseMLPClassifier` says what the targets of
a classifier are (labels, classes, class weights, a stratified split). Each
``__init__`` lists its parameters explicitly (so that
``help()``, IDEs and scikit-learn's ``get_params`` see them); their constraints and
documentation come from :func:`skdeep._parameters.parameter_table`, and a test
checks that every signature matches its table.
"""

import numpy as np
from sklearn.base import ClassifierMixin, _fit_context

from . import _docs
from ._base import BaseMLP, Targets
from ._callbacks import with_callbacks
from ._data import combined_weights, encode_labels, given_validation
from ._parameters import constraints, parameter_table
from ._prediction import ClassifierPredictionMixin
from .core.calibration import fit_temperature

_TEMPERATURE_SAMPLE = 5000  # one scalar: 5000 scores pin it down
_SOFTMAX_PARAMETERS = parameter_table("softmax")
_SVM_PARAMETERS = parameter_table("svm")


class BaseMLPClassifier(ClassifierPredictionMixin, ClassifierMixin, BaseMLP):
    """Base of the skdeep classifiers: labels as targets; not for direct use."""

    _target_kind = "classification"

    @with_callbacks
    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None, *, X_val=None, y_val=None, sample_weight_val=None):
        """Fit the network to data.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data; float32 input trains in float32 unless ``dtype``
            says otherwise.
        y : array-like of shape (n_samples,)
            Target labels (any hashable, sortable type).
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights of the samples; each mini-batch loss is the
            weighted mean over the batch.
        X_val : {array-like, sparse matrix} of shape (n_val, n_features), default=None
            Validation data for early stopping, instead of the split of
            ``validation_fraction`` of ``X`` (then every row of ``X`` trains), as
            ``HistGradientBoostingClassifier.fit`` takes it. Needs
            ``early_stopping=True`` and a stochastic solver.
        y_val : array-like of shape (n_val,), default=None
            Labels of ``X_val``, all among those of ``y``.
        sample_weight_val : array-like of shape (n_val,), default=None
            Weights of the validation samples.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        return self._fit_all(X, y, sample_weight, X_val, y_val, sample_weight_val)

    @with_callbacks
    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, classes=None, sample_weight=None):
        """Update the model with one epoch over the given data.

        Optimizer, schedule and averaging state persist across calls; early
        stopping is not applied (as in ``MLPClassifier``).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data.
        y : array-like of shape (n_samples,)
            Target labels, all in ``classes``.
        classes : array-like of shape (n_classes,), default=None
            Every class of the problem; required on the first call, ignored
            afterwards.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative sample weights.

        Returns
        -------
        self : object
            The updated estimator.
        """
        self._refuse_full_batch_partial_fit()
        first_call = not hasattr(self, "_state")
        if first_call:
            if classes is None:
                raise ValueError("classes must be passed on the first call to partial_fit.")
            classes = np.unique(np.asarray(classes))
        elif classes is not None and not np.array_equal(np.unique(classes), self.classes_):
            raise ValueError(
                f"`classes={np.unique(classes)!r}` is not the same as on the first call to "
                f"partial_fit, which was {self.classes_!r}."
            )
        return self._fit(
            X, y, sample_weight, classes=classes, incremental=True, continuing=not first_call
        )

    def decision_function(self, X):
        """Class scores of the network.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Input data.

        Returns
        -------
        scores : ndarray of shape (n_samples,) or (n_samples, n_classes)
            Raw output scores; in the binary case one score per sample,
            positive meaning ``classes_[1]``.
        """
        scores = self._scores(X)
        return scores[:, 0] if scores.shape[1] == 1 else scores

    def _probability_scores(self, X):
        return self._scores(X) / self._temperature()

    def _temperature(self):
        return 1.0

    # ----------------------------------------------------------- the targets
    def _targets(self, settings, y, sample_weight, classes, continuing, incremental, dtype):
        if continuing:
            if not incremental:
                _check_same_classes(y, self.classes_)
            classes = self.classes_  # fixed by the first fit; new labels are an error
        classes, y_index = encode_labels(y, classes)
        weights = combined_weights(settings, y, sample_weight, classes)
        n_outputs = 1 if len(classes) == 2 else len(classes)
        return Targets(y_index, weights, n_outputs, stratify=True, info=classes)

    def _validation_targets(self, settings, X_val, y_val, sample_weight_val, targets, dtype):
        return given_validation(
            self, settings, X_val, y_val, sample_weight_val, targets.info, dtype
        )

    def _target_attributes(self, targets):
        return {"classes_": targets.info}


def _check_same_classes(y, classes):
    """A warm-started ``fit`` must see the classes of the fit before (as MLPClassifier)."""
    seen = np.unique(y)
    if not np.array_equal(seen, classes):
        raise ValueError(
            "warm_start can only be used where `y` has the same classes as in the "
            f"previous call to fit. Previously got {classes}, `y` has {seen}."
        )


@_docs.fill(_SOFTMAX_PARAMETERS)
class MLPSoftmaxClassifier(BaseMLPClassifier):
    """Multi-layer perceptron with a softmax cross-entropy head.

    A drop-in alternative to :class:`sklearn.neural_network.MLPClassifier` (same
    parameter names and defaults where it has them) with the techniques of the
    classic deep-learning courses: dropout, batch norm, L1/elastic-net and
    max-norm, leaky ReLU/ELU/maxout, Xavier/He/orthogonal/LSUV initialisation,
    Adagrad/RMSProp, step/exponential decay and weight averaging.

    The loss is the softmax cross-entropy, computed through the log-sum-exp; in
    the binary case the network has one output (the logit of ``classes_[1]``)
    and the loss is the logistic loss, which is the same model.

    Parameters
    ----------
    {parameters}

    Attributes
    ----------
    {attributes}

    See Also
    --------
    MLPSVMClassifier : The same network with a multiclass hinge head.
    sklearn.neural_network.MLPClassifier : scikit-learn's multi-layer perceptron.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import StandardScaler
    >>> from skdeep import MLPSoftmaxClassifier
    >>> X, y = load_iris(return_X_y=True)
    >>> clf = make_pipeline(
    ...     StandardScaler(),
    ...     MLPSoftmaxClassifier(hidden_layer_sizes=(32,), max_iter=300, random_state=0),
    ... ).fit(X, y)
    >>> clf.predict_proba(X[:1]).shape
    (1, 3)
    >>> round(clf.score(X, y), 2) >= 0.95
    True
    """

    _parameter_constraints = constraints(_SOFTMAX_PARAMETERS)

    loss = "log_loss"
    """The head: softmax cross-entropy (a class attribute, as in ``MLPClassifier``)."""

    def __init__(
        self,
        hidden_layer_sizes=(100,),
        activation="relu",
        *,
        solver="adam",
        alpha=0.0001,
        batch_size="auto",
        learning_rate="constant",
        learning_rate_init=0.001,
        power_t=0.5,
        max_iter=200,
        shuffle=True,
        random_state=None,
        tol=1e-4,
        verbose=False,
        warm_start=False,
        momentum=0.9,
        nesterovs_momentum=True,
        early_stopping=False,
        validation_fraction=0.1,
        scoring="accuracy",
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-8,
        n_iter_no_change=10,
        max_fun=15000,
        negative_slope=0.01,
        maxout_pieces=2,
        weight_init="auto",
        init_scale=0.01,
        batch_norm=False,
        batch_norm_momentum=0.9,
        dropout=0.0,
        n_members=1,
        output_init="auto",
        penalty="l2",
        l1_ratio=0.15,
        max_norm=None,
        weight_decay=0.0,
        rho=0.9,
        decay_rate=0.5,
        decay_steps=10,
        warmup_epochs=0.0,
        average=False,
        class_weight=None,
        dtype=None,
        label_smoothing=0.0,
    ):
        self._store_parameters(locals())

    def _out_activation(self):
        return "logistic" if self.n_outputs_ == 1 else "softmax"


@_docs.fill(_SVM_PARAMETERS)
class MLPSVMClassifier(BaseMLPClassifier):
    r"""Multi-layer perceptron with a multiclass hinge (SVM) head.

    The output layer's scores are trained with the Weston-Watkins multiclass
    hinge loss of CS231n, :math:`\sum_{{j \neq y}} \max(0, s_j - s_y +
    \Delta)` (squared with ``loss='squared_hinge'``); in the binary case the
    network has one output and the loss is the usual binary hinge
    :math:`\max(0, \Delta - y s)`.

    Probabilities: the hinge loss does not model probabilities, so
    ``predict_proba`` applies a softmax to the scores divided by one
    temperature ``temperature_``, fitted after training by minimising the
    log-loss against targets smoothed as in Platt scaling (so that perfectly
    separated data do not drive ``T`` to 0); a one-dimensional convex problem
    in ``1 / T``, solved with
    :func:`scipy.optimize.minimize_scalar`) on the validation set when
    ``early_stopping`` is on, else on (up to 5000 rows of) the training set.
    Dividing by a positive constant preserves the order of the scores, so
    ``argmax(predict_proba) == predict`` and probabilities rank as
    ``decision_function``. A network separates its training set more
    confidently than new data, so a temperature fitted there gives
    overconfident probabilities: when calibration matters (soft voting,
    thresholds), use ``early_stopping=True`` or
    :class:`~sklearn.calibration.CalibratedClassifierCV`.

    Parameters
    ----------
    {parameters}

    Attributes
    ----------
    {attributes}

    temperature_ : float
        Temperature of ``predict_proba`` (see above).

    See Also
    --------
    MLPSoftmaxClassifier : The same network with a softmax head.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import StandardScaler
    >>> from skdeep import MLPSVMClassifier
    >>> X, y = load_iris(return_X_y=True)
    >>> clf = make_pipeline(
    ...     StandardScaler(),
    ...     MLPSVMClassifier(hidden_layer_sizes=(32,), max_iter=300, random_state=0),
    ... ).fit(X, y)
    >>> clf.decision_function(X[:2]).shape
    (2, 3)
    >>> round(clf.score(X, y), 2) >= 0.95
    True
    """

    _parameter_constraints = constraints(_SVM_PARAMETERS)

    def __init__(
        self,
        hidden_layer_sizes=(100,),
        activation="relu",
        *,
        solver="adam",
        alpha=0.0001,
        batch_size="auto",
        learning_rate="constant",
        learning_rate_init=0.001,
        power_t=0.5,
        max_iter=200,
        shuffle=True,
        random_state=None,
        tol=1e-4,
        verbose=False,
        warm_start=False,
        momentum=0.9,
        nesterovs_momentum=True,
        early_stopping=False,
        validation_fraction=0.1,
        scoring="accuracy",
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-8,
        n_iter_no_change=10,
        max_fun=15000,
        negative_slope=0.01,
        maxout_pieces=2,
        weight_init="auto",
        init_scale=0.01,
        batch_norm=False,
        batch_norm_momentum=0.9,
        dropout=0.0,
        n_members=1,
        output_init="auto",
        penalty="l2",
        l1_ratio=0.15,
        max_norm=None,
        weight_decay=0.0,
        rho=0.9,
        decay_rate=0.5,
        decay_steps=10,
        warmup_epochs=0.0,
        average=False,
        class_weight=None,
        dtype=None,
        loss="hinge",
        margin=1.0,
    ):
        self._store_parameters(locals())

    def _temperature(self):
        return self.temperature_

    def _predicting_attributes(self, state, targets):
        # Mid-training copies predict with the last fitted temperature (1 at first).
        attributes = super()._predicting_attributes(state, targets)
        attributes["temperature_"] = getattr(self, "temperature_", 1.0)
        return attributes

    def _after_fit(self, data):
        """Fit ``temperature_`` on (a sample of) ``data`` (see :mod:`skdeep.core.calibration`)."""
        n = data.n_samples
        # Scores chunk by chunk (slices are views): the rows are never copied whole.
        chunks = [slice(start, min(start + 512, n)) for start in range(0, n, 512)]
        if n > _TEMPERATURE_SAMPLE:
            positions = np.sort(self._state.rng.choice(n, _TEMPERATURE_SAMPLE, replace=False))
            chunks = np.array_split(positions, _TEMPERATURE_SAMPLE // 512)
        scores, labels, weights = [], [], []
        for chunk in chunks:
            X, y, w = data.take(chunk)
            scores.append(self._network_scores(X))
            labels.append(y)
            weights.append(np.ones(len(y)) if w is None else w)
        self.temperature_ = fit_temperature(
            np.concatenate(scores), np.concatenate(labels), np.concatenate(weights)
        )
