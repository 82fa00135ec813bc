"""The regressor: numbers as targets, on the classifiers' network and training loop.

No mathematics lives here either: the heads (``squared_error``, ``huber``,
``poisson``) are entries of :data:`skdeep.core.losses.LOSSES`, and the fit flow is
:class:`~skdeep._base.BaseMLP`'s. :class:`MLPRegressor` says what the targets of a
regressor are: finite numbers in one column or several, standardised inside
(``normalize_y``) with the scale folded back into the exported output layer, and
a random (not stratified) early-stopping split.
"""

from dataclasses import dataclass

import numpy as np
from sklearn.base import RegressorMixin, _fit_context
from sklearn.utils.validation import _check_sample_weight, validate_data

from . import _docs
from ._base import BaseMLP, Targets
from ._callbacks import with_callbacks
from ._parameters import constraints, parameter_table
from ._prediction import RegressorPredictionMixin
from .core._registry import lookup
from .core.losses import LOSSES
from .core.training import Dataset

_REGRESSOR_PARAMETERS = parameter_table("regression")


@dataclass(frozen=True)
class TargetScale:
    """How the network's targets relate to ``y``: ``y = offset + scale * target``.

    With the ``'poisson'`` head (log link) the offset is 0 and the scale
    multiplies the predicted mean, i.e. adds ``log(scale)`` to the score.

    Parameters
    ----------
    offset, scale : ndarray of shape (n_outputs,)
    log_link : bool
    """

    offset: np.ndarray
    scale: np.ndarray
    log_link: bool

    @classmethod
    def identity(cls, n_outputs, log_link):
        """No scaling (``normalize_y=False``)."""
        return cls(np.zeros(n_outputs), np.ones(n_outputs), log_link)

    @classmethod
    def of(cls, y, weights, log_link):
        """Standardise each column of ``y`` (divide by its mean with a log link).

        Parameters
        ----------
        y : ndarray of shape (n, n_outputs)
        weights : ndarray of shape (n,) or None
        log_link : bool

        Returns
        -------
        scale : TargetScale
        """
        mean = np.average(y, axis=0, weights=weights)
        if log_link:
            # A column of zeros keeps scale 1: its mean carries no unit.
            scale = np.where(mean > 0, mean, 1.0)
            return cls(np.zeros_like(mean), scale, True)
        spread = np.sqrt(np.average((y - mean) ** 2, axis=0, weights=weights))
        # A constant column is only centred (as StandardScaler does).
        tiny = 10 * np.finfo(np.float64).eps * np.maximum(np.abs(mean), 1.0)
        return cls(mean, np.where(spread > tiny, spread, 1.0), False)

    def encode(self, y, dtype):
        """The network's targets for ``y``, in ``dtype``."""
        return ((y - self.offset) / self.scale).astype(dtype, copy=False)

    def export(self, coefs, intercepts):
        """Fold the scale into the output layer, so that it predicts ``y`` itself."""
        coefs, intercepts = list(coefs), list(intercepts)
        dtype = coefs[-1].dtype
        if self.log_link:
            intercepts[-1] = intercepts[-1] + np.log(self.scale).astype(dtype)
            return coefs, intercepts
        coefs[-1] = coefs[-1] * self.scale.astype(dtype)
        intercepts[-1] = intercepts[-1] * self.scale.astype(dtype) + self.offset.astype(dtype)
        return coefs, intercepts


@_docs.fill(_REGRESSOR_PARAMETERS, attributes=_docs.REGRESSOR_ATTRIBUTES)
class MLPRegressor(RegressorPredictionMixin, RegressorMixin, BaseMLP):
    """Multi-layer perceptron regressor with the courses' techniques.

    A drop-in alternative to :class:`sklearn.neural_network.MLPRegressor` (same
    parameter names and defaults where it has them, ``loss`` first) on the
    network and training loop of :class:`MLPSoftmaxClassifier`: dropout, batch
    norm, L1/elastic-net and max-norm, leaky ReLU/ELU/maxout/GELU/SELU,
    Xavier/He/orthogonal/LSUV initialisation, Adagrad/RMSProp, step,
    exponential and cosine schedules, weight averaging, early stopping that
    restores the best epoch, ``history_`` and the gradient check.

    Two differences to know when coming from ``MLPRegressor``: ``alpha`` is added
    to the mean loss of a batch (as ``SGDRegressor``), so it does not depend on
    the batch size (``alpha_skdeep = alpha_MLPRegressor / batch_size``); and the
    targets are standardised inside (``normalize_y=True``), so raw prices or
    counts train without a ``TransformedTargetRegressor``.

    Parameters
    ----------
    {parameters}

    Attributes
    ----------
    {attributes}

    See Also
    --------
    sklearn.neural_network.MLPRegressor : scikit-learn's multi-layer perceptron.
    skdeep.make_tabular_regressor : The recipe for raw tables built on it.

    Examples
    --------
    >>> from sklearn.datasets import load_diabetes
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import StandardScaler
    >>> from skdeep import MLPRegressor
    >>> X, y = load_diabetes(return_X_y=True)
    >>> reg = make_pipeline(
    ...     StandardScaler(),
    ...     MLPRegressor(hidden_layer_sizes=(32,), max_iter=100, random_state=0),
    ... ).fit(X, y)
    >>> reg.predict(X[:2]).shape
    (2,)
    >>> round(reg.score(X, y), 1) >= 0.5
    True
    """

    _parameter_constraints = constraints(_REGRESSOR_PARAMETERS)
    _target_kind = "regression"

    def __init__(
        self,
        loss="squared_error",
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
        scoring="r2",
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
        dtype=None,
        huber_delta=1.0,
        normalize_y=True,
    ):
        self._store_parameters(locals())

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags

    @with_callbacks
    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None, *, X_val=None, y_val=None, sample_weight_val=None):
        """Fit the network to data.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data; float32 input trains in float32 unless ``dtype``
            says otherwise.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Target values (finite numbers; non-negative for ``'poisson'``).
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights of the samples; each mini-batch loss is the
            weighted mean over the batch.
        X_val : {array-like, sparse matrix} of shape (n_val, n_features), default=None
            Validation data for early stopping, instead of the split of
            ``validation_fraction`` of ``X`` (then every row of ``X`` trains), as
            ``HistGradientBoostingRegressor.fit`` takes it. Needs
            ``early_stopping=True`` and a stochastic solver.
        y_val : array-like of shape (n_val,) or (n_val, n_outputs), default=None
            Targets of ``X_val``.
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
    def partial_fit(self, X, y, sample_weight=None):
        """Update the model with one epoch over the given data.

        Optimizer, schedule and averaging state persist across calls, and so
        does the target scale of ``normalize_y``, fixed by the first call;
        early stopping is not applied (as in ``MLPRegressor``).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Target values.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative sample weights.

        Returns
        -------
        self : object
            The updated estimator.
        """
        self._refuse_full_batch_partial_fit()
        continuing = hasattr(self, "_state")
        return self._fit(X, y, sample_weight, None, incremental=True, continuing=continuing)

    def _predictions(self, X):
        return self._head().predictions(self._scores(X))

    def _head(self):
        return lookup(self.loss, LOSSES, "loss")

    # ----------------------------------------------------------- the targets
    def _targets(self, settings, y, sample_weight, classes, continuing, incremental, dtype):
        y = _as_columns(y)
        log_link = self._head().inverse_link == "exp"
        if log_link:
            _check_poisson_targets(y, "y")
        if continuing:
            scale = self._target_scale
            if y.shape[1] != len(scale.offset):
                raise ValueError(
                    f"y has {y.shape[1]} output(s), but the model was fitted with "
                    f"{len(scale.offset)}; set warm_start=False to refit."
                )
            if scale.log_link != log_link:
                raise ValueError(
                    f"loss={settings.loss!r} needs another target scale than the loss of the "
                    "earlier fit; set warm_start=False to refit."
                )
        elif settings.normalize_y:
            scale = TargetScale.of(y, sample_weight, log_link)
        else:
            scale = TargetScale.identity(y.shape[1], log_link)
        return Targets(scale.encode(y, dtype), sample_weight, y.shape[1], False, scale)

    def _validation_targets(self, settings, X_val, y_val, sample_weight_val, targets, dtype):
        X_val, y_val = validate_data(
            self,
            X_val,
            y_val,
            accept_sparse="csr",
            dtype=dtype,
            reset=False,
            y_numeric=True,
            multi_output=True,
        )
        y_val = _as_columns(y_val)
        if y_val.shape[1] != targets.n_outputs:
            raise ValueError(f"y_val has {y_val.shape[1]} output(s); y has {targets.n_outputs}.")
        if targets.info.log_link:
            _check_poisson_targets(y_val, "y_val")
        if sample_weight_val is not None:
            sample_weight_val = _check_sample_weight(
                sample_weight_val, X_val, dtype=np.float64, ensure_non_negative=True
            )
            if not np.any(sample_weight_val > 0):
                raise ValueError("sample_weight_val must contain at least one positive weight.")
        return Dataset(X_val, targets.info.encode(y_val, dtype), sample_weight_val)

    def _target_attributes(self, targets):
        return {"_target_scale": targets.info}

    def _export_params(self, state, targets):
        coefs, intercepts = state.predicting_params()
        return targets.info.export(coefs, intercepts)

    def _out_activation(self):
        return self._head().inverse_link


def _as_columns(y):
    """``y`` as a 2-D array of float64 columns."""
    y = np.asarray(y, dtype=np.float64)
    return y.reshape(-1, 1) if y.ndim == 1 else y


def _check_poisson_targets(y, name):
    if np.any(y < 0):
        raise ValueError(
            f"Some value(s) of {name} are negative, which is not allowed for loss='poisson'."
        )
