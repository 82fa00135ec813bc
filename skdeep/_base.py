"""Shared estimator base: parameters, validation and the fit / partial_fit flow.

The estimator layer is thin: validate parameters and data, encode labels, build
the network and its training state from :mod:`skdeep.core`, train, and copy the
results into fitted attributes. No mathematics lives here.
"""

import copy
from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, _fit_context
from sklearn.model_selection import train_test_split
from sklearn.utils import check_random_state, compute_sample_weight
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.multiclass import (
    check_classification_targets,
)
from sklearn.utils.validation import (
    _check_sample_weight,
    validate_data,
)

from ._building import (
    MAX_SEED,
    blas_threads_for,
    hidden_sizes,
    make_objective,
    network_spec,
    new_training_state,
    rebuild_for_warm_start,
    resolved_batch_size,
    training_dtype,
)
from ._callbacks import CallbackSupportMixin, EpochCallbacks, with_callbacks
from ._prediction import PredictionMixin
from ._reports import warn_lbfgs, warn_stochastic
from .core.activations import ACTIVATIONS
from .core.initializers import INITIALIZER_NAMES
from .core.lbfgs import train_lbfgs
from .core.network import predict_scores
from .core.optimizers import OPTIMIZERS
from .core.penalties import PENALTIES
from .core.schedules import SCHEDULES
from .core.training import Dataset, LoopSettings, run_epochs


class BaseMLPClassifier(PredictionMixin, CallbackSupportMixin, ClassifierMixin, BaseEstimator):
    """Base of the skdeep classifiers; not for direct use.

    Subclasses set :meth:`_loss_name` (the head) and the probability mapping.
    """

    _parameter_constraints = {
        "hidden_layer_sizes": ["array-like", Interval(Integral, 1, None, closed="left")],
        "activation": [StrOptions(set(ACTIVATIONS))],
        "solver": [StrOptions(set(OPTIMIZERS) | {"lbfgs"})],
        "alpha": [Interval(Real, 0, None, closed="left")],
        "batch_size": [StrOptions({"auto"}), Interval(Integral, 1, None, closed="left")],
        "learning_rate": [StrOptions(set(SCHEDULES))],
        "learning_rate_init": [Interval(Real, 0, None, closed="neither")],
        "power_t": [Interval(Real, 0, None, closed="left")],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "shuffle": ["boolean"],
        "random_state": ["random_state"],
        "tol": [Interval(Real, 0, None, closed="left")],
        "verbose": ["verbose"],
        "warm_start": ["boolean"],
        "momentum": [Interval(Real, 0, 1, closed="both")],
        "nesterovs_momentum": ["boolean"],
        "early_stopping": ["boolean"],
        "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
        "beta_1": [Interval(Real, 0, 1, closed="left")],
        "beta_2": [Interval(Real, 0, 1, closed="left")],
        "epsilon": [Interval(Real, 0, None, closed="neither")],
        "n_iter_no_change": [Interval(Integral, 1, None, closed="left")],
        "max_fun": [Interval(Integral, 1, None, closed="left")],
        "negative_slope": [Interval(Real, 0, 1, closed="neither")],
        "maxout_pieces": [Interval(Integral, 2, None, closed="left")],
        "weight_init": [StrOptions(set(INITIALIZER_NAMES))],
        "init_scale": [Interval(Real, 0, None, closed="neither")],
        "batch_norm": ["boolean"],
        "batch_norm_momentum": [Interval(Real, 0, 1, closed="left")],
        "dropout": [Interval(Real, 0, 1, closed="left")],
        "penalty": [StrOptions(set(PENALTIES)), None],
        "l1_ratio": [Interval(Real, 0, 1, closed="both")],
        "max_norm": [Interval(Real, 0, None, closed="neither"), None],
        "rho": [Interval(Real, 0, 1, closed="left")],
        "decay_rate": [Interval(Real, 0, 1, closed="right")],
        "decay_steps": [Interval(Integral, 1, None, closed="left")],
        "average": ["boolean", Interval(Real, 0, 1, closed="neither")],
        "class_weight": [StrOptions({"balanced"}), dict, None],
        "dtype": [StrOptions({"float32", "float64"}), None],
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
    ):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.solver = solver
        self.alpha = alpha
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.learning_rate_init = learning_rate_init
        self.power_t = power_t
        self.max_iter = max_iter
        self.shuffle = shuffle
        self.random_state = random_state
        self.tol = tol
        self.verbose = verbose
        self.warm_start = warm_start
        self.momentum = momentum
        self.nesterovs_momentum = nesterovs_momentum
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.n_iter_no_change = n_iter_no_change
        self.max_fun = max_fun
        self.negative_slope = negative_slope
        self.maxout_pieces = maxout_pieces
        self.weight_init = weight_init
        self.init_scale = init_scale
        self.batch_norm = batch_norm
        self.batch_norm_momentum = batch_norm_momentum
        self.dropout = dropout
        self.penalty = penalty
        self.l1_ratio = l1_ratio
        self.max_norm = max_norm
        self.rho = rho
        self.decay_rate = decay_rate
        self.decay_steps = decay_steps
        self.average = average
        self.class_weight = class_weight
        self.dtype = dtype

    # ------------------------------------------------------------------ tags
    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags

    # ----------------------------------------------------------- public API
    @with_callbacks
    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
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

        Returns
        -------
        self : object
            The fitted estimator.
        """
        continuing = self.warm_start and hasattr(self, "_state")
        return self._fit(
            X, y, sample_weight, classes=None, incremental=False, continuing=continuing
        )

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
        if self.solver == "lbfgs":
            raise ValueError(
                "partial_fit is only available for stochastic solvers; "
                f"solver={self.solver!r} is full-batch. Use fit instead."
            )
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

    # ---------------------------------------------------------- subclass API
    def _loss_name(self):
        raise NotImplementedError

    def _margin(self):
        return 1.0

    def _temperature(self):
        return 1.0

    def _after_fit(self, data):
        """Hook run after training with the training/validation data."""

    # --------------------------------------------------------------- fitting
    def _check_compatible_params(self):
        if self.solver == "lbfgs" and self.dropout > 0:
            raise ValueError(
                f"dropout={self.dropout} needs a stochastic solver; solver='lbfgs' "
                "minimises a deterministic full-batch loss. Use solver='adam' or dropout=0."
            )
        hidden_sizes(self)

    def _validate_training_data(self, X, y, sample_weight, reset):
        dtype = [np.float64, np.float32] if self.dtype is None else np.dtype(self.dtype)
        X, y = validate_data(
            self, X, y, accept_sparse="csr", dtype=dtype, reset=reset, y_numeric=False
        )
        check_classification_targets(y)
        if sample_weight is not None:
            sample_weight = _check_sample_weight(
                sample_weight, X, dtype=np.float64, ensure_non_negative=True
            )
            if not np.any(sample_weight > 0):
                raise ValueError("sample_weight must contain at least one positive weight.")
        return X, y, sample_weight

    def _encode_labels(self, y, classes):
        if classes is None:
            classes = np.unique(y)
        if len(classes) < 2:
            raise ValueError(
                "The number of classes has to be greater than one; got "
                f"{len(classes)} class ({classes[0]!r})."
            )
        unseen = np.setdiff1d(np.unique(y), classes)
        if unseen.size:
            raise ValueError(f"y contains labels not in classes: {unseen.tolist()!r}.")
        return classes, np.searchsorted(classes, y)

    def _fit(self, X, y, sample_weight, classes, incremental, continuing):
        # An exception part-way (a user callback, a bad label) must not leave a
        # previously fitted model half-updated: restore its attributes and re-raise.
        # Training mutates the state in place, so a continued one is copied first.
        saved = dict(self.__dict__)
        if continuing:
            saved["_state"] = copy.deepcopy(self._state)
        try:
            return self._fit_unsafe(X, y, sample_weight, classes, incremental, continuing)
        except BaseException:
            # scikit-learn's callback wrapper still needs these to tear callbacks down.
            bookkeeping = {
                key: self.__dict__[key]
                for key in ("_callback_fit_ctx", "_skl_callbacks_to_teardown")
                if key in self.__dict__
            }
            self.__dict__.clear()
            self.__dict__.update(saved)
            self.__dict__.update(bookkeeping)
            raise

    def _fit_unsafe(self, X, y, sample_weight, classes, incremental, continuing):
        self._check_compatible_params()
        X, y, sample_weight = self._validate_training_data(
            X, y, sample_weight, reset=not continuing
        )
        if continuing:
            classes = self.classes_  # fixed by the first fit; new labels are an error
        classes, y_index = self._encode_labels(y, classes)
        weights = self._combined_weights(y, sample_weight, classes)
        n_outputs = 1 if len(classes) == 2 else len(classes)
        seed_source = check_random_state(self.random_state)
        # Drawn first, so that a warm start validates on the same rows as the fit before.
        split_seed = seed_source.randint(MAX_SEED)
        dtype = self._state.network.dtype if continuing else training_dtype(self, X.dtype)
        if X.dtype != dtype:
            X = X.astype(dtype)
        # The split comes before the network is built, so an impossible split fails early.
        train, validation = self._split(X, y_index, weights, incremental, split_seed)
        if not continuing:
            state = new_training_state(self, X, n_outputs, dtype, seed_source)
        else:
            state = self._state
            if not incremental:
                rebuild_for_warm_start(self, state, network_spec(self, X.shape[1], n_outputs))
        objective = make_objective(self, state.network)
        callbacks = EpochCallbacks(self, X, y, sample_weight, 1 if incremental else self.max_iter)
        callbacks.state, callbacks.classes = state, classes

        if self.solver == "lbfgs":
            best_validation_score = self._train_full_batch(state, objective, train)
        else:
            best_validation_score = self._train_mini_batch(
                state, objective, train, validation, callbacks, incremental
            )
        self._state = state
        self.classes_ = classes
        self._export(state, validation, best_validation_score)
        # Weights can be finite while the scores of the training data overflow.
        X_head = train.take(slice(0, min(train.n_samples, 256)))[0]
        self._scores_or_error(
            predict_scores(self.coefs_, self.intercepts_, state.network.activation, X_head)
        )
        self._after_fit(validation if validation is not None else train)
        callbacks.fit_end()
        return self

    def _train_full_batch(self, state, objective, train):
        """L-BFGS over the whole training set; returns None (no validation score)."""
        with blas_threads_for(state.network, train.n_samples):
            outcome = train_lbfgs(
                objective, train, max_iter=self.max_iter, max_fun=self.max_fun, tol=self.tol
            )
        for record in outcome.history:
            state.n_epochs += 1
            state.history.append({"epoch": state.n_epochs, **record})
        state.samples_seen += outcome.n_iter * train.n_samples
        state.loss_curve.extend(outcome.loss_curve)
        warn_lbfgs(self, outcome)
        return None

    def _train_mini_batch(self, state, objective, train, validation, callbacks, incremental):
        """The epoch loop; returns the best validation score (None without validation)."""
        settings = LoopSettings(
            batch_size=resolved_batch_size(self, train.n_samples),
            max_epochs=1 if incremental else self.max_iter,
            shuffle=self.shuffle,
            tol=self.tol,
            n_iter_no_change=self.n_iter_no_change,
            stop_on_plateau=not incremental,
            max_norm=self.max_norm,
            verbose=max(int(self.verbose), int(callbacks.fallback_verbose)),
        )
        with blas_threads_for(state.network, settings.batch_size):
            report = run_epochs(
                state,
                objective,
                train,
                settings,
                validation,
                on_epoch_begin=callbacks.epoch_begin,
                on_epoch_end=callbacks.epoch_end,
            )
        warn_stochastic(self, report, state, incremental)
        return report.best_validation_score

    def _combined_weights(self, y, sample_weight, classes):
        if self.class_weight is None:
            return sample_weight
        if isinstance(self.class_weight, dict):
            unknown = set(self.class_weight) - set(classes.tolist())
            if unknown:
                raise ValueError(
                    f"class_weight has labels not in the classes: {sorted(unknown)!r}."
                )
            values = np.asarray(list(self.class_weight.values()), dtype=float)
            if not np.all(np.isfinite(values) & (values >= 0)):
                raise ValueError(
                    "class_weight values must be finite and non-negative; "
                    f"got {self.class_weight!r}."
                )
        weights = compute_sample_weight(self.class_weight, y)
        if sample_weight is not None:
            weights = weights * sample_weight
        if not np.any(weights > 0):
            raise ValueError(
                "class_weight and sample_weight together give every sample a zero weight."
            )
        return weights

    def _split(self, X, y_index, weights, incremental, split_seed):
        use_validation = self.early_stopping and not incremental and self.solver != "lbfgs"
        if not use_validation:
            return Dataset(X, y_index, weights), None
        rows = np.arange(X.shape[0])
        try:
            train_rows, val_rows = train_test_split(
                rows,
                test_size=self.validation_fraction,
                stratify=y_index,
                random_state=split_seed,
            )
        except ValueError as exc:
            raise ValueError(
                f"early_stopping could not make a stratified validation split with "
                f"validation_fraction={self.validation_fraction}: {exc}"
            ) from exc
        train_rows, val_rows = np.sort(train_rows), np.sort(val_rows)
        return (
            Dataset(X, y_index, weights, rows=train_rows),
            Dataset(X, y_index, weights, rows=val_rows),
        )

    def _export(self, state, validation, best_validation_score):
        coefs, intercepts = state.predicting_params()
        arrays = [*coefs, *intercepts]
        if not all(np.all(np.isfinite(a)) for a in arrays):
            raise ValueError(
                "Training produced non-finite weights: the features of X are too large for "
                f"{state.network.dtype.name} arithmetic. Standardise X (e.g. StandardScaler) "
                "or train in dtype='float64'."
            )
        self.coefs_, self.intercepts_ = coefs, intercepts
        self.n_layers_ = len(coefs) + 1
        self.n_outputs_ = coefs[-1].shape[1]
        self.out_activation_ = self._out_activation()
        self.n_iter_ = state.n_epochs
        self.t_ = state.samples_seen
        self.loss_curve_ = list(state.loss_curve)
        self.history_ = [dict(record) for record in state.history]
        finite = [value for value in self.loss_curve_ if np.isfinite(value)]
        self.loss_ = self.loss_curve_[-1] if self.loss_curve_ else float("nan")
        if validation is not None:
            self.validation_scores_ = list(state.validation_scores)
            # The score of the epoch whose weights this call restored.
            self.best_validation_score_ = best_validation_score
            self.best_loss_ = None
        else:
            self.validation_scores_ = None
            self.best_validation_score_ = None
            self.best_loss_ = min(finite) if finite else float("nan")

    def _out_activation(self):
        return "identity"

    def _predicting_attributes(self, state, classes):
        """Fitted attributes that make a copy of this estimator predict like ``state``."""
        coefs, intercepts = state.predicting_params()
        return {
            "coefs_": coefs,
            "intercepts_": intercepts,
            "classes_": classes,
            "n_outputs_": coefs[-1].shape[1],
            "n_layers_": len(coefs) + 1,
            "_state": state,
        }

    # ------------------------------------------------------------ predicting
