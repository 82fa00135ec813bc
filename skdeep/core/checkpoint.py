"""Checkpoints of a training state: what a call mutates, and only that.

A ``fit``/``partial_fit`` that continues a model must leave it as it was when the
call fails half-way (a callback raises, memory runs out). Training changes a
:class:`~.training.TrainingState` in place, but only in a few places: the
parameter and batch-norm vectors, the optimizer's moment vectors and step count,
the schedule's and monitors' scalars, the weight average, the generator's
position, the counters and the appended history. :func:`take` copies exactly
those (and records which objects the state referred to, since a warm start
replaces some), and :meth:`Checkpoint.restore` writes them back. The layers'
batch buffers are scratch space and are not copied.
"""

from dataclasses import dataclass

import numpy as np

_LISTS = ("loss_curve", "history", "validation_scores")
_COUNTERS = ("n_epochs", "samples_seen")
_COMPONENTS = ("optimizer", "schedule", "averager", "monitor")


def _attributes(obj):
    """Copy of an object's attributes, arrays copied, scratch space referenced.

    A class lists in ``_SCRATCH`` the attributes whose contents never matter
    between calls (e.g. an optimizer's scratch vector): they are not copied.
    """
    if obj is None:
        return None
    scratch = getattr(type(obj), "_SCRATCH", ())
    return {
        name: value.copy() if isinstance(value, np.ndarray) and name not in scratch else value
        for name, value in vars(obj).items()
    }


def _put_back(obj, attributes):
    if obj is None:
        return
    for name, value in attributes.items():
        current = getattr(obj, name, None)
        if (
            isinstance(value, np.ndarray)
            and isinstance(current, np.ndarray)
            and current is not value
            and current.shape == value.shape
        ):
            current[...] = value  # keep the array others may hold a view of
        else:
            setattr(obj, name, value)
    for name in set(vars(obj)) - set(attributes):
        delattr(obj, name)


@dataclass
class Checkpoint:
    """What :func:`take` recorded; :meth:`restore` puts it back.

    Parameters
    ----------
    state : TrainingState
        The state the checkpoint belongs to.
    references : dict
        The objects the state referred to (network, optimizer, ...).
    arrays : dict
        Copies of the network's parameter and state vectors.
    components : dict
        Attribute copies of the optimizer, schedule, averager and monitor.
    rng_state : dict
        Position of the generator.
    counters : dict
        Scalar counters and the lengths of the history lists.
    """

    state: object
    references: dict
    arrays: dict
    components: dict
    rng_state: dict
    counters: dict

    def restore_parameters(self):
        """Put back the parameters, batch-norm statistics and weight average only.

        What a rollback after divergence needs: the optimizer is rebuilt afresh
        and the counters and history keep the completed epochs. The values go
        into the state's current network (a warm start may have rebuilt it with
        the same layout); a weight average that the warm start replaced restarts
        empty, as it did at the start of the call.
        """
        state = self.state
        state.network.theta[...] = self.arrays["theta"]
        state.network.state[...] = self.arrays["state"]
        averager = state.averager
        if averager is None:
            return
        if averager is self.references["averager"]:
            saved = self.components["averager"]
            averager.average = None if saved["average"] is None else saved["average"].copy()
            averager.n_updates = saved["n_updates"]
        else:
            averager.average, averager.n_updates = None, 0

    def restore(self):
        """Return the state to what it was when the checkpoint was taken."""
        state = self.state
        for name, obj in self.references.items():
            setattr(state, name, obj)
        network = state.network
        network.theta[...] = self.arrays["theta"]
        network.state[...] = self.arrays["state"]
        for name, attributes in self.components.items():
            _put_back(getattr(state, name), attributes)
        state.rng.bit_generator.state = self.rng_state
        for name in _COUNTERS:
            setattr(state, name, self.counters[name])
        for name in _LISTS:
            del getattr(state, name)[self.counters[name] :]


def take(state):
    """Checkpoint a :class:`~.training.TrainingState`.

    Parameters
    ----------
    state : TrainingState

    Returns
    -------
    checkpoint : Checkpoint
    """
    names = ("network", "optimizer_spec", "rng", *_COMPONENTS)
    return Checkpoint(
        state=state,
        references={name: getattr(state, name) for name in names},
        arrays={"theta": state.network.theta.copy(), "state": state.network.state.copy()},
        components={name: _attributes(getattr(state, name)) for name in _COMPONENTS},
        rng_state=state.rng.bit_generator.state,
        counters={
            **{name: getattr(state, name) for name in _COUNTERS},
            **{name: len(getattr(state, name)) for name in _LISTS},
        },
    )
