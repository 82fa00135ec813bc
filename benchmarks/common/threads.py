"""Thread counts under control: PyTorch's intra-op threads and the BLAS/OpenMP pools.

A comparison is only fair when every contender gets the same cores. PyTorch picks
its own thread count (and suffers the most from oversubscription on a small
machine), so it is imported through :func:`import_torch`, which fixes it. NumPy's
BLAS keeps its default (all usable cores) unless a block runs inside
:func:`limited_threads`.
"""

from __future__ import annotations

import contextlib


def import_torch(threads):
    """Import PyTorch and fix its intra-op thread count.

    Parameters
    ----------
    threads : int
        Passed to ``torch.set_num_threads``.

    Returns
    -------
    torch : module or None
        None when PyTorch cannot be imported (it is optional in every benchmark).
    message : str
        The torch version, or why the import failed.
    """
    try:
        import torch
    except Exception as exc:  # ImportError, or a broken install failing at import
        return None, f"{type(exc).__name__}: {exc}"
    torch.set_num_threads(threads)
    return torch, torch.__version__


@contextlib.contextmanager
def limited_threads(n, torch=None):
    """Limit every BLAS and OpenMP thread pool (and PyTorch's, if given) to ``n`` threads.

    For measurements that must not depend on how many cores are free, e.g. the
    per-batch cost of ``partial_fit`` with one thread per contender. The previous
    limits are restored on exit.

    Parameters
    ----------
    n : int
        Threads per pool.
    torch : module or None, default=None
        The imported ``torch``; its ``set_num_threads`` is applied and restored too.

    Yields
    ------
    None
    """
    from threadpoolctl import threadpool_limits

    previous = torch.get_num_threads() if torch is not None else None
    try:
        with threadpool_limits(limits=n):
            if torch is not None:
                torch.set_num_threads(n)
            yield
    finally:
        if torch is not None:
            torch.set_num_threads(previous)
