"""Sampling and narrowing of search spaces for :class:`~skdeep.CoarseToFineSearchCV`.

A round of coarse-to-fine search samples candidates from a list of subspaces
(dicts of distributions or lists); between rounds each distribution is narrowed
to the span of the best values on its own scale (log-uniform stays log-uniform,
one-minus-log-uniform stays so, uniform and integer ranges stay linear) and each
list keeps only the values the best configurations used.
"""

import math
import warnings

import numpy as np
import scipy.stats
from sklearn.model_selection import ParameterGrid
from sklearn.utils.random import sample_without_replacement

from .distributions import _UniformOnScale

# When the best configurations all share one value of a continuous or integer
# parameter, the next round samples it in a neighbourhood of that value whose
# width is this fraction of the current range, measured on the distribution's
# own scale (log scale for log-uniform, ...), clipped to the current range.
_POINT_NEIGHBOURHOOD = 0.1

_LOGUNIFORM_GEN = type(scipy.stats.loguniform)  # also covers scipy.stats.reciprocal
_UNIFORM_GEN = type(scipy.stats.uniform)
_RANDINT_GEN = type(scipy.stats.randint)


# --------------------------------------------------------------------------- #
# Sampling
# --------------------------------------------------------------------------- #
def _is_all_lists(subspace):
    return all(not hasattr(value, "rvs") for value in subspace.values())


def _sample_candidates(subspaces, n_iter, rng, round_idx=0):
    """Sample ``n_iter`` candidates; return ``(subspace_index, params)`` pairs.

    Same scheme as :class:`~sklearn.model_selection.ParameterSampler` (and the
    same draws for a given ``RandomState``): when every value of every subspace
    is a list, sample without replacement from the grid; otherwise pick a
    subspace uniformly, then each parameter (in sorted key order) from its
    distribution (``rvs``) or uniformly from its list. Unlike ParameterSampler,
    the index of the subspace each candidate comes from is returned too.
    """
    if all(_is_all_lists(subspace) for subspace in subspaces):
        grids = [ParameterGrid(subspace) for subspace in subspaces]
        offsets = np.cumsum([0] + [len(grid) for grid in grids])
        grid_size = int(offsets[-1])
        if grid_size < n_iter:
            warnings.warn(
                f"Round {round_idx}: the space of parameters holds only {grid_size} "
                f"combinations, fewer than n_iter={n_iter}. Running {grid_size} "
                "candidates in this round.",
                UserWarning,
                stacklevel=2,
            )
            n_iter = grid_size
        sampled = []
        for flat in sample_without_replacement(grid_size, n_iter, random_state=rng):
            which = int(np.searchsorted(offsets, flat, side="right") - 1)
            sampled.append((which, grids[which][int(flat - offsets[which])]))
        return sampled

    sampled = []
    for _ in range(n_iter):
        which = int(rng.choice(len(subspaces)))
        params = {}
        for key, value in sorted(subspaces[which].items()):
            if hasattr(value, "rvs"):
                params[key] = value.rvs(random_state=rng)
            else:
                params[key] = value[rng.randint(len(value))]
        sampled.append((which, params))
    return sampled


# --------------------------------------------------------------------------- #
# Narrowing
# --------------------------------------------------------------------------- #
def _neighbourhood(center, low, high):
    """Interval of width ``_POINT_NEIGHBOURHOOD * (high - low)`` around center."""
    half = 0.5 * _POINT_NEIGHBOURHOOD * (high - low)
    return max(low, center - half), min(high, center + half)


def _narrow_on_scale(values, low, high, to_scale, from_scale):
    """Narrow ``[low, high]`` to the span of ``values`` (on a monotone scale).

    Returns the new ``(low, high)`` or ``None`` when the result would be
    degenerate (then the caller keeps its distribution unchanged).
    """
    values = np.clip(np.asarray(values, dtype=float), low, high)
    new_low, new_high = float(values.min()), float(values.max())
    if new_low < new_high:
        return new_low, new_high
    s_low, s_high = _neighbourhood(
        float(to_scale(new_low)), float(to_scale(low)), float(to_scale(high))
    )
    new_low = max(low, float(from_scale(s_low)))
    new_high = min(high, float(from_scale(s_high)))
    if not new_low < new_high:
        return None
    return new_low, new_high


def _identity(x):
    return x


def _frozen_args(dist):
    """Shape parameters, loc and scale of a frozen scipy distribution."""
    parsed = dist.dist._parse_args(*dist.args, **dist.kwds)
    shapes, loc = parsed[0], parsed[1]
    scale = parsed[2] if len(parsed) > 2 else 1
    return tuple(float(s) for s in shapes), float(loc), float(scale)


def _loc_scale_kwargs(loc, scale):
    kwargs = {}
    if loc != 0:
        kwargs["loc"] = loc
    if scale != 1:
        kwargs["scale"] = scale
    return kwargs


def _narrow_values(values, best_values):
    """Keep the entries of the list ``values`` that occur in ``best_values``."""

    def occurs(value):
        for best in best_values:
            if best is value:
                return True
            try:
                if bool(best == value):
                    return True
            except Exception:  # e.g. arrays compared element-wise
                continue
        return False

    kept = [value for value in values if occurs(value)]
    return kept if kept else list(values)


def _narrow_distribution(dist, best_values):
    """Return the narrowed version of one entry of ``param_distributions``.

    ``best_values`` are the values this parameter takes in the best
    configurations (non-empty).
    """
    if not hasattr(dist, "rvs"):
        return _narrow_values(dist, best_values)

    if isinstance(dist, _UniformOnScale):
        bounds = _narrow_on_scale(
            best_values, dist.low, dist.high, dist._to_scale, dist._from_scale
        )
        return dist if bounds is None else type(dist)(*bounds)

    frozen_gen = getattr(dist, "dist", None)
    if isinstance(frozen_gen, _LOGUNIFORM_GEN):
        (a, b), loc, scale = _frozen_args(dist)
        standard = (np.asarray(best_values, dtype=float) - loc) / scale
        bounds = _narrow_on_scale(standard, a, b, np.log, np.exp)
        if bounds is None:
            return dist
        return frozen_gen(*bounds, **_loc_scale_kwargs(loc, scale))

    if isinstance(frozen_gen, _UNIFORM_GEN):
        _, loc, scale = _frozen_args(dist)
        bounds = _narrow_on_scale(best_values, loc, loc + scale, _identity, _identity)
        if bounds is None:
            return dist
        return frozen_gen(loc=bounds[0], scale=bounds[1] - bounds[0])

    if isinstance(frozen_gen, _RANDINT_GEN):
        (low, high), loc, _ = _frozen_args(dist)
        first, last = int(low + loc), int(high + loc) - 1  # inclusive support
        ints = np.clip(np.rint(np.asarray(best_values, dtype=float)), first, last)
        new_first, new_last = int(ints.min()), int(ints.max())
        if new_first == new_last:
            s_low, s_high = _neighbourhood(float(new_first), first, last)
            new_first = max(first, math.ceil(s_low))
            new_last = min(last, math.floor(s_high))
        return frozen_gen(new_first, new_last + 1)

    # Unknown distribution: we do not know its scale, keep it as it is.
    return dist


# --------------------------------------------------------------------------- #
# Estimator
# --------------------------------------------------------------------------- #
