"""Networks of one architecture trained at once, each on its own rows: lockstep training.

A cross-fitted ensemble trains ``k`` small networks that differ only by their rows
and their seeds. On a small table a step of one of them costs mostly the overhead
of some thirty NumPy calls of a few microseconds each, not arithmetic. Trained in
lockstep, the ``k`` networks become one stack: each affine layer is a batched
product over the members (:class:`~.ensemble.MemberDense`, on the members' rows
stacked member-major), the activations run on all rows at once, and the optimizer
steps every member's parameters as one flat vector. The overhead of a step is
paid once instead of ``k`` times.

Each member is still the network it would be on its own:

* its initial weights, its generator (the order of its rows in every epoch), its
  own rows and batch bounds (a member with fewer rows in a batch gets rows of zero
  gradient as padding);
* its loss: one call of the head on all the rows, each row weighted by
  ``1 / rows of its member's batch`` (0 for padding), hands back every row's
  share of the loss, whose sum over a member's block is that member's batch
  loss; its divergence guard, and everything :class:`~.run.Run` keeps:
  validation, plateau monitor, best epoch, history, hooks and report;
* its gradient: the members' blocks never mix (block-diagonal products, row
  weights, an element-wise optimizer), so a member trained in lockstep equals
  the network trained alone up to the rounding of the batched products.

After every epoch the members' parameters and optimizer state are copied back
into their own :class:`~.training.TrainingState`, which is what the epoch's
bookkeeping reads. A member whose call ends (its plateau, a hook, divergence)
leaves: the stack is rebuilt from the remaining members' states, so no step is
spent on it, and its network keeps the parameters :class:`~.run.Run` restored.

:func:`lockstep_obstacle` says when a group of calls cannot be stacked (the
caller then trains them one by one); :func:`run_lockstep` trains the others.
"""

import dataclasses

import numpy as np
import scipy.sparse as sp

from .ensemble import MemberDense
from .kernels import backend_name_for
from .layers import ActivationLayer, Dense, backward_through, forward_through
from .run import Run
from .schedules import Schedule
from .training import batch_bounds, update_ratios


def lockstep_obstacle(states, datas, settings, validations):
    """Why these training calls cannot run in lockstep, or None when they can.

    Parameters
    ----------
    states : list of TrainingState
        Fresh states (no step taken yet).
    datas : list of Dataset
        Each call's training rows.
    settings : list of LoopSettings
    validations : list of Dataset or None

    Returns
    -------
    reason : str or None
    """
    first = states[0]
    if len(states) < 2:
        return "fewer than two networks"
    if any(s.network.spec != first.network.spec for s in states):
        return "the networks differ in architecture (outputs or features)"
    if any(not isinstance(layer, (Dense, ActivationLayer)) for layer in first.network.layers):
        return "only dense layers and activations stack (no batch norm, dropout or members)"
    if any(s.network.dtype != first.network.dtype for s in states):
        return "the networks differ in precision"
    if any(s.averager is not None for s in states):
        return "weight averaging"
    if any(s.optimizer.t or s.optimizer_spec != first.optimizer_spec for s in states):
        return "the optimizers differ or have already stepped"
    if any(not _plain_schedule(s.schedule, first.schedule) for s in states):
        return "the schedules differ or react to plateaus"
    if any(sp.issparse(d.X) or d.sample_weight is not None for d in datas):
        return "sparse data or sample weights"
    if any(v is None for v in validations):
        return "a call without validation data"
    common = dataclasses.replace(settings[0], batch_size=0)
    if any(dataclasses.replace(s, batch_size=0) != common for s in settings):
        return "the loop settings differ"
    if common.max_norm is not None:
        return "max-norm constraints"
    if len({len(_batch_bounds(d.n_samples, s)) for d, s in zip(datas, settings)}) > 1:
        return "the calls have different numbers of batches per epoch"
    return None


def _plain_schedule(schedule, reference):
    """A schedule that never reacts to plateaus and has the reference's settings."""
    if type(schedule) is not type(reference):
        return False
    if type(schedule).reduce_on_plateau is not Schedule.reduce_on_plateau:
        return False
    return vars(schedule) == vars(reference)


def _batch_bounds(n, settings):
    """The row bounds of a call's batches, as its own epoch loop would make them."""
    return batch_bounds(n, min(settings.batch_size, n), settings.even_batches)


class _Stack:
    """Some members' networks as one stack of member-wise layers on flat vectors.

    The flat vectors hold every weight array, then every bias, each of shape
    ``(k, ...)``: a member's entries of an array are one contiguous block, in the
    order of its own network's vector. Built from the members' states (their
    parameters and optimizer state), with buffers for batches of ``rows`` rows
    per member.
    """

    def __init__(self, states, members, datas, bounds, rows):
        self.states, self.members, self.datas = states, members, datas
        self.k = k = len(members)
        first = states[members[0]].network
        self.layers = []
        for layer in first.layers:
            if isinstance(layer, Dense):
                stacked = MemberDense(k, layer.fan_in, layer.fan_out, layer.input_gradient)
            else:
                stacked = ActivationLayer(layer.activation, layer.width)
            self.layers.append(stacked)
        self.dense = [layer for layer in self.layers if isinstance(layer, MemberDense)]
        entries = [(layer, 0) for layer in self.dense] + [(layer, 1) for layer in self.dense]
        dtype = first.dtype
        shapes = [layer.param_specs()[which][1] for layer, which in entries]
        sizes = [int(np.prod(shape)) for shape in shapes]
        self.theta = np.zeros(sum(sizes), dtype=dtype)
        self.grad = np.zeros_like(self.theta)
        self.n_weights = sum(sizes[: len(self.dense)])
        views = {id(layer): ({}, {}) for layer in self.dense}
        # (offset in the stack, offset in a member's vector, entries per member)
        self.blocks, offset, member_offset = [], 0, 0
        for (layer, which), shape, size in zip(entries, shapes, sizes):
            name = "Wb"[which]
            views[id(layer)][0][name] = self.theta[offset : offset + size].reshape(shape)
            views[id(layer)][1][name] = self.grad[offset : offset + size].reshape(shape)
            self.blocks.append((offset, member_offset, size // k))
            offset += size
            member_offset += size // k
        for layer in self.layers:
            params, grads = views.get(id(layer), ({}, {}))
            layer.bind(params, grads, {})
            layer.allocate(k * rows, dtype)
        spec = states[members[0]].optimizer_spec
        self.optimizer = dataclasses.replace(
            spec,
            size=self.theta.size,
            n_weights=None if spec.n_weights is None else self.n_weights,
            # The stack's size decides, as for any network (:mod:`.kernels`).
            kernels=backend_name_for(self.theta.size),
        ).build()
        self.moments = _optimizer_arrays(self.optimizer)
        for slot, j in enumerate(members):
            self._load(self.theta, states[j].network.theta, slot)
            for name in self.moments:
                self._load(getattr(self.optimizer, name), getattr(states[j].optimizer, name), slot)
        self.optimizer.t = states[members[0]].optimizer.t
        # Padding rows are zeros until a real row is written there: always finite.
        targets = datas[members[0]].y
        self.X = np.zeros((k, rows, datas[members[0]].X.shape[1]), dtype=dtype)
        self.y = np.zeros((k * rows, *targets.shape[1:]), dtype=targets.dtype)
        self.weights = np.zeros(k * rows)
        self.sample_losses = np.zeros(k * rows)
        self.starts = np.arange(k) * rows
        # The batches' row weights depend on the bounds only: made once, not per batch.
        n_batches = len(bounds[members[0]]) - 1
        self.batch_weights = np.zeros((n_batches, k, rows))
        for slot, j in enumerate(members):
            for i, n in enumerate(np.diff(bounds[j])):
                self.batch_weights[i, slot, :n] = 1.0 / n
        self.batch_weights = self.batch_weights.reshape(n_batches, k * rows)
        self.silenced = set()

    def _slices(self, slot, blocks=None):
        """``(in the stack, in the member's own vector)`` slices of a slot's blocks."""
        return [
            (slice(offset + slot * size, offset + (slot + 1) * size), slice(own, own + size))
            for offset, own, size in (self.blocks if blocks is None else blocks)
        ]

    def _load(self, stacked, own, slot):
        for here, there in self._slices(slot):
            stacked[here] = own[there]

    def store(self, slot):
        """Copy a member's parameters and optimizer state back into its own state."""
        state = self.states[self.members[slot]]
        pairs = [(self.theta, state.network.theta)]
        pairs += [(getattr(self.optimizer, n), getattr(state.optimizer, n)) for n in self.moments]
        for here, there in self._slices(slot):
            for stacked, own in pairs:
                own[there] = stacked[here]
        state.optimizer.t = self.optimizer.t

    def silence(self, slot):
        """Zero a member's parameters, optimizer state and row weights: it computes zeros."""
        for here, _ in self._slices(slot):
            for vector in [self.theta, *(getattr(self.optimizer, n) for n in self.moments)]:
                vector[here] = 0
        self.silenced.add(slot)

    def weight_blocks(self, vector, slot):
        """A member's weight matrices in ``vector``, flattened in its own order (a new array)."""
        weights = self.blocks[: len(self.dense)]
        return np.concatenate([vector[here] for here, _ in self._slices(slot, weights)])

    def set_batch_weights(self, i):
        """The row weights of batch ``i``: ``1 / rows`` of each member's batch, 0 for padding."""
        np.copyto(self.weights, self.batch_weights[i])
        rows = self.X.shape[1]
        for slot in self.silenced:
            self.weights[slot * rows : (slot + 1) * rows] = 0.0

    def gather(self, slot, order, start, stop):
        """Write a member's batch rows and targets into its slot; return its targets."""
        data, rows = self.datas[self.members[slot]], self.X.shape[1]
        n = stop - start
        positions = slice(start, stop) if order is None else order[start:stop]
        index = positions if data.rows is None else data.rows[positions]
        if isinstance(index, slice):
            self.X[slot, :n] = data.X[index]
        else:
            np.take(data.X, index, axis=0, out=self.X[slot, :n], mode="clip")
        y = self.y[slot * rows : slot * rows + n]
        y[...] = data.y[index]
        return y

    def forward(self):
        """The stacked batch's scores (members' rows stacked) and the caches."""
        return forward_through(self.layers, self.X.reshape(-1, self.X.shape[2]))

    def backward(self, dscores, caches):
        """Fill the stack's gradient vector from the scores' gradient."""
        backward_through(self.layers, dscores, caches)


def _optimizer_arrays(optimizer):
    """Names of an optimizer's per-parameter state arrays (moments, caches)."""
    return [
        name
        for name, value in vars(optimizer).items()
        if isinstance(value, np.ndarray) and name != "scratch"
    ]


def run_lockstep(states, objectives, datas, settings, validations, hooks):
    """Train several calls in lockstep; the same as :func:`.training.run_epochs` each.

    Parameters
    ----------
    states : list of TrainingState
    objectives : list of Objective
    datas : list of Dataset
    settings : list of LoopSettings
    validations : list of Dataset
    hooks : list of (callable or None, callable or None)
        Each call's ``on_epoch_begin`` and ``on_epoch_end``.

    Returns
    -------
    reports : list of RunReport

    Raises
    ------
    ValueError
        When :func:`lockstep_obstacle` names a reason.
    """
    reason = lockstep_obstacle(states, datas, settings, validations)
    if reason is not None:
        raise ValueError(f"these networks cannot train in lockstep: {reason}")
    runs = [
        Run(state, objective, data, loop, validation, begin, end)
        for state, objective, data, loop, validation, (begin, end) in zip(
            states, objectives, datas, settings, validations, hooks
        )
    ]
    bounds = [_batch_bounds(d.n_samples, s) for d, s in zip(datas, settings)]
    rows = max(b[i + 1] - b[i] for b in bounds for i in range(len(b) - 1))
    members = list(range(len(states)))
    stack = _Stack(states, members, datas, bounds, rows)
    try:
        for _ in range(settings[0].max_epochs):
            begun = [runs[j].begin_epoch() for j in members]
            lr = begun[0][0]
            losses, ratios, diverged = _epoch(stack, runs, objectives, bounds, begun)
            ended = []
            for slot, j in enumerate(members):
                if slot in diverged:
                    runs[j].diverged(lr)
                    ended.append(j)
                    continue
                stack.store(slot)
                if runs[j].end_epoch(losses[slot], ratios[slot], lr):
                    ended.append(j)
            members = [j for j in members if j not in ended]
            if not members:
                break
            if ended:
                stack = _Stack(states, members, datas, bounds, rows)
    except KeyboardInterrupt:
        for j in members:
            runs[j].report.interrupted = True
    return [run.finish() for run in runs]


def _epoch(stack, runs, objectives, bounds, begun):
    """One epoch of every member in the stack; per-slot losses, update ratios, divergences."""
    members, optimizer = stack.members, stack.optimizer
    rows = stack.X.shape[1]
    head = objectives[members[0]].loss
    penalty = objectives[members[0]].penalty
    schedule, epoch = runs[members[0]].state.schedule, runs[members[0]].state.n_epochs
    continuous = getattr(schedule, "continuous", False)
    lr = begun[0][0]
    n_batches = len(bounds[members[0]]) - 1
    sums = np.zeros((stack.k, 2))
    diverged, before = set(), None
    for i in range(n_batches):
        if continuous:
            lr = float(schedule.rate_for(epoch + i / n_batches))
        targets = {}
        for slot, j in enumerate(members):
            if slot not in diverged:
                start, stop = bounds[j][i], bounds[j][i + 1]
                targets[slot] = stack.gather(slot, begun[slot][1], start, stop)
        stack.set_batch_weights(i)
        scores, caches = stack.forward()
        head(scores, stack.y, stack.weights, gradient=True, sample_losses=stack.sample_losses)
        batch_losses = np.add.reduceat(stack.sample_losses, stack.starts)
        for slot, y in targets.items():
            loss = float(batch_losses[slot])
            if penalty.active:
                loss += sum(penalty.value(layer.params["W"][slot].ravel()) for layer in stack.dense)
            if runs[members[slot]].guard.diverged(loss, y, None):
                # As alone: this member's epoch stops here, before its step.
                diverged.add(slot)
                stack.silence(slot)
                scores[slot * rows : (slot + 1) * rows] = 0
                continue
            sums[slot] += (loss * len(y), len(y))
        stack.backward(scores, caches)
        if i == n_batches - 1:
            before = stack.theta[: stack.n_weights].copy()
        optimizer.step(stack.theta, stack.grad, lr)
    losses, ratios = {}, {}
    for slot, j in enumerate(members):
        if slot in diverged:
            continue
        losses[slot] = sums[slot, 0] / max(sums[slot, 1], 1e-300)
        ratios[slot] = update_ratios(
            stack.weight_blocks(stack.theta, slot),
            stack.weight_blocks(before, slot),
            runs[j].sizes,
        )
    return losses, ratios, diverged
