"""The two public classifiers: they choose the head and map scores to probabilities.

No mathematics lives here: the heads are :mod:`skdeep.core.losses`, the training is
:mod:`skdeep.core.training`, the temperature of the SVM's probabilities
:mod:`skdeep.core.calibration`; :class:`~skdeep._base.BaseMLPClassifier` holds the
shared fit flow. Each ``__init__`` lists its parameters explicitly (so that
``help()``, IDEs and scikit-learn's ``get_params`` see them); their constraints and
documentation come from :func:`skdeep._parameters.parameter_table`, and a test
checks that every signature matches its table.
"""

import numpy as np

from . import _docs
from ._base import BaseMLPClassifier
from ._parameters import constraints, parameter_table
from .core.calibration import fit_temperature

_TEMPERATURE_SAMPLE = 5000  # one scalar: 5000 scores pin it down
_SOFTMAX_PARAMETERS = parameter_table("softmax")
_SVM_PARAMETERS = parameter_table("svm")


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
    """Multi-layer perceptron with a multiclass hinge (SVM) head.

    The output layer's scores are trained with the Weston-Watkins multiclass
    hinge loss of CS231n, :math:`\\sum_{{j \\neq y}} \\max(0, s_j - s_y +
    \\Delta)` (squared with ``loss='squared_hinge'``); in the binary case the
    network has one output and the loss is the usual binary hinge
    :math:`\\max(0, \\Delta - y s)`.

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

    def _predicting_attributes(self, state, classes):
        # Mid-training copies predict with the last fitted temperature (1 at first).
        attributes = super()._predicting_attributes(state, classes)
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
