"""The two public classifiers: they choose the head and map scores to probabilities.

No mathematics lives here: the heads are :mod:`skdeep.core.losses`, the training is
:mod:`skdeep.core.training`; :class:`~skdeep._base.BaseMLPClassifier` holds the
shared parameters and flow.
"""

from numbers import Real

import numpy as np
from scipy.optimize import minimize_scalar
from sklearn.utils._param_validation import Interval, StrOptions

from . import _docs
from ._base import BaseMLPClassifier
from .core.network import predict_scores

_TEMPERATURE_SAMPLE = 5000  # one scalar: 5000 scores pin it down


class MLPSoftmaxClassifier(BaseMLPClassifier):
    __doc__ = _docs.compose(
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
    {network_params}
    {solver_params}
    {extra_params}

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
    )

    def _loss_name(self):
        return "log_loss"

    def _out_activation(self):
        return "logistic" if self.n_outputs_ == 1 else "softmax"


class MLPSVMClassifier(BaseMLPClassifier):
    __doc__ = _docs.compose(
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
    {network_params}
    {solver_params}
    {extra_params}

    loss : {{'hinge', 'squared_hinge'}}, default='hinge'
        Hinge or squared hinge.

    margin : float, default=1.0
        The margin :math:`\\Delta` the correct class's score must exceed the
        others by.

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
    )

    _parameter_constraints = {
        **BaseMLPClassifier._parameter_constraints,
        "loss": [StrOptions({"hinge", "squared_hinge"})],
        "margin": [Interval(Real, 0, None, closed="neither")],
    }

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
        penalty="l2",
        l1_ratio=0.15,
        max_norm=None,
        rho=0.9,
        decay_rate=0.5,
        decay_steps=10,
        average=False,
        class_weight=None,
        dtype=None,
        loss="hinge",
        margin=1.0,
    ):
        super().__init__(
            hidden_layer_sizes,
            activation,
            solver=solver,
            alpha=alpha,
            batch_size=batch_size,
            learning_rate=learning_rate,
            learning_rate_init=learning_rate_init,
            power_t=power_t,
            max_iter=max_iter,
            shuffle=shuffle,
            random_state=random_state,
            tol=tol,
            verbose=verbose,
            warm_start=warm_start,
            momentum=momentum,
            nesterovs_momentum=nesterovs_momentum,
            early_stopping=early_stopping,
            validation_fraction=validation_fraction,
            beta_1=beta_1,
            beta_2=beta_2,
            epsilon=epsilon,
            n_iter_no_change=n_iter_no_change,
            max_fun=max_fun,
            negative_slope=negative_slope,
            maxout_pieces=maxout_pieces,
            weight_init=weight_init,
            init_scale=init_scale,
            batch_norm=batch_norm,
            batch_norm_momentum=batch_norm_momentum,
            dropout=dropout,
            penalty=penalty,
            l1_ratio=l1_ratio,
            max_norm=max_norm,
            rho=rho,
            decay_rate=decay_rate,
            decay_steps=decay_steps,
            average=average,
            class_weight=class_weight,
            dtype=dtype,
        )
        self.loss = loss
        self.margin = margin

    def _loss_name(self):
        return self.loss

    def _margin(self):
        return self.margin

    def _temperature(self):
        return self.temperature_

    def _predicting_attributes(self, state, classes):
        # Mid-training copies predict with the last fitted temperature (1 at first).
        attributes = super()._predicting_attributes(state, classes)
        attributes["temperature_"] = getattr(self, "temperature_", 1.0)
        return attributes

    def _after_fit(self, data):
        """Fit ``temperature_`` by minimising the log-loss of softmax(scores / T)."""
        n = data.n_samples
        # Scores chunk by chunk (slices are views): the rows are never copied whole.
        chunks = [slice(start, min(start + 512, n)) for start in range(0, n, 512)]
        if n > _TEMPERATURE_SAMPLE:
            positions = np.sort(self._state.rng.choice(n, _TEMPERATURE_SAMPLE, replace=False))
            chunks = np.array_split(positions, _TEMPERATURE_SAMPLE // 512)
        activation = self._state.network.activation
        parts, labels, weight_parts = [], [], []
        for chunk in chunks:
            X, y, w = data.take(chunk)
            parts.append(predict_scores(self.coefs_, self.intercepts_, activation, X))
            labels.append(y)
            weight_parts.append(np.ones(len(y)) if w is None else w)
        scores = np.concatenate(parts).astype(np.float64)
        y, weights = np.concatenate(labels), np.concatenate(weight_parts)
        if scores.shape[1] == 1:
            scores = np.column_stack([np.zeros(len(scores)), scores[:, 0]])
        # Margins relative to the true class. Targets are smoothed as in Platt
        # scaling (1 - eps on the true class, eps spread over the others, eps =
        # 1 / (n + 2) with n the total sample weight, so that a weight of 2 counts
        # as two samples): on perfectly separated data the plain log-loss would
        # drive the temperature to 0 and every probability to 1.
        margins = scores - scores[np.arange(len(y)), y][:, None]
        smoothing = 1.0 / (weights.sum() + 2) / (margins.shape[1] - 1)
        weights = weights / weights.sum()
        target_term = smoothing * margins.sum(axis=1)
        buffer = np.empty_like(margins)

        def log_loss(log_inverse_temperature):
            beta = np.exp(log_inverse_temperature)
            scaled = np.multiply(margins, beta, out=buffer)
            peak = scaled.max(axis=1)
            scaled -= peak[:, None]
            np.exp(scaled, out=scaled)
            cross_entropy = np.log(scaled.sum(axis=1)) + peak - beta * target_term
            return float(np.dot(weights, cross_entropy))

        # The log-loss is convex in beta = 1/T, hence unimodal in log(beta).
        best = minimize_scalar(log_loss, bounds=(-10.0, 10.0), method="bounded")
        self.temperature_ = float(np.exp(-best.x)) if np.isfinite(best.fun) else 1.0
