"""Training-curve display, in the shape of scikit-learn's ``*Display`` classes.

The course notes' babysitting advice is to watch a few curves while a network
trains: the loss (a flat line means a learning rate too low, an explosion one too
high), the gap between training and validation (overfitting), the learning rate
schedule, and the ratio of the weight updates to the weights (around ``1e-3``).
:class:`TrainingHistoryDisplay` draws them from the ``history_`` a fitted skdeep
classifier records, one panel per quantity.

matplotlib is an optional dependency (the ``plot`` extra); it is imported only
when something is drawn.
"""

import numpy as np
from sklearn.utils.validation import check_is_fitted

from ._base import BaseMLP

UPDATE_RATIO_REFERENCE = 1e-3
"""The notes' target for ``||update|| / ||weights||`` per step."""

_REFERENCE_GID = "skdeep-update-ratio-reference"
_PANELS = ("loss", "validation_score", "learning_rate", "update_ratio")
_TITLES = {
    "loss": "Loss",
    "validation_score": "Validation score",
    "learning_rate": "Learning rate",
    "update_ratio": "Update / weight ratio",
}


def _check_matplotlib_support(caller_name):
    """Raise an ImportError naming the ``plot`` extra when matplotlib is missing.

    Parameters
    ----------
    caller_name : str
        Name of the method that needs matplotlib, for the message.
    """
    try:
        import matplotlib  # noqa: F401
    except ImportError as exc:
        raise ImportError(
            f"{caller_name} requires matplotlib. Install it with "
            '`pip install "skdeep[plot]"` (or `pip install matplotlib`).'
        ) from exc


def _has_value(value):
    """Whether a history entry (number or list of numbers) holds a finite value."""
    if value is None:
        return False
    return bool(np.any(np.isfinite(np.asarray(value, dtype=float))))


def _final_estimator(estimator):
    """Return the skdeep network inside ``estimator`` (itself or a Pipeline's last step)."""
    final = estimator
    if hasattr(estimator, "steps") and hasattr(estimator, "_final_estimator"):
        final = estimator._final_estimator
    if not isinstance(final, BaseMLP):
        raise TypeError(
            "TrainingHistoryDisplay.from_estimator needs an MLPSoftmaxClassifier, "
            "MLPSVMClassifier or MLPRegressor, or a Pipeline ending with one; got "
            f"{type(final).__name__}."
        )
    return final


class TrainingHistoryDisplay:
    """Training curves of a skdeep network: loss, validation score, learning rate, update ratio.

    It is recommended to use :meth:`from_estimator` to create a
    :class:`TrainingHistoryDisplay`. All parameters are stored as attributes.

    The panels, drawn against the epoch number, are:

    ``"loss"``
        The mean training mini-batch loss of each epoch (penalty included) and,
        with ``early_stopping``, the validation loss (data loss only).
    ``"validation_score"``
        Validation accuracy (a regressor: R²); only with ``early_stopping``.
    ``"learning_rate"``
        The learning rate in force during the epoch, on a log scale.
    ``"update_ratio"``
        ``||update|| / ||weights||`` of the epoch's last step, one line per
        weight matrix, on a log scale with the course notes' reference value
        ``1e-3``: much lower means the learning rate is too low, much higher
        means it is too high.

    Parameters
    ----------
    history : list of dict
        One record per epoch, as in the ``history_`` attribute of
        :class:`~skdeep.MLPSoftmaxClassifier` and
        :class:`~skdeep.MLPSVMClassifier`: keys ``"epoch"``, ``"loss"`` and
        optionally ``"learning_rate"``, ``"update_ratio"`` (list, one value per
        weight matrix), ``"validation_loss"``, ``"validation_score"``.

    estimator_name : str, default=None
        Name used in the legends. If None, no name is shown.

    Attributes
    ----------
    figure_ : matplotlib Figure
        Figure holding the panels.

    ax_ : matplotlib Axes or ndarray of Axes
        The Axes of the single panel, or a 1-D array with one Axes per panel in
        the order of ``metrics_`` when there are several.

    lines_ : dict of str to list of matplotlib Line2D
        The curves drawn in each panel, keyed by metric name (the ``1e-3``
        reference line of ``"update_ratio"`` is not included).

    metrics_ : list of str
        The metrics drawn, one per panel.

    See Also
    --------
    sklearn.model_selection.LearningCurveDisplay : Score against training-set size.
    sklearn.model_selection.ValidationCurveDisplay : Score against a hyperparameter.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from sklearn.datasets import load_iris
    >>> from skdeep import MLPSoftmaxClassifier, TrainingHistoryDisplay
    >>> X, y = load_iris(return_X_y=True)
    >>> clf = MLPSoftmaxClassifier(
    ...     hidden_layer_sizes=(16,), early_stopping=True, max_iter=30, random_state=0
    ... ).fit(X, y)
    >>> display = TrainingHistoryDisplay.from_estimator(clf)
    >>> display.metrics_
    ['loss', 'validation_score', 'learning_rate', 'update_ratio']
    >>> display.ax_.shape
    (4,)
    """

    def __init__(self, history, *, estimator_name=None):
        self.history = history
        self.estimator_name = estimator_name

    # ------------------------------------------------------------- building
    @classmethod
    def from_estimator(
        cls, estimator, *, ax=None, metrics=None, name=None, line_kw=None, reference_line=True
    ):
        """Plot the training curves of a fitted skdeep classifier.

        Parameters
        ----------
        estimator : MLPSoftmaxClassifier, MLPSVMClassifier or Pipeline
            A fitted skdeep classifier, or a fitted
            :class:`~sklearn.pipeline.Pipeline` whose last step is one.

        ax : matplotlib Axes or array-like of Axes, default=None
            Where to draw: one Axes per panel. If None, a new figure with one
            row of panels is created.

        metrics : str or list of str, default=None
            Panels to draw, among ``"loss"``, ``"validation_score"``,
            ``"learning_rate"`` and ``"update_ratio"``. If None, every panel
            the history has data for (``"validation_score"`` needs
            ``early_stopping=True``; a model trained with ``solver='lbfgs'``
            has no learning rate, and its curves are drawn against the
            L-BFGS iteration).

        name : str, default=None
            Name used in the legends. If None, the class name of the
            classifier.

        line_kw : dict, default=None
            Keyword arguments passed to every ``Axes.plot`` call.

        reference_line : bool, default=True
            Whether to draw the ``1e-3`` reference of the update-ratio panel.

        Returns
        -------
        display : TrainingHistoryDisplay
            The display, with the figure drawn.
        """
        _check_matplotlib_support(f"{cls.__name__}.from_estimator")
        final = _final_estimator(estimator)
        check_is_fitted(final, "history_")
        history = final.history_
        if not history:
            # L-BFGS records no per-epoch history, only its iterations' losses.
            history = [
                {"epoch": i + 1, "loss": float(loss)} for i, loss in enumerate(final.loss_curve_)
            ]
        name = type(final).__name__ if name is None else name
        display = cls(history, estimator_name=name)
        return display.plot(ax=ax, metrics=metrics, line_kw=line_kw, reference_line=reference_line)

    def available_metrics(self):
        """Return the metrics the history has data for, in panel order.

        A metric is available when at least one record holds a finite value
        for it (L-BFGS records a NaN learning rate: it has none).

        Returns
        -------
        metrics : list of str
            Names among ``"loss"``, ``"validation_score"``,
            ``"learning_rate"`` and ``"update_ratio"``.
        """
        return [
            metric for metric in _PANELS if any(_has_value(r.get(metric)) for r in self.history)
        ]

    # -------------------------------------------------------------- drawing
    def plot(self, ax=None, *, metrics=None, name=None, line_kw=None, reference_line=True):
        """Plot the training curves.

        Calling ``plot`` again with the ``ax_`` of another display overlays the
        two models' curves.

        Parameters
        ----------
        ax : matplotlib Axes or array-like of Axes, default=None
            Where to draw: one Axes per panel. If None, a new figure with one
            row of panels is created.

        metrics : str or list of str, default=None
            Panels to draw, among ``"loss"``, ``"validation_score"``,
            ``"learning_rate"`` and ``"update_ratio"``. If None, every panel
            the history has data for.

        name : str, default=None
            Name used in the legends. If None, ``estimator_name``.

        line_kw : dict, default=None
            Keyword arguments passed to every ``Axes.plot`` call (e.g.
            ``{"color": "C1"}`` to give a model one colour in every panel).

        reference_line : bool, default=True
            Whether to draw the ``1e-3`` reference of the update-ratio panel.

        Returns
        -------
        display : TrainingHistoryDisplay
            Object that stores the drawn artists.
        """
        _check_matplotlib_support(f"{type(self).__name__}.plot")
        import matplotlib.pyplot as plt
        from matplotlib.ticker import MaxNLocator

        if not self.history:
            raise ValueError("The history is empty: there is nothing to plot.")
        metrics = self._validated_metrics(metrics)
        name = self.estimator_name if name is None else name
        line_kw = {} if line_kw is None else dict(line_kw)
        # A label in line_kw names the model; each curve appends what it shows.
        name = line_kw.pop("label", name)

        if ax is None:
            fig, axes = plt.subplots(
                1,
                len(metrics),
                figsize=(4.2 * len(metrics), 3.6),
                squeeze=False,
                layout="constrained",
            )
            axes = axes.ravel()
        else:
            axes = np.ravel(np.asarray(ax, dtype=object))
            if len(axes) != len(metrics):
                raise ValueError(
                    f"ax must hold one Axes per panel: {len(metrics)} panels "
                    f"({', '.join(metrics)}) but {len(axes)} Axes were given."
                )
            fig = axes[0].figure

        epochs = np.array([record.get("epoch", i + 1) for i, record in enumerate(self.history)])
        # L-BFGS has no learning rate (line search) and counts iterations, not epochs.
        rates = [record.get("learning_rate", 0.0) for record in self.history]
        x_label = "Iteration" if all(r is not None and np.isnan(r) for r in rates) else "Epoch"
        draw = {
            "loss": self._plot_loss,
            "validation_score": self._plot_validation_score,
            "learning_rate": self._plot_learning_rate,
            "update_ratio": self._plot_update_ratio,
        }
        self.lines_ = {}
        for metric, panel in zip(metrics, axes):
            kwargs = {"name": name, "line_kw": line_kw}
            if metric == "update_ratio":
                kwargs["reference_line"] = reference_line
            self.lines_[metric] = draw[metric](panel, epochs, **kwargs)
            panel.set_xlabel(x_label)
            panel.xaxis.set_major_locator(MaxNLocator(integer=True))
            panel.set_title(_TITLES[metric])
            if panel.get_legend_handles_labels()[0]:
                panel.legend(fontsize="small")

        self.metrics_ = list(metrics)
        self.figure_ = fig
        self.ax_ = axes[0] if len(axes) == 1 else axes
        return self

    def _validated_metrics(self, metrics):
        available = self.available_metrics()
        if metrics is None:
            return available
        if isinstance(metrics, str):
            metrics = [metrics]
        metrics = list(metrics)
        if not metrics:
            raise ValueError("metrics must name at least one panel.")
        unknown = [m for m in metrics if m not in _PANELS]
        if unknown:
            raise ValueError(f"Unknown metrics {unknown!r}; choose among {list(_PANELS)!r}.")
        missing = [m for m in metrics if m not in available]
        if missing:
            hint = (
                " The validation score is recorded only with early_stopping=True."
                if "validation_score" in missing
                else ""
            )
            raise ValueError(f"The history has no data for {missing!r}.{hint}")
        return metrics

    def _column(self, key):
        """One value per epoch; NaN where a record lacks the key."""
        return np.array(
            [np.nan if record.get(key) is None else float(record[key]) for record in self.history]
        )

    @staticmethod
    def _label(name, what):
        if name is None:
            return what
        return f"{name} ({what})" if what else name

    def _plot_loss(self, ax, epochs, *, name, line_kw):
        (train,) = ax.plot(
            epochs, self._column("loss"), label=self._label(name, "train"), **line_kw
        )
        lines = [train]
        if any(record.get("validation_loss") is not None for record in self.history):
            # Same colour as the training curve so that overlaid models stay apart.
            kw = {"color": train.get_color(), "linestyle": "--", **line_kw}
            (val,) = ax.plot(
                epochs, self._column("validation_loss"), label=self._label(name, "validation"), **kw
            )
            lines.append(val)
        ax.set_ylabel("Loss")
        return lines

    def _plot_validation_score(self, ax, epochs, *, name, line_kw):
        label = name if name is not None else "validation"
        (line,) = ax.plot(epochs, self._column("validation_score"), **{"label": label, **line_kw})
        # Accuracy for a classifier, R^2 for a regressor (or the negative loss).
        ax.set_ylabel("Validation score")
        return [line]

    def _plot_learning_rate(self, ax, epochs, *, name, line_kw):
        kw = {"label": name, **line_kw} if name is not None else dict(line_kw)
        (line,) = ax.plot(epochs, self._column("learning_rate"), **kw)
        ax.set_yscale("log")
        ax.set_ylabel("Learning rate")
        return [line]

    def _plot_update_ratio(self, ax, epochs, *, name, line_kw, reference_line):
        n_layers = max(len(record.get("update_ratio") or ()) for record in self.history)
        ratios = np.full((len(self.history), n_layers), np.nan)
        for row, record in enumerate(self.history):
            values = record.get("update_ratio") or ()
            ratios[row, : len(values)] = values
        # A zero ratio (a step that changed nothing) has no place on a log axis.
        ratios[~(ratios > 0)] = np.nan
        lines = []
        for k in range(n_layers):
            layer = "output layer" if k == n_layers - 1 else f"layer {k + 1}"
            (line,) = ax.plot(
                epochs, ratios[:, k], **{"label": self._label(name, layer), **line_kw}
            )
            lines.append(line)
        drawn = any(line.get_gid() == _REFERENCE_GID for line in ax.get_lines())
        if reference_line and not drawn:
            ax.axhline(
                UPDATE_RATIO_REFERENCE,
                color="black",
                linestyle=":",
                linewidth=1,
                label="1e-3 reference",
                gid=_REFERENCE_GID,
            )
        ax.set_yscale("log")
        ax.set_ylabel("||update|| / ||weights||")
        return lines
