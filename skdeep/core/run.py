"""The bookkeeping of a training call around its epochs: :class:`Run`.

One epoch of mini-batch steps is :mod:`.training`'s (or :mod:`.lockstep`'s, for
several networks at once); everything around it is here, written once: the
divergence guard, the plateau monitor, the best epoch's parameters, the history
records with the validation loss and score, the hooks, and the
:class:`RunReport` that says how the call ended.
"""

import time
from dataclasses import dataclass

from .monitor import DivergenceGuard, PlateauMonitor, Snapshot
from .objective import evaluate


@dataclass
class RunReport:
    """How a call to :func:`run_epochs` ended.

    Attributes
    ----------
    converged : bool
        Stopped by the plateau rule (not by ``max_epochs``).
    diverged_at_lr : float or None
        Learning rate in force when the divergence guard fired.
    interrupted : bool
        Stopped by KeyboardInterrupt.
    stopped_by_hook : bool
        The epoch hook asked to stop.
    best_validation_score : float or None
    epochs : int
        Epochs completed in this call.
    """

    converged: bool = False
    diverged_at_lr: float | None = None
    interrupted: bool = False
    stopped_by_hook: bool = False
    best_validation_score: float | None = None
    epochs: int = 0


class Run:
    """The bookkeeping of one network's training call, around its epochs.

    Everything :func:`run_epochs` does besides walking the batches: the
    divergence guard, the plateau monitor, the best parameters, the history
    records, the validation score, the hooks and the report. :func:`run_epochs`
    drives one; :mod:`.lockstep` drives several networks' at once, so the rules
    of an epoch are written once.

    Parameters
    ----------
    state, objective, data, settings, validation, on_epoch_begin, on_epoch_end, start
        As in :func:`run_epochs`.

    Attributes
    ----------
    batch_size : int
        Rows per batch (at most the rows of ``data``).
    guard : DivergenceGuard
    sizes : list of int
        Entries of each weight matrix (for the update ratios).
    report : RunReport
    """

    def __init__(
        self,
        state,
        objective,
        data,
        settings,
        validation=None,
        on_epoch_begin=None,
        on_epoch_end=None,
        start=None,
    ):
        self.state, self.objective, self.data = state, objective, data
        self.settings, self.validation = settings, validation
        self.on_epoch_begin, self.on_epoch_end = on_epoch_begin, on_epoch_end
        network = state.network
        self.batch_size = min(settings.batch_size, data.n_samples)
        network.allocate(self.batch_size)
        head = objective.loss
        self.guard = DivergenceGuard(
            head.reference_loss(network.spec.n_outputs, data.y),
            batch_reference=head.batch_reference_loss,
        )
        if settings.stop_on_plateau or state.monitor is None:
            monitor = PlateauMonitor(
                settings.tol, settings.n_iter_no_change, validation is not None
            )
            if not settings.stop_on_plateau:
                state.monitor = monitor
        else:
            monitor = state.monitor
        self.monitor = monitor
        self.best = BestParameters(state, start)
        self.report = RunReport()
        self.sizes = [W.size for W in network.weight_matrices]
        self._started = None

    def begin_epoch(self):
        """Call the hook, start the clock; return the epoch's rate and row order.

        Returns
        -------
        lr : float
            The schedule's rate at the epoch's start.
        order : ndarray of int or None
            A permutation of the rows drawn from the run's generator (None
            without shuffling).
        """
        if self.on_epoch_begin is not None:
            self.on_epoch_begin()
        self._started = time.perf_counter()
        state = self.state
        lr = float(state.schedule.rate_for(state.n_epochs))
        order = state.rng.permutation(self.data.n_samples) if self.settings.shuffle else None
        return lr, order

    def diverged(self, lr):
        """Record that the epoch begun at rate ``lr`` diverged (training stops)."""
        self.report.diverged_at_lr = lr

    def end_epoch(self, epoch_loss, update_ratio, lr):
        """Record a completed epoch; return True when training should stop.

        Parameters
        ----------
        epoch_loss : float
            Mean training loss of the epoch.
        update_ratio : list of float
            Update/weight ratio of each weight matrix at the epoch's last step.
        lr : float
            The rate :meth:`begin_epoch` returned.

        Returns
        -------
        stop : bool
        """
        state, settings, validation = self.state, self.settings, self.validation
        report, monitor = self.report, self.monitor
        state.n_epochs += 1
        state.samples_seen += self.data.n_samples
        state.loss_curve.append(epoch_loss)
        report.epochs += 1
        record = {"epoch": state.n_epochs, "loss": epoch_loss, "learning_rate": lr}
        if validation is not None:
            coefs, intercepts = state.predicting_params()
            record["validation_loss"], record["validation_score"] = evaluate(
                coefs, intercepts, state.network.activation, self.objective.loss, validation
            )
            # "loss" scoring monitors the negative loss, so that higher is better.
            scored = record["validation_score"]
            if settings.scoring == "loss":
                scored = -record["validation_loss"]
            state.validation_scores.append(scored)
        record["update_ratio"] = update_ratio
        record["time"] = time.perf_counter() - self._started
        state.history.append(record)
        monitored = state.validation_scores[-1] if validation is not None else epoch_loss
        # Without validation the best parameters only serve to roll back a
        # later epoch: after the last one there is none (partial_fit's case).
        later_epochs = report.epochs < settings.max_epochs
        if monitor.update(monitored) and (validation is not None or later_epochs):
            self.best.take(state)
        if settings.verbose:
            print(format_record(record), flush=True)
        if self.on_epoch_end is not None and self.on_epoch_end(record):
            report.stopped_by_hook = True
            return True
        if monitor.plateaued:
            if state.schedule.reduce_on_plateau():
                monitor.restart_patience()
                if settings.verbose:
                    print(f"Setting learning rate to {state.schedule.current:.6g}", flush=True)
            elif settings.stop_on_plateau:
                report.converged = True
                return True
        return False

    def finish(self):
        """Restore the parameters the call keeps and return its report.

        Returns
        -------
        report : RunReport
        """
        state, report = self.state, self.report
        if report.diverged_at_lr is not None or report.interrupted:
            self.best.restore(state)
            state.optimizer = state.optimizer_spec.build()
        elif self.validation is not None:
            self.best.restore(state)
        if self.validation is not None:
            report.best_validation_score = self.monitor.best
        return report


class BestParameters:
    """Snapshot of the parameters (and their average) at the best epoch so far.

    Until an epoch is taken, the best parameters are those the call started from:
    the caller's checkpoint when there is one (no second copy), else a snapshot.
    """

    def __init__(self, state, start=None):
        self.start, self.network, self.average = start, None, None
        if start is None:
            self._copy(state)

    def _copy(self, state):
        self.network = Snapshot(state.network)
        avg = state.averager
        self.average = None if avg is None or avg.average is None else avg.average.copy()

    def take(self, state):
        if self.network is None:
            self._copy(state)
            return
        self.network.take(state.network)
        if state.averager is not None and state.averager.average is not None:
            if self.average is None:
                self.average = state.averager.average.copy()
            else:
                self.average[...] = state.averager.average

    def restore(self, state):
        if self.network is None:
            self.start.restore_parameters()
            return
        self.network.restore(state.network)
        if state.averager is not None:
            if self.average is None:
                state.averager.average = None
                state.averager.n_updates = 0
            else:
                state.averager.average[...] = self.average


def format_record(record):
    """One line per epoch, in the shape scikit-learn's verbose output has."""
    parts = [f"Epoch {record['epoch']}", f"loss = {record['loss']:.8f}"]
    if "validation_score" in record:
        parts.append(f"validation loss = {record['validation_loss']:.6f}")
        parts.append(f"validation score = {record['validation_score']:.6f}")
    parts.append(f"learning rate = {record['learning_rate']:.3g}")
    parts.append(f"{record['time']:.2f} s")
    return ", ".join(parts)
