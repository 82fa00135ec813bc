"""Table cells, ratios and JSON conversion shared by the benchmark reports."""

from __future__ import annotations

import numpy as np


def fmt(x, spec=".3f", na="n/a"):
    """Format a number for a markdown table cell.

    Parameters
    ----------
    x : float, int or None
        The value; None, NaN and infinities are shown as ``na``.
    spec : str, default=".3f"
        A :func:`format` specification.
    na : str, default="n/a"
        What to show for a missing value.

    Returns
    -------
    str
    """
    if x is None or (isinstance(x, float) and not np.isfinite(x)):
        return na
    return format(x, spec)


def ratio(num, den):
    """``num / den``, or None when either is missing or ``den`` is 0.

    Parameters
    ----------
    num, den : float or None

    Returns
    -------
    float or None
    """
    if num is None or den is None or den == 0:
        return None
    return num / den


def json_default(o):
    """``default=`` hook of :func:`json.dump` for NumPy scalars and tuples.

    Parameters
    ----------
    o : object
        An object :mod:`json` cannot serialise by itself.

    Returns
    -------
    int, float, list or str
    """
    if isinstance(o, (np.integer,)):
        return int(o)
    if isinstance(o, (np.floating,)):
        return float(o)
    if isinstance(o, tuple):
        return list(o)
    return str(o)
