"""Shared estimator base: the fit / partial_fit flow.

The estimator layer is thin: freeze the validated parameters into
:class:`~skdeep._settings.Settings`, validate the data (:mod:`skdeep._data`),
build the network and its training state (:mod:`skdeep._building`), train with
:mod:`skdeep.core`, and copy the results into fitted attributes. No mathematics
lives here, and nothing below reads a parameter from ``self`` once the settings
are made.
"""

import functools
import math

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, _fit_context
from sklearn.utils import check_random_state

from ._building import (
    MAX_SEED,
    blas_threads_for,
    loop_settings,
    make_objective,
    network_spec,
    new_training_state,
    rebuild_for_warm_start,
    training_dtype,
)
from ._callbacks import CallbackSupportMixin, EpochCallbacks, with_callbacks
from ._data import (
    check_training_data,
    check_validation_request,
    combined_weights,
    encode_labels,
    given_validation,
    max_abs,
    split,
)
from ._prediction import PredictionMixin, scores_may_overflow
from ._reports import warn_lbfgs, warn_stochastic
from ._settings import settings_of
from .core import checkpoint
from .core.lbfgs import train_lbfgs
from .core.training import Dataset, run_epochs


class BaseMLPClassifier(PredictionMixin, CallbackSupportMixin, ClassifierMixin, BaseEstimator):
    """Base of the skdeep classifiers; not for direct use.

    Subclasses define ``__init__`` (their parameters, checked against
    :func:`skdeep._parameters.parameter_table` by the tests), ``loss`` (the head)
    and, if their probabilities need it, ``_after_fit``.
    """

    @classmethod
    @functools.cache
    def _get_param_names(cls):
        # scikit-learn inspects the signature on every get_params/clone; the
        # signature of a class never changes, so it is read once.
        return BaseEstimator._get_param_names.__func__(cls)

    def _store_parameters(self, values):
        """Store the ``__init__`` arguments untouched, as scikit-learn requires."""
        for name in self._get_param_names():
            setattr(self, name, values[name])

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags

    # ----------------------------------------------------------- public API
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
        continuing = self.warm_start and hasattr(self, "_state")
        validation = None if X_val is None and y_val is None else (X_val, y_val, sample_weight_val)
        return self._fit(
            X,
            y,
            sample_weight,
            classes=None,
            incremental=False,
            continuing=continuing,
            validation_data=validation,
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

    # ------------------------------------------------------ subclass hooks
    def _temperature(self):
        return 1.0

    def _after_fit(self, data):
        """Hook run after training with the training/validation data."""

    def _out_activation(self):
        return "identity"

    # --------------------------------------------------------------- fitting
    def _fit(self, X, y, sample_weight, classes, incremental, continuing, validation_data=None):
        # scikit-learn's fit context has just validated every parameter.
        settings = settings_of(self, validate=False)
        # An exception part-way (a user callback, a bad label) must not leave a
        # previously fitted model half-updated: put back its attributes and what
        # training changed in its state, then re-raise.
        saved = dict(self.__dict__)
        restore_point = checkpoint.take(self._state) if continuing else None
        try:
            return self._fit_unsafe(
                settings, X, y, sample_weight, classes, incremental, restore_point, validation_data
            )
        except BaseException:
            if restore_point is not None:
                restore_point.restore()
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

    def _fit_unsafe(
        self, settings, X, y, sample_weight, classes, incremental, restore_point, validation_data
    ):
        continuing = restore_point is not None
        if validation_data is not None:
            check_validation_request(settings, validation_data)
        X, y, sample_weight = check_training_data(
            self, settings, X, y, sample_weight, reset=not continuing
        )
        if continuing:
            if not incremental:
                _check_same_classes(y, self.classes_)
            classes = self.classes_  # fixed by the first fit; new labels are an error
        classes, y_index = encode_labels(y, classes)
        weights = combined_weights(settings, y, sample_weight, classes)
        n_outputs = 1 if len(classes) == 2 else len(classes)
        seed_source = check_random_state(settings.random_state)
        # Drawn first, so that a warm start validates on the same rows as the fit before.
        split_seed = seed_source.randint(MAX_SEED)
        dtype = self._state.network.dtype if continuing else training_dtype(settings, X.dtype)
        if X.dtype != dtype:
            X = X.astype(dtype)
        # The split comes before the network is built, so an impossible split fails early.
        if validation_data is None:
            train, validation = split(settings, X, y_index, weights, incremental, split_seed)
        else:
            train = Dataset(X, y_index, weights)
            validation = given_validation(self, settings, validation_data, classes, dtype)
        if not continuing:
            state = new_training_state(settings, X, n_outputs, dtype, seed_source)
        else:
            state = self._state
            if not incremental:
                spec = network_spec(settings, X.shape[1], n_outputs)
                rebuild_for_warm_start(settings, state, spec)
        objective = make_objective(settings, state.network)
        callbacks = EpochCallbacks(
            self, X, y, sample_weight, 1 if incremental else settings.max_iter
        )
        callbacks.state, callbacks.classes = state, classes

        if settings.solver == "lbfgs":
            epochs, best_validation_score = self._train_full_batch(
                settings, state, objective, train
            )
        else:
            epochs, best_validation_score = self._train_mini_batch(
                settings, state, objective, train, validation, callbacks, incremental, restore_point
            )
        self._state = state
        self.classes_ = classes
        largest_weights = self._export(state, epochs, validation, best_validation_score, continuing)
        self._refuse_overflowing_scores(state, largest_weights, train, X)
        self._after_fit(validation if validation is not None else train)
        callbacks.fit_end()
        return self

    def _train_full_batch(self, settings, state, objective, train):
        """L-BFGS over the whole training set; returns (iterations, None)."""
        with blas_threads_for(state.network, train.n_samples):
            outcome = train_lbfgs(
                objective,
                train,
                max_iter=settings.max_iter,
                max_fun=settings.max_fun,
                tol=settings.tol,
            )
        for record in outcome.history:
            state.n_epochs += 1
            state.history.append({"epoch": state.n_epochs, **record})
        state.samples_seen += outcome.n_iter * train.n_samples
        state.loss_curve.extend(outcome.loss_curve)
        warn_lbfgs(settings, outcome)
        return outcome.n_iter, None

    def _train_mini_batch(
        self, settings, state, objective, train, validation, callbacks, incr, start
    ):
        """The epoch loop; returns (epochs run, best validation score or None)."""
        verbose = max(int(settings.verbose), int(callbacks.fallback_verbose))
        loop = loop_settings(settings, train.n_samples, incr, verbose)
        with blas_threads_for(state.network, loop.batch_size):
            report = run_epochs(
                state,
                objective,
                train,
                loop,
                validation,
                on_epoch_begin=callbacks.epoch_begin,
                on_epoch_end=callbacks.epoch_end,
                start=start,
            )
        warn_stochastic(settings, report, state, incr)
        return report.epochs, report.best_validation_score

    def _refuse_overflowing_scores(self, state, largest_weights, train, X):
        """Raise when the fitted model's scores of the training data overflow.

        Weights can be finite while the scores of huge features are not. Checking
        costs a forward pass, so it runs only when a bound on the scores, from the
        largest feature and the largest weights, says that overflow is possible.
        """
        if not scores_may_overflow(largest_weights, max_abs(X), state.network.dtype):
            return
        X_head = train.take(slice(0, min(train.n_samples, 256)))[0]
        self._scores_or_error(self._network_scores(X_head))

    def _export(self, state, epochs, validation, best_validation_score, continuing):
        coefs, intercepts = state.predicting_params()
        # Per layer max |W|, max |b| and fan-in: two reductions per array and no
        # temporary; a NaN or an infinity shows in them.
        largest = [(max_abs(W), max_abs(b), W.shape[-2]) for W, b in zip(coefs, intercepts)]
        if not all(np.isfinite(w) and np.isfinite(b) for w, b, _ in largest):
            raise ValueError(
                "Training produced non-finite weights: the features of X are too large for "
                f"{state.network.dtype.name} arithmetic. Standardise X (e.g. StandardScaler) "
                "or train in dtype='float64'."
            )
        self.coefs_, self.intercepts_ = coefs, intercepts
        self.n_layers_ = len(coefs) + 1
        self.n_outputs_ = coefs[-1].shape[-1]
        self.out_activation_ = self._out_activation()
        # As MLPClassifier: the epochs of this call (1 after partial_fit); the count
        # across calls is history_[-1]["epoch"]. t_ counts samples across calls.
        self.n_iter_ = epochs
        self.t_ = state.samples_seen
        # history_ is read from the state when asked for (see the property). A
        # continuing call folds only its own losses into the best one, not every
        # earlier call's again (a stream of partial_fit calls would pay for its
        # length on every call).
        earlier_curve = getattr(self, "loss_curve_", None) if continuing else None
        n_losses = 0 if earlier_curve is None else len(earlier_curve)
        earlier_best = None if earlier_curve is None else getattr(self, "best_loss_", None)
        self.loss_curve_ = list(state.loss_curve)
        self.loss_ = self.loss_curve_[-1] if self.loss_curve_ else float("nan")
        if validation is not None:
            self.validation_scores_ = list(state.validation_scores)
            # The score of the epoch whose weights this call restored.
            self.best_validation_score_ = best_validation_score
            self.best_loss_ = None
        else:
            self.validation_scores_ = None
            self.best_validation_score_ = None
            if earlier_best is None:  # a first call, or one after validated calls
                earlier_best, n_losses = float("nan"), 0
            finite = [v for v in self.loss_curve_[n_losses:] if math.isfinite(v)]
            if math.isfinite(earlier_best):
                finite.append(earlier_best)
            self.best_loss_ = min(finite) if finite else float("nan")
        return largest

    @property
    def history_(self):
        """One record per epoch, across calls (see the class's Attributes).

        Built from the training state when read, as a fresh copy each time: a
        caller may change what it gets without changing the model, and a call
        does not pay for copying every earlier epoch's record.
        """
        state = self.__dict__.get("_state")
        if state is None or "coefs_" not in self.__dict__:
            raise AttributeError(
                f"This {type(self).__name__} instance is not fitted yet: it has no history_."
            )
        return [dict(record) for record in state.history]

    def _predicting_attributes(self, state, classes):
        """Fitted attributes that make a copy of this estimator predict like ``state``."""
        coefs, intercepts = state.predicting_params()
        return {
            "coefs_": coefs,
            "intercepts_": intercepts,
            "classes_": classes,
            "n_outputs_": coefs[-1].shape[-1],
            "n_layers_": len(coefs) + 1,
            "_state": state,
        }


def _check_same_classes(y, classes):
    """A warm-started ``fit`` must see the classes of the fit before (as MLPClassifier)."""
    seen = np.unique(y)
    if not np.array_equal(seen, classes):
        raise ValueError(
            "warm_start can only be used where `y` has the same classes as in the "
            f"previous call to fit. Previously got {classes}, `y` has {seen}."
        )
