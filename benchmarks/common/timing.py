"""Interleaved timing with medians, for a noisy shared machine.

The protocol every benchmark follows (see ``benchmarks/README.md``): one untimed
warm-up per contender (done by the caller, which knows what warming up means),
then the contenders are **interleaved** (A, B, C, A, B, C, ...) for a number of
rounds so that a slow period hurts all of them instead of one, ``gc.collect()``
runs before every timed block, and the **median** over the rounds is reported
with the min-max spread.
"""

from __future__ import annotations

import gc
import sys
import traceback
import warnings

import numpy as np


def silence_convergence_warnings():
    """Ignore scikit-learn's "did not converge" warnings for the rest of the process.

    The timed fits stop at ``max_iter`` on purpose (a fixed number of epochs), so
    the warning would be printed for every fit and say nothing.
    """
    from sklearn.exceptions import ConvergenceWarning

    warnings.simplefilter("ignore", ConvergenceWarning)
    warnings.filterwarnings("ignore", message=".*Maximum iterations.*")
    warnings.filterwarnings("ignore", message=".*hasn't converged.*")


def error_message(exc):
    """One line describing ``exc``, short enough for a table cell.

    Parameters
    ----------
    exc : BaseException

    Returns
    -------
    str
        ``"TypeName: message"``, first line only, at most 300 characters.
    """
    return f"{type(exc).__name__}: {exc}".strip().splitlines()[0][:300]


def median_or_none(times):
    """Median of ``times`` as a float, or None when there are none.

    Parameters
    ----------
    times : list of float

    Returns
    -------
    float or None
    """
    return float(np.median(times)) if times else None


def run_interleaved(results, repeats, measure, *, verbose=False, progress=None):
    """Time each contender ``repeats`` times, interleaved, and store the medians.

    Parameters
    ----------
    results : dict of str to dict
        One entry per contender, in the order they are run, each with at least
        ``"times"`` and ``"errors"`` lists. A contender that already has an error
        (e.g. from its warm-up) is not timed. Updated in place: the times are
        appended, a ``"median"`` key is set for every entry.
    repeats : int
        Number of rounds; each round times every contender once.
    measure : callable
        ``measure(name, round_index) -> seconds``. It may append to
        ``results[name]["errors"]`` itself (e.g. a fit that ran too few epochs);
        the contender is then not timed again. An exception is recorded as
        ``"repeat i: ..."`` and also stops that contender.
    verbose : bool, default=False
        Print the traceback of an exception on stderr.
    progress : str or None, default=None
        If given, print ``"  [progress] repeat r/R: name=...s, ..."`` on stderr
        after every round.

    Returns
    -------
    dict of str to dict
        ``results``.
    """
    alive = [name for name, v in results.items() if not v["errors"]]
    for r in range(repeats):
        for name in alive:  # A, B, C, A, B, C, ...
            if results[name]["errors"]:
                continue
            # Collect now, so that no earlier garbage is collected inside the timing.
            gc.collect()
            try:
                seconds = measure(name, r)
            except Exception as exc:
                results[name]["errors"].append(f"repeat {r}: " + error_message(exc))
                if verbose:
                    traceback.print_exc()
                continue
            results[name]["times"].append(seconds)
        if progress is not None:
            print(
                f"  [{progress}] repeat {r + 1}/{repeats}: "
                + ", ".join(f"{n}={v['times'][-1]:.3f}s" for n, v in results.items() if v["times"]),
                file=sys.stderr,
            )
    for v in results.values():
        v["median"] = median_or_none(v["times"])
    return results


def spread_warnings(result_sets, limit=0.25):
    """Flag contenders whose repeats spread over more than ``limit`` of their median.

    A wide spread means something else ran during some of the repeats, so the
    median may not be trusted.

    Parameters
    ----------
    result_sets : list of (str, dict)
        ``(where, results)`` pairs; ``results`` maps a contender to a dict with
        ``"times"`` and ``"median"``. Keys starting with ``_`` are skipped.
    limit : float, default=0.25
        Largest accepted (max - min) / median.

    Returns
    -------
    list of str
        One message per flagged contender.
    """
    out = []
    for where, res in result_sets:
        for name, v in res.items():
            if name.startswith("_") or not v.get("times") or not v.get("median"):
                continue
            spread = (max(v["times"]) - min(v["times"])) / v["median"]
            if spread > limit:
                out.append(f"{where} {name}: repeats spread over {100 * spread:.0f}% of the median")
    return out
