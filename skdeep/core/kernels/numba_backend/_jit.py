"""How the numba kernels are compiled, and when they run on more than one thread.

Compilation options (every kernel):

* ``cache=True``: machine code is written next to the sources (``__pycache__``), or
  under ``NUMBA_CACHE_DIR``, or in the user's cache directory when the package
  directory is read-only; a fresh process loads it instead of compiling.
* ``error_model="numpy"``: with Python's error model numba checks every float
  division for a zero divisor, which stops LLVM from vectorising the loops (measured:
  the Adam step runs 4x slower).
* ``nogil=True``: estimators trained in threads run their kernels concurrently.
* no ``fastmath``: the kernels must reproduce NumPy's rounding, so no reassociation
  and no fused multiply-add.

Threads: the kernels run on the calling thread unless ``SKDEEP_KERNEL_THREADS`` (read
once, at import) asks for more; then the kernels that have a parallel version use it
above a per-kernel size threshold. One thread is the default because on the
two-core machines measured the second thread pays only when nothing else runs (see
``benchmarks/bench_kernels.py``), and because numba's thread pools come with
constraints a library should not impose silently: the OpenMP layer aborts a child
process forked after a parallel region, and the workqueue layer aborts on concurrent
launches from two Python threads.
"""

import os

import numba
import numpy as np

_OPTIONS = {"cache": True, "error_model": "numpy", "nogil": True}

THREADS_ENV = "SKDEEP_KERNEL_THREADS"

PARALLEL_MIN_SIZE = {
    "optimizer": 1 << 18,
    "ema": 1 << 19,
    "activation": 1 << 17,
    "batch_norm": 1 << 17,
}
"""Elements below which a parallel kernel is not worth its thread launch."""


def kernel(function):
    """Compile ``function`` lazily, single-threaded, with the options above."""
    return numba.njit(**_OPTIONS)(function)


def parallel_kernel(function):
    """Compile ``function`` lazily with ``parallel=True`` (its ``prange`` loops split)."""
    return numba.njit(parallel=True, **_OPTIONS)(function)


def inline(function):
    """Compile ``function`` into its callers (numba IR inlining, so constants fold)."""
    return numba.njit(inline="always", error_model="numpy")(function)


def _threads_from_environment():
    value = os.environ.get(THREADS_ENV, "1").strip() or "1"
    try:
        threads = int(value)
    except ValueError:
        raise ValueError(f"{THREADS_ENV} must be a positive integer, not {value!r}") from None
    if threads < 1:
        raise ValueError(f"{THREADS_ENV} must be a positive integer, not {value!r}")
    return min(threads, numba.config.NUMBA_NUM_THREADS)


_threads = _threads_from_environment()


def threads():
    """Number of threads the parallel kernels use (1: they are never used)."""
    return _threads


def set_threads(n):
    """Set the number of threads of the parallel kernels (1 turns them off).

    Parameters
    ----------
    n : int
        At least 1, at most ``numba.config.NUMBA_NUM_THREADS``.
    """
    global _threads
    if not 1 <= int(n) <= numba.config.NUMBA_NUM_THREADS:
        raise ValueError(f"threads must be in [1, {numba.config.NUMBA_NUM_THREADS}], got {n}")
    _threads = int(n)


def use_parallel(size, family):
    """Whether a kernel of ``family`` on ``size`` elements should take its parallel version."""
    if _threads == 1 or size < PARALLEL_MIN_SIZE[family]:
        return False
    if numba.get_num_threads() != _threads:  # numba's setting is per calling thread
        numba.set_num_threads(_threads)
    return True


_EMPTY = {np.dtype(np.float32): np.empty(0, np.float32), np.dtype(np.float64): np.empty(0)}


def empty_like_dtype(dtype):
    """A shared empty vector of ``dtype``: stands for an absent optional array."""
    return _EMPTY[np.dtype(dtype)]


def check_vectors(first, *others):
    """Raise unless every array has the shape and dtype of ``first`` and is C-contiguous.

    The compiled loops do not check bounds, so a short array would be read past its
    end; this costs well under a microsecond.
    """
    for array in (first, *others):
        if array.shape != first.shape or array.dtype != first.dtype or not array.flags.c_contiguous:
            raise ValueError(
                "kernel arrays must be C-contiguous with the same shape and dtype; got "
                f"{array.shape} {array.dtype} against {first.shape} {first.dtype}"
            )
    if first.dtype not in _EMPTY:
        raise ValueError(f"kernels run in float32 or float64, not {first.dtype}")
