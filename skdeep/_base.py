"""Shared estimator base: the fit / partial_fit flow of classifiers and regressors.

The estimator layer is thin: freeze the validated parameters into
:class:`~skdeep._settings.Settings`, validate the data (:mod:`skdeep._data`),
build the network and its training state (:mod:`skdeep._building`), train with
:mod:`skdeep.core`, and copy the results into fitted attributes. No mathematics
lives here, and nothing below reads a parameter from ``self`` once the settings
are made. What differs between a classifier and a regressor is what the
targets are (labels and classes, or numbers and their scale): the subclasses
supply that through the ``_targets`` hooks, and the flow is written once.
"""

import functools
import math
from dataclasses import dataclass

import numpy as np
from sklearn.base import BaseEstimator
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
from ._callbacks import CallbackSupportMixin, EpochCallbacks
from ._data import check_training_data, check_validation_request, max_abs, split
from ._prediction import NetworkScoresMixin, scores_may_overflow
from ._reports import warn_lbfgs, warn_stochastic
from ._settings import settings_of
from .core import checkpoint
from .core.lbfgs import train_lbfgs
from .core.training import Dataset, run_epochs


class BaseMLP(NetworkScoresMixin, CallbackSupportMixin, BaseEstimator):
    """Base of the skdeep networks; not for direct use.

    Subclasses define ``__init__`` (their parameters, checked against
    :func:`skdeep._parameters.parameter_table` by the tests), ``loss`` (the head),
    their public ``fit``/``partial_fit`` (which call :meth:`_fit`), and the
    target hooks:

    * ``_target_kind``: ``"classification"`` or ``"regression"`` (how ``y`` is
      validated);
    * ``_targets(settings, y, sample_weight, classes, continuing, incremental,
      dtype)``: the encoded targets, the training weights, the number of
      outputs and what describes them (the classes, the target's scale), as a
      :class:`Targets`;
    * ``_validation_targets(settings, X_val, y_val, sample_weight_val, targets,
      dtype)``: the :class:`~skdeep.core.training.Dataset` of explicit
      validation data;
    * ``_target_attributes(targets)``: the fitted attributes that describe the
      targets (``classes_``, a regressor's target scale), set after fitting and
      on the copies callbacks reconstruct;
    * ``_predicting_attributes`` and ``_export_params`` where the fitted
      parameters are not the network's own (a regressor's target scale);
    * optionally ``_after_fit`` (the SVM's temperature).
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

    def _fit_all(self, X, y, sample_weight, X_val, y_val, sample_weight_val):
        """The body of ``fit``: every epoch, warm-started or not, with validation data."""
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

    def _refuse_full_batch_partial_fit(self):
        if self.solver == "lbfgs":
            raise ValueError(
                "partial_fit is only available for stochastic solvers; "
                f"solver={self.solver!r} is full-batch. Use fit instead."
            )

    # ------------------------------------------------------ subclass hooks
    def _after_fit(self, data):
        """Hook run after training with the training/validation data."""

    def _out_activation(self):
        return "identity"

    # --------------------------------------------------------------- fitting
    def _fit(self, X, y, sample_weight, classes, incremental, continuing, validation_data=None):
        """The shared body of ``fit`` and ``partial_fit``: the stages, trained here."""
        stages = self._fit_stages(
            X,
            y,
            sample_weight,
            classes=classes,
            incremental=incremental,
            continuing=continuing,
            validation_data=validation_data,
        )
        plan = next(stages)
        try:
            outcome = self._train(plan)
        except BaseException as error:
            stages.throw(error)  # puts the model back, then re-raises
            raise  # pragma: no cover - throw() re-raises
        return _finish(stages, outcome)

    def _fit_stages(
        self, X, y, sample_weight, classes, incremental, continuing, validation_data=None
    ):
        """A fit in two stages: yield its :class:`FitPlan`, receive how training went.

        The caller trains the plan (:meth:`_train`, or :mod:`skdeep._lockstep`
        for several models at once) and sends ``(epochs, best_validation_score)``;
        the generator then sets the fitted attributes and returns ``self``. An
        error thrown in (or raised here) puts the model back as it was.
        """
        # scikit-learn's fit context has just validated every parameter.
        settings = settings_of(self, validate=False)
        # An exception part-way (a user callback, a bad label) must not leave a
        # previously fitted model half-updated: put back its attributes and what
        # training changed in its state, then re-raise.
        saved = dict(self.__dict__)
        restore_point = checkpoint.take(self._state) if continuing else None
        try:
            plan = self._plan_fit(
                settings, X, y, sample_weight, classes, incremental, restore_point, validation_data
            )
            epochs, best_validation_score = yield plan
            return self._finish_fit(plan, epochs, best_validation_score)
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

    def _plan_fit(
        self, settings, X, y, sample_weight, classes, incremental, restore_point, validation_data
    ):
        """Validate the data and build (or take over) the training state: a :class:`FitPlan`."""
        continuing = restore_point is not None
        if validation_data is not None:
            check_validation_request(settings, validation_data)
        X, y, sample_weight = check_training_data(
            self, settings, X, y, sample_weight, reset=not continuing, kind=self._target_kind
        )
        dtype = self._state.network.dtype if continuing else training_dtype(settings, X.dtype)
        targets = self._targets(settings, y, sample_weight, classes, continuing, incremental, dtype)
        seed_source = check_random_state(settings.random_state)
        # Drawn first, so that a warm start validates on the same rows as the fit before.
        split_seed = seed_source.randint(MAX_SEED)
        if X.dtype != dtype:
            X = X.astype(dtype)
        # The split comes before the network is built, so an impossible split fails early.
        if validation_data is None:
            train, validation = split(settings, X, targets, incremental, split_seed)
        else:
            train = Dataset(X, targets.encoded, targets.weights)
            validation = self._validation_targets(settings, *validation_data, targets, dtype)
        n_outputs = targets.n_outputs
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
        callbacks.state, callbacks.targets = state, targets
        return FitPlan(
            settings, X, targets, state, objective, train, validation, callbacks, incremental,
            restore_point,
        )  # fmt: skip

    def _train(self, plan):
        """Train a plan on its own; returns ``(epochs, best validation score or None)``."""
        if plan.settings.solver == "lbfgs":
            return self._train_full_batch(plan.settings, plan.state, plan.objective, plan.train)
        return self._train_mini_batch(plan)

    def _finish_fit(self, plan, epochs, best_validation_score):
        """Copy the trained state into the fitted attributes; return ``self``."""
        state, targets = plan.state, plan.targets
        self._state = state
        self.__dict__.update(self._target_attributes(targets))
        continuing = plan.restore_point is not None
        largest_weights = self._export(
            state, targets, epochs, plan.validation, best_validation_score, continuing
        )
        self._refuse_overflowing_scores(state, largest_weights, plan.train, plan.X)
        self._after_fit(plan.validation if plan.validation is not None else plan.train)
        plan.callbacks.fit_end()
        return self

    def _loop_of(self, plan):
        """The :class:`~skdeep.core.training.LoopSettings` of a plan's epoch loop."""
        verbose = max(int(plan.settings.verbose), int(plan.callbacks.fallback_verbose))
        return loop_settings(plan.settings, plan.train.n_samples, plan.incremental, verbose)

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

    def _train_mini_batch(self, plan):
        """The epoch loop; returns (epochs run, best validation score or None)."""
        loop, state = self._loop_of(plan), plan.state
        with blas_threads_for(state.network, loop.batch_size):
            report = run_epochs(
                state,
                plan.objective,
                plan.train,
                loop,
                plan.validation,
                on_epoch_begin=plan.callbacks.epoch_begin,
                on_epoch_end=plan.callbacks.epoch_end,
                start=plan.restore_point,
            )
        return self._outcome(plan, report)

    def _outcome(self, plan, report):
        """Warn about how a plan's epoch loop ended; return ``(epochs, best score)``."""
        warn_stochastic(plan.settings, report, plan.state, plan.incremental)
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

    def _export_params(self, state, targets):
        """The fitted ``(coefs_, intercepts_)`` of ``state`` (the network's own here)."""
        return state.predicting_params()

    def _export(self, state, targets, epochs, validation, best_validation_score, continuing):
        coefs, intercepts = self._export_params(state, targets)
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

    def _predicting_attributes(self, state, targets):
        """Fitted attributes that make a copy of this estimator predict like ``state``."""
        coefs, intercepts = self._export_params(state, targets)
        return {
            "coefs_": coefs,
            "intercepts_": intercepts,
            "n_outputs_": coefs[-1].shape[-1],
            "n_layers_": len(coefs) + 1,
            "_state": state,
            **self._target_attributes(targets),
        }


@dataclass(frozen=True)
class Targets:
    """The training targets as the network sees them, and what describes them.

    Parameters
    ----------
    encoded : ndarray
        Class indices (n,), or the (scaled) targets (n, n_outputs).
    weights : ndarray of shape (n,) or None
        Sample weights (with the class weights multiplied in).
    n_outputs : int
        Output units of the network.
    stratify : bool
        Whether the early-stopping split is stratified on ``encoded``.
    info : object
        What the estimator stores about the targets: the classes, or the
        target's scale.
    """

    encoded: np.ndarray
    weights: np.ndarray | None
    n_outputs: int
    stratify: bool
    info: object


@dataclass
class FitPlan:
    """A fit stopped at its training stage (see ``BaseMLP._fit_stages``).

    Parameters
    ----------
    settings : Settings
    X : ndarray or sparse matrix
        The validated training data, in the training precision.
    targets : Targets
    state : TrainingState
    objective : Objective
    train, validation : Dataset or None
    callbacks : EpochCallbacks
    incremental : bool
        A ``partial_fit`` call.
    restore_point : Checkpoint or None
        Set when the call continues an earlier fit.
    """

    settings: object
    X: object
    targets: Targets
    state: object
    objective: object
    train: object
    validation: object
    callbacks: object
    incremental: bool
    restore_point: object


def _finish(stages, outcome):
    """Send the training outcome to a fit's stages; return what the fit returns."""
    try:
        stages.send(outcome)
    except StopIteration as finished:
        return finished.value
    raise RuntimeError("a fit's stages went on after training")  # pragma: no cover
