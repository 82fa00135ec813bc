"""scikit-learn callbacks (``sklearn.callback``, scikit-learn >= 1.9) for the epoch loop.

A fit is the root task; each epoch is one subtask, so ``ProgressBar`` shows epochs
and ``ScoringMonitor`` scores the model after every epoch (it receives a
ready-to-predict copy of the estimator through reconstruction attributes). A
callback's ``on_fit_task_end`` returning True stops training after that epoch.

On scikit-learn versions without ``sklearn.callback``, ``set_callbacks`` still
exists: it warns once and makes ``fit`` report progress as ``verbose=1`` would.
"""

import warnings

try:  # scikit-learn >= 1.9
    from sklearn.callback import CallbackSupportMixin, with_callbacks

    SKLEARN_CALLBACKS = True
except ImportError:  # pragma: no cover - exercised only on older scikit-learn
    SKLEARN_CALLBACKS = False

    class CallbackSupportMixin:
        """Fallback: callbacks degrade to ``verbose`` progress lines."""

        def set_callbacks(self, *callbacks):
            """Record callbacks; this scikit-learn has no callback API.

            Parameters
            ----------
            *callbacks : object
                Ignored, except that progress is then printed as with ``verbose=1``.

            Returns
            -------
            self : object
                The estimator.
            """
            warnings.warn(
                "sklearn.callback needs scikit-learn >= 1.9; progress is printed as "
                "with verbose=1 instead.",
                UserWarning,
                stacklevel=2,
            )
            self._fallback_callbacks = list(callbacks)
            return self

    def with_callbacks(method):
        """Identity decorator (no callback teardown to manage)."""
        return method


class EpochCallbacks:
    """Drives the callback context of one ``fit``/``partial_fit`` call.

    Parameters
    ----------
    estimator : BaseMLP
    X, y, sample_weight : arrays
        Training data, handed to the hooks (e.g. for ``ScoringMonitor``).
    max_epochs : int
        Upper bound of the number of epoch subtasks.
    """

    def __init__(self, estimator, X, y, sample_weight, max_epochs):
        self.estimator = estimator
        self.data = {"X": X, "y": y, "metadata": {"sample_weight": sample_weight}}
        self.enabled = SKLEARN_CALLBACKS
        self.state = self.targets = None
        self._epoch_context = None
        if self.enabled:
            self.root = estimator._init_callback_context(max_subtasks=max_epochs)
            self.root.call_on_fit_task_begin(estimator=estimator, **self.data)

    @property
    def fallback_verbose(self):
        """Whether the no-callback fallback asks for progress lines."""
        return bool(getattr(self.estimator, "_fallback_callbacks", None))

    def epoch_begin(self):
        """Open the subtask of the next epoch."""
        if self.enabled:
            self._epoch_context = self.root.subcontext(task_name="epoch")
            self._epoch_context.call_on_fit_task_begin(estimator=self.estimator)

    def epoch_end(self, record):
        """Close the epoch's subtask; True when a callback asks to stop."""
        if not self.enabled or self._epoch_context is None:
            return False
        stop = self._epoch_context.call_on_fit_task_end(
            estimator=self.estimator,
            reconstruction_attributes=self._reconstruction_attributes,
            **self.data,
        )
        self._epoch_context = None
        return bool(stop)

    def fit_end(self):
        """Close the root task."""
        if self.enabled:
            self.root.call_on_fit_task_end(
                estimator=self.estimator,
                reconstruction_attributes=self._reconstruction_attributes,
                **self.data,
            )

    def _reconstruction_attributes(self):
        """Fitted attributes that make a copy of the estimator ready to predict."""
        return self.estimator._predicting_attributes(self.state, self.targets)
